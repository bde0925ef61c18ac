"""What every chart is built from: figures as plain dicts, one look per borough, the reuse cache,
period and event marks above the plot, and axis labelling.

Plotly validates every property as a figure object is built or changed: 30-130 ms a chart here,
most of a cold page's run. So the chart builders (``line_charts``, ``bar_charts``,
``timeline_charts``) write each figure as plain dicts with the helpers below, and ``figure``
wraps the finished dict once, without validation (about 2 ms). The tests validate every
builder's output in full (``tests/test_chart_specs.py``), so a misspelt property still fails.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterator
from typing import Any

import plotly.graph_objects as go
import polars as pl

from triborough.figures.kept import kept
from triborough.model.style import (
    COMPARATOR_COLOURS,
    GRID,
    GRID_LIGHT,
    INK,
    INK_MUTED,
    INK_SOFT,
    PAPER,
    SHARED_PERIOD_FILL,
    ZERO_LINE,
)

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color=INK)

# Comparator lines differ by dash and marker as well as by grey, so London, the peer group,
# England and the Oflog national median can be told apart without colour.
COMPARATOR_STYLES: dict[str, tuple[str, str]] = {
    "London median": ("dashdot", "x"),
    "Peer median": ("longdash", "triangle-up"),
    "England": ("longdashdot", "star"),
    "England median (Oflog)": ("longdashdot", "star"),
}
BOROUGH_PATTERNS: dict[str, str] = {"E09000033": "", "E09000013": "/", "E09000020": "."}
MEDIAN_COLOUR = COMPARATOR_COLOURS["Peer median"]
JUDGEMENT_SHORT = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}

Spec = dict[str, Any]  # {"data": [trace dicts], "layout": {...}}


def figure(spec: Spec) -> go.Figure:
    """A Plotly figure from a finished dict, without validating it again (callers may still
    change it; Streamlit draws it without validating)."""
    return go.Figure(spec, _validate=False)


def compact(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` without the keys whose value is None, as Plotly's constructors drop them;
    nested dicts (not data arrays) likewise."""
    return {k: compact(v) if isinstance(v, dict) else v
            for k, v in props.items() if v is not None}


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """One trace as a dict: ``trace("scatter", x=..., line=dict(...))``."""
    return {"type": kind, **compact(props)}


def reused(build: Callable[..., Spec]) -> Callable[..., go.Figure]:
    """Make a builder of figure dicts a builder of figures, each dict kept per distinct input
    (``kept``): the same few figures are asked for on every rerun of every session.

    The figure handed out is a fresh object each time, so callers may change it without
    touching the kept dict.
    """
    spec_of = kept(build)

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> go.Figure:
        return figure(spec_of(*args, **kwargs))

    return wrapper


def series_parts(
    df: pl.DataFrame, series: str, label: str
) -> Iterator[tuple[Any, pl.DataFrame, str]]:
    """(key, rows, legend name) for each value of ``series`` in the order it first appears;
    the name is the ``label`` column's, or the key itself."""
    for key in df.get_column(series).unique(maintain_order=True).to_list():
        part = df.filter(pl.col(series) == key)
        yield key, part, part.get_column(label)[0] if label in part.columns else str(key)


def base_layout(title: str, y_title: str) -> dict[str, Any]:
    """The layout every chart starts from: title at the top left, legend under the plot."""
    return {
        "title": dict(text=title, x=0, xanchor="left", font=dict(size=17), yref="container",
                      y=1, yanchor="top", pad=dict(t=14)),
        "font": dict(FONT),
        "plot_bgcolor": PAPER,
        "paper_bgcolor": PAPER,
        "margin": dict(l=10, r=10, t=60, b=10),
        "legend": dict(orientation="h", yanchor="top", y=-0.15, x=0, title=dict(text="")),
        "hovermode": "x unified",
        "height": 420,
        "yaxis": dict(title=dict(text=y_title), gridcolor=GRID, zerolinecolor=ZERO_LINE),
        "xaxis": dict(gridcolor=GRID_LIGHT),
    }


def axis(layout: dict[str, Any], name: str, **props: Any) -> dict[str, Any]:
    """Set ``props`` on the axis ``name`` ("xaxis", "yaxis2") of a layout dict; returns it."""
    found = layout.setdefault(name, {})
    for key, value in props.items():
        if isinstance(value, dict):
            found.setdefault(key, {}).update(value)
        else:
            found[key] = value
    return layout


def vline(x: Any, line: dict[str, Any]) -> dict[str, Any]:
    """A line across the plot's height at ``x`` (Plotly's ``add_vline``, as a shape dict)."""
    return dict(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain", line=line)


def hline(y: Any, line: dict[str, Any]) -> dict[str, Any]:
    """A line across the plot's width at ``y`` (Plotly's ``add_hline``, as a shape dict)."""
    return dict(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=line)


def add_hline(fig: go.Figure, y: float, line: dict[str, Any]) -> go.Figure:
    """``fig.add_hline`` for a figure from this module, in one layout update."""
    fig.update_layout(shapes=[*fig.layout.shapes, hline(y, line)])
    return fig


# Labels for shaded periods and dated events sit in a band above the plot, never on the lines:
# inside the plot they covered markers and each other. Each label goes on the first row of the
# band where it clears the labels already placed; the widths are estimated for a narrow (tablet)
# plot, so a wide screen gets the same rows with room to spare.
_MARK_ROW_PX = 17
_MARK_CHAR_PX = 6.3
_MARK_PLOT_PX = 470.0
_TITLE_PX = 56


def _as_number(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp() / 86400
    if isinstance(value, dt.date):
        return float(value.toordinal())
    return float(value)


def _place_marks(
    marks: list[tuple[Any, str, bool]], lo: Any, hi: Any
) -> list[tuple[Any, str, int, str]]:
    """(x, text, row, anchor) for each (x, text, has_line) mark: rows from 0 (nearest the plot)
    up. A label that would run off the right edge hangs to the left of its line instead.

    Marks are placed right to left, so a raised label's dotted line runs up beside the labels
    below it rather than through them; no label is put across a line rising past its row.
    """
    start, end = _as_number(lo), _as_number(hi)
    span = (end - start) or 1.0
    labels: list[list[tuple[float, float]]] = []
    lines: list[list[float]] = []  # per row: x of dotted lines rising through it
    placed = []
    for x, text, has_line in sorted(marks, key=lambda m: _as_number(m[0]), reverse=True):
        at = (_as_number(x) - start) / span * _MARK_PLOT_PX
        width = len(text) * _MARK_CHAR_PX + 8
        anchor = "left" if at + width <= _MARK_PLOT_PX + 20 else "right"
        left, right = (at, at + width) if anchor == "left" else (at - width, at)
        row = 0
        while row < len(labels) and not (
            all(right + 6 < a or left > b + 6 for a, b in labels[row])
            and all(not left - 4 <= line <= right + 4 for line in lines[row])
        ):
            row += 1
        if row == len(labels):
            labels.append([])
            lines.append([])
        labels[row].append((left, right))
        if has_line:
            for below in range(row):
                lines[below].append(at)
        placed.append((x, text, row, anchor))
    return placed


def _panels(layout: dict[str, Any]) -> list[str]:
    """The suffixes of a layout's y axes ('', '2', ...), one per stacked panel."""
    found = sorted((k[5:] for k in layout if k.startswith("yaxis")),
                   key=lambda s: int(s or 1))
    return found or [""]


def mark_periods(
    layout: dict[str, Any],
    *,
    lo: Any,
    hi: Any,
    shaded: list[tuple[Any, Any, str]] | None = None,
    events: list[tuple[Any, str]] | None = None,
    subplots: bool = False,
    lines_below: bool = False,
) -> dict[str, Any]:
    """Shade periods and draw dotted event lines in a layout dict, with every label in a band
    above the plot; returns the layout.

    ``lo`` and ``hi`` are the x-axis extent (dates or numbers) used to keep labels apart.
    """
    dotted = dict(color=INK_MUTED, width=1, dash="dot")
    shapes: list[dict] = []
    if subplots:  # one shaded band per panel, on that panel's axes
        for start, end, _ in shaded or []:
            shapes += [dict(type="rect", x0=start, x1=end, xref=f"x{p}", y0=0, y1=1,
                            yref=f"y{p} domain", fillcolor=SHARED_PERIOD_FILL,
                            line=dict(width=0), layer="below")
                       for p in _panels(layout)]
    else:
        shapes += [dict(type="rect", xref="x", yref="paper", x0=start, x1=end, y0=0, y1=1,
                        fillcolor=SHARED_PERIOD_FILL, line=dict(width=0), layer="below")
                   for start, end, _ in shaded or []]
    shapes += [dict(type="line", xref="x", yref="paper", x0=when, x1=when, y0=0, y1=1,
                    line=dotted, layer="below" if lines_below else "above")
               for when, _ in events or []]
    marks = [(start, text, False) for start, _, text in shaded or []]
    marks += [(when, text, True) for when, text in events or []]
    event_x = {_as_number(when) for when, _ in events or []}
    placed = _place_marks(marks, lo, hi)
    # Subplot titles sit just above the top panel: the band starts above them.
    base = 20 if subplots else 0
    annotations: list[dict] = []
    for x, text, row, anchor in placed:
        lift = base + row * _MARK_ROW_PX
        annotations.append(dict(
            x=x, y=1, yref="paper", yshift=lift, text=text, showarrow=False,
            xanchor=anchor, yanchor="bottom", xshift=3 if anchor == "left" else -3,
            font=dict(size=11, color=INK_SOFT),
        ))
        if _as_number(x) in event_x and lift:
            # Carry the event's dotted line up to its raised label.
            shapes.append(dict(type="line", x0=x, x1=x, xref="x", yref="paper",
                               ysizemode="pixel", yanchor=1, y0=0, y1=lift + 12, line=dotted))
    if shapes:
        layout["shapes"] = [*layout.get("shapes", []), *shapes]
    if annotations:
        layout["annotations"] = [*layout.get("annotations", []), *annotations]
    if placed:
        rows = max(row for _, _, row, _ in placed) + 1
        layout["margin"]["t"] = _TITLE_PX + base + rows * _MARK_ROW_PX + 8
    return layout


def within_range(
    lo: Any, hi: Any, shaded: list[tuple[Any, Any, str]] | None = None,
    events: list[tuple[Any, str]] | None = None,
) -> tuple[list[tuple[Any, Any, str]], list[tuple[Any, str]]]:
    """Shaded periods cut to ``lo``..``hi`` and the events inside it: the years chosen apply to
    every layer of a chart, not to its lines alone."""
    n = _as_number  # dates and datetimes do not compare with each other directly
    cut = [(a if n(a) >= n(lo) else lo, b if n(b) <= n(hi) else hi, text)
           for a, b, text in shaded or [] if n(b) >= n(lo) and n(a) <= n(hi)]
    return cut, [(when, text) for when, text in events or [] if n(lo) <= n(when) <= n(hi)]


def financial_year_ticks(layout: dict[str, Any], frame: pl.DataFrame, *,
                         x: str = "period_end", label: str = "period") -> dict[str, Any]:
    """Label a layout's date axis with financial years ('2015-16') at each year's end, so a
    point at 31 March 2016 does not read as calendar 2016; returns the layout."""
    ticks = frame.select(x, label).unique().sort(x)
    slanted = ticks.height > 8
    for name in [k for k in layout if k.startswith("xaxis")] or ["xaxis"]:
        axis(layout, name, tickvals=ticks.get_column(x).to_list(),
             ticktext=ticks.get_column(label).to_list(), tickangle=-45 if slanted else 0)
    if slanted:  # slanted labels run deeper: move the legend below them
        layout["legend"]["y"] = -0.36
    return layout


_POUNDS = {"gbp": 1, "gbp_thousand": 1_000, "gbp_million": 1_000_000}


def _money_tick(pounds: float) -> str:
    """'£80m', '£2.5m', '£500k', '£1,200': what a money axis says, in words, not '80k'."""
    sign, v = ("-" if pounds < 0 else ""), abs(pounds)
    if v >= 1e6:
        return f"{sign}£{v / 1e6:,.{0 if v % 1e6 == 0 else 1}f}m"
    if v >= 1e4:
        return f"{sign}£{v / 1e3:,.0f}k"
    return f"{sign}£{v:,.0f}"


def money_axis(fig: go.Figure, values: pl.Series, unit: str, *, title: str) -> go.Figure:
    """Label a money y-axis in pounds words ("£80m"), whatever unit the figures are held in:
    Plotly would write 80,000 of £ thousand as "80k". About five round steps over the data."""
    scale = _POUNDS[unit]
    known = [float(v) * scale for v in values.drop_nulls().to_list()]
    if not known:
        return fig
    lo, hi = min(known), max(known)
    raw = (hi - lo) / 5 or abs(hi) or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = [first + i * step for i in range(int((hi - first) / step) + 2)]
    fig.update_yaxes(tickvals=[t / scale for t in ticks], ticktext=[_money_tick(t) for t in ticks],
                     title_text=title)
    return fig
