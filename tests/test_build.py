"""The build: complete, checked, atomic and repeatable."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from triborough.build import BuildError, build_warehouse
from triborough.schema import DERIVED_TABLES, TABLES

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
