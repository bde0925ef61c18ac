"""The SQL workbench runner and its second wall: a connection the engine itself keeps read-only.

:func:`triborough.read.sqlguard.check_sql` refuses what it can see. Whatever slips past it meets a
DuckDB instance of its own with the warehouse attached read-only, external access off, no
extension loading, a time limit, a memory limit and a thread count, and its configuration
locked. The limits are instance-wide, so every cursor (a cursor is a new connection in DuckDB,
and a SET on the parent would not reach it) carries them. The page runs that instance in a
worker process (the third wall, :mod:`triborough.read.sqlworker`), never in the app's own.

:func:`run_user_sql` and :func:`explain` are the page's entry points. Whatever goes wrong
inside them reaches the page as :class:`~triborough.read.sqlguard.RefusedSQL` or
:class:`WorkbenchError`, never as another exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from triborough.access.auth import Person, audited_query
from triborough.read.connection import connect_readonly, warehouse_version
from triborough.read.sqlguard import RefusedSQL, check_sql, tokens
from triborough.read.sqlworker import Job, SQLWorkers, WorkerError, seconds_text
from triborough.settings import Settings

_log = logging.getLogger(__name__)
# DuckDB produces rows in vectors of 2,048; reading in batches of that size lets the byte cap
# stop a result of wide rows after one vector rather than after the row cap's worth.
_BATCH_ROWS = 2048


class WorkbenchError(RuntimeError):
    """A query failed or was stopped; the message (DuckDB's own text or the limit that stopped
    it) is fit to show a user."""


@dataclass(frozen=True)
class Result:
    """What one workbench query returned (at most ``row_cap`` rows)."""

    sql: str
    columns: list[str]
    frame: pl.DataFrame
    row_count: int
    truncated: bool
    elapsed_ms: float
    row_cap: int
    ran_at: str = field(default_factory=lambda: _now())
    cut_by: str | None = None  # "rows" (the row cap) or "bytes" (the byte cap) when truncated
    byte_cap_mb: int = 0


@dataclass(frozen=True)
class HistoryEntry:
    """One query run in this session, for the history list."""

    sql: str
    ran_at: str
    row_count: int | None = None
    truncated: bool = False
    elapsed_ms: float | None = None
    error: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def workbench_config(settings: Settings) -> dict[str, object]:
    """The DuckDB config the workbench instance starts with (limits; see the module notes)."""
    return {
        "max_execution_time": settings.query_timeout_ms,
        "memory_limit": settings.workbench_memory_limit,
        "threads": settings.workbench_threads,
        # No spilling to disk: a query that outgrows the memory limit fails instead of filling
        # the server's disk.
        "temp_directory": "",
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        # Python's replacement scans would let `FROM some_name` read a variable of the calling
        # code; external access off already stops them, this says it twice.
        "python_enable_replacements": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
    }


def open_workbench_connection(path: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for user SQL: read-only, no external access, limits set and locked.

    The warehouse is attached read-only to a private in-memory instance rather than opened
    with ``duckdb.connect(path)``. DuckDB keeps one instance per file path in a process and
    (seen in 2.0.1) refuses a second connect with a different config, which the dashboard's
    own read-only connection would be, and hands back the old instance, with the old data,
    after the file is rebuilt while a connection to it is open. A private instance has neither
    problem. External access has to be on for the ATTACH, so it is switched off after it and
    the configuration locked; both are instance-wide, so every cursor carries them (the tests
    check on the cursor that runs the query).
    """
    return connect_readonly(path, extra=workbench_config(settings))


def live_limits(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The limits as a fresh cursor sees them: the cursor is what runs a query, so check there."""
    names = (
        "enable_external_access",
        "lock_configuration",
        "max_execution_time",
        "memory_limit",
        "threads",
        "temp_directory",
        "autoinstall_known_extensions",
        "autoload_known_extensions",
    )
    cur = con.cursor()
    try:
        rows = cur.sql(
            "select name, value from duckdb_settings() where list_contains($names, name)",
            params={"names": list(names)},
        ).fetchall()
        databases = cur.sql(
            "select current_database(), readonly from duckdb_databases()"
            " where database_name = current_database()"
        ).fetchall()
    finally:
        cur.close()
    limits = {str(name): str(value) for name, value in rows}
    for database, readonly in databases:
        limits["database"] = str(database)
        limits["read_only"] = str(readonly).lower()
    return limits


def readable_error(exc: BaseException, settings: Settings) -> str:
    """DuckDB's message for a failed query, with the limit named when a limit stopped it."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, duckdb.InterruptException) or "maximum execution time" in text:
        return (
            f"The query hit the time limit of {seconds_text(settings.query_timeout_ms)} and was "
            "stopped. Narrow it down (filter, aggregate or add a LIMIT) and run it again."
        )
    if isinstance(exc, duckdb.OutOfMemoryException) or text.startswith("Out of Memory"):
        # DuckDB's advice that follows (SET memory_limit ...) cannot apply here: drop it.
        return (
            f"{text.splitlines()[0]} The workbench memory limit is "
            f"{settings.workbench_memory_limit}: aggregate or filter before sorting or joining."
        )
    if isinstance(exc, duckdb.PermissionException):
        return f"{text.splitlines()[0]} The workbench only reads the warehouse's own tables."
    return text


def _unique(names: list[str]) -> list[str]:
    # SQL allows `select 1 as a, 2 as a`; a polars frame does not.
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        base = name or "column"
        candidate = base
        while candidate in seen:
            seen[base] += 1
            candidate = f"{base}_{seen[base]}"
        seen.setdefault(candidate, 0)
        seen.setdefault(base, 0)
        out.append(candidate)
    return out


def _to_polars(table: pa.Table) -> pl.DataFrame:
    table = table.rename_columns(_unique(table.column_names))
    try:
        return pl.DataFrame(pl.from_arrow(table))
    except Exception:  # polars cannot hold a few Arrow types (interval, union)
        columns: list[pl.Series] = []
        for name, column in zip(table.column_names, table.columns, strict=True):
            try:
                columns.append(pl.Series(name, column))
            except Exception:  # shown as text rather than not at all
                values = [None if v is None else str(v) for v in column.to_pylist()]
                columns.append(pl.Series(name, values, dtype=pl.String))
        return pl.DataFrame(columns)


def _rows_within(batch: pa.RecordBatch, budget: int) -> int:
    """The most leading rows of ``batch`` whose Arrow data fits in ``budget`` bytes."""
    if batch.nbytes <= budget:
        return batch.num_rows
    low, high = 0, batch.num_rows  # slice(0, low) fits, slice(0, high) does not
    while high - low > 1:
        mid = (low + high) // 2
        if batch.slice(0, mid).nbytes <= budget:
            low = mid
        else:
            high = mid
    return low


def fetch_capped(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    cap: int,
    byte_cap: int,
    params: dict[str, object] | None = None,
) -> tuple[pa.Table, str | None]:
    """Run one checked statement on its own cursor; at most ``cap`` rows and ``byte_cap`` bytes.

    Returns the rows and why they were cut: ``"rows"``, ``"bytes"`` or None when nothing was.
    """
    cur = con.cursor()
    try:
        statements = cur.extract_statements(sql)
        if len(statements) != 1:  # the guard already said so; never let a script through here
            raise WorkbenchError("One statement at a time.")
        relation = cur.sql(statements[0], params=params or None)
        if relation is None:
            return pa.table({}), None
        # A streaming reader: the engine produces rows only as they are read, so a result of
        # millions of rows costs no more than the rows kept. Works the same for EXPLAIN,
        # DESCRIBE and PIVOT, which a `LIMIT` wrapper cannot wrap.
        reader = relation.to_arrow_reader(min(cap + 1, _BATCH_ROWS))
        try:
            batches: list[pa.RecordBatch] = []
            rows = size = 0
            cut: str | None = None
            while cut is None:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                if batch.num_rows > cap - rows:
                    batch, cut = batch.slice(0, cap - rows), "rows"
                fit = _rows_within(batch, byte_cap - size)
                if fit < batch.num_rows:
                    batch, cut = batch.slice(0, fit), "bytes"
                batches.append(batch)
                rows += batch.num_rows
                size += batch.nbytes
            return pa.Table.from_batches(batches, schema=reader.schema), cut
        finally:
            reader.close()
    finally:
        cur.close()


@contextlib.contextmanager
def _only_workbench_errors() -> Iterator[None]:
    """The page's rule: it is shown RefusedSQL or WorkbenchError, whatever failed inside."""
    try:
        yield
    except (RefusedSQL, WorkbenchError):
        raise
    except Exception as exc:
        _log.exception("workbench query failed unexpectedly")
        raise WorkbenchError(
            f"The workbench could not run this query ({type(exc).__name__}); nothing was "
            "changed. Try a simpler query, or tell the team that runs this site."
        ) from None


def run_user_sql(
    con: SQLWorkers | duckdb.DuckDBPyConnection,
    text: str,
    settings: Settings,
    params: dict[str, object] | None = None,
    *,
    by: Person | None = None,
) -> Result:
    """Check ``text`` with the guard, run it and return at most the row and byte caps.

    ``con`` is the pool of worker processes the page uses, or a workbench connection in this
    process (tests of the engine wall, the benchmark's comparison with raw DuckDB): only the
    pool protects the app from a query that needs more memory or time than DuckDB bounds.
    ``params`` are DuckDB parameter values (``$name``), as a saved query binds them. ``by`` is
    the person running it (see :func:`triborough.access.auth.acting`): it must hold the analyst role
    (else :class:`~triborough.access.auth.AccessDenied`, checked here in the app process before any
    worker sees the text), and the query is written to the audit log.
    Raises :class:`~triborough.read.sqlguard.RefusedSQL` when the guard refuses the text and
    :class:`WorkbenchError` (a message, no traceback) when the engine fails or a limit
    stops the query; nothing else.
    """
    with audited_query(by, text, params) as done:
        with _only_workbench_errors():
            result = _run_checked(con, check_sql(text, settings.max_sql_chars), settings, params)
        done(result.row_count, result.elapsed_ms)
        return result


def _run_checked(
    con: SQLWorkers | duckdb.DuckDBPyConnection,
    sql: str,
    settings: Settings,
    params: dict[str, object] | None = None,
) -> Result:
    cap = settings.row_cap
    started = time.perf_counter()
    ran_at = _now()
    if isinstance(con, SQLWorkers):
        job = Job(sql, params, settings, warehouse_version(settings.warehouse_path))
        try:
            table, cut = con.run(job)
        except WorkerError as exc:
            raise WorkbenchError(str(exc)) from None
    else:
        try:
            table, cut = fetch_capped(con, sql, cap, settings.byte_cap_mb * 1_000_000, params)
        # pyarrow re-raises an engine error met mid-stream as OSError/ArrowException.
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            raise WorkbenchError(readable_error(exc, settings)) from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    frame = _to_polars(table)
    return Result(
        sql=sql,
        columns=list(frame.columns),
        frame=frame,
        row_count=frame.height,
        truncated=cut is not None,
        elapsed_ms=elapsed_ms,
        row_cap=cap,
        ran_at=ran_at,
        cut_by=cut,
        byte_cap_mb=settings.byte_cap_mb,
    )


def explain(
    con: SQLWorkers | duckdb.DuckDBPyConnection,
    text: str,
    settings: Settings,
    *,
    by: Person | None = None,
) -> str:
    """The query plan DuckDB would use for ``text`` (which must itself pass the guard).

    ``con``, the role check, the audit and the errors raised are as for :func:`run_user_sql`.
    """
    with audited_query(by, text, explain=True) as done:
        with _only_workbench_errors():
            sql = check_sql(text, settings.max_sql_chars)
            if not sql.lower().startswith("explain"):
                # Checked again as a whole: the guard is the judge of what EXPLAIN may wrap.
                sql = check_sql(f"EXPLAIN {sql}", settings.max_sql_chars + len("EXPLAIN "))
            result = _run_checked(con, sql, settings)
        done(result.row_count, result.elapsed_ms)
    frame = result.frame
    if "explain_value" not in frame.columns:
        return ""
    return "\n".join(str(v) for v in frame["explain_value"].to_list())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_OBJECTS_SQL = """
    select schema_name, table_name as name, 'table' as kind, comment
    from duckdb_tables()
    where database_name = current_database() and not internal and not temporary
    union all
    select schema_name, view_name, 'view', comment
    from duckdb_views()
    where database_name = current_database() and not internal and not temporary
"""
_COLUMNS_SQL = """
    select schema_name, table_name as name, column_index, column_name, data_type, comment
    from duckdb_columns()
    where database_name = current_database() and not internal
"""
SCHEMA_COLUMNS: dict[str, type[pl.DataType]] = {
    "table_name": pl.String,
    "kind": pl.String,
    "row_count": pl.Int64,
    "table_description": pl.String,
    "column_index": pl.Int64,
    "column_name": pl.String,
    "column_type": pl.String,
    "column_description": pl.String,
}


def _table_descriptions(cur: duckdb.DuckDBPyConnection, names: set[str]) -> dict[str, str]:
    # meta_table(table_name, description) is optional: older warehouses do not have it.
    if "meta_table" not in names:
        return {}
    try:
        rows = cur.sql("select table_name, description from meta_table").fetchall()
    except duckdb.Error:
        return {}
    return {str(t): str(d) for t, d in rows if t is not None and d}


def schema_overview(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every table and view in the warehouse, one row per column, with row counts and notes.

    Columns: table_name, kind ('table'/'view'), row_count (None when it could not be counted
    within the limits), table_description (``meta_table``, else the table comment),
    column_index, column_name, column_type, column_description.
    """
    cur = con.cursor()
    try:
        objects = cur.sql(_OBJECTS_SQL).fetchall()
        columns = cur.sql(_COLUMNS_SQL).fetchall()
        plain = {str(name) for schema, name, _, _ in objects if schema == "main"}
        described = _table_descriptions(cur, plain)
        counts: dict[tuple[str, str], int | None] = {}
        for schema, name, _, _ in objects:
            try:
                rows = cur.sql(f"select count(*) from {_quote(schema)}.{_quote(name)}").fetchall()
                counts[(schema, name)] = int(rows[0][0])
            except duckdb.Error:  # a view that fails or runs past the time limit
                counts[(schema, name)] = None
    finally:
        cur.close()
    info = {
        (schema, name): (kind, described.get(name) if schema == "main" else None, comment)
        for schema, name, kind, comment in objects
    }
    records = []
    for schema, name, index, column, dtype, comment in columns:
        if (schema, name) not in info:
            continue
        kind, meta_description, table_comment = info[(schema, name)]
        records.append(
            {
                "table_name": name if schema == "main" else f"{schema}.{name}",
                "kind": kind,
                "row_count": counts.get((schema, name)),
                "table_description": meta_description or table_comment or None,
                "column_index": index,
                "column_name": column,
                "column_type": dtype,
                "column_description": comment or None,
            }
        )
    frame = pl.DataFrame(records, schema=SCHEMA_COLUMNS)
    return frame.sort(["table_name", "column_index"])


def metric_catalogue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The ``dim_metric`` catalogue (code, name, definition and what else it has), or empty."""
    cur = con.cursor()
    try:
        present = {
            str(r[0])
            for r in cur.sql(
                "select column_name from duckdb_columns() where database_name = current_database()"
                " and schema_name = 'main' and table_name = 'dim_metric'"
            ).fetchall()
        }
        if not present:
            return pl.DataFrame()
        wanted = [c for c in ("code", "name", "domain", "unit", "definition") if c in present]
        columns = ", ".join(_quote(c) for c in wanted) if wanted else "*"
        order = " order by code" if "code" in present else ""
        return pl.DataFrame(
            pl.from_arrow(cur.sql(f"select {columns} from main.dim_metric{order}").to_arrow_table())
        )
    except duckdb.Error:
        return pl.DataFrame()
    finally:
        cur.close()


def remember(
    history: list[HistoryEntry], entry: HistoryEntry, keep: int = 25
) -> list[HistoryEntry]:
    """History with ``entry`` first; an earlier run of the same SQL is dropped, oldest cut."""
    rest = [h for h in history if h.sql.strip() != entry.sql.strip()]
    return [entry, *rest][:keep]


def sql_literal(value: object, type_name: str = "") -> str:
    """A parameter value written as SQL, for opening a saved query in the editor.

    The text goes into the editor, not to the engine: what the user then runs passes the guard
    like anything typed by hand. Running a saved query directly binds its values as parameters.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        items = ", ".join(sql_literal(v) for v in value)
        return f"CAST([{items}] AS {type_name.upper()})" if type_name else f"[{items}]"
    return "'" + str(value).replace("'", "''") + "'"


def inline_params(sql: str, values: dict[str, object], types: dict[str, str]) -> str:
    """``sql`` with each ``$name`` parameter replaced by its value as a literal (see above)."""
    toks = tokens(sql)
    out: list[str] = []
    pos = 0
    for tok, nxt in zip(toks, toks[1:], strict=False):
        if tok.kind == "operator" and tok.text == "$" and nxt.kind in ("identifier", "keyword"):
            name = nxt.text
            if name in values and nxt.start == tok.start + 1:
                out.append(sql[pos : tok.start])
                out.append(sql_literal(values[name], types.get(name, "")))
                pos = nxt.start + len(name)
    out.append(sql[pos:])
    return "".join(out)


def truncation_note(result: Result) -> str:
    """Why a truncated result was cut, for its downloads."""
    if result.cut_by == "bytes":
        return f"true (cut at the byte cap of {result.byte_cap_mb:,} MB)"
    return f"true (cut at the row cap of {result.row_cap:,} rows)"


def result_metadata(result: Result, source: str) -> dict[str, str]:
    """Metadata that travels with a download of ``result``."""
    return {
        "query": result.sql,
        "run_at": result.ran_at,
        "row_count": str(result.row_count),
        "truncated": truncation_note(result) if result.truncated else "false",
        "source": source,
        # Published figures are OGL; generated ones say so in dim_metric.is_illustrative.
        "licence": "Open Government Licence v3.0 for published figures; see dim_metric.licence "
        "and is_illustrative for each metric",
        **_illustrative_line(result.sql),
    }


def _illustrative_line(sql: str) -> dict[str, str]:
    """The illustrative line for a download that reads a council table, whose rows are
    generated until a council loads its own (meta_illustrative says which)."""
    from triborough.model.contracts import CONTRACTS
    from triborough.model.style import ILLUSTRATIVE_LABEL

    council = {c.name for c in CONTRACTS}
    read = sorted({t.name for t in tokens(sql) if t.kind == "identifier"} & council)
    if not read:
        return {}
    return {
        "illustrative": f"yes - {ILLUSTRATIVE_LABEL}: reads {', '.join(read)}, generated "
        "until a council loads its own (see meta_illustrative)"
    }
