"""Figure 5: an analyst's aggregate over the case events through the workbench against raw DuckDB.

Both sides run from one process on the same file, alternating which goes first, so a busy
moment on the machine lands on both. The workbench side is the whole of ``run_user_sql`` as the
page calls it: the guard's parse, the hand-over to a worker process, a fresh cursor on its
locked-down instance, the capped Arrow stream, the Arrow IPC bytes back and the polars frame.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from triborough.bench.common import Figure, in_worker, median

# Events by borough, service and year: the typical first question over years of case events.
ANALYST_SQL = (
    "select borough_code, service, year(event_date) as year, count(*) as events\n"
    "from case_events\ngroup by all\norder by all"
)


def _workbench_worker(warehouse: str, sql: str, repeat: int) -> dict[str, Any]:
    from triborough.read.sqlworker import SQLWorkers
    from triborough.read.workbench import run_user_sql
    from triborough.settings import get_settings

    settings = get_settings().model_copy(update={"warehouse_path": Path(warehouse)})
    workers = SQLWorkers(1, settings.workbench_worker_memory_mb)
    workers.warm_up()
    raw_con = duckdb.connect(warehouse, read_only=True)

    def raw() -> int:
        return raw_con.sql(sql).to_arrow_table().num_rows

    def ours() -> int:
        return run_user_sql(workers, sql, settings).row_count

    rows = {"raw": raw(), "ours": ours()}  # first runs fill both buffer pools; not timed
    times: dict[str, list[float]] = {"raw": [], "ours": []}
    try:
        for i in range(repeat):
            order = (("raw", raw), ("ours", ours)) if i % 2 == 0 else (("ours", ours), ("raw", raw))
            for name, fn in order:
                started = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - started)
    finally:
        workers.close()
        raw_con.close()
    return {"times": times, "rows": rows}


def measure(work: Path, warehouse: Path, events: int, repeat: int) -> tuple[Figure, dict]:
    """The workbench figure at ``warehouse``'s scale."""
    result = in_worker(work / "logs", _workbench_worker, str(warehouse), ANALYST_SQL,
                       max(repeat, 3) * 3)
    times = result["times"]
    same = result["rows"]["raw"] == result["rows"]["ours"]
    figure = Figure(
        "workbench",
        f"Workbench aggregate over {events:,} events",
        "`run_user_sql` (guard, worker process, locked instance, capped fetch, Arrow IPC, "
        "polars)",
        "raw DuckDB on the same file (`.sql().to_arrow_table()`)",
        1.2,
        ours=median(times["ours"]),
        against=median(times["raw"]),
        samples={"ours": times["ours"], "against": times["raw"]},
        status="measured" if same else "failed",
        note="" if same else f"row counts differ: {result['rows']}",
    )
    return figure, {"sql": ANALYST_SQL, **result}
