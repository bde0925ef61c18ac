"""Section 251 / LAIT importer: gross spending on children looked after, 2008-09 to 2024-25."""

from __future__ import annotations

import duckdb
import pytest
from importtest import run_once, values_by_key

from triborough.importers import s251
from triborough.importers.common import ImportError_

out = run_once(s251, "s251")
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"


@pytest.fixture(scope="module")
def facts(out):
    return values_by_key(out / "fact_dfe_s251.csv")


@pytest.mark.parametrize(
    ("code", "period", "expected"),
    [
        # s251_cyp_outturn_1011.csv, LA 213 'Total Children Looked After', Total Expenditure
        # (k) 15,258,726 (£) -> £15,258.726k
        (WCC, "2010-11", "15258.726"),
        # same file, LA 205 and 207: 18,107,270 and 10,704,512
        (HF, "2010-11", "18107.27"),
        (RBKC, "2010-11", "10704.512"),
        # s251_cyp_outturn_0809.csv, LEA 213 '14 Total Children Looked After' 12,172,318.96
        (WCC, "2008-09", "12172.31896"),
        # s251ye2015.xlsx Sheet1 row 4574 (LA 213, '16 Total Children Looked After')
        (WCC, "2014-15", "16088.90096"),
        # dfe_lait/lait_extract_cla_cin_s251finance.csv, TotalLACFinance, Westminster
        # 2016-17 (OT) 15,593,936 and 2024-25 (OT) 25,324,697; H&F 2024-25 24,948,139
        (WCC, "2016-17", "15593.936"),
        (WCC, "2024-25", "25324.697"),
        (HF, "2024-25", "24948.139"),
    ],
)
def test_published_spend_on_children_looked_after(facts, code, period, expected):
    assert facts[(code, "s251_cla_gross", period)] == expected


def test_every_year_for_the_boroughs(facts):
    years = {f"{y}-{(y + 1) % 100:02d}" for y in range(2008, 2025)}
    for code in (WCC, HF, RBKC):
        assert {p for c, _, p in facts if c == code} == years, code


def test_s251_workbook_equals_lait_where_both_exist(raw_dir):
    """S251ye2019.xlsx (2018-19) and LAIT agree to the pound for every council in both."""
    name, year, sheet = s251.CHECK_FILE
    workbook = s251.read_s251_file(raw_dir, name, sheet)
    lait = s251.read_lait(raw_dir)
    both = [n for n in workbook if (n, year) in lait]
    assert len(both) == 152
    assert workbook["213"] == 17_336_341.32  # Westminster, '3.1.11 Total Children Looked After'
    for number in both:
        assert abs(workbook[number] - lait[(number, year)]) < 1, number


def test_missing_columns_are_named(raw_dir, tmp_path):
    folder = tmp_path / "raw" / s251.FOLDER
    folder.mkdir(parents=True)
    text = (raw_dir / s251.FOLDER / "s251_cyp_outturn_1011.csv").read_bytes()
    (folder / "s251_cyp_outturn_1011.csv").write_bytes(
        text.replace(b"Total Expenditure (k)", b"Spend (k)")
    )
    with pytest.raises(ImportError_, match="missing column 'Total Expenditure'"):
        s251.read_s251_file(tmp_path / "raw", "s251_cyp_outturn_1011.csv", None)


def test_build_derives_spend_per_child(built_warehouse):
    """Westminster 2024-25: £25,324,697 over 186 children looked after at 31 March 2025 is
    £136,154.28 each; over 29,834 children aged 0-17 (mid-2024), £848.85 a child."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        got = dict(con.execute(
            "select metric_code, value from fact_metric where area_code = ? and period = "
            "'2024-25' and metric_code like 's251_cla_per%'", [WCC]).fetchall())
    finally:
        con.close()
    assert got == {"s251_cla_per_looked_after_child": 136154.28, "s251_cla_per_child": 848.85}


def test_committed_extract_equals_a_fresh_run(out, public_dir):
    name = "fact_dfe_s251.csv"
    assert (public_dir / name).read_bytes() == (out / name).read_bytes()
