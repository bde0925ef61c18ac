"""Boundaries importer and the maps drawn from it: every London area and every upper-tier
council, simplified but still the same places, the committed extract what the importer
writes, a bad file refused with nothing written, and the three boroughs outlined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from importtest import run_once

from triborough.figures.maps import choropleth, classes, map_table
from triborough.importers import boundaries
from triborough.importers.common import ImportError_
from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import MAP_NO_FIGURE, MAP_SCALE
from triborough.settings import PROJECT_ROOT

out = run_once(boundaries, "boundaries")


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_london_has_its_33_areas_with_closed_simplified_rings(out, raw_dir):
    london = _read(out / boundaries.LONDON_FILE)
    codes = [f["properties"]["code"] for f in london["features"]]
    assert codes == [f"E090000{n:02d}" for n in range(1, 34)]
    names = {f["properties"]["code"]: f["properties"]["name"] for f in london["features"]}
    assert names["E09000001"] == "City of London" and names["E09000033"] == "Westminster"
    raw = _read(raw_dir / boundaries.FOLDER / boundaries.LONDON_RAW)
    points = lambda fc: sum(len(r) for f in fc["features"]  # noqa: E731
                            for p in f["geometry"]["coordinates"] for r in p)
    assert points(london) < points(raw) * 0.8  # simplified (4,822 of 6,548 points) ...
    for feature in london["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4  # ... but every ring closed
    # Westminster's simplified outline stays within 100 m (0.001°) of the published box.
    def box(fc: dict, code: str) -> list[float]:
        xy = [pt for f in fc["features"] if f["properties"]["code"] == code
              for p in f["geometry"]["coordinates"] for r in p for pt in r]
        return [min(x for x, _ in xy), min(y for _, y in xy),
                max(x for x, _ in xy), max(y for _, y in xy)]
    assert box(london, "E09000033") == pytest.approx(box(raw, "E09000033"), abs=0.001)


def test_england_has_one_area_per_upper_tier_council(out, built_warehouse):
    import duckdb

    england = _read(out / boundaries.ENGLAND_FILE)
    codes = {f["properties"]["code"] for f in england["features"]}
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        tier = {r[0] for r in con.sql(
            "select area_code from dim_area where area_type in ('London Borough', "
            "'Metropolitan District', 'Unitary Authority', 'County')").fetchall()}
    assert codes == tier and len(codes) == 153
    kent = next(f for f in england["features"] if f["properties"]["code"] == "E10000016")
    assert kent["properties"]["name"] == "Kent"
    assert len(kent["geometry"]["coordinates"]) >= 12  # its twelve districts, drawn together


def test_committed_extracts_are_what_the_importer_writes(out):
    for name in (boundaries.LONDON_FILE, boundaries.ENGLAND_FILE):
        committed = PROJECT_ROOT / "data" / "public" / name
        assert committed.read_bytes() == (out / name).read_bytes(), name


def test_a_bad_file_is_refused_and_nothing_is_written(raw_dir, tmp_path):
    raw = tmp_path / "raw"
    (raw / boundaries.FOLDER).mkdir(parents=True)
    shutil.copy(raw_dir / boundaries.FOLDER / boundaries.ENGLAND_RAW,
                raw / boundaries.FOLDER / boundaries.ENGLAND_RAW)
    london = _read(raw_dir / boundaries.FOLDER / boundaries.LONDON_RAW)
    del london["features"][4]["properties"]["code"]
    (raw / boundaries.FOLDER / boundaries.LONDON_RAW).write_text(json.dumps(london))
    target = tmp_path / "public"
    with pytest.raises(ImportError_, match=r"london_boroughs_lad20_bgc.geojson: feature 5 has "
                                           r"no code"):
        boundaries.run(raw, target)
    assert not target.exists() or not any(target.iterdir())


def test_map_greys_an_area_without_a_figure_and_outlines_the_three(out):
    shapes = _read(out / boundaries.LONDON_FILE)
    figures = pl.DataFrame({
        "area_code": [f"E090000{n:02d}" for n in range(2, 34)],
        "value": [float(n) for n in range(2, 34)],
        "suppressed": [n == 7 for n in range(2, 34)],  # Camden's count hidden
    })
    table = map_table(figures, shapes, unit="count", suppressed_note="suppressed (fewer than 5)")
    notes = dict(table.select("area_code", "note").iter_rows())
    assert notes["E09000001"] == "no figure" and notes["E09000007"] == "suppressed (fewer than 5)"
    assert table.filter(pl.col("area_code") == "E09000007").item(0, "value") is None
    fig = choropleth(table, shapes, title="t", unit="count")
    areas = [t for t in fig.data if t.meta["role"] == "area"]
    assert len(areas) == 33
    fills = {t.meta["area"]: t.fillcolor for t in areas}
    assert fills["E09000001"] == fills["E09000007"] == MAP_NO_FIGURE
    assert fills["E09000033"] == MAP_SCALE[-1] and fills["E09000002"] == MAP_SCALE[0]
    (outline,) = [t for t in fig.data if t.meta["role"] == "outline"]
    ours = [f for f in shapes["features"] if f["properties"]["code"] in BOROUGH_BY_CODE]
    rings = sum(len(p) for f in ours for p in f["geometry"]["coordinates"])
    assert list(outline.x).count(None) == rings and outline.line.width == 3
    keys = [t.name for t in fig.data if t.meta["role"] == "key"]
    assert keys[0] == "2 to 8.2" and keys[-1] == "No figure"


def test_equal_steps_from_lowest_to_highest():
    assert classes([0.0, 10.0]) == [(0.0, 5.0), (5.0, 10.0)]
    assert classes([3.0, 3.0]) == [(3.0, 3.0)]
    assert len(classes([float(n) for n in range(100)])) == len(MAP_SCALE)
