"""``triborough query`` and ``triborough export``: named queries and the Parquet export from
the command line, on DuckDB or Spark.

Exit codes: 0 done, 1 the engine or warehouse could not answer, 2 the request itself is wrong
(unknown query, unknown parameter, a value of the wrong type, an unusable output path).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import polars as pl

from triborough.read.queries import NamedQuery, QueryError, load_queries
from triborough.read.result_types import conform
from triborough.settings import get_settings

FORMATS = ("csv", "parquet", "json")
ENGINES = ("duckdb", "spark")


class UsageError(ValueError):
    """The command line asks for something that does not exist or is not allowed (exit 2)."""


def parse_params(query: NamedQuery, pairs: list[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs checked against the query's header contract and typed."""
    given: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if key.strip() in given:
            raise UsageError(f"--param {key.strip()}: given more than once")
        given[key.strip()] = value
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(f"{p.name} ({p.type})" for p in query.params) or "none"
        raise UsageError(
            f"query {query.name} has no parameter {', '.join(unknown)}; its parameters: {known}"
        )
    try:
        return query.bind(given)
    except QueryError as exc:
        raise UsageError(f"query {query.name}: {exc}") from exc


def find_query(name: str) -> NamedQuery:
    """The named query, or a :class:`UsageError` listing the names that exist."""
    queries = load_queries(get_settings().queries_dir)
    if name not in queries:
        raise UsageError(f"no named query {name!r}; known queries: {', '.join(sorted(queries))}")
    return queries[name]


def run_on_engine(query: NamedQuery, params: dict[str, object], engine: str) -> pl.DataFrame:
    """Run a query (parameters already bound) on one engine; results cast to declared types."""
    if engine == "spark":
        from triborough.read.spark_engine import run_named_spark

        return run_named_spark(query, params)
    from triborough.read.connection import connect_readonly, run_sql

    con = connect_readonly(get_settings().warehouse_path)
    try:
        return conform(query, run_sql(con, query.sql, params))
    finally:
        con.close()


def write_result(df: pl.DataFrame, fmt: str, out: Path | None, stdout: TextIO) -> None:
    """Write a result as CSV, JSON (an array of row objects) or Parquet (a file only)."""
    if fmt == "parquet":
        if out is None:
            raise UsageError("--format parquet needs --out FILE (Parquet is not text)")
        df.write_parquet(out)
    elif fmt == "json":
        text = df.write_json()
        if out is None:
            stdout.write(text + "\n")
        else:
            out.write_text(text + "\n", encoding="utf-8")
    else:
        text = df.write_csv()
        if out is None:
            stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")


def query_command(
    name: str,
    pairs: list[str],
    engine: str | None,
    fmt: str,
    out: Path | None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """The ``triborough query`` command; returns its exit code."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    from triborough.read.connection import WarehouseMissing
    from triborough.read.spark_engine import SparkUnavailable

    engine = engine or get_settings().engine
    try:
        query = find_query(name)
        params = parse_params(query, pairs)
        if out is not None and not out.parent.is_dir():
            raise UsageError(f"--out {out}: folder {out.parent} does not exist")
        df = run_on_engine(query, params, engine)
        write_result(df, fmt, out, stdout)
    except UsageError as exc:
        print(f"triborough query: {exc}", file=stderr)
        return 2
    except (WarehouseMissing, SparkUnavailable) as exc:
        print(f"triborough query: {exc}", file=stderr)
        return 1
    if out is not None:
        print(f"{df.height} rows written to {out}", file=stderr)
    return 0


def export_command(out_dir: str, warehouse: Path | None, stderr: TextIO | None = None) -> int:
    """The ``triborough export --format parquet DIR`` command; returns its exit code."""
    stderr = stderr or sys.stderr
    from triborough.read.parquet_export import ExportError, export_parquet

    source = warehouse or get_settings().warehouse_path
    try:
        manifest = export_parquet(source, out_dir, progress=lambda m: print(m, file=stderr))
    except ExportError as exc:
        print(f"triborough export: {exc}", file=stderr)
        return 2 if Path(source).is_file() else 1
    for table in manifest["tables"]:
        by = ", ".join(table["partition_by"])
        parts = f"  partitioned by {by}" if by else ""
        files = len(table["files"])
        print(f"{table['name']:<26} {table['rows']:>10} rows  {files:>4} files{parts}")
    print(f"manifest: {Path(out_dir) / 'manifest.json'}")
    return 0
