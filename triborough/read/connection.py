"""Read access to the warehouse: a locked-down, read-only DuckDB connection and named queries."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from triborough.read.queries import get_query
from triborough.settings import get_settings

# Extension loading off: nothing is fetched or loaded behind a query's back.
BASE_CONFIG: dict[str, object] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
CATALOG = "warehouse"  # the name the attached warehouse has inside each private instance


class WarehouseMissing(FileNotFoundError):
    """The warehouse file has not been built yet."""


def warehouse_version(path: Path) -> str:
    """Identity of the current warehouse file; changes on every rebuild or load (cache key)."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WarehouseMissing(
            f"warehouse not found at {path}: run `triborough build` first"
        ) from exc
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def connect_readonly(
    path: Path, extra: dict[str, object] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, external access off and configuration locked.

    The file is attached read-only to a private in-memory instance rather than opened with
    ``duckdb.connect(path)``: DuckDB keeps one instance per path in a process, so (seen in
    2.0.1) a plain connect after a rebuild hands back the old instance with the old data while
    any connection to it is open, and refuses a second connect with different settings. A
    private instance per version has neither problem. External access must be on for the
    ATTACH, so it is switched off afterwards and the configuration locked; both are
    instance-wide, so every cursor carries them.
    """
    warehouse_version(path)  # a clear error when the file is missing
    con = duckdb.connect(":memory:", config={**BASE_CONFIG, **(extra or {})})
    try:
        literal = "'" + str(Path(path).resolve()).replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS {CATALOG} (READ_ONLY)")
        con.execute(f"USE {CATALOG}")
        # With the in-memory database gone there is no writable catalogue left to fill.
        con.execute("DETACH memory")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> pl.DataFrame:
    """Run SQL on a fresh cursor (connections are not thread-safe) and return a polars frame."""
    cur = con.cursor()
    try:
        rel = cur.sql(sql, params=params or None)
        if rel is None:
            return pl.DataFrame()
        return pl.from_arrow(rel.to_arrow_table())  # type: ignore[return-value]
    finally:
        cur.close()


def run_named(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object] | None = None
) -> pl.DataFrame:
    """Run one ``queries/<name>.sql`` with its parameters bound (defaults for the rest).

    With ``TRIBOROUGH_ENGINE=spark`` the same query runs on Spark over the Parquet export
    instead (the DuckDB connection is then unused); the workbench never comes through here.
    """
    query = get_query(name)
    if get_settings().engine == "spark":
        from triborough.read.spark_engine import run_named_spark

        return run_named_spark(query, query.bind(params))
    return run_sql(con, query.sql, query.bind(params))
