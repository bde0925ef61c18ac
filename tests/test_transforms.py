"""The transform layer: house style, declared columns and keys, and what a load reruns."""

from __future__ import annotations

import duckdb
import pytest

from triborough.warehouse.transform import (
    LAYERS,
    TransformError,
    load_transforms,
    parse_transform,
    refresh,
)

TRANSFORMS = {t.name: t for t in load_transforms()}


def test_transforms_run_staging_then_facts_then_views():
    layers = [LAYERS.index(t.layer) for t in load_transforms()]
    assert layers == sorted(layers) and set(layers) == {0, 1, 2}


def test_a_transform_out_of_house_style_is_refused(tmp_path):
    sql = TRANSFORMS["facts_savings"].sql.replace("select * from final", "select 1")
    bad = tmp_path / "facts_savings.sql"
    bad.write_text(sql, encoding="utf-8")
    with pytest.raises(TransformError, match="end with select \\* from final"):
        parse_transform(bad)


@pytest.fixture(scope="module")
def built(built_warehouse):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        yield connection


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transform_output_matches_its_header(name, built):
    con = built.cursor()
    transform = TRANSFORMS[name]
    if transform.layer == "facts":
        rows = con.execute(
            "select area_code, metric_code, period from fact_metric "
            "where list_contains($m, metric_code)", {"m": list(transform.metrics)}).fetchall()
        assert rows, f"{name}: no facts in the build"
        assert {r[1] for r in rows} <= set(transform.metrics)
        return
    actual = con.execute(
        "select column_name, lower(data_type) from duckdb_columns() where table_name = $t "
        "order by column_index", {"t": transform.table}).fetchall()
    assert actual == [tuple(c) for c in transform.columns], f"{name}: '-- columns:' differs"
    keys = ", ".join(transform.key)
    dupes = con.execute(
        f"select count(*) from (select {keys} from {transform.table} group by all "
        "having count(*) > 1)").fetchall()[0][0]
    assert dupes == 0, f"{name}: key ({keys}) not unique"


def test_a_load_reruns_only_what_its_table_feeds(built_warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(built_warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        ran = refresh(con, ["savings_ledger"])
    finally:
        con.close()
    assert ran == ["facts_savings", "views_metric_calendar", "views_trend_periods"]


def test_service_desk_years_in_sql_agree_with_the_page_shaping(built):
    import polars as pl

    from triborough.views.systems import annual_desk

    con = built.cursor()  # a connection of its own: earlier tests' results stay open
    monthly = pl.from_arrow(con.sql("select * from service_desk_monthly").to_arrow_table())
    for tower in ("all", "desktop"):
        sql = pl.from_arrow(con.sql(
            "select borough_code, period, tickets, first_contact_pct, sla_met_pct, "
            "cost_per_user_gbp from service_desk_annual where tower = $t", params={"t": tower}
        ).to_arrow_table())
        shaped = annual_desk(monthly, None if tower == "all" else [tower])
        both = sql.join(shaped, on=["borough_code", "period"], suffix="_page")
        assert both.height == sql.height == shaped.height
        for col in ("tickets", "first_contact_pct", "sla_met_pct", "cost_per_user_gbp"):
            assert both[col].cast(pl.Float64).equals(both[f"{col}_page"].cast(pl.Float64)), col
