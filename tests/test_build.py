"""The build: complete, checked, atomic and repeatable."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from triborough.model.schema import DERIVED_TABLES, TABLES
from triborough.warehouse.build import BuildError, build_warehouse

# Few illustrative case events keep these builds quick; the session warehouse has the default.
SMALL = 20_000


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_has_every_table_with_rows(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    names = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert {t.name for t in TABLES} | set(DERIVED_TABLES) <= names
    for name in names:
        assert con.execute(f"select count(*) from {name}").fetchone()[0] > 0, name


@pytest.fixture
def broken_copy(tmp_path, public_dir) -> Path:
    copy = tmp_path / "public"
    shutil.copytree(public_dir, copy)
    return copy


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


BREAKAGES = {
    "duplicate fact key": (
        "fact_ons_population.csv",
        lambda p: _append(p, p.read_text().splitlines()[1]),
        "duplicate key",
    ),
    "unknown area code": (
        "fact_ons_population.csv",
        lambda p: _append(p, "E09999999,pop_all_ages,mid-2023,2023-06-30,5,,"),
        "not in dim_area",
    ),
    "unknown metric code": (
        "fact_ons_population.csv",
        lambda p: _append(p, "E09000033,made_up_metric,mid-2023,2023-06-30,5,,"),
        "not in the catalogue",
    ),
    "negative count": (
        "fact_ons_population.csv",
        lambda p: _append(p, "E09000033,pop_all_ages,mid-2030,2030-06-30,-5,,"),
        "negative",
    ),
    "text in a numeric column": (
        "fact_ons_population.csv",
        lambda p: _append(p, "E09000033,pop_all_ages,mid-2031,2031-06-30,lots,,"),
        "fact_ons_population.csv",
    ),
    "missing input file": ("areas.csv", lambda p: p.unlink(), "no input file"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_failed_build_leaves_previous_warehouse_byte_identical(
    breakage, broken_copy, built_warehouse, tmp_path
):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = _sha(target)
    file, damage, message = BREAKAGES[breakage]
    damage(broken_copy / file)
    with pytest.raises(BuildError, match=message):
        build_warehouse(broken_copy, target, events_scale=SMALL)
    assert _sha(target) == before
    # nothing left but the writer lock file, which build and ingest keep and share
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".warehouse.duckdb.lock", "public", "warehouse.duckdb"]


def test_two_builds_give_identical_results(public_dir, tmp_path):
    first, second = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    build_warehouse(public_dir, first, events_scale=SMALL)
    build_warehouse(public_dir, second, events_scale=SMALL)
    a = duckdb.connect(str(first), read_only=True)
    b = duckdb.connect(str(second), read_only=True)
    tables = [r[0] for r in a.execute("select table_name from duckdb_tables()").fetchall()]
    for name in tables:
        if name in ("meta_load", "meta_build"):  # carry the build time
            continue
        assert a.sql(f"from {name} order by all").fetchall() == b.sql(
            f"from {name} order by all"
        ).fetchall(), name
    assert a.sql("select file, sha256, rows from meta_load order by all").fetchall() == b.sql(
        "select file, sha256, rows from meta_load order by all"
    ).fetchall()


def test_calendar_lists_unpublished_years_once_each(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        # Oflog's carers' quality of life comes from a survey every other year: 2017-18 is not
        # published, so it is listed (a gap in the line), labelled like its neighbours,
        # between 2016-17 and 2018-19.
        periods = [r[0] for r in con.execute(
            "select period from metric_calendar where metric_code = 'asc_carer_qol' "
            "order by period_end").fetchall()]
        assert periods[periods.index("2016-17") + 1:][:2] == ["2017-18", "2018-19"]
        assert con.execute(
            "select count(*) from fact_metric where metric_code = 'asc_carer_qol' "
            "and period = '2017-18' and value is not null").fetchone()[0] == 0
        # One row per metric and period; every metric with facts has a calendar.
        assert con.execute(
            "select count(*) from (select metric_code, period_end from metric_calendar "
            "group by all having count(*) > 1)").fetchone()[0] == 0
        assert con.execute(
            "select count(distinct metric_code) from fact_metric").fetchone()[0] == con.execute(
            "select count(distinct metric_code) from metric_calendar").fetchone()[0]
    finally:
        con.close()


def test_every_table_and_column_says_what_it_holds(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    bare = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'main' and not internal and coalesce(comment, '') = ''"
    ).fetchall()
    assert bare == []
    bare_tables = con.execute(
        "select table_name from duckdb_tables() "
        "where schema_name = 'main' and coalesce(comment, '') = ''"
    ).fetchall()
    assert bare_tables == []
    unit = con.execute(
        "select comment from duckdb_columns() "
        "where table_name = 'savings_ledger' and column_name = 'planned_gbp_k'"
    ).fetchone()[0]
    assert unit.endswith("Unit: £ thousand.")


def test_illustrative_contracts_run_to_the_build_date(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    (until,) = con.execute("select illustrative_until from meta_build").fetchone()
    (built,) = con.execute("select built_at from meta_build").fetchone()
    assert until == built.date()
    towers = con.execute(
        "select count(distinct tower_or_system) from contracts").fetchone()[0]
    current = con.execute(
        "select borough_code, count(distinct tower_or_system) from contracts "
        "where $d between start_date and end_date group by all order by 1", {"d": until},
    ).fetchall()
    # every borough has a running contract for every tower and system it ever contracted
    assert [n for _, n in current] == [towers] * 3


def test_trend_periods_list_the_stretch_between_the_first_and_last_figure(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    # children looked after per 10,000: rows for 2009-10 to 2011-12 but no figure in them
    rows = con.execute(
        "select period from trend_periods where metric_code = 'cla_rate_per_10000' "
        "and period_year between 2009 and 2013 "
        "and value_before_year >= 2009 and value_after_year <= 2013 order by period_end"
    ).fetchall()
    assert [r[0] for r in rows] == ["2012-13", "2013-14"]
    rows = con.execute(
        "select period from trend_periods where metric_code = 'cla_rate_per_10000' "
        "and period_year between 2009 and 2013 "
        "and row_before_year >= 2009 and row_after_year <= 2013 order by period_end"
    ).fetchall()
    assert [r[0] for r in rows][:2] == ["2009-10", "2010-11"]
