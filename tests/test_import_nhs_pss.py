"""NHS PSS-EX1 importer: exact published values, '..' gaps, code mapping, loud failures."""

from __future__ import annotations

import csv
import re
import shutil

import pytest
from importtest import read_rows, run_once, values_by_key

from triborough.importers import nhs_pss
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

out = run_once(nhs_pss, "nhs_pss")


@pytest.mark.parametrize(
    ("area", "metric", "period", "value"),
    [
        # pss_ex1_activity_2012_13.csv, row 713 Westminster: A3.1-A3.6 =
        # 225 + 950 + 15 + 20 + 35 + 1000
        ("E09000033", "asc_assessments", "2012-13", "2245"),
        # pss_ex1_activity_2010_11.csv, row 705 Hammersmith and Fulham, A4.17 (total all ages,
        # home care)
        ("E09000013", "asc_home_care_clients", "2010-11", "1185"),
        # pss_ex1_activity_2013_14.csv, row 707 Kensington and Chelsea, A4.18 (total all ages,
        # direct payments)
        ("E09000020", "asc_direct_payments_clients", "2013-14", "490"),
        # pss_ex1_activity_2011_12.csv, row 713 Westminster, A4.16 (total all ages, day care)
        ("E09000033", "asc_day_care_clients", "2011-12", "350"),
        # pss_ex1_activity_2010_11.csv, row "TOTAL England" (blank code), A1.1
        ("E92000001", "asc_reviews", "2010-11", "1153275"),
        # pss_ex1_activity_2013_14.csv, row "TOTAL England", A4.15 (total all ages, home care)
        ("E92000001", "asc_home_care_clients", "2013-14", "281180"),
    ],
)
def test_published_values(out, area, metric, period, value):
    assert values_by_key(out / nhs_pss.OUT_FILE)[(area, metric, period)] == value


def test_cassr_codes_are_not_dfe_codes(out):
    # In PSS-EX1, 205/207/213 are Doncaster/Sheffield/Wakefield; 2010-11 row 205 Doncaster has
    # A1.1 = 6620, and Hammersmith and Fulham (705) has 3300.
    facts = values_by_key(out / nhs_pss.OUT_FILE)
    assert facts[("E08000017", "asc_reviews", "2010-11")] == "6620"
    assert facts[("E09000013", "asc_reviews", "2010-11")] == "3300"


def test_dot_dot_is_a_gap_not_zero(out):
    facts = values_by_key(out / nhs_pss.OUT_FILE)
    # 2010-11 row 807 West Sussex: A1.1 is "..", its assessments are all published.
    assert ("E10000032", "asc_reviews", "2010-11") not in facts
    assert facts[("E10000032", "asc_assessments", "2010-11")] == "8440"
    # 2010-11 row 805 Surrey: A3.4 (substance misuse) is "..", so no assessments total.
    assert ("E10000030", "asc_assessments", "2010-11") not in facts
    assert facts[("E10000030", "asc_reviews", "2010-11")] == "19330"
    # 2012-13 row 706 Islington: A1.1 and A4.15 are "..".
    assert ("E09000019", "asc_reviews", "2012-13") not in facts
    assert ("E09000019", "asc_home_care_clients", "2012-13") not in facts


def test_contract(out):
    facts = read_rows(out / nhs_pss.OUT_FILE)
    assert {r["metric_code"] for r in facts} <= set(METRIC_BY_CODE)
    assert len({r["metric_code"] for r in facts}) == 5
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in facts]
    assert len(keys) == len(set(keys))
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in facts)
    assert {r["period"] for r in facts} == {"2010-11", "2011-12", "2012-13", "2013-14"}
    assert all(r["value"] != "" and float(r["value"]) % 5 == 0 for r in facts)


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    root = tmp_path / "raw"
    for entry in raw_dir.iterdir():
        if entry.name != nhs_pss.RAW_FOLDER.name:
            root.mkdir(exist_ok=True)
            (root / entry.name).symlink_to(entry)
    shutil.copytree(raw_dir / nhs_pss.RAW_FOLDER, root / nhs_pss.RAW_FOLDER)
    path = root / nhs_pss.RAW_FOLDER / "pss_ex1_activity_2011_12.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    drop = next(i for i, h in enumerate(rows[0]) if "Total all ages, Home care" in h)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:drop] + r[drop + 1:] for r in rows])
    expected = r"pss_ex1_activity_2011_12\.csv.*Total all ages, Home care"
    with pytest.raises(ImportError_, match=expected):
        nhs_pss.run(root, tmp_path / "out")


def test_committed_extract_matches_a_fresh_run(out, public_dir):
    name = nhs_pss.OUT_FILE
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
