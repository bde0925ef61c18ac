"""SQL workbench: ad-hoc read-only SQL on the warehouse, saved queries, charts and downloads.

A thin page: checking, running, limits and exports live in the ``triborough`` package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import plotly.express as px
import polars as pl
import streamlit as st

from triborough import signin
from triborough import workbench as wb
from triborough.auth import AccessDenied
from triborough.exports import refusal, to_csv_bytes, to_parquet_bytes, to_xlsx_bytes
from triborough.plain_text import plain
from triborough.queries import NamedQuery, Param, QueryError, load_queries
from triborough.settings import Settings, get_settings
from triborough.sqlguard import RefusedSQL
from triborough.sqlworker import SQLWorkers
from triborough.style import BOROUGH_COLOURS
from triborough.warehouse import WarehouseMissing, warehouse_version

DEFAULT_SQL = "show tables"
RESULT = "wb_result"
ERROR = "wb_error"
PLAN = "wb_plan"
HISTORY = "wb_history"
PENDING = "wb_pending_run"


@st.cache_resource(show_spinner=False, max_entries=2, on_release=lambda con: con.close())
def _connection(
    path: str, version: str, timeout_ms: int, memory: str, threads: int
) -> duckdb.DuckDBPyConnection:
    # For the schema browser's own catalogue queries only: what an analyst types runs in the
    # worker processes. Keyed on the file's version so a rebuild opens the new file; one
    # connection per process is safe because every query runs on its own locked-down cursor.
    settings = get_settings().model_copy(
        update={
            "query_timeout_ms": timeout_ms,
            "workbench_memory_limit": memory,
            "workbench_threads": threads,
        }
    )
    return wb.open_workbench_connection(Path(path), settings)


@st.cache_resource(show_spinner=False, max_entries=1, on_release=lambda pool: pool.close())
def _workers(size: int, memory_mb: int) -> SQLWorkers:
    # One pool for every session in this app process: analysts' queries run there, never in
    # the process that draws everyone's pages. The workers start in the background when the
    # page is first opened, so the first query does not wait for them.
    pool = SQLWorkers(size, memory_mb)
    pool.start()
    return pool


@st.cache_data(show_spinner=False, max_entries=4)
def _schema(path: str, version: str, _con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return wb.schema_overview(_con)


@st.cache_data(show_spinner=False, max_entries=4)
def _metrics(path: str, version: str, _con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return wb.metric_catalogue(_con)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _open_in_editor(sql: str) -> None:
    # A callback runs before the script, so the text area is created with the new text.
    st.session_state["sql"] = sql


def _run_again(sql: str) -> None:
    st.session_state["sql"] = sql
    st.session_state[PENDING] = True


def _record(sql: str, result: wb.Result | None, error: str | None) -> None:
    entry = wb.HistoryEntry(
        sql=sql,
        ran_at=result.ran_at if result else dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        row_count=result.row_count if result else None,
        truncated=result.truncated if result else False,
        elapsed_ms=result.elapsed_ms if result else None,
        error=error,
    )
    st.session_state[HISTORY] = wb.remember(st.session_state.get(HISTORY, []), entry)


def _run(
    workers: SQLWorkers,
    settings: Settings,
    sql: str,
    params: dict[str, object] | None = None,
    shown_sql: str | None = None,
) -> None:
    """Run and keep the outcome in the session, so later widget changes still show it."""
    st.session_state[PLAN] = None
    try:
        result = wb.run_user_sql(workers, sql, settings, params, by=signin.page_person())
    except (RefusedSQL, wb.WorkbenchError, AccessDenied) as exc:
        st.session_state[RESULT] = None
        st.session_state[ERROR] = str(exc)
        _record(shown_sql or sql, None, str(exc))
        return
    st.session_state[RESULT] = result
    st.session_state[ERROR] = None
    _record(shown_sql or sql, result, None)


def _param_input(query: NamedQuery, param: Param) -> object:
    key = f"saved_{query.name}_{param.name}"
    label = f"{param.name} ({param.type})"
    help_text = param.help or None
    default = param.default
    if param.type == "integer":
        return st.number_input(label, value=default, step=1, key=key, help=help_text)
    if param.type == "double":
        value = float(default) if default is not None else None
        return st.number_input(label, value=value, key=key, help=help_text)
    if param.type == "date":
        return st.date_input(label, value=default, key=key, help=help_text)
    if param.type == "boolean":
        return st.checkbox(label, value=bool(default), key=key, help=help_text)
    if param.type == "varchar[]":
        text = ", ".join(default) if isinstance(default, list | tuple) else ""
        raw = st.text_input(label + ", comma-separated", value=text, key=key, help=help_text)
        return [v.strip() for v in raw.split(",") if v.strip()]
    return st.text_input(
        label, value="" if default is None else str(default), key=key, help=help_text
    )


def _open_saved(sql: str, bound: dict[str, object], types: dict[str, str]) -> None:
    # Inlined only when asked for: tokenising every saved query on every rerun cost more than
    # the rest of the tab.
    st.session_state["sql"] = wb.inline_params(sql, bound, types)


def _saved_queries(workers: SQLWorkers, settings: Settings) -> None:
    try:
        queries = load_queries(settings.queries_dir)
    except QueryError as exc:
        st.warning(f"Saved queries could not be read: {exc}")
        return
    if not queries:
        st.info(f"No saved queries in {settings.queries_dir}.")
        return
    # One query's form at a time: the catalogue grows with every page, and drawing every
    # query's parameter widgets on every rerun made the whole workbench slower.
    name = st.selectbox(
        "Saved query", list(queries), format_func=lambda n: queries[n].title, key="saved_choice"
    )
    query = queries[name]
    if query.description:
        st.caption(query.description)
    raw = {p.name: _param_input(query, p) for p in query.params}
    try:
        bound = query.bind(raw)
    except QueryError as exc:
        st.error(plain(exc))
        return
    types = {p.name: p.type for p in query.params}
    # Buttons side by side at the left, as a toolbar, not spread over half-width columns.
    bar = st.container(horizontal=True)
    if bar.button("Run", key=f"saved_run_{name}", type="primary"):
        _run(
            workers, settings, query.sql, bound, shown_sql=wb.inline_params(query.sql, bound, types)
        )
    bar.button(
        "Open in editor", key=f"saved_open_{name}", on_click=_open_saved,
        args=(query.sql, bound, types),
    )


def _history() -> None:
    history: list[wb.HistoryEntry] = st.session_state.get(HISTORY, [])
    if not history:
        st.caption("Queries you run in this session appear here.")
        return
    for entry in history:
        key = _key(entry.sql)
        outcome = (
            f"error: {entry.error.splitlines()[0]}"
            if entry.error
            else f"{entry.row_count:,} rows{' (cut)' if entry.truncated else ''}, "
            f"{entry.elapsed_ms:,.0f} ms"
        )
        st.code(entry.sql, language="sql")
        st.caption(f"{entry.ran_at} · {plain(outcome)}")
        bar = st.container(horizontal=True)
        bar.button("Open", key=f"hist_open_{key}", on_click=_open_in_editor, args=(entry.sql,))
        bar.button("Run again", key=f"hist_run_{key}", on_click=_run_again, args=(entry.sql,))


def _schema_browser(con: duckdb.DuckDBPyConnection, path: str, version: str) -> None:
    overview = _schema(path, version, con)
    if overview.is_empty():
        st.caption("The warehouse has no tables.")
        return
    # One grid of tables and one of the chosen table's columns, rather than a grid per table:
    # each grid is a serialised Arrow payload on every rerun. Arrow goes in as it is (a polars
    # frame would be converted through pandas first).
    tables = overview.unique("table_name", keep="first", maintain_order=True).select(
        "table_name", "kind", "row_count", "table_description"
    )
    st.dataframe(tables.to_arrow(), hide_index=True, key="schema_tables")
    chosen = st.selectbox("Columns of", tables.get_column("table_name").to_list(),
                          key="schema_table")
    st.dataframe(
        overview.filter(pl.col("table_name") == chosen)
        .select("column_name", "column_type", "column_description").to_arrow(),
        hide_index=True,
        key="schema_columns",
    )
    metrics = _metrics(path, version, con)
    if not metrics.is_empty():
        with st.expander(f"Metric catalogue (dim_metric) · {metrics.height:,} metrics"):
            st.dataframe(metrics.to_arrow(), hide_index=True, key="schema_metric_catalogue")


def _chart(result: wb.Result) -> None:
    frame = result.frame
    if frame.is_empty() or not frame.columns:
        return
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    with st.expander("Chart this result"):
        if not numeric:
            st.caption("A chart needs at least one numeric column.")
            return
        kind = st.radio("Chart", ["bar", "line", "scatter"], horizontal=True, key="chart_kind")
        x = st.selectbox("x", frame.columns, key="chart_x")
        y = st.selectbox("y", numeric, index=len(numeric) - 1, key="chart_y")
        colour = st.selectbox("colour", ["(none)", *frame.columns], key="chart_colour")
        colour_col = None if colour == "(none)" else colour
        colours = None
        if colour_col and set(frame[colour_col].cast(pl.String).unique().to_list()) <= set(
            BOROUGH_COLOURS
        ):
            colours = BOROUGH_COLOURS  # the same colour for the same borough everywhere
        plot = {"bar": px.bar, "line": px.line, "scatter": px.scatter}[kind]
        fig = plot(
            frame,
            x=x,
            y=y,
            color=colour_col,
            color_discrete_map=colours,
            title=f"{y} by {x}" + (f" and {colour_col}" if colour_col else ""),
        )
        st.plotly_chart(
            fig,
            key="chart_figure",
            alt=f"{kind.capitalize()} chart of {y} by {x}; the same rows are in the result table.",
        )
        if result.truncated:
            st.caption(f"Only the first {result.row_count:,} rows are charted.")


def _downloads(result: wb.Result, source: str) -> None:
    metadata = wb.result_metadata(result, source)
    frame = result.frame
    stem = f"workbench-{result.ran_at[:19].replace(':', '')}"
    formats = (
        ("CSV", to_csv_bytes, "csv", "text/csv"),
        ("Parquet", to_parquet_bytes, "parquet", "application/vnd.apache.parquet"),
        ("Excel", to_xlsx_bytes, "xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    # Each file is made only when its button is pressed; one over its budget is not offered,
    # and the reason is shown instead.
    bar = st.container(horizontal=True)
    for label, make, ext, mime in formats:
        reason = refusal(frame, ext)
        if reason:
            st.caption(f"No {label} download: {reason}")
            continue
        bar.download_button(
            f"Download {label}",
            data=lambda make=make: make(frame, metadata),
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"dl_{ext}",
            on_click="ignore",
        )


def _show_result(result: wb.Result, source: str) -> None:
    st.caption(f"{result.row_count:,} rows · {result.elapsed_ms:,.0f} ms")
    if result.cut_by == "bytes":
        st.warning(
            f"Showing the first {result.row_count:,} rows: the result is larger than the "
            f"{result.byte_cap_mb:,} MB the workbench returns. Downloads hold these rows only. "
            "Select fewer or shorter columns, filter or aggregate to see the rest."
        )
    elif result.truncated:
        st.warning(
            f"Showing the first {result.row_cap:,} rows: the result has more. Downloads hold "
            "these rows only. Filter, aggregate or add a LIMIT to see the rest."
        )
    st.dataframe(result.frame, hide_index=True, key="result_grid")
    _downloads(result, source)
    _chart(result)


def main() -> None:
    """Render the workbench."""
    settings = get_settings()
    st.title("SQL workbench")
    path = settings.warehouse_path
    try:
        version = warehouse_version(path)
    except WarehouseMissing:
        st.error(
            f"The warehouse has not been built yet (looked for {path}). Build it with "
            "`triborough build`, then reload this page."
        )
        st.stop()
        return
    con = _connection(
        str(path),
        version,
        settings.query_timeout_ms,
        settings.workbench_memory_limit,
        settings.workbench_threads,
    )
    workers = _workers(settings.workbench_workers, settings.workbench_worker_memory_mb)
    source = f"Tri-borough Insight warehouse {path.name} (version {version})"
    st.caption(
        f"Read-only SQL on the warehouse. One statement at a time; each query stops after "
        f"{settings.query_timeout_ms / 1000:g} s or "
        f"{settings.workbench_worker_memory_mb / 1000:g} GB of memory and returns at most "
        f"{settings.row_cap:,} rows and {settings.byte_cap_mb:,} MB. "
        "Files, settings and extensions are out of reach."
    )
    st.session_state.setdefault("sql", DEFAULT_SQL)
    query_tab, saved_tab, history_tab, schema_tab = st.tabs(
        ["Query", "Saved queries", "History", "Schema"]
    )
    with saved_tab:
        _saved_queries(workers, settings)
    with query_tab:
        st.text_area("SQL", key="sql", height=180, max_chars=settings.max_sql_chars)
        bar = st.container(horizontal=True)
        run = bar.button("Run", key="run_sql", type="primary")
        plan = bar.button("Explain", key="explain_sql")
        pending = st.session_state.pop(PENDING, False)  # set by "Run again" in the history
        if run or pending:
            _run(workers, settings, st.session_state["sql"])
        elif plan:
            try:
                st.session_state[PLAN] = wb.explain(
                    workers, st.session_state["sql"], settings, by=signin.page_person()
                )
                st.session_state[ERROR] = None
            except (RefusedSQL, wb.WorkbenchError, AccessDenied) as exc:
                st.session_state[ERROR] = str(exc)
        if st.session_state.get(ERROR):
            st.error(plain(st.session_state[ERROR]))
        elif st.session_state.get(PLAN):
            st.code(st.session_state[PLAN], language=None)
        result: wb.Result | None = st.session_state.get(RESULT)
        if result is not None and not st.session_state.get(ERROR):
            _show_result(result, source)
    with history_tab:
        _history()
    with schema_tab:
        _schema_browser(con, str(path), version)


main()
