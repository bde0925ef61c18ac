"""The named queries on Apache Spark: each warehouse table a view over its Parquet export.

Queries are written in DuckDB's dialect; each is transpiled to Spark SQL with sqlglot once per
process and cached. Parameters stay parameters (``$areas`` becomes ``:areas``, bound by Spark),
so no value is ever spliced into SQL text. Results come back as polars frames cast to the types
the query's header declares, so a page cannot tell which engine answered.

Spark is an optional extra (``pip install -e ".[spark]"``, plus Java 17 or newer). A local
session binds to 127.0.0.1 with its web UI off: it opens no port beyond localhost.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from triborough.read.parquet_export import MANIFEST, ExportError, read_manifest
from triborough.read.queries import NamedQuery
from triborough.read.result_types import conform
from triborough.settings import Settings, get_settings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pyspark.sql import SparkSession

class SparkUnavailable(RuntimeError):
    """Spark cannot be used here (pyspark or Java missing, or no export to read)."""


_lock = threading.Lock()
_registered: dict[str, str] = {}  # data location -> exported_at of the views registered


def spark_conf(settings: Settings) -> dict[str, str]:
    """Session settings: localhost only, no UI, few shuffle partitions, UTC, no Hive."""
    return {
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # The dashboards' queries shuffle thousands of rows, not billions: 200 partitions
        # would spend most of each query scheduling empty tasks.
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": tempfile.gettempdir() + "/triborough-spark-warehouse",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    }


@lru_cache(maxsize=1)
def get_session() -> SparkSession:
    """The process's one Spark session: Spark Connect when a remote is set, else a local master.

    Raises :class:`SparkUnavailable` with the reason when pyspark or Java is missing.
    """
    settings = get_settings()
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(
            'pyspark is not installed: pip install -e ".[spark]" (needs Java 17 or newer)'
        ) from exc
    builder = SparkSession.builder.appName("triborough")
    if settings.spark_remote:
        builder = builder.remote(settings.spark_remote)
        # A Connect server owns its configuration; only session-level SQL settings apply.
        conf = {k: v for k, v in spark_conf(settings).items() if k.startswith("spark.sql.s")}
    else:
        # Spark looks up a non-loopback address for the machine unless told; the session's
        # sockets are bound to 127.0.0.1 by the settings below, this keeps the lookup there too.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.master(settings.spark_master)
        conf = spark_conf(settings)
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j raises plain exceptions when Java cannot start
        raise SparkUnavailable(f"could not start Spark: {exc}") from exc
    if not settings.spark_remote:
        session.sparkContext.setLogLevel("ERROR")
    return session


def _manifest(spark: SparkSession, data: str) -> dict:
    if "://" in data and not data.startswith("file://"):
        # Object storage: only Spark can read it.
        path = f"{data.rstrip('/')}/{MANIFEST}"
        text = "\n".join(r[0] for r in spark.read.text(path, wholetext=True).collect())
        return json.loads(text)
    return read_manifest(data.removeprefix("file://"))


def register_views(spark: SparkSession, data: str) -> dict:
    """Make every exported table a temporary view over its Parquet files (once per export).

    Each view has exactly the warehouse table's columns, in order; partition columns derived
    on export (``event_year``) serve pruning only and are left out, so ``select *`` agrees with
    DuckDB.
    """
    manifest = _manifest(spark, data)
    with _lock:
        if _registered.get(data) == manifest["exported_at"]:
            return manifest
        base = data.rstrip("/")
        for table in manifest["tables"]:
            schema = ", ".join(f"`{c['name']}` {c['spark_type']}" for c in table["columns"])
            location = f"{base}/{table['name']}"
            frame = spark.read.schema(schema).option("basePath", location).parquet(location)
            derived = set(table.get("derived_columns", ()))
            keep = [c["name"] for c in table["columns"] if c["name"] not in derived]
            frame.select(*keep).createOrReplaceTempView(table["name"])
        _catalogue_view(spark, manifest)
        _registered[data] = manifest["exported_at"]
    return manifest


def _catalogue_view(spark: SparkSession, manifest: dict) -> None:
    """``duckdb_tables``: the columns of DuckDB's catalogue view that queries read (tables and
    their rows), here from the export's manifest, so catalogue queries run on both engines."""
    rows = [(t["name"], "main", False, int(t["rows"])) for t in manifest["tables"]]
    spark.createDataFrame(
        rows, "table_name string, schema_name string, temporary boolean, estimated_size bigint"
    ).createOrReplaceTempView("duckdb_tables")


@lru_cache(maxsize=256)
def _transpile(name: str, sql: str) -> str:
    import sqlglot

    try:
        return sqlglot.transpile(
            sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
        )[0]
    except sqlglot.errors.SqlglotError as exc:
        raise SparkUnavailable(f"query {name} cannot be written in Spark SQL: {exc}") from exc


def to_spark_sql(query: NamedQuery) -> str:
    """The query in Spark SQL (transpiled once per process and text)."""
    return _transpile(query.name, query.sql)


def _spark_value(value: object) -> Any:
    # Spark binds a Python list as an array literal; a tuple would be refused.
    return list(value) if isinstance(value, tuple) else value


def run_named_spark(
    query: NamedQuery, params: dict[str, object], data: str | None = None
) -> pl.DataFrame:
    """Run a named query (parameters already bound) on Spark over the Parquet export."""
    location = data or get_settings().spark_data
    if not location:
        raise SparkUnavailable(
            "TRIBOROUGH_SPARK_DATA is not set: run `triborough export --format parquet DIR` "
            "and point it at DIR"
        )
    spark = get_session()
    try:
        register_views(spark, str(location))
    except ExportError as exc:
        raise SparkUnavailable(str(exc)) from exc
    sql = to_spark_sql(query)
    args = {k: _spark_value(v) for k, v in params.items()}
    result = spark.sql(sql, args=args or None)
    return conform(query, pl.from_arrow(result.toArrow()))  # type: ignore[arg-type]
