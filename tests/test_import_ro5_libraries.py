"""RO5 importer: the library service line's net current expenditure, 2008-09 to 2020-21."""

from __future__ import annotations

import pytest
from importtest import read_rows, run_once

from triborough.importers import ro5_libraries
from triborough.importers.common import ImportError_

out = run_once(ro5_libraries, "ro5")
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"


@pytest.fixture(scope="module")
def spend(out) -> dict[tuple[str, str], str]:
    return {(r["area_code"], r["period"]): r["net_expenditure_gbp_k"]
            for r in read_rows(out / "spend_by_service_ro5.csv")}


@pytest.mark.parametrize(
    ("code", "period", "expected"),
    [
        # 2015-16__RO5…csv line 711 (E5022), 'Library service' block, 'Net Current
        # Expenditure (C7 = C3 - C6)', column 89
        (WCC, "2015-16", "8954.321609999994"),
        (WCC, "2016-17", "9804.809826"),
        (WCC, "2020-21", "6818"),
        (HF, "2015-16", "2993"),
        (HF, "2020-21", "2411"),
        (RBKC, "2015-16", "5438"),
        (RBKC, "2020-21", "4968"),
        # 2008-09 workbook, sheet 'RO5 LA Data 2008-09 (2)', Westminster (E5022), column AX
        # ('Library service' / 'NET CURRENT (Col 3-6)')
        (WCC, "2008-09", "10012"),
        # 2010-11 workbook, sheet 'RO5 LA Data 2010-11 (3)', column AX 'Net Current Expenditure'
        (WCC, "2010-11", "10077"),
        # 2014-15 workbook, sheet 'RO5 LA Data 2014-15 (3)', column AC
        (WCC, "2014-15", "6597"),
    ],
)
def test_published_library_spend(spend, code, period, expected):
    assert spend[(code, period)] == expected


def test_years_not_found_stay_a_gap(spend):
    periods = {p for c, p in spend if c == WCC}
    assert periods == {"2008-09", "2009-10", "2010-11", "2011-12", "2014-15", "2015-16",
                       "2016-17", "2017-18", "2018-19", "2019-20", "2020-21"}
    assert not [k for k in spend if k[1] in ("2012-13", "2013-14")]
    assert all(v != "" for v in spend.values())


def test_library_block_without_net_column_is_refused(tmp_path):
    cells = [["", "", "Library service", ""], ["E-code", "Name", "Employees", "Other"],
             ["E5022", "Westminster", "1", "2"]]
    with pytest.raises(ImportError_, match="no 'Net Current Expenditure' column"):
        ro5_libraries.library_column(tmp_path / "x.csv", cells)
    with pytest.raises(ImportError_, match="no 'Library service' block"):
        ro5_libraries.library_column(tmp_path / "x.csv", [cells[1], cells[2]])


def test_committed_extract_equals_a_fresh_run(out, public_dir):
    name = "spend_by_service_ro5.csv"
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
