"""DCMS libraries importer: the library list, statutory counts, loud failures."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from importtest import read_rows, run_once

from triborough.importers import dcms_libraries as dcms
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

FILES = (dcms.LIST_FILE, dcms.FACT_FILE)


out = run_once(dcms, "dcms")


def _facts(out: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(r["area_code"], r["metric_code"], r["period"]): r
            for r in read_rows(out / dcms.FACT_FILE)}


@pytest.mark.parametrize(
    ("area", "period", "value", "period_end"),
    [
        # Westminster (authority_id 143): 13 libraries with statutory2010 = t, 12 with
        # statutory2016 = t (St James's library closed 2011).
        ("E09000033", "2010", "13", "2010-04-01"),
        ("E09000033", "2016", "12", "2016-07-01"),
        # Hammersmith and Fulham: Barons Court closed 2010, Avonmore opened in its place.
        ("E09000013", "2010", "5", "2010-04-01"),
        ("E09000013", "2016", "5", "2016-07-01"),
        # Kensington and Chelsea: six statutory libraries in both years.
        ("E09000020", "2016", "6", "2016-07-01"),
        # England: every library in libraries_england_2010_2016.csv (2,926 t in 2010, 2,728 in
        # 2016).
        ("E92000001", "2010", "2926", "2010-04-01"),
        ("E92000001", "2016", "2728", "2016-07-01"),
    ],
)
def test_statutory_counts(out, area, period, value, period_end):
    row = _facts(out)[(area, "lib_statutory_libraries", period)]
    assert row["value"] == value
    assert row["period_end"] == period_end


def test_library_list(out):
    libraries = {r["library_id"]: r for r in read_rows(out / dcms.LIST_FILE)}
    assert len(libraries) == 3238
    # libraries_england_2010_2016.csv line 3130: St James's library, id 3100, authority 143.
    assert libraries["3100"] == {
        "area_code": "E09000033", "library_id": "3100", "library_name": "St James's library",
        "postcode": "SW1E6QP", "statutory_2010": "true", "statutory_2016": "false",
        "library_type": "", "closed_year": "2011",
    }
    # line 1119: Avonmore library, id 1089, Hammersmith and Fulham, opened 2010.
    assert libraries["1089"]["statutory_2010"] == "false"
    assert libraries["1089"]["statutory_2016"] == "true"
    assert libraries["1089"]["library_type"] == "LAL"
    assert tuple(read_rows(out / dcms.LIST_FILE)[0]) == dcms.LIST_COLUMNS


def test_abolished_authorities_have_no_fact_rows(out):
    facts = _facts(out)
    # Buckinghamshire County Council (E10000002) was replaced in 2020; its libraries still
    # count towards England but it is not an area of the ONS population tables.
    assert not [k for k in facts if k[0] == "E10000002"]
    assert [r for r in read_rows(out / dcms.LIST_FILE) if r["area_code"] == "E10000002"]


def test_contract(out):
    facts = read_rows(out / dcms.FACT_FILE)
    assert {r["metric_code"] for r in facts} <= set(METRIC_BY_CODE)
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in facts]
    assert len(keys) == len(set(keys))
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in facts)
    libraries = read_rows(out / dcms.LIST_FILE)
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in libraries)
    assert {r["statutory_2010"] for r in libraries} == {"true", "false"}


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    root = tmp_path / "raw"
    root.mkdir()
    for entry in raw_dir.iterdir():
        if entry.name != dcms.RAW_FOLDER.name:
            (root / entry.name).symlink_to(entry)
    shutil.copytree(raw_dir / dcms.RAW_FOLDER, root / dcms.RAW_FOLDER)
    path = root / dcms.RAW_FOLDER / dcms.LIBRARIES_FILE
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != "statutory2016"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ImportError_, match=rf"{dcms.LIBRARIES_FILE}.*statutory2016"):
        dcms.run(root, tmp_path / "out")


def test_committed_extracts_match_a_fresh_run(out, public_dir):
    for name in FILES:
        assert (public_dir / name).read_bytes() == (out / name).read_bytes(), name
