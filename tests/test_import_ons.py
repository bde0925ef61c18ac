"""ONS importer: published populations, the area list and its regions, stable extracts."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from importtest import read_rows

from triborough.importers import ons
from triborough.importers.common import FACT_COLUMNS, ImportError_
from triborough.model.boroughs import BOROUGH_CODES, ENGLAND, LONDON
from triborough.model.catalogue import METRIC_BY_CODE


@pytest.fixture(scope="module")
def out(raw_dir, tmp_path_factory) -> tuple[Path, list]:
    """One fresh run of the importer into a temporary folder."""
    folder = tmp_path_factory.mktemp("ons")
    return folder, ons.run(raw_dir, folder)


@pytest.fixture(scope="module")
def population(out) -> dict[tuple[str, str], str]:
    rows = read_rows(out[0] / "fact_ons_population.csv")
    return {(r["area_code"], r["period"]): r["value"] for r in rows}


@pytest.fixture(scope="module")
def areas(out) -> dict[str, dict[str, str]]:
    return {r["area_code"]: r for r in read_rows(out[0] / "areas.csv")}


@pytest.mark.parametrize(
    ("code", "period", "expected", "where"),
    [
        # mye4_population_mid2011_to_mid2023_ew.csv line 215, column Mid-2023
        ("E09000033", "mid-2023", "211508", "Westminster"),
        # mye4_population_mid2011_to_mid2023_ew.csv line 208, column Mid-2011
        ("E09000020", "mid-2011", "158251", "Kensington and Chelsea"),
        # mye24_mid2024_by_single_year_of_age_ew.csv line 205, column All ages
        ("E09000013", "mid-2024", "188687", "Hammersmith and Fulham"),
        # mye4 line 3 (ENGLAND), Mid-2011; mye24 line 3, All ages
        (ENGLAND, "mid-2011", "53107169", "England"),
        (ENGLAND, "mid-2024", "58620101", "England"),
    ],
)
def test_published_values(population, code, period, expected, where):
    assert population[(code, period)] == expected, where


def test_equals_derived_long_file_for_english_codes(raw_dir, population):
    derived = {}
    path = raw_dir / "ons_mid_year_estimates" / "population_all_ages_2011_2024_long_ew.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["code"].startswith("E"):
                derived[(r["code"], f"mid-{r['year']}")] = r["population"]
    assert population == derived


def test_fact_file_shape(out):
    rows = read_rows(out[0] / "fact_ons_population.csv")
    assert tuple(rows[0].keys()) == FACT_COLUMNS
    assert {r["metric_code"] for r in rows} <= set(METRIC_BY_CODE)
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"E\d{8}", r["area_code"]) for r in rows)
    assert {r["period"] for r in rows} == {f"mid-{y}" for y in range(2011, 2025)}
    assert all(r["period_end"] == f"{r['period'][4:]}-06-30" for r in rows)
    assert all(r["value"] and float(r["value"]) > 0 for r in rows)


def test_every_fact_area_is_in_areas(population, areas):
    assert {code for code, _ in population} == set(areas)


def test_areas(areas):
    assert len(areas) == 333  # 357 rows less England and Wales, Wales and 22 Welsh UAs
    assert all(re.fullmatch(r"E\d{8}", c) for c in areas)
    assert areas[ENGLAND]["area_name"] == "England"
    assert areas[ENGLAND]["area_type"] == "Country"
    assert areas[LONDON]["area_name"] == "London"
    assert areas["E12000006"]["area_name"] == "East of England"
    assert areas["E12000003"]["area_name"] == "Yorkshire and The Humber"
    assert {c for c, a in areas.items() if a["is_triborough"] == "true"} == set(BOROUGH_CODES)
    london = {c for c, a in areas.items() if a["is_london"] == "true"}
    assert len(london) == 33 and all(c.startswith("E09") for c in london)
    westminster = areas["E09000033"]
    assert (westminster["area_name"], westminster["area_type"]) == (
        "Westminster", "London Borough")
    assert (westminster["region_code"], westminster["region_name"]) == (LONDON, "London")


def test_every_local_area_has_a_region(areas):
    regions = {c for c, a in areas.items() if a["area_type"] == "Region"}
    assert len(regions) == 9
    for code, area in areas.items():
        if area["area_type"] in ("Region", "Country"):
            assert area["region_code"] == "" and area["region_name"] == ""
        else:
            assert area["region_code"] in regions, code
            assert area["region_name"] == areas[area["region_code"]]["area_name"]


@pytest.mark.parametrize(
    ("code", "region", "how"),
    [
        ("E08000003", "E12000002", "Manchester: DfE upper-tier list"),
        ("E07000117", "E12000002", "Burnley: mySociety district register"),
        ("E11000001", "E12000002", "Greater Manchester (Met County): MYE4 heading"),
        ("E10000012", "E12000006", "Essex: DfE upper-tier list"),
    ],
)
def test_region_sources(areas, code, region, how):
    assert areas[code]["region_code"] == region, how


def _broken_raw(raw_dir: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the raw folder whose MYE4 header has ``old`` renamed to ``new``."""
    copy = tmp_path / "raw"
    copy.mkdir()
    for entry in raw_dir.iterdir():
        if entry.name != "ons_mid_year_estimates":
            (copy / entry.name).symlink_to(entry)
    folder = copy / "ons_mid_year_estimates"
    folder.mkdir()
    for entry in (raw_dir / "ons_mid_year_estimates").iterdir():
        (folder / entry.name).symlink_to(entry)
    target = folder / ons.MYE4.name
    text = target.read_text(encoding="utf-8-sig")
    target.unlink()
    header, rest = text.split("\n", 1)
    target.write_text(header.replace(old, new) + "\n" + rest, encoding="utf-8")
    return copy


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    broken = _broken_raw(raw_dir, tmp_path, "Mid-2015", "Mid 2015")
    with pytest.raises(ImportError_, match=r"mye4_population_mid2011_to_mid2023_ew\.csv.*Mid-2015"):
        ons.run(broken, tmp_path / "out")


def test_committed_extracts_equal_a_fresh_run(out, public_dir):
    folder, written = out
    assert {w.file for w in written} == {"fact_ons_population.csv", "areas.csv"}
    for w in written:
        assert w.source_id == "ons_mye"
        committed = public_dir / w.file
        assert committed.exists(), f"{w.file} not in data/public: run the importer"
        assert committed.read_bytes() == (folder / w.file).read_bytes(), w.file
