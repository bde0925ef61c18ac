"""``triborough bench-spark``: one caseload query over N case events, Spark against DuckDB.

Builds a warehouse with N generated case events (or reuses one), exports it as Parquet, then
times the ``caseload_events_yearly`` named query in the same run on DuckDB (the warehouse file,
as the dashboards read it) and on Spark (the configured master, ``local[2]`` by default, over
the export): every borough, and one borough (which Spark answers from that borough's
partitions only). Each engine runs the query once untimed first (Spark's first query also
registers the views and compiles), then ``repeat`` timed runs; the figure is the ratio of the
medians. Both engines' results are checked to be equal before any time is reported.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUERY = "caseload_events_yearly"
SCOPES: dict[str, dict[str, object]] = {
    "all three boroughs": {},
    "one borough (partition pruning)": {"areas": ["E09000020"]},
}


def _timed(
    run: Callable[[], Any], repeat: int, say: Callable[[str], None]
) -> tuple[list[float], Any]:
    started = time.perf_counter()
    result = run()  # warm-up, untimed
    say(f"  warm-up run {time.perf_counter() - started:.1f} s")
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
        say(f"  timed run {i + 1}: {times[-1]:.1f} s")
    return times, result


def run_spark_scale(
    events: int,
    work: Path,
    out: Path,
    repeat: int = 3,
    reuse: bool = False,
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Measure and write ``spark-<events>.json`` and ``.md`` to ``out``; return the results."""
    from triborough.read.connection import connect_readonly, run_sql
    from triborough.read.parquet_export import export_parquet
    from triborough.read.queries import get_query
    from triborough.read.result_types import conform
    from triborough.read.spark_engine import get_session, run_named_spark
    from triborough.settings import get_settings
    from triborough.warehouse.build import build_warehouse

    settings = get_settings()
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    warehouse = work / f"warehouse-{events}.duckdb"
    export = work / f"parquet-{events}"
    stages: dict[str, float] = {}
    if not (reuse and warehouse.exists()):
        say(f"building a warehouse with about {events:,} case events")
        started = time.perf_counter()
        build_warehouse(settings.public_dir, warehouse, events_scale=events)
        stages["build_s"] = time.perf_counter() - started
    if not (reuse and (export / "manifest.json").exists()):
        if export.exists():
            import shutil

            shutil.rmtree(export)
        say(f"exporting it as Parquet to {export}")
        started = time.perf_counter()
        manifest = export_parquet(warehouse, export)
        stages["export_s"] = time.perf_counter() - started
    else:
        manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in manifest["tables"]}
    rows = tables["case_events"]["rows"]
    parquet_bytes = sum(f["bytes"] for f in tables["case_events"]["files"])

    say("starting Spark")
    started = time.perf_counter()
    get_session()
    stages["spark_start_s"] = time.perf_counter() - started
    query = get_query(QUERY)
    con = connect_readonly(warehouse)
    figures = []
    try:
        for label, given in SCOPES.items():
            params = query.bind(given)
            say(f"timing {QUERY} on DuckDB, {label}")
            duck_times, duck = _timed(
                lambda p=params: conform(query, run_sql(con, query.sql, p)), repeat, say
            )
            say(f"timing {QUERY} on Spark ({settings.spark_master}), {label}")
            spark_times, spark = _timed(
                lambda p=params: run_named_spark(query, p, data=str(export)), repeat, say
            )
            key = list(query.key)
            if not spark.sort(key).equals(duck.sort(key)):
                raise RuntimeError(f"{QUERY} ({label}): Spark and DuckDB results differ")
            duck_s, spark_s = statistics.median(duck_times), statistics.median(spark_times)
            figures.append({
                "scope": label, "result_rows": duck.height,
                "duckdb_s": duck_times, "spark_s": spark_times,
                "duckdb_median_s": duck_s, "spark_median_s": spark_s,
                "ratio": spark_s / duck_s,
            })
    finally:
        con.close()
    result = {
        "command": f"triborough bench-spark --events {events} --repeat {repeat}",
        "measured_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "events_requested": events, "case_events_rows": rows,
        "case_events_parquet_bytes": parquet_bytes,
        "case_events_files": len(tables["case_events"]["files"]),
        "warehouse_bytes": warehouse.stat().st_size,
        "spark_master": settings.spark_remote or settings.spark_master,
        "stages": stages, "figures": figures,
    }
    result["markdown"] = _markdown(result)
    stem = out / f"spark-{events}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(result["markdown"], encoding="utf-8")
    return result


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        f"{result['case_events_rows']:,} case events "
        f"({result['case_events_parquet_bytes'] / 1e6:,.0f} MB "
        f"of Parquet in {result['case_events_files']} files), `{QUERY}`, "
        f"median of the timed runs, Spark `{result['spark_master']}`:",
        "",
        "| scope | DuckDB (s) | Spark (s) | Spark ÷ DuckDB |",
        "|---|---:|---:|---:|",
    ]
    for f in result["figures"]:
        lines.append(
            f"| {f['scope']} | {f['duckdb_median_s']:.2f} | {f['spark_median_s']:.2f} "
            f"| {f['ratio']:.1f}× |"
        )
    return "\n".join(lines) + "\n"
