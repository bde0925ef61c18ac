"""The first wall: every hostile or malformed statement is refused, every analyst query passes.

The hostile list is shared with tests/test_workbench.py, which runs the same statements straight
on the workbench connection to show what the second wall (the engine) stops on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triborough.read.queries import parse_query
from triborough.read.sqlguard import RefusedSQL, check_sql, function_denied
from triborough.read.workbench import inline_params
from triborough.settings import PROJECT_ROOT

LIMIT = 100_000
# {secret} is a real CSV file the tests create, {out} a path that must never be written, so
# a refusal cannot be put down to a missing file.
HOSTILE: list[tuple[str, str]] = [
    # file access through table functions
    ("read_csv", "select * from read_csv('{secret}')"),
    ("read_csv_auto", "select * from read_csv_auto('{secret}')"),
    ("read_csv list", "select * from read_csv(['{secret}', '{secret}'])"),
    ("read_text", "select * from read_text('{secret}')"),
    ("read_blob", "select * from read_blob('{secret}')"),
    ("read_parquet", "select * from read_parquet('{secret}')"),
    ("parquet_scan", "select * from parquet_scan('{secret}')"),
    ("parquet_metadata", "select * from parquet_metadata('{secret}')"),
    ("parquet_schema", "select * from parquet_schema('{secret}')"),
    ("read_json", "select * from read_json('{secret}')"),
    ("read_json_auto", "select * from read_json_auto('{secret}')"),
    ("read_ndjson", "select * from read_ndjson('{secret}')"),
    ("read_xlsx (whole read_ family)", "select * from read_xlsx('{secret}')"),
    ("glob", "select * from glob('/etc/*')"),
    ("sniff_csv", "select * from sniff_csv('{secret}')"),
    ("from-first read_csv", "from read_csv('{secret}')"),
    ("qualified read_csv", "select * from system.main.read_csv('{secret}')"),
    ("sqlite_scan", "select * from sqlite_scan('{secret}', 't')"),
    ("iceberg_scan", "select * from iceberg_scan('{secret}')"),
    ("delta_scan", "select * from delta_scan('{secret}')"),
    ("arrow_scan pointer", "select * from arrow_scan(1, 2, 3)"),
    ("query() runs text as SQL", "select * from query('select 1')"),
    ("query_table", "select * from query_table('fact_metric')"),
    ("serialized SQL", "select json_execute_serialized_sql('x')"),
    # the engine's own settings, secrets and host
    ("duckdb_settings", "select * from duckdb_settings()"),
    ("duckdb_secrets", "select * from duckdb_secrets()"),
    ("duckdb_extensions", "select * from duckdb_extensions()"),
    ("current_setting", "select current_setting('home_directory')"),
    ("getenv", "select getenv('HOME')"),
    # settings and files shown through catalogue views and SHOW, not functions
    ("pg_settings", "select * from pg_catalog.pg_settings"),
    ("pg_settings unqualified", "from pg_settings where name = 'secret_directory'"),
    ("describe pg_settings", "describe pg_settings"),
    ("summarize pg_settings", "summarize pg_catalog.pg_settings"),
    ("show pg_settings", "show pg_settings"),
    ("show a setting", "show secret_directory"),
    ("show a setting, quoted", 'show "Home_Directory"'),
    ("show a setting's alias", "show worker_threads"),
    ("duckdb_databases view", "select path from duckdb_databases"),
    ("pragma_database_list view", "select file from main.pragma_database_list"),
    ("duckdb_logs view", "from duckdb_logs"),
    ("pg_settings in a subquery", "select (select count(*) from pg_settings) as n"),
    # COPY, ATTACH, extensions, settings
    ("copy to file", "copy fact_metric to '{out}'"),
    ("copy query to file", "copy (select * from fact_metric) to '{out}' (format csv)"),
    ("copy from file", "copy fact_metric from '{secret}'"),
    ("attach file", "attach '{secret}' as other"),
    ("attach memory", "attach ':memory:' as scratch"),
    ("detach", "detach other"),
    ("install", "install httpfs"),
    ("load", "load httpfs"),
    ("load from path", "load '{out}'"),
    ("set external access", "set enable_external_access = true"),
    ("set threads", "set threads = 64"),
    ("reset time limit", "reset max_execution_time"),
    ("pragma setting", "pragma threads = 64"),
    ("pragma profiling", "pragma enable_profiling"),
    ("set variable", "set variable x = 1"),
    ("use", "use memory"),
    # writes and schema changes
    ("create table", "create table x as select 1"),
    ("create temp table", "create temp table x as select 1"),
    ("create view", "create temp view v as select * from read_csv('{secret}')"),
    ("create macro", "create macro m(x) as x"),
    ("create secret", "create secret (type s3)"),
    ("insert", "insert into fact_metric values ('E09000033', 'x', 2020, 1)"),
    ("update", "update fact_metric set value = 0"),
    ("delete", "delete from fact_metric"),
    ("drop", "drop table fact_metric"),
    ("alter", "alter table fact_metric add column y int"),
    ("merge", "merge into fact_metric using dim_area on (area_code) when matched then delete"),
    ("export database", "export database '{out}'"),
    ("import database", "import database '{out}'"),
    ("call", "call pragma_version()"),
    ("checkpoint", "checkpoint"),
    ("vacuum", "vacuum"),
    ("begin", "begin transaction"),
    ("prepare", "prepare p as select 1"),
    ("execute", "execute p"),
    ("update extensions (unknown to the Python enum)", "update extensions"),
    # several statements
    ("two statements", "select 1; drop table fact_metric"),
    ("two selects", "select 1; select 2"),
    ("trailing write", "select 1;\ncopy fact_metric to '{out}';"),
    # comment tricks
    ("block comment then drop", "/* harmless */ DROP TABLE fact_metric"),
    ("line comment then drop", "-- just a comment\ndrop table fact_metric"),
    ("comment hides the ';'", "select 1 -- note\n; drop table fact_metric"),
    ("comment inside a keyword", "dr/**/op table fact_metric"),
    ("comment between name and call", "select * from read_csv/**/('{secret}')"),
    ("comment before the call", "select * from read_csv /* x */ ('{secret}')"),
    ("only a comment", "-- nothing here"),
    ("non-ASCII before a read", "-- £ café 🚀\nselect * from read_csv('{secret}')"),
    ("non-ASCII before a pivot", "-- ££££\npivot (from read_csv('{secret}')) on a using sum(b)"),
    ("non-ASCII before a path", "select '£€' as x from '{secret}'"),
    # case and quoting tricks
    ("mixed case", "sElEcT * FrOm ReAd_CsV('{secret}')"),
    ("quoted function name", "select * from \"read_csv\"('{secret}')"),
    ("quoted mixed case", "select * from \"ReAd_TeXt\"('{secret}')"),
    ("upper COPY", "COPY fact_metric TO '{out}'"),
    # file paths as table names: DuckDB's replacement scans
    ("quoted path as table", 'select * from "{secret}"'),
    ("string path as table", "from '{secret}'"),
    ("string path in select", "select * from '{secret}'"),
    ("path in a join", "select * from fact_metric, '{secret}'"),
    ("path in a join (keyword)", "select * from fact_metric join '{secret}' using (area_code)"),
    ("describe a file", "describe '{secret}'"),
    ("summarize a file", "summarize '{secret}'"),
    ("pivot a file", "pivot '{secret}' on metric_code using sum(value)"),
    ("url as table", "select * from 'https://example.com/data.csv'"),
    # hidden inside a bigger read
    ("CTE hides read_csv", "with x as (select * from read_csv('{secret}')) select * from x"),
    ("subquery in VALUES", "values ((select count(*) from read_text('{secret}')))"),
    ("EXISTS hides glob", "select * from fact_metric where exists (select * from glob('/*'))"),
    ("scalar subquery path", "select (select count(*) from '{secret}') as n"),
    ("lateral path", "select * from fact_metric, lateral (select * from '{secret}')"),
    ("delete inside a CTE", "with x as (delete from fact_metric returning *) select * from x"),
    (
        "insert inside a CTE",
        "with x as (insert into fact_metric select * from fact_metric returning *) from x",
    ),
    ("update inside a CTE", "with x as (update fact_metric set value = 0 returning *) from x"),
    (
        "write inside a pivot",
        "pivot (with d as (delete from fact_metric returning *) from d) on period using sum(value)",
    ),
    ("sequence", "select nextval('s')"),
    ("explain analyze copy", "explain analyze copy fact_metric to '{out}'"),
    ("explain a read", "explain select * from read_csv('{secret}')"),
    ("explain a write", "explain drop table fact_metric"),
    # not SQL at all, empty, or too big
    ("empty", ""),
    ("whitespace", "   \n\t "),
    ("semicolons", ";;"),
    ("garbage", "this is not sql"),
    ("megabytes", "select " + "1 + " * 500_000 + "1"),
]


def _nested(form: str, depth: int) -> str:
    opening, inner, closing = {
        "brackets": ("(1+", "1", ")"),
        "functions": ("abs(", "1", ")"),
        "subqueries": ("(select ", "1", ")"),
        "lists": ("[", "1", "]"),
    }[form]
    return "select " + opening * depth + inner + closing * depth


NESTINGS = ["brackets", "functions", "subqueries", "lists"]


def _sql(template: str) -> str:
    return template.replace("{secret}", "/tmp/triborough-secret.csv").replace(
        "{out}", "/tmp/triborough-out.csv"
    )


@pytest.mark.parametrize("sql", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_statement_is_refused(sql: str) -> None:
    with pytest.raises(RefusedSQL) as info:
        check_sql(_sql(sql), LIMIT)
    message = str(info.value)
    assert message and "Traceback" not in message


def test_there_are_at_least_forty_hostile_cases() -> None:
    assert len(HOSTILE) >= 40
    assert len({name for name, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from read_csv('x.csv')", r"read_csv\(\) is not allowed"),
        ("select 1; select 2", "One statement at a time"),
        ("drop table fact_metric", "DROP statements are not allowed: it changes the schema"),
        ("copy t to 'x.csv'", "COPY statements are not allowed: it reads or writes files"),
        ("set threads = 8", "it changes settings"),
        ("from '/etc/passwd'", "looks like a file path"),
        ("", "Write a query first"),
        ("selec 1", "DuckDB could not read this query"),
    ],
)
def test_refusal_messages_say_why(sql: str, expected: str) -> None:
    with pytest.raises(RefusedSQL, match=expected):
        check_sql(sql, LIMIT)


def test_a_comment_splits_a_name_into_two_harmless_names() -> None:
    # DuckDB reads `read/**/_csv(...)` as table `read` aliased `_csv`: no function is called,
    # and the text that runs is the comment-free one the guard checked.
    assert check_sql("select * from read/**/_csv('x')", LIMIT) == "select * from read _csv('x')"


def test_size_limit_comes_from_the_caller() -> None:
    sql = "select 1 as a_fairly_long_column_name"
    assert check_sql(sql, len(sql)) == sql
    with pytest.raises(RefusedSQL, match=f"{len(sql)} characters long; .* at most {len(sql) - 1}"):
        check_sql(sql, len(sql) - 1)


GOOD: list[str] = [
    "select 1",
    "SELECT area_code, sum(value) AS total FROM fact_metric GROUP BY ALL",
    "with latest as (select max(period) as p from fact_metric) select * from latest",
    "from fact_metric select area_code, value where period = 2020",
    "from fact_metric",
    "values (1, 'a'), (2, 'b')",
    "describe fact_metric",
    "describe select 1 as x",
    "summarize fact_metric",
    "show tables",
    "show all tables",
    "pivot fact_metric on period using sum(value)",
    "pivot fact_metric on period in (2020, 2021) using sum(value)",
    "unpivot dim_area on area_name into name k value v",
    "explain select * from fact_metric",
    "explain analyze select count(*) from fact_metric",
    "select row_number() over (partition by area_code order by period) from fact_metric",
    "select * from duckdb_tables()",
    "select * from duckdb_columns() where table_name = 'fact_metric'",
    "select 'a' glob 'a*' as matched",
    'select 1 as read_rate, 2 as "query"',
    "select 'read_csv(''/etc/passwd'')' as s, '-- not a comment; drop table x' as t",
    "select * from fact_metric f join dim_area a using (area_code)"
    " qualify rank() over (order by value) < 3",
    "table fact_metric",
    "select * from main.fact_metric",
]


@pytest.mark.parametrize("sql", GOOD)
def test_analyst_queries_pass(sql: str) -> None:
    assert check_sql(sql, LIMIT) == sql


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select 1;", "select 1"),
        ("  select 1 ;  ; ", "select 1"),
        ("/* why */ select 1 -- trailing\n", "select 1"),
        ("select 1 -- note\n, 2", "select 1 \n, 2"),
        ("select '--x' as s -- real comment", "select '--x' as s"),
        ("select '/* kept */' as s", "select '/* kept */' as s"),
        # DuckDB's tokenizer counts bytes; comments must still be cut at the right place.
        ("-- £ note é\nselect '£' as x -- £\n, 'é' as y", "select '£' as x \n, 'é' as y"),
        ("/* 🚀 */ select 'naïve' as s", "select 'naïve' as s"),
    ],
)
def test_normalised_text_drops_comments_and_terminators(text: str, expected: str) -> None:
    assert check_sql(text, LIMIT) == expected


@pytest.mark.parametrize(
    ("name", "denied"),
    [
        ("read_csv", True),
        ("READ_CSV", True),
        ("read_anything_new", True),
        ("parquet_kv_metadata", True),
        ("duckdb_settings", True),
        ("duckdb_tables", False),
        ("sum", False),
        ("regexp_matches", False),
        ("reading_age", False),
    ],
)
def test_function_deny_list(name: str, denied: bool) -> None:
    assert function_denied(name) is denied


PROJECT_QUERIES = sorted((PROJECT_ROOT / "queries").glob("*.sql"))


@pytest.mark.skipif(not PROJECT_QUERIES, reason="no saved queries in the project yet")
@pytest.mark.parametrize("path", PROJECT_QUERIES, ids=[p.stem for p in PROJECT_QUERIES])
def test_project_saved_queries_pass_the_guard(path: Path) -> None:
    # The workbench runs saved queries through the same guard, and "Open in editor" puts them in
    # the editor with their default values written in: both must pass.
    query = parse_query(path)
    assert check_sql(query.sql, LIMIT)
    types = {p.name: p.type for p in query.params}
    assert check_sql(inline_params(query.sql, query.bind({}), types), LIMIT)


# ---------------------------------------------------------------- over-deep nesting


@pytest.mark.parametrize("form", NESTINGS)
@pytest.mark.parametrize("explain", [False, True], ids=["query", "explain"])
def test_deep_nesting_is_refused_with_the_guards_own_message(form: str, explain: bool) -> None:
    # 400 deep raised RecursionError out of the guard (Python's JSON reader and the tree walk).
    sql = ("explain " if explain else "") + _nested(form, 400)
    with pytest.raises(RefusedSQL, match="nests brackets or sub-expressions 400 levels deep"):
        check_sql(sql, LIMIT)


def test_nesting_without_brackets_is_refused_too() -> None:
    sql = "select " + "case when true then " * 400 + "1" + " end" * 400
    with pytest.raises(RefusedSQL, match="nests brackets or sub-expressions too deeply"):
        check_sql(sql, LIMIT)


@pytest.mark.parametrize("form", NESTINGS)
def test_nesting_an_analyst_might_write_is_allowed(form: str) -> None:
    sql = _nested(form, 100)
    assert check_sql(sql, LIMIT) == sql


@pytest.mark.parametrize(
    "sql", ["show tables", "show all tables", "show fact_metric", "describe fact_metric",
            "select table_name from duckdb_tables", "select * from pg_catalog.pg_class"],
)
def test_catalogue_reads_that_show_no_settings_are_allowed(sql: str) -> None:
    assert check_sql(sql, LIMIT) == sql
