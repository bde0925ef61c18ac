"""Shared pieces of the benchmark: figures, timing, isolated worker processes.

Every figure is a ratio of two times measured in the same run on the same machine, so a slow or
busy machine moves both sides together; absolute seconds are kept only as context.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from triborough.read.sqlworker import bare_main
from triborough.settings import PROJECT_ROOT

APP_FILE = PROJECT_ROOT / "app.py"
PAGES_DIR = PROJECT_ROOT / "pages"


@dataclass
class Figure:
    """One line of the results table: our time against what it is measured against."""

    id: str
    title: str
    ours_label: str
    against_label: str
    target: float | None  # the ratio must be at or below this (None: reported, no target)
    ours: float | None = None  # seconds (bytes for memory figures)
    against: float | None = None
    unit: str = "s"
    status: str = "measured"  # or "not measured" / "failed", with ``note`` saying why
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Ours divided by what it is measured against."""
        if self.ours is None or not self.against:
            return None
        return self.ours / self.against

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None when there is no target or no measurement)."""
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target

    def as_dict(self) -> dict[str, Any]:
        """The figure for the JSON file, ratio and verdict included."""
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def median(values: list[float]) -> float:
    """Median of timings: one noisy sample on a shared machine does not move it."""
    return statistics.median(values)


@contextlib.contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t:`` leaves the elapsed seconds in ``t[0]``."""
    out: list[float] = []
    started = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - started)


def _quiet(log_path: str) -> None:
    # DuckDB draws progress bars and Streamlit warns on stdout/stderr from native code; send a
    # worker's descriptors to a log so the benchmark's own output stays readable.
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def in_worker(log_dir: Path, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a fresh Python process and return its result.

    A fresh process per measurement keeps DuckDB's per-file instance cache, Streamlit's caches
    and the memory one step leaves behind from leaking into the next step's timings.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log = str(log_dir / f"{getattr(fn, '__name__', 'worker').strip('_')}.log")
    # After an in-process page run __main__ is app.py (Streamlit's test runner leaves it
    # there), which must not run bare in every worker: see bare_main.
    with ProcessPoolExecutor(
        max_workers=1, mp_context=get_context("spawn"), initializer=_quiet, initargs=(log,)
    ) as pool:
        with bare_main():  # the worker process starts here, at the first submit
            future = pool.submit(fn, *args)
        return future.result()


def measured_in_worker(
    figures: list[Figure], why: str, log_dir: Path, fn: Callable[..., Any], *args: Any
) -> Any | None:
    """``in_worker(log_dir, fn, *args)`` for these figures; None, with each figure marked "not
    measured" (``why`` says why) or "failed" (the error), when it cannot run or fails."""
    if why:
        for fig in figures:
            fig.status, fig.note = "not measured", why
        return None
    try:
        return in_worker(log_dir, fn, *args)
    except Exception as exc:  # report, do not lose the other figures
        for fig in figures:
            fig.status, fig.note = "failed", f"{type(exc).__name__}: {exc}"[:300]
        return None


def fmt_seconds(value: float | None) -> str:
    """Seconds for the table: milliseconds below one second."""
    if value is None:
        return "—"
    return f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.2f} s"


def fmt_bytes(value: float | None) -> str:
    """Bytes for the table, in GB (10^9, as the target is written)."""
    return "—" if value is None else f"{value / 1e9:,.2f} GB"
