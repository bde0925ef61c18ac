"""The schema browser's words, values, search, completions and inserted text."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from triborough.read import workbench as wb
from triborough.views import workbench_catalogue as cat


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table dim_area (area_code varchar, area_name varchar, area_type varchar,"
        " is_triborough boolean);"
        "insert into dim_area select 'E' || i, 'Area ' || i,"
        " case when i < 33 then 'London Borough' when i < 40 then 'Region' else 'County' end,"
        " i < 3 from range(60) t(i);"
        "comment on table dim_area is 'Every area figures are held for';"
        "comment on column dim_area.area_type is 'ONS area type';"
        'create table "odd ""name""" ("select" varchar, "it\'s" varchar);'
        'insert into "odd ""name""" values (\'a\'\'b\', \'x\');'
        "create table contracts (contract_id varchar, vendor varchar);"
    )
    return con


def test_descriptions_come_from_comments_then_contracts_else_say_none(con) -> None:
    schema = cat.described(wb.schema_overview(con)).filter(
        pl.col("table_name").is_in(["dim_area", "contracts"]))
    words = {(r["table_name"], r["column_name"]): r["column_description"]
             for r in schema.iter_rows(named=True)}
    assert words[("dim_area", "area_type")] == "ONS area type"
    assert words[("dim_area", "area_name")] == cat.NO_DESCRIPTION
    assert words[("contracts", "contract_id")] == "Contract reference."
    tables = dict(schema.select("table_name", "table_description").unique().iter_rows())
    assert tables == {"dim_area": "Every area figures are held for",
                      "contracts": cat.NO_DESCRIPTION}


def test_few_values_are_listed_most_frequent_first_and_many_are_not(con) -> None:
    values = cat.distinct_values(con, "dim_area", {
        "area_code": "VARCHAR", "area_name": "VARCHAR", "area_type": "VARCHAR",
        "is_triborough": "BOOLEAN"})
    assert values == {"area_type": ["London Borough", "County", "Region"],
                      "is_triborough": [False, True]}
    assert cat.values_text(values["area_type"]) == "'London Borough', 'County', 'Region'"


def test_values_of_a_hostile_table_name_are_read_safely(con) -> None:
    values = cat.distinct_values(con, 'odd "name"', {"select": "VARCHAR", "it's": "VARCHAR"})
    assert values == {"select": ["a'b"], "it's": ["x"]}
    assert cat.values_text(values["select"]) == "'a''b'"
    assert cat.distinct_values(con, "no_such_table", {"x": "VARCHAR"}) == {}


def test_names_are_quoted_when_they_are_not_plain_words(con) -> None:
    reserved = cat.reserved_words(con)
    assert "select" in reserved
    assert cat.quote_identifier("area_type", reserved) == "area_type"
    assert cat.quote_identifier("select", reserved) == '"select"'
    assert cat.quote_identifier('odd "name"', reserved) == '"odd ""name"""'
    assert cat.quote_identifier("Area; drop table x", reserved) == '"Area; drop table x"'
    # What an insert types runs as the name it stands for, never as more SQL.
    quoted = cat.quote_identifier('odd "name"', reserved)
    column = cat.quote_identifier("select", reserved)
    assert con.sql(f"select {column} from {quoted}").fetchall() == [("a'b",)]


def test_search_finds_tables_columns_and_metrics_with_their_insert_text(con) -> None:
    schema = cat.described(wb.schema_overview(con))
    metrics = pl.DataFrame({"code": ["cla_rate"], "name": ["Children looked after per 10,000"],
                            "unit": ["per 10,000 children"]})
    entries = cat.catalogue_entries(schema, metrics, cat.reserved_words(con))
    found = cat.search(entries, "looked after")
    assert [(e.kind, e.insert) for e in found] == [("metric", "metric_code = 'cla_rate'")]
    by_name = {e.name: e for e in cat.search(entries, "AREA_TYPE")}
    assert by_name["dim_area.area_type"].insert == "area_type"
    assert by_name["dim_area.area_type"].detail == "VARCHAR · ONS area type"
    odd = cat.search(entries, "odd", kinds=("table",))
    assert [e.insert for e in odd] == ['"odd ""name"""']
    assert cat.search(entries, "nothing matches this") == []


def test_completions_offer_every_table_and_column_once(con) -> None:
    schema = cat.described(wb.schema_overview(con))
    offered = cat.completions(schema, cat.reserved_words(con))
    tables = [c["value"] for c in offered if c["meta"] == "table"]
    assert set(tables) == {"dim_area", '"odd ""name"""', "contracts"}
    columns = [c["caption"] for c in offered if c["meta"] != "table"]
    assert len(columns) == len(set(columns))
    assert {"area_type", "select", "contract_id"} <= set(columns)
    select = next(c for c in offered if c["caption"] == "select")
    assert select["value"] == '"select"' and select["meta"] == 'column · odd "name"'


@pytest.mark.parametrize(("sql", "cursor", "expected"), [
    ("select * from ", {"row": 0, "column": 14}, "select * from dim_area"),
    ("select *\nfrom  where x", {"row": 1, "column": 5}, "select *\nfrom dim_area where x"),
    ("select 1", None, "select 1 dim_area"),
    ("select 1", {"row": 7, "column": 0}, "select 1 dim_area"),
    ("", None, "dim_area"),
])
def test_insert_goes_at_the_cursor_or_the_end(sql, cursor, expected) -> None:
    assert cat.insert_at(sql, "dim_area", cursor) == expected


def test_a_tables_insert_choices_include_its_few_values(con) -> None:
    schema = cat.described(wb.schema_overview(con)).filter(pl.col("table_name") == "dim_area")
    entries = cat.table_entries("dim_area", schema, {"area_type": ["London Borough"]})
    inserts = [e.insert for e in entries]
    assert inserts[0] == "dim_area"
    assert "area_type = 'London Borough'" in inserts
    assert len(inserts) == 1 + 4 + 1
