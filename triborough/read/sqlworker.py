"""The third wall of the SQL workbench: analyst queries run in worker processes, not the app's.

DuckDB's memory limit does not bound every allocation (one ``repeat`` or ``range`` call can build
gigabytes outside it), and every Streamlit session shares one process. So the page hands each
query to a small pool of worker processes. Each worker:

- is started with the ``spawn`` method (a fresh interpreter: forking a process that runs
  Streamlit's threads is unsafe), at low CPU priority, so dashboards come first;
- limits its own address space with ``setrlimit(RLIMIT_AS)`` before it imports DuckDB, so a
  query that needs more memory fails inside the worker instead of taking the server down;
- opens its own read-only, locked-down connection (the second wall, unchanged) and runs the
  query through the guard-checked path of :mod:`triborough.read.workbench`;
- answers with a small JSON header and the rows as Arrow IPC bytes, never a pickle: the app
  does not run code a worker sends it.

The app keeps a hard wall-clock limit of its own: a worker that has not answered shortly after
the query's time limit is terminated, killed after a grace period, and replaced. Other queries
go to the other workers meanwhile.

This module imports nothing heavy at the top: a worker imports it before it has set its limits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import multiprocessing
import os
import resource
import signal
import struct
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import pyarrow as pa

    from triborough.settings import Settings

SLACK_S = 1.0  # past the time limit before the app ends a worker: DuckDB's own stop goes first
GRACE_S = 2.0  # between terminate and kill
START_TIMEOUT_S = 120.0  # a worker's imports on a busy two-core machine
# How long a query waits for a free worker beyond the longest another query can hold one:
# a replacement takes a few seconds to start on a busy machine.
START_WAIT_S = 15.0
WORKER_NICE = 10  # analysts' queries yield the CPU to dashboard pages
_M_ARENA_MAX = -8  # glibc mallopt parameter
_HEADER = struct.Struct(">I")
_HEADER_MAX = 1 << 20


class WorkerError(RuntimeError):
    """A query did not come back from its worker; the message is fit to show a user."""


@dataclass(frozen=True)
class Job:
    """One checked statement for a worker to run, with the settings that bound it."""

    sql: str
    params: dict[str, object] | None
    settings: Settings
    version: str  # the warehouse file's identity: a worker reopens the file when it changes


def seconds_text(ms: int) -> str:
    """A time limit in words: ``10 seconds``, ``0.5 seconds``, ``1 second``."""
    text = f"{ms / 1000:g}"
    return f"{text} second" if text == "1" else f"{text} seconds"


def memory_message(memory_mb: int) -> str:
    """What a person reads when a query outgrew a worker's memory."""
    return (
        f"This query needed more than {memory_mb / 1000:g} GB and was stopped. Aggregate or "
        "filter before building very large values or lists."
    )


def timeout_message(timeout_ms: int) -> str:
    """What a person reads when the app had to end a query that ran past its time limit."""
    return (
        f"This query was stopped after {seconds_text(timeout_ms)}, the workbench's time limit. "
        "Narrow it down (filter, aggregate or add a LIMIT) and run it again."
    )


# ---------------------------------------------------------------- inside a worker


def _confine(memory_bytes: int) -> None:
    """Limits a worker sets on itself before DuckDB or Arrow are imported."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the app, which ends workers
    # Both allocators reserve address space they never use, which RLIMIT_AS counts: Arrow's
    # mimalloc about 1 GB on first use, glibc 64 MB for each thread's arena.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    libc = ctypes.util.find_library("c")
    if libc:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc).mallopt(_M_ARENA_MAX, 2)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _serve(conn: Connection, memory_bytes: int) -> None:
    """A worker's life: set the limits, say ready, then answer jobs until the app goes away."""
    _confine(memory_bytes)
    from triborough.read import workbench  # after the limits: the imports count against them

    state: dict[str, Any] = {}
    conn.send_bytes(_frame({"ready": os.getpid()}))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the app has gone
            return
        header, body = _answer(workbench, job, state)
        conn.send_bytes(_frame(header, body))
        if header.get("retire"):
            return


def _answer(workbench: types.ModuleType, job: Job, state: dict[str, Any]) -> tuple[dict, Any]:
    import duckdb
    import pyarrow as pa

    settings = job.settings
    try:
        key = (str(settings.warehouse_path), job.version,
               sorted(workbench.workbench_config(settings).items()))  # fmt: skip
        if state.get("key") != key:
            if state.get("con") is not None:
                state.pop("con").close()
            state["con"] = workbench.open_workbench_connection(
                Path(settings.warehouse_path), settings
            )
            state["key"] = key
        table, cut = workbench.fetch_capped(
            state["con"], job.sql, settings.row_cap, settings.byte_cap_mb * 1_000_000, job.params
        )
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return {"ok": True, "cut": cut}, sink.getvalue()
    except MemoryError:
        return {"memory": True, "retire": True}, b""
    except duckdb.OutOfMemoryException as exc:
        # "bad allocation": the operating system refused memory (the worker's own limit), not
        # DuckDB's buffer manager; the worker's allocator may be in poor shape, so it retires.
        if "bad allocation" in str(exc):
            return {"memory": True, "retire": True}, b""
        return {"error": workbench.readable_error(exc, settings)}, b""
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        return {"error": workbench.readable_error(exc, settings)}, b""
    except Exception as exc:  # anything else ends this worker; the app starts another
        return {"error": f"The query failed in its worker ({type(exc).__name__}).",
                "retire": True}, b""  # fmt: skip


def _frame(header: dict[str, Any], body: Any = b"") -> bytes:
    data = json.dumps(header).encode("utf-8")
    return _HEADER.pack(len(data)) + data + bytes(memoryview(body))


# ---------------------------------------------------------------- in the app


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def bare_main() -> Iterator[None]:
    """Start spawned processes with an empty ``__main__``.

    A spawned process first re-runs the parent's ``__main__`` script. Inside Streamlit that is
    the page being run (Streamlit puts each script run there), which must never run again in a
    worker; the worker's code lives in an importable module, so it needs no script.
    """
    with _MAIN_LOCK:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_serve, args=(child, memory_mb * 1_000_000), daemon=True,
            name="triborough-sql-worker",
        )  # fmt: skip
        with bare_main():
            self.process.start()
        child.close()
        try:
            if not self.conn.poll(START_TIMEOUT_S):
                raise WorkerError("A workbench worker did not start in time.")
            ready = _unframe(self.conn.recv_bytes(_HEADER_MAX))[0]
            if "ready" not in ready:
                raise WorkerError("A workbench worker did not start.")
        except (EOFError, OSError) as exc:
            self.stop()
            raise WorkerError(
                f"A workbench worker stopped while starting (exit code {self.process.exitcode})."
            ) from exc
        except WorkerError:
            self.stop()
            raise

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def stop(self) -> int | None:
        """Terminate, kill after a grace period; the exit code (negative: the signal)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(GRACE_S)
            if self.process.is_alive():
                self.process.kill()
        self.process.join(GRACE_S)
        with contextlib.suppress(OSError):
            self.conn.close()
        return self.process.exitcode


def _unframe(data: bytes) -> tuple[dict[str, Any], memoryview]:
    view = memoryview(data)
    (size,) = _HEADER.unpack_from(view)
    if size > _HEADER_MAX:
        raise WorkerError("A workbench worker sent a malformed answer.")
    header = json.loads(bytes(view[_HEADER.size : _HEADER.size + size]))
    if not isinstance(header, dict):
        raise WorkerError("A workbench worker sent a malformed answer.")
    return header, view[_HEADER.size + size :]


class SQLWorkers:
    """A pool of worker processes, started when first needed and shared by every session.

    ``run`` is safe to call from many threads: each call takes an idle worker (starting one if
    fewer than ``size`` are running), and a worker that dies or is ended is replaced at once.
    """

    def __init__(self, size: int, memory_mb: int) -> None:
        self.size = size
        self.memory_mb = memory_mb
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._running = 0  # started or starting
        self._start_error: str | None = None
        self._closed = False

    def start(self) -> None:
        """Start every worker now, in the background, rather than at the first queries."""
        with self._cond:
            while self._running < self.size and not self._closed:
                self._start_one()

    def warm_up(self, wait_s: float = START_TIMEOUT_S) -> None:
        """Start every worker now and wait until they are up."""
        deadline = time.monotonic() + wait_s
        self.start()
        with self._cond:
            while len(self._idle) + len(self._busy) < self.size and not self._closed:
                if self._start_error is not None:
                    error, self._start_error = self._start_error, None
                    raise WorkerError(error)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerError("The workbench workers did not start in time.")
                self._cond.wait(remaining)

    def pids(self) -> list[int]:
        """Process ids of the workers running now (idle or busy)."""
        with self._cond:
            return [w.pid for w in [*self._idle, *self._busy] if w.pid is not None]

    def run(self, job: Job) -> tuple[pa.Table, str | None]:
        """Run ``job`` in a worker: the rows (at most the caps) and why they were cut, if they
        were ("rows" or "bytes"). Raises :class:`WorkerError` with a message for a person."""
        import pyarrow as pa

        timeout_ms = job.settings.query_timeout_ms
        worker = self._take(timeout_ms / 1000 + SLACK_S + 2 * GRACE_S + START_WAIT_S)
        healthy = False
        try:
            header, body = self._ask(worker, job)
            healthy = not header.get("retire")
            if header.get("memory"):
                raise WorkerError(memory_message(self.memory_mb))
            if "error" in header:
                raise WorkerError(str(header["error"]))
            table = pa.ipc.open_stream(pa.py_buffer(body)).read_all()
            cut = header.get("cut")
            return table, cut if cut in ("rows", "bytes") else None
        finally:
            self._give_back(worker, healthy)

    def _ask(self, worker: _Worker, job: Job) -> tuple[dict[str, Any], memoryview]:
        limit_s = job.settings.query_timeout_ms / 1000 + SLACK_S
        # Room for the byte cap with Arrow's framing; a longer answer is refused unread.
        most = _HEADER_MAX + 2 * job.settings.byte_cap_mb * 1_000_000 + (1 << 20)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limit_s):
                worker.stop()
                raise WorkerError(timeout_message(job.settings.query_timeout_ms))
            return _unframe(worker.conn.recv_bytes(most))
        except (EOFError, OSError, ValueError, struct.error) as exc:
            code = worker.stop()
            if code is not None and code < 0 and -code in (signal.SIGKILL, signal.SIGSEGV,
                                                            signal.SIGABRT, signal.SIGBUS):
                # Out of memory shows as one of these when an allocation fails outside
                # DuckDB's own handling (or the kernel's OOM killer steps in).
                raise WorkerError(memory_message(self.memory_mb)) from exc
            raise WorkerError(
                f"The query's worker stopped unexpectedly (exit code {code}) and has been "
                "replaced; the query did not finish."
            ) from exc

    def _take(self, wait_s: float) -> _Worker:
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                if self._closed:
                    raise WorkerError("The workbench is shutting down.")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        self._busy.add(worker)
                        return worker
                    # Died while idle (killed from outside): replace it, not fail a query on it.
                    self._running -= 1
                    worker.stop()
                if self._start_error is not None:
                    error, self._start_error = self._start_error, None
                    raise WorkerError(error)
                if self._running < self.size:
                    self._start_one()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerError(
                        f"All {self.size} workbench workers are busy with other queries; try "
                        "again in a few seconds."
                    )
                self._cond.wait(remaining)

    def _start_one(self) -> None:
        # Called with the lock held; the spawn itself happens on a thread of its own.
        self._running += 1
        threading.Thread(target=self._start, daemon=True, name="sql-worker-start").start()

    def _start(self) -> None:
        try:
            worker = _Worker(self.memory_mb)
        except Exception as exc:
            with self._cond:
                self._running -= 1
                self._start_error = (
                    str(exc) if isinstance(exc, WorkerError)
                    else f"A workbench worker could not start ({type(exc).__name__}: {exc})."
                )  # fmt: skip
                self._cond.notify_all()
            return
        with self._cond:
            if self._closed:
                self._running -= 1
                worker.stop()
                return
            self._idle.append(worker)
            self._cond.notify_all()

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            if healthy and worker.process.is_alive() and not self._closed:
                self._idle.append(worker)
                self._cond.notify_all()
                return
            self._running -= 1
            if not self._closed:
                self._start_one()  # the replacement, at once
            self._cond.notify_all()
        worker.stop()

    def close(self) -> None:
        """Stop every worker (busy ones too); later calls to ``run`` are refused."""
        with self._cond:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.stop()
