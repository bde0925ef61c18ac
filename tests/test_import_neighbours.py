"""Nearest-neighbour importer: first 15 neighbours in rank order, loud failures."""

from __future__ import annotations

import csv
import re

import pytest
from importtest import read_rows, run_once

from triborough.importers import neighbours
from triborough.importers.common import ImportError_

out = run_once(neighbours, "neighbours")


def test_westminster_neighbours(out):
    rows = [r for r in read_rows(out / neighbours.OUT_FILE) if r["area_code"] == "E09000033"]
    ranked = [r["neighbour_code"] for r in sorted(rows, key=lambda r: int(r["rank"]))]
    # la_nearest_neighbours_england.csv row E09000033, Neighbour 1 to Neighbour 15
    assert ranked == [
        "E09000020", "E09000007", "E09000013", "E09000019", "E09000028", "E06000043",
        "E09000030", "E09000022", "E09000027", "E09000012", "E09000024", "E09000008",
        "E09000032", "E09000014", "E09000003",
    ]
    assert {r["group_id"] for r in rows} == {"la_nn"}
    assert {r["closeness"] for r in rows} == {""}


def test_contract(out):
    rows = read_rows(out / neighbours.OUT_FILE)
    assert tuple(rows[0]) == neighbours.NEIGHBOUR_COLUMNS
    by_area: dict[str, list[int]] = {}
    for r in rows:
        by_area.setdefault(r["area_code"], []).append(int(r["rank"]))
        assert re.match(r"^E\d{8}$", r["area_code"]) and re.match(r"^E\d{8}$", r["neighbour_code"])
        assert r["area_code"] != r["neighbour_code"]
    assert len(by_area) == 153
    assert all(sorted(ranks) == list(range(1, 16)) for ranks in by_area.values())
    keys = [(r["area_code"], r["group_id"], r["neighbour_code"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    source = raw_dir / neighbours.RAW_FILE
    broken = tmp_path / "raw" / neighbours.RAW_FILE
    broken.parent.mkdir(parents=True)
    with source.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    drop = rows[0].index("Neighbour 7")
    with broken.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:drop] + r[drop + 1:] for r in rows])
    with pytest.raises(ImportError_, match=r"la_nearest_neighbours_england\.csv.*Neighbour 7"):
        neighbours.run(tmp_path / "raw", tmp_path / "out")


def test_committed_extract_matches_a_fresh_run(out, public_dir):
    name = neighbours.OUT_FILE
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
