"""Figure 7: dashboards while an analyst runs a hostile query in the workbench.

One ``streamlit run app.py`` serves ``sessions`` dashboard sessions at once (the Overview, timed
until the server has sent its first chart, over Streamlit's websocket protocol as in figure 6)
while one more session, on the SQL workbench page, runs ``select len(range(2000000000))`` again
and again: it fills in the editor and presses Run, as a person would, through the same protocol.
Rounds without and with the analyst alternate in one run, so a busy moment on the machine lands
on both. Two ratios come out: the dashboards' time to chart with the analyst against without,
and the growth of the app process's own resident memory (not its worker processes') while the
analyst ran, against the 200 MB allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from pathlib import Path
from typing import Any

from triborough.bench.common import Figure, measured_in_worker, median
from triborough.bench.server import LOAD_TIMEOUT_MS, _PeakRSS, _protocol_sessions, running_app

HOSTILE_SQL = "select len(range(2000000000))"
TIME_TARGET = 1.5
GROWTH_LIMIT_BYTES = 200e6
SQL_PAGE = "sql"


def unavailable() -> str:
    """Why the load test cannot run here ('' when it can)."""
    missing = [m for m in ("psutil", "websockets") if importlib.util.find_spec(m) is None]
    return f"not installed: {', '.join(missing)} (pip install -e '.[bench]')" if missing else ""


class _Analyst:
    """One workbench session that runs the hostile query whenever ``active`` is set."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.active = asyncio.Event()
        self.stop = asyncio.Event()
        self.ready = asyncio.Event()
        self.idle = asyncio.Event()  # no query of the analyst's is running
        self.idle.set()
        self.started = 0
        self.outcomes: list[str] = []  # what the page said after each run

    async def run(self) -> None:
        import websockets

        async with websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            max_size=None, open_timeout=LOAD_TIMEOUT_MS / 1000,
        ) as ws:  # fmt: skip
            ids = await self._rerun(ws, {})
            # The page opens with its code editor (a component); the analyst switches to the
            # plain text box, as a keyboard user would, to type the query.
            plain = next(i for i, kind in ids.items()
                         if kind == "checkbox" and i.endswith("-sql_plain"))  # a toggle
            ids = await self._rerun(ws, {plain: True})
            self.outcomes.clear()  # switching the box is not a run
            editor = next(i for i, kind in ids.items() if kind == "text_area")
            run = next(i for i, kind in ids.items() if kind == "button" and i.endswith("-run_sql"))
            self.ready.set()
            while not self.stop.is_set():
                active = asyncio.ensure_future(self.active.wait())
                stopped = asyncio.ensure_future(self.stop.wait())
                await asyncio.wait({active, stopped}, return_when=asyncio.FIRST_COMPLETED)
                active.cancel()
                stopped.cancel()
                if self.stop.is_set():
                    break
                self.started += 1
                self.idle.clear()
                try:
                    await self._rerun(ws, {plain: True, editor: HOSTILE_SQL, run: True})
                finally:
                    self.idle.set()

    async def _rerun(self, ws: Any, widgets: dict[str, str | bool]) -> dict[str, str]:
        """Run the workbench page with these widget values; the widget ids it drew."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        ask = BackMsg()
        ask.rerun_script.page_name = SQL_PAGE
        for widget_id, value in widgets.items():
            state = ask.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            if isinstance(value, bool) and "-sql_plain" in widget_id:
                state.bool_value = value  # a toggle holds its value
            elif isinstance(value, bool):
                state.trigger_value = value
            else:
                state.string_value = value
        await ws.send(ask.SerializeToString())
        ids: dict[str, str] = {}
        alerts: list[str] = []
        async for raw in ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                name = element.WhichOneof("type")
                if name == "alert":
                    alerts.append(element.alert.body)
                widget_id = getattr(getattr(element, name), "id", "")
                if isinstance(widget_id, str) and widget_id:
                    ids[widget_id] = name
            if kind == "script_finished":
                break
        if widgets:
            self.outcomes.append(alerts[0] if alerts else "(no message)")
        return ids


async def _drive(port: int, sessions: int, repeat: int, sampler: _PeakRSS) -> dict[str, Any]:
    await _protocol_sessions(port, 1)  # cold: fills the server's caches
    await _protocol_sessions(port, sessions)
    analyst = _Analyst(port)
    task = asyncio.ensure_future(analyst.run())
    out: dict[str, Any] = {"without": [], "with": [], "peak_without": [], "peak_with": []}
    try:
        await asyncio.wait_for(analyst.ready.wait(), LOAD_TIMEOUT_MS / 1000)
        # One run before the clock: the app starts its worker processes on first use.
        analyst.active.set()
        while not analyst.outcomes:
            await asyncio.sleep(0.1)
        analyst.active.clear()
        for _ in range(repeat):
            await analyst.idle.wait()  # nothing of the analyst's still running
            sampler.reset_window()
            out["without"].append(await _protocol_sessions(port, sessions))
            out["peak_without"].append(sampler.window_peak)
            analyst.active.set()
            while analyst.idle.is_set():  # the clock starts once the query is under way
                await asyncio.sleep(0.02)
            started = analyst.started
            sampler.reset_window()
            out["with"].append(await _protocol_sessions(port, sessions))
            out["peak_with"].append(sampler.window_peak)
            analyst.active.clear()
            # Runs that were under way at some moment of the round, the first one included.
            out.setdefault("analyst_runs", []).append(analyst.started - started + 1)
    finally:
        analyst.stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, LOAD_TIMEOUT_MS / 1000)
    out["analyst_outcomes"] = sorted(set(analyst.outcomes))
    return out


def _load_worker(warehouse: str, sessions: int, repeat: int, log: str) -> dict[str, Any]:
    with running_app(warehouse, log) as (proc, port):
        sampler = _PeakRSS(proc.pid, tree=False)  # the app process alone, not its workers
        sampler.start()
        try:
            return asyncio.run(_drive(port, sessions, repeat, sampler))
        finally:
            sampler.stop()


def measure(
    work: Path, warehouse: Path, events: int, sessions: int, repeat: int
) -> tuple[list[Figure], dict[str, Any]]:
    """Time to chart and the app's memory growth with an analyst running a hostile query."""
    timing = Figure(
        "load_time", f"Time to chart, {sessions} dashboard sessions while an analyst runs "
        f"`{HOSTILE_SQL}`, against without", f"slowest of {sessions} sessions, analyst running",
        f"slowest of {sessions} sessions, no analyst", TIME_TARGET,
    )  # fmt: skip
    memory = Figure(
        "load_memory", f"App process memory growth while the analyst runs `{HOSTILE_SQL}`",
        "peak resident memory of the app process with the analyst, minus its peak without",
        "the 200 MB allowed", 1.0, against=GROWTH_LIMIT_BYTES, unit="bytes",
    )  # fmt: skip
    figures = [timing, memory]
    log = work / "logs" / "streamlit-load.log"
    result = measured_in_worker(figures, unavailable(), work / "logs", _load_worker,
                                str(warehouse), sessions, max(repeat, 1), str(log))
    if result is None:
        return figures, {}
    slowest = {k: [max(run) for run in result[k]] for k in ("without", "with")}
    timing.ours, timing.against = median(slowest["with"]), median(slowest["without"])
    timing.samples = {"ours": slowest["with"], "against": slowest["without"]}
    runs = sum(result.get("analyst_runs", []))
    said = "; ".join(result["analyst_outcomes"])[:200]
    timing.note = (
        f"the analyst's query ran {runs} times during the timed rounds; the page said: {said}"
    )
    growth = max(result["peak_with"]) - max(result["peak_without"])
    memory.ours = float(max(growth, 0))
    memory.samples = {"peak_with": result["peak_with"], "peak_without": result["peak_without"]}
    memory.note = (
        f"app process peak {max(result['peak_without']) / 1e6:,.0f} MB without the analyst, "
        f"{max(result['peak_with']) / 1e6:,.0f} MB with; its worker processes are not counted"
    )
    return figures, result
