"""Read access to the warehouse: a locked-down, read-only DuckDB connection and named queries."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from triborough.queries import get_query

# External access off: no file, network or extension reads from SQL. Locked so no query can
# turn it back on.
READONLY_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


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
    """Open the warehouse read-only with external access off and configuration locked."""
    warehouse_version(path)  # a clear error when the file is missing
    config = {**READONLY_CONFIG, **(extra or {})}
    return duckdb.connect(str(path), read_only=True, config=config)


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
    """Run one ``queries/<name>.sql`` with its parameters bound (defaults for the rest)."""
    query = get_query(name)
    return run_sql(con, query.sql, query.bind(params))
