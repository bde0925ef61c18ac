"""Adult social care finance importer: PSS-EX1 2014-15 and ASC-FR 2021-22."""

from __future__ import annotations

import pytest
from importtest import run_once, values_by_key

from triborough.importers import ascfr
from triborough.importers.common import ImportError_

out = run_once(ascfr, "ascfr")
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"


@pytest.fixture(scope="module")
def facts(out):
    return values_by_key(out / "fact_nhs_ascfr.csv")


@pytest.mark.parametrize(
    ("code", "metric", "period", "expected"),
    [
        # pss-exp-eng-14-15-fin-coun-lev-exp-data.csv line 2672 ('Non Salt Totals / Adult
        # Social Care / Total / Net current expenditure'), column '713 - Westminster'
        (WCC, "asc_net_current_expenditure", "2014-15", "67857"),
        (HF, "asc_net_current_expenditure", "2014-15", "53990.09"),
        (RBKC, "asc_net_current_expenditure", "2014-15", "46200"),
        # same column, line 2668 'Net total expenditure' and line 2673 'Gross current
        # expenditure'
        (WCC, "asc_net_total_expenditure", "2014-15", "67857"),
        (WCC, "asc_gross_current_expenditure", "2014-15", "77331"),
        # ASCFR_and_SALT_Data_Tables_2021-22.xlsx, T1 row 118 (Westminster): gross current
        # expenditure 87,570.15
        (WCC, "asc_gross_current_expenditure", "2021-22", "87570.148734803"),
        (WCC, "asc_net_total_expenditure", "2021-22", "83421.062092344"),
    ],
)
def test_published_finance(facts, code, metric, period, expected):
    assert facts[(code, metric, period)] == expected


def test_a_file_without_the_total_lines_is_refused(raw_dir, tmp_path):
    path = tmp_path / "raw" / ascfr.FILE_2014
    path.parent.mkdir(parents=True)
    text = (raw_dir / ascfr.FILE_2014).read_bytes()
    path.write_bytes(text.replace(b"Non Salt Totals", b"Totals"))
    for folder in ("dfe_childrens_social_care",):
        (tmp_path / "raw" / folder).symlink_to(raw_dir / folder)
    with pytest.raises(ImportError_, match="no 'Non Salt Totals / Adult Social Care / Total'"):
        ascfr.read_2014(tmp_path / "raw")


def test_committed_extract_equals_a_fresh_run(out, public_dir):
    name = "fact_nhs_ascfr.csv"
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
