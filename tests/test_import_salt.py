"""SALT importer: requests for support and long-term support, 2019-20 to 2021-22."""

from __future__ import annotations

import pytest
from importtest import run_once, values_by_key

from triborough.importers import salt
from triborough.importers.common import ImportError_

out = run_once(salt, "salt")
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"


@pytest.fixture(scope="module")
def facts(out):
    return values_by_key(out / "fact_nhs_salt.csv")


@pytest.mark.parametrize(
    ("code", "metric", "period", "expected"),
    [
        # ASCFR_and_SALT_Data_Tables_2021-22.xlsx, sheet T2, row 120 (Westminster): requests
        # from new clients 18-64 1,570 / 1,520 / 1,345 and 65+ 2,645 / 2,705 / 2,755
        (WCC, "asc_requests_new_clients", "2019-20", "4215"),
        (WCC, "asc_requests_new_clients", "2021-22", "4100"),
        # same row: long-term support during the year 18-64 1,185 and 65+ 2,065 (2021-22)
        (WCC, "asc_long_term_support_clients", "2021-22", "3250"),
        # row 112 (Hammersmith and Fulham) 2021-22: 935 + 2,300
        (HF, "asc_requests_new_clients", "2021-22", "3235"),
        # England (row 11): 611,505 + 1,367,045
        ("E92000001", "asc_requests_new_clients", "2021-22", "1978550"),
    ],
)
def test_published_activity(facts, code, metric, period, expected):
    assert facts[(code, metric, period)] == expected


def test_t2_agrees_with_the_2021_22_summary_table(raw_dir, facts):
    """Table T1 (2021-22 only) gives Westminster 1,345 and 2,755 requests (K&C 760 and
    1,895): T2's 2021-22 columns are the same."""
    import polars as pl

    t1 = pl.read_excel(raw_dir / salt.WORKBOOK, sheet_name="T1", engine="calamine",
                       has_header=False, infer_schema_length=0)
    rows = {r[0]: r for r in t1.iter_rows() if r[0] in (WCC, RBKC)}
    for code in (WCC, RBKC):
        assert float(facts[(code, "asc_requests_new_clients", "2021-22")]) == (
            float(rows[code][8]) + float(rows[code][9])
        )


def test_header_without_the_measures_is_refused(tmp_path):
    cells = [["Geography code", "", "Other"], ["", "", "18 to 64"], ["", "", "2019-20"]]
    with pytest.raises(ImportError_, match="no columns for asc_requests_new_clients"):
        salt.columns(tmp_path / "x.xlsx", cells)


def test_committed_extract_equals_a_fresh_run(out, public_dir):
    name = "fact_nhs_salt.csv"
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
