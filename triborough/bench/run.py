"""The benchmark run: build, export, measure every figure, write JSON and markdown."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from triborough.bench import analyst, loading, loadtest, pack, pages, report, server
from triborough.bench.common import Figure, in_worker
from triborough.settings import PROJECT_ROOT, get_settings

FIGURE_GROUPS = ("build", "pages", "workbench", "server", "load", "pack")


@dataclass
class BenchConfig:
    """What to measure and where to put it."""

    events: int = 10_000_000
    growth_events: int | None = None  # None: 1,000,000 (or a tenth of ``events`` if smaller)
    out: Path = PROJECT_ROOT / "bench-results"
    work: Path = PROJECT_ROOT / "data" / "bench"  # warehouses and CSVs (git-ignored)
    repeat: int = 3
    sessions: int = 10
    server: bool = True
    pages: list[str] | None = None  # page url paths; None: every page in app.py
    # For iterating on one part: figure groups not to measure (FIGURE_GROUPS), and whether to
    # keep warehouses and CSVs already in ``work``. A recorded run uses neither.
    skip: frozenset[str] = frozenset()
    reuse: bool = False
    public_dir: Path = field(default_factory=lambda: get_settings().public_dir)
    command: str = ""

    @property
    def small_events(self) -> int:
        """The scale growth is measured against."""
        if self.growth_events is not None:
            return self.growth_events
        return min(1_000_000, max(self.events // 10, 1_000))


def _machine() -> dict[str, Any]:
    pages_size = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(pages_size / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{m: version(m) for m in ("duckdb", "streamlit", "polars", "plotly", "pyarrow")},
        "pandas": _optional_version("pandas"),
    }


def _optional_version(name: str) -> str | None:
    try:
        return version(name)
    except Exception:
        return None


def _describe(warehouse: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select count(*) from case_events").fetchone()[0]
    finally:
        con.close()
    return {"path": str(warehouse), "case_events_rows": rows,
            "size_bytes": warehouse.stat().st_size}


def run_benchmark(
    config: BenchConfig, say: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """Run every figure; write ``bench-<events>.json`` and ``.md`` to ``config.out``."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    work = config.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    scales = {"big": config.events, "small": config.small_events}
    warehouses = {k: work / f"warehouse-{n}.duckdb" for k, n in scales.items()}
    figures: list[Figure] = []
    details: dict[str, Any] = {}

    skip = set(config.skip) | (set() if config.server else {"server"})
    for key, events in scales.items():
        if config.reuse and warehouses[key].exists():
            continue
        say(f"building the warehouse at {events:,} events")
        built = loading.build(work, config.public_dir, warehouses[key], events)
        details[f"first_build_{key}_s"] = built["total"]
    described = {k: {"events_requested": scales[k], **in_worker(work / "logs", _describe, p)}
                 for k, p in warehouses.items()}

    csv_dir = work / "csv"
    needs_csv = not {"build", "pages"} <= skip
    if needs_csv and not (config.reuse and (csv_dir / "case_events.csv").exists()):
        say("exporting the council tables (case events among them) to CSV")
        csv_dir, details["exported_rows"] = loading.export_council_csvs(work, warehouses["big"])

    if "build" in skip:
        figures.append(_skipped("build", "Build from CSV"))
    else:
        say("figure 1: build against bare read_csv")
        found, details["build"] = loading.measure(
            work, config.public_dir, csv_dir, config.events, config.repeat
        )
        figures += found

    if "pages" in skip:
        figures.append(_skipped("pages", "Pages, peer and growth"))
    else:
        say("figures 2-4: pages cold and warm, the pandas peer, growth")
        found, details["pages"] = pages.measure(
            work, warehouses, scales, csv_dir / "case_events.csv", config.repeat, config.pages
        )
        figures += found

    if "workbench" in skip:
        figures.append(_skipped("workbench", "Workbench aggregate"))
    else:
        say("figure 5: the workbench against raw DuckDB")
        figure, details["workbench"] = analyst.measure(
            work, warehouses["big"], config.events, config.repeat
        )
        figures.append(figure)

    if "server" in skip:
        figures += [
            _skipped("server_memory", "Server peak memory"),
            _skipped("server_concurrency", "Time to chart in Chromium, sessions against one"),
            _skipped("server_concurrency_protocol", "Time to chart, server only"),
        ]
    else:
        say(f"figure 6: the server with {config.sessions} browser sessions")
        found, details["server"] = server.measure(
            work, warehouses["big"], config.events, config.sessions, config.repeat
        )
        figures += found

    if "load" in skip:
        figures += [_skipped("load_time", "Time to chart with a hostile analyst"),
                    _skipped("load_memory", "App memory growth with a hostile analyst")]
    else:
        say(f"figure 7: {config.sessions} dashboard sessions while an analyst runs a hostile query")
        found, details["load"] = loadtest.measure(
            work, warehouses["big"], config.events, config.sessions, config.repeat
        )
        figures += found
    if "pack" in skip:
        figures.append(_skipped("pack", "Committee pack PDF"))
    else:
        say("figure 8: the committee pack for the three boroughs")
        figure, details["pack"] = pack.measure(work, warehouses["big"], config.repeat)
        figures.append(figure)

    results = {
        "command": config.command or _command(config),
        "started_at": started_at,
        "runtime_s": time.perf_counter() - started,
        "machine": _machine(),
        "config": {"events": config.events, "growth_events": config.small_events,
                   "repeat": config.repeat, "sessions": config.sessions,
                   "server": config.server, "pages": config.pages},
        "warehouses": described,
        "figures": [f.as_dict() for f in figures],
        "details": details,
    }
    json_path, md_path = report.write(results, config.out)
    results["files"] = {"json": str(json_path), "markdown": str(md_path)}
    results["markdown"] = md_path.read_text(encoding="utf-8")
    return results


def _skipped(fid: str, title: str) -> Figure:
    return Figure(fid, title, "", "", None, status="not measured", note="skipped")


def _command(config: BenchConfig) -> str:
    args = ["triborough", "bench", "--events", str(config.events)]
    if config.growth_events is not None:
        args += ["--growth-events", str(config.growth_events)]
    args += ["--repeat", str(config.repeat)]
    if config.sessions != 10:
        args += ["--sessions", str(config.sessions)]
    if not config.server or "server" in config.skip:
        args.append("--no-server")
    groups = set(FIGURE_GROUPS) - set(config.skip) - ({"server"} if not config.server else set())
    if groups != set(FIGURE_GROUPS) - {"server"} and groups != set(FIGURE_GROUPS):
        for group in sorted(groups):
            args += ["--only", group]
    for page in config.pages or ():
        args += ["--page", page]
    out = config.out.resolve()
    args += ["--out", str(out.relative_to(PROJECT_ROOT)) if out.is_relative_to(PROJECT_ROOT)
             else str(out)]
    return shlex.join(args)

