"""The committee pack's charts as SVG, drawn by Plotly's static export (kaleido) in the system's
Chromium.

Chromium takes seconds to start, so one browser serves every chart of a pack, and it starts
before the warehouse is read: the pack's queries, words and estimates run while it comes up
and while it draws. It runs in a thread with an event loop of its own, because the caller may
already be running one (Playwright's sync API does, in the browser tests' process) and
``asyncio.run`` refuses to nest.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any

import plotly.graph_objects as go

# Chart size in CSS pixels as exported; the PDF scales it to the text width.
CHART_SIZE = (900, 430)
EXPORT_LEFT_MARGIN = 95  # px: room for the y-axis title and five-figure tick labels
EXPORT_BOTTOM_MARGIN = 40  # px: room for year labels under a timeline


def export_ready(fig: go.Figure, image_format: str = "svg") -> tuple[go.Figure, dict[str, object]]:
    """The figure with margins that fit its labels, and kaleido's options for it: SVG, or PNG
    at twice the size for documents that take no vector graphics (Word).

    The static export lays a figure out once, without the browser's second pass that grows
    margins to fit the axis labels: y labels (and a timeline's borough names) were cut off at
    the edge and the timeline's years at the foot.
    """
    names = [len(v) for trace in fig.data for v in (getattr(trace, "y", None) or ())
             if isinstance(v, str)]
    left = max(EXPORT_LEFT_MARGIN, round(max(names, default=0) * 7.5) + 30)
    ready = go.Figure(fig).update_layout(margin=dict(l=left, b=EXPORT_BOTTOM_MARGIN))
    width, height = CHART_SIZE
    return ready, {"format": image_format, "width": width, "height": fig.layout.height or height,
                   "scale": 1 if image_format == "svg" else 2}


def _kaleido_class() -> type:
    import kaleido

    class KeepTabs(kaleido.Kaleido):
        """Kaleido that hands a tab back without reloading it. The reload makes the tab parse
        plotly.js afresh after every figure, about a second of Chromium's time each; a pack's
        figures are independent of each other, so nothing needs clearing between them."""

        async def _return_kaleido_tab(self, tab: Any) -> None:
            await self.tabs_ready.put(tab)

    return KeepTabs


class ChartDrawer:
    """One Chromium for a pack's charts, started at once and closed on leaving the ``with``.

    ``draw`` hands a figure over and returns at once; the SVG arrives in the future it returns.
    plotly.js comes from the installed plotly package and MathJax is off, so nothing is fetched.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._browser: asyncio.Future[Any] = self._loop.create_future()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pack-charts",
                                        daemon=True)
        self._thread.start()
        self._session = asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    async def _run(self) -> None:
        try:
            async with _kaleido_class()(n=1, mathjax=False) as browser:
                self._browser.set_result(browser)
                await self._stop.wait()
        except BaseException as exc:
            if not self._browser.done():
                self._browser.set_exception(exc)
            raise

    async def _draw(self, fig: go.Figure, image_format: str) -> bytes:
        browser = await asyncio.shield(self._browser)
        ready, opts = export_ready(fig, image_format)
        drawn = await browser.calc_fig(ready, opts=opts)
        return drawn if isinstance(drawn, bytes) else str(drawn).encode("utf-8")

    def draw(self, fig: go.Figure, image_format: str = "svg") -> Future[bytes]:
        """Start drawing ``fig`` as SVG (or PNG); the future holds the image or the error."""
        return asyncio.run_coroutine_threadsafe(self._draw(fig, image_format), self._loop)

    def close(self) -> None:
        """Close Chromium and end the thread."""
        self._loop.call_soon_threadsafe(self._stop.set)
        try:
            self._session.result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> ChartDrawer:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def chart_svgs(figures: Sequence[go.Figure]) -> list[str]:
    """Each figure as SVG, drawn in one Chromium session for all of them."""
    with ChartDrawer() as drawer:
        pending = [drawer.draw(fig) for fig in figures]
        return [p.result().decode("utf-8") for p in pending]
