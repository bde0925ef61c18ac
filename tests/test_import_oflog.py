"""Oflog importer: exact published values, gaps, medians, neighbours, and loud failures."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from importtest import read_rows, run_once, values_by_key

from triborough.importers import oflog
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

FILES = (oflog.FACT_FILE, oflog.MEDIANS_FILE, oflog.NN_OUT_FILE)


out = run_once(oflog, "oflog")


@pytest.mark.parametrize(
    ("area", "metric", "period", "value"),
    [
        # oflog_asc_outcomes_all_english_las.csv: 2021-22, E09000013, ..., ASC5, Value 43.1
        ("E09000013", "asc_short_term_outcome_pct", "2021-22", "43.1"),
        # 2022-23, E09000020 Kensington and Chelsea, ASC2 (ASC Quality of Life), Value 0.376
        ("E09000020", "asc_user_qol", "2022-23", "0.376"),
        # 2018-19, E09000033 Westminster, ASC1 (Carer Quality of Life), Value 7
        ("E09000033", "asc_carer_qol", "2018-19", "7"),
        # 2022-23, E09000033, ASC7 (Workforce turnover rate), Value 33.85815894
        ("E09000033", "asc_workforce_turnover_pct", "2022-23", "33.85815894"),
    ],
)
def test_published_values(out, area, metric, period, value):
    assert values_by_key(out / oflog.FACT_FILE)[(area, metric, period)] == value


def test_blank_value_is_a_gap_not_zero(out):
    # 2016-17, E09000033, ASC7: Value cell is blank in the raw file.
    facts = values_by_key(out / oflog.FACT_FILE)
    assert ("E09000033", "asc_workforce_turnover_pct", "2016-17") not in facts
    assert ("E09000033", "asc_workforce_turnover_pct", "2017-18") in facts


def test_medians(out):
    rows = read_rows(out / oflog.MEDIANS_FILE)
    medians = {(r["metric_code"], r["period"]): r["median"] for r in rows}
    # MEDIAN column on every ASC3 2015-16 row: 74.3; every ASC1 2016-17 row: 7.6.
    assert medians[("asc_info_users_pct", "2015-16")] == "74.3"
    assert medians[("asc_carer_qol", "2016-17")] == "7.6"
    assert len(medians) == 42


def test_oflog_neighbours_exclude_self_and_have_no_rank(out):
    rows = [r for r in read_rows(out / oflog.NN_OUT_FILE) if r["area_code"] == "E09000033"]
    # oflog_nearest_neighbours.json["E09000033"] less itself (the list is in code order).
    assert sorted(r["neighbour_code"] for r in rows) == [
        "E09000005", "E09000007", "E09000009", "E09000012", "E09000013", "E09000014",
        "E09000018", "E09000019", "E09000020", "E09000021", "E09000022", "E09000024",
        "E09000028", "E09000030", "E09000032",
    ]
    assert {r["group_id"] for r in rows} == {"oflog_nn"}
    assert {r["rank"] for r in rows} == {""}
    assert {r["closeness"] for r in rows} == {""}


def test_neighbour_repeats_dropped(out):
    rows = [r for r in read_rows(out / oflog.NN_OUT_FILE) if r["area_code"] == "E07000112"]
    codes = [r["neighbour_code"] for r in rows]
    assert len(codes) == len(set(codes)) == 15
    assert "E07000112" not in codes


def test_contract(out):
    facts = read_rows(out / oflog.FACT_FILE)
    assert {r["metric_code"] for r in facts} <= set(METRIC_BY_CODE)
    assert len({r["metric_code"] for r in facts}) == 7
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in facts]
    assert len(keys) == len(set(keys))
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in facts)
    assert all(r["value"] != "" for r in facts)
    nn = read_rows(out / oflog.NN_OUT_FILE)
    nn_keys = [(r["area_code"], r["group_id"], r["neighbour_code"]) for r in nn]
    assert len(nn_keys) == len(set(nn_keys))
    assert all(re.match(r"^E\d{8}$", r[c]) for r in nn for c in ("area_code", "neighbour_code"))
    assert all(r["area_code"] != r["neighbour_code"] for r in nn)


def _raw_with_broken(raw_dir: Path, tmp_path: Path, rel: Path, drop: str) -> Path:
    """A raw folder mirroring ``raw_dir`` where ``rel`` has lost column ``drop``."""
    root = tmp_path / "raw"
    for entry in raw_dir.iterdir():
        if entry.name != rel.parts[0]:
            (root / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (root / entry.name).symlink_to(entry)
    shutil.copytree(raw_dir / rel.parts[0], root / rel.parts[0])
    with (raw_dir / rel).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != drop]
    with (root / rel).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    rel = oflog.RAW_FOLDER / oflog.DATA_FILE
    broken = _raw_with_broken(raw_dir, tmp_path, rel, "MEDIAN")
    with pytest.raises(ImportError_, match=rf"{oflog.DATA_FILE}.*MEDIAN"):
        oflog.run(broken, tmp_path / "out")


def test_conflicting_groupings_fail(raw_dir, tmp_path):
    rel = oflog.RAW_FOLDER / oflog.DATA_FILE
    root = _raw_with_broken(raw_dir, tmp_path, rel, "")
    path = root / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(csv.DictReader([lines[0], lines[1]]))
    header = lines[0].split(",")
    twin = dict(first, Grouping="Other", Value="999")
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, header).writerow(twin)
    with pytest.raises(ImportError_, match="grouping"):
        oflog.run(root, tmp_path / "out")


def test_committed_extracts_match_a_fresh_run(out, public_dir):
    for name in FILES:
        assert (public_dir / name).read_bytes() == (out / name).read_bytes(), name
