"""SQL workbench: ad-hoc read-only SQL on the warehouse, saved queries, charts and downloads.

A thin page: checking, running, limits, exports, the schema's words and the editor live in the
``triborough`` package.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import streamlit as st

from triborough.access.auth import AccessDenied
from triborough.model.plain_text import plain
from triborough.read import workbench as wb
from triborough.read.connection import WarehouseMissing, warehouse_version
from triborough.read.queries import QueryError, load_queries
from triborough.read.sqlguard import RefusedSQL
from triborough.read.sqlworker import SQLWorkers
from triborough.settings import Settings, get_settings
from triborough.ui import signin
from triborough.ui import workbench_blocks as blocks
from triborough.ui import workbench_schema as schema
from triborough.ui.sql_editor import TEXT, current_sql, set_sql, sql_editor
from triborough.views import workbench_catalogue as cat

RESULT, ERROR, PLAN, HISTORY, PENDING = ("wb_result", "wb_error", "wb_plan", "wb_history",
                                         "wb_pending_run")


@st.cache_resource(show_spinner=False, max_entries=2, on_release=lambda con: con.close())
def _connection(path: str, version: str, timeout_ms: int, memory: str,
                threads: int) -> duckdb.DuckDBPyConnection:
    # For the schema browser's own catalogue queries only: what an analyst types runs in the
    # worker processes. Keyed on the file's version so a rebuild opens the new file.
    settings = get_settings().model_copy(update={
        "query_timeout_ms": timeout_ms, "workbench_memory_limit": memory,
        "workbench_threads": threads})
    return wb.open_workbench_connection(Path(path), settings)


@st.cache_resource(show_spinner=False, max_entries=1, on_release=lambda pool: pool.close())
def _workers(size: int, memory_mb: int) -> SQLWorkers:
    # One pool for every session in this app process, started when the page first opens.
    pool = SQLWorkers(size, memory_mb)
    pool.start()
    return pool


def _run(workers: SQLWorkers, settings: Settings, sql: str,
         params: dict[str, object] | None = None, shown_sql: str | None = None) -> None:
    """Run and keep the outcome in the session, so later widget changes still show it."""
    st.session_state[PLAN] = result = error = None
    try:
        result = wb.run_user_sql(workers, sql, settings, params, by=signin.page_person())
    except (RefusedSQL, wb.WorkbenchError, AccessDenied) as exc:
        error = str(exc)
    st.session_state[RESULT], st.session_state[ERROR] = result, error
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    st.session_state[HISTORY] = wb.remember(st.session_state.get(HISTORY, []), wb.HistoryEntry(
        sql=shown_sql or sql, ran_at=result.ran_at if result else now,
        row_count=result.row_count if result else None,
        truncated=result.truncated if result else False,
        elapsed_ms=result.elapsed_ms if result else None, error=error))


def _run_again(sql: str) -> None:
    set_sql(sql)
    st.session_state[PENDING] = True


def _saved_queries(workers: SQLWorkers, settings: Settings) -> None:
    try:
        queries = load_queries(settings.queries_dir)
    except QueryError as exc:
        st.warning(f"Saved queries could not be read: {exc}")
        return
    if not queries:
        st.info(f"No saved queries in {settings.queries_dir}.")
        return
    # One query's form at a time: drawing every query's widgets on each rerun was slow.
    name = st.selectbox("Saved query", list(queries), format_func=lambda n: queries[n].title,
                        key="saved_choice")
    query = queries[name]
    if query.description:
        st.caption(query.description)
    raw = {p.name: blocks.param_input(query, p) for p in query.params}
    try:
        bound = query.bind(raw)
    except QueryError as exc:
        st.error(plain(exc))
        return
    inlined = wb.inline_params(query.sql, bound, {p.name: p.type for p in query.params})
    bar = st.container(horizontal=True)
    if bar.button("Run", key=f"saved_run_{name}", type="primary"):
        _run(workers, settings, query.sql, bound, shown_sql=inlined)
    bar.button("Open in editor", key=f"saved_open_{name}", on_click=set_sql, args=(inlined,))


def main() -> None:
    """Render the workbench."""
    settings = get_settings()
    st.title("SQL workbench")
    path = settings.warehouse_path
    try:
        version = warehouse_version(path)
    except WarehouseMissing:
        st.error(f"The warehouse has not been built yet (looked for {path}). Build it with "
                 "`triborough build`, then reload this page.")
        st.stop()
        return
    con = _connection(str(path), version, settings.query_timeout_ms,
                      settings.workbench_memory_limit, settings.workbench_threads)
    workers = _workers(settings.workbench_workers, settings.workbench_worker_memory_mb)
    st.caption(
        f"Read-only SQL on the warehouse. One statement at a time; each query stops after "
        f"{settings.query_timeout_ms / 1000:g} s or {settings.workbench_worker_memory_mb / 1000:g}"
        f" GB of memory and returns at most {settings.row_cap:,} rows and "
        f"{settings.byte_cap_mb:,} MB. Files, settings and extensions are out of reach.")
    current_sql("show tables")
    query_tab, saved_tab, history_tab, schema_tab, find_tab = st.tabs(
        ["Query", "Saved queries", "History", "Schema", "Find and insert"])
    with saved_tab:
        _saved_queries(workers, settings)
    with query_tab:
        overview, _, reserved = schema.known(str(path), version, con)
        submitted = sql_editor(cat.completions(overview, reserved), settings.max_sql_chars)
        bar = st.container(horizontal=True)
        run = bar.button("Run", key="run_sql", type="primary")
        plan = bar.button("Explain", key="explain_sql")
        sql = str(st.session_state[TEXT])
        if run or submitted or st.session_state.pop(PENDING, False):
            _run(workers, settings, sql)
        elif plan:
            try:
                st.session_state[PLAN] = wb.explain(workers, sql, settings,
                                                    by=signin.page_person())
                st.session_state[ERROR] = None
            except (RefusedSQL, wb.WorkbenchError, AccessDenied) as exc:
                st.session_state[ERROR] = str(exc)
        if st.session_state.get(ERROR):
            st.error(plain(st.session_state[ERROR]))
        elif st.session_state.get(PLAN):
            st.code(st.session_state[PLAN], language=None)
        result: wb.Result | None = st.session_state.get(RESULT)
        if result is not None and not st.session_state.get(ERROR):
            source = f"Tri-borough Insight warehouse {path.name} (version {version})"
            blocks.result_view(result, source)
    with history_tab:
        blocks.history(st.session_state.get(HISTORY, []), set_sql, _run_again)
    with schema_tab:
        schema.schema_browser(con, str(path), version)
    with find_tab:
        schema.find_and_insert(con, str(path), version)


main()
