"""Figure 6: the running app. ``streamlit run app.py`` on loopback, headless Chromium sessions.

Peak memory is the resident set of the Streamlit process and its children, sampled every 50 ms
with psutil from start-up to shut-down. Time to chart is from ``goto`` until the Overview's
Plotly chart has drawn (``.js-plotly-plot .main-svg``), for one tab alone and for each of
``sessions`` tabs opened at the same moment. Those tabs render on the same two cores as the
server, which ten councillors' own computers would not; so the same comparison is also made
without a browser, over Streamlit's websocket protocol, timing until the server has sent the
chart: that is the server's share alone.

Nothing leaves the machine: the server listens on 127.0.0.1 with usage statistics off, and
every browser request to any other host is aborted (and counted in the results).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from triborough.bench.common import APP_FILE, Figure, measured_in_worker, median
from triborough.bench.local_server import (
    CHROMIUM_ARGS,
    ServerFailed,
    free_port,
    serving,
    streamlit_command,
)

CHROMIUM = Path("/usr/bin/chromium")
CHART = ".js-plotly-plot .main-svg"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MEMORY_LIMIT_BYTES = 1.5e9
LOAD_TIMEOUT_MS = 180_000


def unavailable() -> str:
    """Why the server figure cannot be measured here ('' when it can)."""
    missing = [m for m in ("playwright", "psutil") if importlib.util.find_spec(m) is None]
    if missing:
        return f"not installed: {', '.join(missing)} (pip install -e '.[bench]')"
    if not (CHROMIUM.exists() or shutil.which("chromium")):
        return "no Chromium at /usr/bin/chromium"
    return ""


class _PeakRSS(threading.Thread):
    """Samples the resident memory of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int, tree: bool = True) -> None:
        super().__init__(daemon=True)
        import psutil

        self._root = psutil.Process(pid)
        self._tree = tree  # False: the process alone, without its children
        self._stop_flag = threading.Event()
        self.peak = 0
        self.window_peak = 0  # peak since the last reset (the concurrent phase)

    def reset_window(self) -> None:
        self.window_peak = 0

    def run(self) -> None:
        import psutil

        while not self._stop_flag.is_set():
            try:
                procs = [self._root]
                if self._tree:
                    procs += self._root.children(recursive=True)
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            self.window_peak = max(self.window_peak, total)
            self._stop_flag.wait(0.05)

    def stop(self) -> None:
        self._stop_flag.set()
        self.join(timeout=5)


class _Browser:
    """One headless Chromium with one context: every tab is a new Streamlit session (its own
    websocket), and the tabs share the context's HTTP cache, as a councillor's browser that has
    opened the app before would. Requests to anything but this machine are aborted."""

    def __init__(self, blocked: list[str]) -> None:
        self.blocked = blocked
        self._pw: Any = None
        self._browser: Any = None
        self._context: Any = None

    async def __aenter__(self) -> _Browser:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=CHROMIUM_ARGS,
        )
        self._context = await self._browser.new_context(
            viewport={"width": 1366, "height": 900}, service_workers="block"
        )
        await self._context.route("**/*", self._guard)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._browser.close()
        await self._pw.stop()

    async def _guard(self, route: Any) -> None:
        if (urlparse(route.request.url).hostname or "") in LOCAL_HOSTS:
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort()

    async def load(self, url: str, count: int) -> list[float]:
        """Open ``count`` tabs at once; seconds until each one's chart has drawn."""
        tabs = [await self._context.new_page() for _ in range(count)]  # before the clock

        async def one(tab: Any, started: float) -> float:
            await tab.goto(url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
            try:
                await tab.wait_for_selector(CHART, timeout=LOAD_TIMEOUT_MS)
            except Exception as exc:  # say what the page showed instead of a chart
                shown = await tab.evaluate(
                    "() => (document.querySelector('[data-testid=\"stMain\"]') || "
                    "document.body).innerText.slice(0, 300)"
                )
                raise RuntimeError(f"no chart drew; the page showed: {shown!r}") from exc
            return time.perf_counter() - started

        try:
            started = time.perf_counter()
            return list(await asyncio.gather(*(one(t, started) for t in tabs)))
        finally:
            for tab in tabs:
                await tab.close()


async def _protocol_sessions(port: int, count: int) -> list[float]:
    """``count`` sessions at once without a browser: each opens Streamlit's websocket, asks for
    the home page as the browser would, and is timed until the server has sent the page's
    first chart. What remains is the server's own work, with no browser on the same cores."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def one(started: float) -> float:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
            open_timeout=LOAD_TIMEOUT_MS / 1000,
        ) as ws:
            ask = BackMsg()
            ask.rerun_script.query_string = ""
            ask.rerun_script.page_script_hash = ""  # the default page, as for "/"
            await ws.send(ask.SerializeToString())
            async for raw in ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"
                        and msg.delta.new_element.WhichOneof("type") == "plotly_chart"):
                    return time.perf_counter() - started
                if kind == "script_finished":
                    break
        raise RuntimeError("the page finished without sending a chart")

    started = time.perf_counter()
    return list(await asyncio.wait_for(
        asyncio.gather(*(one(started) for _ in range(count))), LOAD_TIMEOUT_MS / 1000
    ))


async def _drive(url: str, port: int, sessions: int, repeat: int, sampler: _PeakRSS,
                 blocked: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"single": [], "concurrent": [], "protocol_single": [],
                           "protocol_concurrent": []}
    async with _Browser(blocked) as browser:
        out["first_load"] = (await browser.load(url, 1))[0]  # cold: fills the server's caches
        await browser.load(url, 1)  # and the browser's HTTP cache
        sampler.reset_window()
        for _ in range(repeat):
            out["single"] += await browser.load(url, 1)
            out["concurrent"].append(await browser.load(url, sessions))
    out["peak_rss_loads"] = sampler.window_peak
    await _protocol_sessions(port, 1)
    for _ in range(repeat):
        out["protocol_single"] += await _protocol_sessions(port, 1)
        out["protocol_concurrent"].append(await _protocol_sessions(port, sessions))
    return out


@contextlib.contextmanager
def running_app(warehouse: str, log: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """``streamlit run app.py`` on a free loopback port, until the block ends: (process, port)."""
    port = free_port()
    env = {
        **os.environ,
        "TRIBOROUGH_WAREHOUSE_PATH": warehouse,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    cmd = streamlit_command(sys.executable, str(APP_FILE), port)
    try:
        with serving(cmd, port=port, cwd=APP_FILE.parent, env=env, log_path=Path(log),
                     timeout_s=120) as proc:
            yield proc, port
    except ServerFailed as exc:
        raise RuntimeError(f"Streamlit did not start; see {log}") from exc


def _server_worker(warehouse: str, sessions: int, repeat: int, log: str) -> dict[str, Any]:
    blocked: list[str] = []
    with running_app(warehouse, log) as (proc, port):
        sampler = _PeakRSS(proc.pid)
        sampler.start()
        try:
            url = f"http://127.0.0.1:{port}/"
            result = asyncio.run(_drive(url, port, sessions, repeat, sampler, blocked))
            return {**result, "peak_rss": sampler.peak, "blocked_requests": blocked}
        finally:
            sampler.stop()


def measure(
    work: Path, warehouse: Path, events: int, sessions: int, repeat: int
) -> tuple[list[Figure], dict[str, Any]]:
    """Peak server memory, and time to chart with ``sessions`` sessions against one: in a
    browser (as specified) and at the protocol level (the server alone)."""
    memory = Figure(
        "server_memory", f"Server peak memory, {sessions} sessions on the Overview "
        f"at {events:,} events", "peak RSS of `streamlit run app.py` and its children",
        "the 1.5 GB limit", 1.0, against=MEMORY_LIMIT_BYTES, unit="bytes",
    )
    timing = Figure(
        "server_concurrency", f"Time to chart in Chromium, {sessions} sessions at once "
        "against one", f"slowest of {sessions} tabs opened together", "one tab alone", 3.0,
    )
    # No target: a script run holds one Python interpreter (one core), so N sessions asked
    # for at the same moment finish after about N runs' worth of work, whatever the page does.
    protocol = Figure(
        "server_concurrency_protocol", f"Time to chart, server only, {sessions} sessions "
        "at once against one", f"slowest of {sessions} websocket sessions",
        "one websocket session alone", None,
    )
    figures = [memory, timing, protocol]
    log = work / "logs" / "streamlit.log"
    result = measured_in_worker(figures, unavailable(), work / "logs", _server_worker,
                                str(warehouse), sessions, max(repeat, 1), str(log))
    if result is None:
        return figures, {}
    memory.ours = float(result["peak_rss"])
    memory.note = f"peak during the timed browser loads: {result['peak_rss_loads'] / 1e9:.2f} GB"
    for fig, single, together in (
        (timing, result["single"], result["concurrent"]),
        (protocol, result["protocol_single"], result["protocol_concurrent"]),
    ):
        slowest = [max(run) for run in together]
        every = [t for run in together for t in run]
        fig.ours, fig.against = median(slowest), median(single)
        fig.samples = {"ours": slowest, "against": single, "every": every}
        fig.note = f"median of the {sessions} sessions: {median(every):.2f} s"
    # What ten councillors on their own computers would see: one tab's time plus the extra
    # wait the server alone adds when ten ask at once (a model, so a note, not the figure).
    if timing.against and protocol.ours is not None and protocol.against is not None:
        apart = (timing.against + protocol.ours - protocol.against) / timing.against
        timing.note += f"; with each tab on its own computer, about {apart:.2f}x (modelled)"
    timing.note += (
        f"; first load on a cold server {result['first_load']:.2f} s; the {sessions} tabs "
        "render on the same two cores as the server"
    )
    if result["blocked_requests"]:
        timing.note += f"; {len(result['blocked_requests'])} off-machine request(s) blocked"
    return figures, result
