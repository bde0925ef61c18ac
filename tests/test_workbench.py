"""The second wall and the runner: engine-enforced limits, the row cap, errors, exports."""

from __future__ import annotations

import io
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_sqlguard import HOSTILE

from triborough.read import workbench as wb
from triborough.read.sqlguard import RefusedSQL
from triborough.settings import Settings
from triborough.views.exports import (
    parquet_metadata,
    read_csv_bytes,
    to_csv_bytes,
    to_parquet_bytes,
    to_xlsx_bytes,
)

SECRET_TEXT = "name,password\nroot,hunter2\n"


def build_warehouse(path: Path, with_meta: bool = True) -> None:
    """A small warehouse with the shape the real one has (dim_area, dim_metric, fact_metric)."""
    con = duckdb.connect(str(path))
    con.execute(
        "create table dim_area (area_code varchar primary key, area_name varchar);"
        "insert into dim_area values ('E09000033', 'Westminster'),"
        " ('E09000013', 'Hammersmith and Fulham'), ('E09000020', 'Kensington and Chelsea');"
        "create table dim_metric (code varchar primary key, name varchar, definition varchar);"
        "insert into dim_metric values ('residents', 'Residents', 'Mid-year population'),"
        " ('cin_rate', 'Children in need rate', 'Per 10,000 children');"
        "create table fact_metric (area_code varchar, metric_code varchar, period integer,"
        " value double);"
        "insert into fact_metric values"
        " ('E09000033', 'residents', 2020, 261000), ('E09000033', 'residents', 2021, 204300),"
        " ('E09000013', 'residents', 2020, 185000), ('E09000013', 'residents', 2021, 183200),"
        " ('E09000020', 'residents', 2020, 156000), ('E09000020', 'residents', 2021, 143400);"
        "comment on column fact_metric.value is 'The published figure';"
        "create view v_residents as select * from fact_metric where metric_code = 'residents';"
    )
    if with_meta:
        con.execute(
            "create table meta_table (table_name varchar, description varchar);"
            "insert into meta_table values ('fact_metric', 'One row per area, metric, period');"
        )
    con.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbench")
    warehouse = folder / "warehouse.duckdb"
    build_warehouse(warehouse)
    bare = folder / "bare.duckdb"
    build_warehouse(bare, with_meta=False)
    secret = folder / "secret.csv"
    secret.write_text(SECRET_TEXT)
    return {"warehouse": warehouse, "bare": bare, "secret": secret, "out": folder / "out.csv"}


def settings_for(files: dict[str, Path], **changes: object) -> Settings:
    values: dict[str, object] = {
        "warehouse_path": files["warehouse"],
        "query_timeout_ms": 5_000,
        "row_cap": 1_000,
        "workbench_memory_limit": "256MB",
        "workbench_threads": 2,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
def settings(files: dict[str, Path]) -> Settings:
    return settings_for(files)


@pytest.fixture()
def con(files: dict[str, Path], settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = wb.open_workbench_connection(files["warehouse"], settings)
    yield connection
    connection.close()


def _fill(template: str, files: dict[str, Path]) -> str:
    return template.replace("{secret}", str(files["secret"])).replace("{out}", str(files["out"]))


# ---------------------------------------------------------------- the second wall, on its own


def test_the_secret_file_is_readable_without_the_walls(files: dict[str, Path]) -> None:
    # The control: with a default connection the same statements do read the file, so the
    # refusals below come from the workbench configuration, not from a missing file.
    plain = duckdb.connect()
    assert plain.sql(f"select * from read_csv('{files['secret']}')").fetchall() == [
        ("root", "hunter2")
    ]
    assert plain.sql(f"from '{files['secret']}'").fetchall() == [("root", "hunter2")]


@pytest.mark.parametrize(
    "sql",
    [
        "set enable_external_access = true",
        "reset enable_external_access",
        "set max_execution_time = 0",
        "set lock_configuration = false",
        "set memory_limit = '100GB'",
        "set threads = 64",
        "set temp_directory = '/tmp'",
        "pragma threads = 64",
        "select * from read_csv('{secret}')",
        "select * from read_csv_auto('{secret}')",
        "select * from read_text('{secret}')",
        "select * from read_blob('{secret}')",
        "select * from glob('{secret}')",
        "select * from sniff_csv('{secret}')",
        'select * from "{secret}"',
        "from '{secret}'",
        "describe '{secret}'",
        "copy fact_metric to '{out}'",
        "copy (select 1) to '{out}'",
        "copy fact_metric from '{secret}'",
        "attach '{secret}' as other",
        "install httpfs",
        "load httpfs",
        "export database '{out}'",
        "import database '{out}'",
        "create table x as select 1",
        "insert into fact_metric values ('x', 'y', 1, 1)",
        "update fact_metric set value = 0",
        "delete from fact_metric",
        "drop table fact_metric",
        "alter table fact_metric add column y int",
        "create secret (type s3)",
        "select * from duckdb_extensions()",
    ],
)
def test_engine_refuses_without_the_guard(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], sql: str
) -> None:
    cur = con.cursor()
    try:
        with pytest.raises(duckdb.Error):
            rel = cur.sql(_fill(sql, files))
            if rel is not None:
                rel.fetchall()
    finally:
        cur.close()
    assert not files["out"].exists()
    # Nothing changed: the warehouse and the limits are as they were.
    assert wb.live_limits(con)["enable_external_access"] == "false"
    assert con.cursor().sql("select count(*) from fact_metric").fetchall() == [(6,)]


def test_engine_says_why_it_refuses_a_file(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path]
) -> None:
    with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
        con.cursor().sql(f"select * from read_text('{files['secret']}')").fetchall()
    with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
        con.cursor().sql("set enable_external_access = true")


# Statements the engine alone would run, because they reach nothing outside the session: the
# guard is what refuses them. Listed so the docs' table of walls stays true.
GUARD_ONLY = {
    "query() runs text as SQL",
    "duckdb_settings",
    "current_setting",
    "create temp table",
    "set variable",
    "begin",
    "checkpoint",
    "prepare",
    "two selects",
    "attach memory",  # an empty in-memory database: no file, and inside the memory limit
    "pg_settings",  # settings, file paths among them, through catalogue views and SHOW
    "show a setting",
    "duckdb_databases view",
}


@pytest.mark.parametrize("name", sorted(GUARD_ONLY))
def test_some_statements_only_the_guard_stops(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], settings: Settings, name: str
) -> None:
    sql = _fill(dict(HOSTILE)[name], files)
    with pytest.raises(RefusedSQL):
        wb.run_user_sql(con, sql, settings)
    cur = con.cursor()  # the engine runs it: harmless, but not what the workbench is for
    try:
        cur.sql(sql)
    finally:
        cur.close()


@pytest.mark.parametrize("sql", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_every_hostile_statement_is_refused_by_the_runner(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], settings: Settings, sql: str
) -> None:
    with pytest.raises((RefusedSQL, wb.WorkbenchError)):
        wb.run_user_sql(con, _fill(sql, files), settings)
    assert not files["out"].exists()


# ---------------------------------------------------------------- limits on the live cursor


def test_limits_hold_on_a_fresh_cursor(files: dict[str, Path]) -> None:
    s = settings_for(
        files, query_timeout_ms=1234, workbench_memory_limit="300MB", workbench_threads=1
    )
    connection = wb.open_workbench_connection(files["warehouse"], s)
    limits = wb.live_limits(connection)
    assert limits == {
        "database": "warehouse",
        "read_only": "true",
        "enable_external_access": "false",
        "lock_configuration": "true",
        "max_execution_time": "1234",
        "memory_limit": "286.1 MiB",  # DuckDB reports 300MB (10^6) in MiB
        "threads": "1",
        "temp_directory": "",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }


class _RecordingConnection:
    """Hands out real cursors, but first reads the time limit on each one."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.seen: list[int] = []

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        self.seen.append(cur.sql("select current_setting('max_execution_time')").fetchall()[0][0])
        return cur


def test_time_limit_stops_a_query_of_hours(files: dict[str, Path]) -> None:
    s = settings_for(files, query_timeout_ms=500)
    connection = wb.open_workbench_connection(files["warehouse"], s)
    recorder = _RecordingConnection(connection)
    started = time.perf_counter()
    with pytest.raises(wb.WorkbenchError) as info:
        # 10^12 rows: hours of work without the limit.
        wb.run_user_sql(
            recorder,  # type: ignore[arg-type]
            "select count(*) from range(1000000) a, range(1000000) b",
            s,
        )
    assert time.perf_counter() - started < 20  # sanity bound only
    assert str(info.value).startswith("The query hit the time limit of 0.5 seconds")
    assert "Traceback" not in str(info.value)
    # The cursor that ran the query carried the limit (a SET on the parent would not).
    assert recorder.seen == [500]


def test_memory_limit_stops_a_query_with_a_readable_message(files: dict[str, Path]) -> None:
    s = settings_for(files, workbench_memory_limit="64MB", workbench_threads=1)
    connection = wb.open_workbench_connection(files["warehouse"], s)
    with pytest.raises(wb.WorkbenchError, match="Out of Memory.*memory limit is 64MB"):
        wb.run_user_sql(connection, "select * from range(10000000) order by random()", s)


def test_millions_of_rows_are_capped(files: dict[str, Path]) -> None:
    s = settings_for(files, row_cap=1_000)
    connection = wb.open_workbench_connection(files["warehouse"], s)
    started = time.perf_counter()
    result = wb.run_user_sql(connection, "select * from range(5000000) order by range", s)
    assert time.perf_counter() - started < 20
    assert result.truncated is True
    assert result.row_count == 1_000 == result.frame.height
    assert result.frame["range"].to_list() == list(range(1_000))


@pytest.mark.parametrize(("rows", "truncated"), [(999, False), (1_000, False), (1_001, True)])
def test_truncated_only_when_rows_were_cut(
    con: duckdb.DuckDBPyConnection, settings: Settings, rows: int, truncated: bool
) -> None:
    result = wb.run_user_sql(con, f"select * from range({rows})", settings)
    assert (result.row_count, result.truncated) == (min(rows, 1_000), truncated)


def test_other_sessions_keep_working_while_one_runs(files: dict[str, Path]) -> None:
    s = settings_for(files, query_timeout_ms=4_000)
    connection = wb.open_workbench_connection(files["warehouse"], s)
    outcome: list[str] = []
    started = threading.Event()

    def long_query() -> None:
        started.set()
        try:
            wb.run_user_sql(connection, "select count(*) from range(1000000) a, range(1000000)", s)
        except wb.WorkbenchError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=long_query)
    worker.start()
    started.wait()
    time.sleep(0.3)  # let the long query get going
    short = wb.run_user_sql(connection, "select count(*) as n from fact_metric", s)
    still_running = worker.is_alive()
    worker.join(timeout=30)
    assert short.frame["n"].to_list() == [6]
    assert still_running, "the short query waited for the long one"
    assert outcome and "time limit of 4 seconds" in outcome[0]


# ---------------------------------------------------------------- analyst queries work

GOOD: list[tuple[str, str, list[dict[str, object]]]] = [
    ("count", "select count(*) as n from fact_metric", [{"n": 6}]),
    (
        "aggregate",
        "select period, sum(value) as total from fact_metric group by period order by period",
        [{"period": 2020, "total": 602000.0}, {"period": 2021, "total": 530900.0}],
    ),
    (
        "join",
        "select a.area_name from fact_metric f join dim_area a using (area_code)"
        " where f.period = 2021 order by f.value desc limit 1",
        [{"area_name": "Westminster"}],
    ),
    (
        "window",
        "select area_code, value - lag(value) over (partition by area_code order by period)"
        " as change from fact_metric where area_code = 'E09000013' order by period",
        [{"area_code": "E09000013", "change": None}, {"area_code": "E09000013", "change": -1800.0}],
    ),
    (
        "cte",
        "with latest as (select max(period) as p from fact_metric)"
        " select count(*) as n from fact_metric, latest where period = p",
        [{"n": 3}],
    ),
    (
        "from-first",
        "from dim_area select area_code where area_name like 'Kens%'",
        [{"area_code": "E09000020"}],
    ),
    ("values", "values (1, 'a'), (2, 'b')", [{"col0": 1, "col1": "a"}, {"col0": 2, "col1": "b"}]),
    ("view", "select count(*) as n from v_residents", [{"n": 6}]),
    (
        "pivot with IN",
        "pivot (from fact_metric where area_code = 'E09000033') on period in (2020, 2021)"
        " using sum(value) group by area_code",
        [{"area_code": "E09000033", "2020": 261000.0, "2021": 204300.0}],
    ),
    (
        "pivot finding its columns",
        "pivot (select period, value from fact_metric where area_code = 'E09000020')"
        " on period using sum(value)",
        [{"2020": 156000.0, "2021": 143400.0}],
    ),
    (
        "strings that look hostile",
        "select 'read_csv(''/etc/passwd'')' as s, '-- x; drop table t' as t",
        [{"s": "read_csv('/etc/passwd')", "t": "-- x; drop table t"}],
    ),
    ("duplicate names", "select 1 as a, 2 as a", [{"a": 1, "a_1": 2}]),
    (
        "catalogue function",
        "select table_name from duckdb_tables() where table_name = 'dim_area'",
        [{"table_name": "dim_area"}],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_analyst_queries_return_the_right_rows(
    con: duckdb.DuckDBPyConnection, settings: Settings, sql: str, expected: list[dict[str, object]]
) -> None:
    result = wb.run_user_sql(con, sql, settings)
    assert result.frame.to_dicts() == expected
    assert result.columns == list(expected[0])
    assert result.truncated is False and result.row_count == len(expected)


@pytest.mark.parametrize(
    ("sql", "column", "contains"),
    [
        ("describe fact_metric", "column_name", "metric_code"),
        ("summarize fact_metric", "column_name", "value"),
        ("show tables", "name", "dim_metric"),
        ("show all tables", "name", "fact_metric"),
        ("explain select * from fact_metric", "explain_key", "physical_plan"),
        ("explain analyze select count(*) from fact_metric", "explain_key", "analyzed_plan"),
        ("unpivot dim_area on area_name into name k value v", "v", "Westminster"),
    ],
)
def test_describe_show_summarize_explain(
    con: duckdb.DuckDBPyConnection, settings: Settings, sql: str, column: str, contains: str
) -> None:
    result = wb.run_user_sql(con, sql, settings)
    assert contains in result.frame[column].to_list()


def test_saved_query_parameters_are_bound(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> None:
    result = wb.run_user_sql(
        con,
        "-- title: x\nselect area_code from fact_metric where period = $year"
        " and list_contains($areas, area_code) order by area_code",
        settings,
        params={"year": 2021, "areas": ["E09000020", "E09000033"]},
    )
    assert result.frame["area_code"].to_list() == ["E09000020", "E09000033"]


def test_inline_params_opens_a_runnable_query(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> None:
    sql = (
        "select count(*) as n from fact_metric where list_contains($areas, area_code)"
        " and area_code <> $name and period >= $year"
    )
    text = wb.inline_params(
        sql, {"areas": ["E09000013"], "name": "O'Brien", "year": 2021}, {"areas": "varchar[]"}
    )
    assert "$" not in text and "'O''Brien'" in text
    assert wb.run_user_sql(con, text, settings).frame["n"].to_list() == [1]


def test_engine_errors_are_readable(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    with pytest.raises(wb.WorkbenchError) as info:
        wb.run_user_sql(con, "select no_such_column from fact_metric", settings)
    assert str(info.value).startswith("Binder Error")
    assert "no_such_column" in str(info.value)


def test_an_error_midway_through_the_rows_is_readable(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path]
) -> None:
    s = settings_for(files, row_cap=500_000)
    # Fails after the first batches have streamed out (pyarrow reports it as an OSError).
    with pytest.raises(wb.WorkbenchError, match="boom"):
        wb.run_user_sql(
            con, "select case when range > 300000 then error('boom') end from range(400000)", s
        )


def test_explain_returns_the_plan(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    plan = wb.explain(con, "select * from fact_metric where period = 2020", settings)
    assert "fact_metric" in plan
    with pytest.raises(RefusedSQL):
        wb.explain(con, "drop table fact_metric", settings)


def test_types_polars_cannot_hold_are_shown_as_text(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> None:
    result = wb.run_user_sql(con, "select interval 3 day as gap, 1 as n", settings)
    assert result.frame.schema["gap"] == pl.String
    assert result.frame["n"].to_list() == [1]


# ---------------------------------------------------------------- schema browser


def test_schema_overview_lists_tables_views_columns_counts_and_descriptions(
    con: duckdb.DuckDBPyConnection,
) -> None:
    overview = wb.schema_overview(con)
    tables = overview.unique("table_name", maintain_order=True).select(
        "table_name", "kind", "row_count", "table_description"
    )
    assert tables.to_dicts() == [
        {"table_name": "dim_area", "kind": "table", "row_count": 3, "table_description": None},
        {"table_name": "dim_metric", "kind": "table", "row_count": 2, "table_description": None},
        {
            "table_name": "fact_metric",
            "kind": "table",
            "row_count": 6,
            "table_description": "One row per area, metric, period",
        },
        {"table_name": "meta_table", "kind": "table", "row_count": 1, "table_description": None},
        {"table_name": "v_residents", "kind": "view", "row_count": 6, "table_description": None},
    ]
    fact = overview.filter(pl.col("table_name") == "fact_metric")
    assert fact.select("column_name", "column_type", "column_description").rows() == [
        ("area_code", "VARCHAR", None),
        ("metric_code", "VARCHAR", None),
        ("period", "INTEGER", None),
        ("value", "DOUBLE", "The published figure"),
    ]


def test_schema_overview_without_meta_table(files: dict[str, Path], settings: Settings) -> None:
    connection = wb.open_workbench_connection(files["bare"], settings)
    overview = wb.schema_overview(connection)
    assert "meta_table" not in overview["table_name"].to_list()
    assert overview["table_description"].null_count() == overview.height


def test_metric_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    assert wb.metric_catalogue(con).rows() == [
        ("cin_rate", "Children in need rate", "Per 10,000 children"),
        ("residents", "Residents", "Mid-year population"),
    ]


def test_history_keeps_newest_first_without_repeats() -> None:
    history: list[wb.HistoryEntry] = []
    for sql in ["select 1", "select 2", "select 1 ", "select 3"]:
        history = wb.remember(history, wb.HistoryEntry(sql=sql, ran_at="t"), keep=2)
    assert [h.sql for h in history] == ["select 3", "select 1 "]


# ---------------------------------------------------------------- exports

FRAME = pl.DataFrame(
    {
        "area_code": ["E09000033", "E09000013", None],
        "value": [261000.5, None, 3.0],
        "note": ['=HYPERLINK("http://x")', "# not a comment", 'a,b "quoted"'],
    }
)
METADATA = {
    "query": "select *\nfrom fact_metric\n  where period = 2020",
    "run_at": "2024-05-01T10:00:00+00:00",
    "row_count": "3",
    "truncated": "false",
    "source": "Tri-borough Insight warehouse (version 1-2-3)",
}


def test_csv_round_trip_with_metadata() -> None:
    data = to_csv_bytes(FRAME, METADATA)
    text = data.decode("utf-8")
    assert text.startswith("# query: select *\n#   from fact_metric\n#     where period = 2020\n")
    frame, metadata = read_csv_bytes(data)
    assert metadata == METADATA
    assert frame.equals(FRAME)


def test_parquet_round_trip_with_metadata() -> None:
    data = to_parquet_bytes(FRAME, METADATA)
    assert parquet_metadata(data) == METADATA
    assert pl.read_parquet(io.BytesIO(data)).equals(FRAME)


def _xlsx_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """Cell text of every sheet (enough of the format to check what we wrote)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        rels = {
            r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        }
        sheets: dict[str, list[list[str]]] = {}
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns) or []:
            xml = ET.fromstring(z.read("xl/" + rels[sheet.get(rel)]))
            assert not list(xml.iter(f"{{{ns['m']}}}f")), "a cell became a formula"
            rows = []
            for row in xml.iter(f"{{{ns['m']}}}row"):
                cells = []
                for c in row.findall("m:c", ns):
                    v = c.find("m:v", ns)
                    text = "" if v is None else v.text or ""
                    cells.append(shared[int(text)] if c.get("t") == "s" else text)
                rows.append(cells)
            sheets[sheet.get("name")] = rows
    return sheets


def test_xlsx_has_data_and_about_sheets() -> None:
    sheets = _xlsx_sheets(to_xlsx_bytes(FRAME, METADATA))
    assert list(sheets) == ["Data", "About"]
    data = sheets["Data"]
    assert data[0] == ["area_code", "value", "note"]
    assert data[1] == ["E09000033", "261000.5", '=HYPERLINK("http://x")']
    assert data[3][1:] == ["3", 'a,b "quoted"']
    assert dict((k, v) for k, v in sheets["About"]) == METADATA


def test_exports_of_result_carry_the_result_metadata(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> None:
    result = wb.run_user_sql(con, "select * from range(1500)", settings)
    metadata = wb.result_metadata(result, "warehouse v1")
    assert metadata["row_count"] == "1000"
    assert metadata["truncated"].startswith("true")
    assert metadata["query"] == "select * from range(1500)"
    frame, read_back = read_csv_bytes(to_csv_bytes(result.frame, metadata))
    assert read_back == metadata and frame.height == 1000


def test_downloads_reading_a_council_table_carry_the_illustrative_line(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> None:
    from dataclasses import replace

    result = wb.run_user_sql(con, "select 1 as x", settings)
    assert "illustrative" not in wb.result_metadata(result, "warehouse v1")
    ledger = replace(result, sql="select borough_code, sum(delivered_gbp_k) from "
                                 "Savings_Ledger group by all")
    line = wb.result_metadata(ledger, "warehouse v1")["illustrative"]
    assert line.startswith("yes - Illustrative figures (generated, not published)")
    assert "savings_ledger" in line
    # A table name inside a string is not a read of that table.
    quoted = replace(result, sql="select 'savings_ledger' as name")
    assert "illustrative" not in wb.result_metadata(quoted, "warehouse v1")


# ---------------------------------------------------------------- living beside the dashboard


def test_opens_beside_the_dashboards_connection(files: dict[str, Path], settings: Settings) -> None:
    # DuckDB refuses a second connect to one file with a different config in one process; the
    # workbench's private instance must not trip over the dashboard's read-only connection.
    from triborough.read.connection import connect_readonly

    dashboard = connect_readonly(files["warehouse"])
    try:
        connection = wb.open_workbench_connection(files["warehouse"], settings)
        result = wb.run_user_sql(connection, "select count(*) as n from fact_metric", settings)
        assert result.frame["n"].to_list() == [6]
        assert dashboard.sql("select count(*) from fact_metric").fetchall() == [(6,)]
    finally:
        dashboard.close()


def test_a_rebuilt_warehouse_is_seen_by_a_new_connection(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "warehouse.duckdb"
    build_warehouse(path)
    old = wb.open_workbench_connection(path, settings)
    staged = tmp_path / "staged.duckdb"
    build_warehouse(staged)
    duckdb.connect(str(staged)).execute("delete from fact_metric where period = 2020").close()
    staged.replace(path)  # the build's rename into place
    new = wb.open_workbench_connection(path, settings)
    count = "select count(*) as n from fact_metric"
    assert wb.run_user_sql(new, count, settings).frame["n"].to_list() == [3]
    assert wb.run_user_sql(old, count, settings).frame["n"].to_list() == [6]  # until released
    old.close()


def test_missing_warehouse_says_how_to_build_it(tmp_path: Path, settings: Settings) -> None:
    from triborough.read.connection import WarehouseMissing

    with pytest.raises(WarehouseMissing, match="triborough build"):
        wb.open_workbench_connection(tmp_path / "nope.duckdb", settings)
