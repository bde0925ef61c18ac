"""Plotly figures with one fixed colour, dash and marker per borough on every chart."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import (
    BAND_FILL,
    BLACK,
    BOROUGH_COLOURS,
    BOROUGH_DASHES,
    BOROUGH_SYMBOLS,
    COMPARATOR_COLOURS,
    FALLBACK_BOROUGH,
    FALLBACK_SERIES,
    GRID,
    GRID_LIGHT,
    HISTOGRAM_FILL,
    INK,
    INK_MUTED,
    INK_SOFT,
    LABEL_BACKGROUND,
    MUTED_BAR,
    PAPER,
    REFERENCE_GREY,
    SHARED_PERIOD_FILL,
    ZERO_LINE,
)

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color=INK)


# Plotly validates every property as a figure is built: 30-130 ms a chart here, most of a warm
# page's run, repeated on every rerun of every session for the same few inputs. Each builder
# below keeps the validated figure as a plain dict per distinct input and hands out a fresh
# Figure made from it without validating again (about 2 ms), so callers may still change it.
class _Specs:
    """Validated figure dicts by builder input, least recently used dropped past ``limit``."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.items: OrderedDict[tuple, dict] = OrderedDict()


@st.cache_resource(show_spinner=False)
def _specs() -> _Specs:
    # A Streamlit resource, so "Clear cache" (and a cold benchmark run) empties it too.
    return _Specs()


def _fingerprint(value: Any) -> Any:
    """A hashable stand-in for a builder argument (frames by schema, size and row hashes)."""
    if isinstance(value, pl.DataFrame):
        rows = tuple(value.hash_rows(seed=0).to_list()) if value.height else ()
        return ("frame", tuple((k, str(t)) for k, t in value.schema.items()), rows)
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _fingerprint(v)) for k, v in value.items()))
    return value if isinstance(value, str | int | float | bool | dt.date | None) else repr(value)


def _reused(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> go.Figure:
        key = (build.__name__, _fingerprint(args), _fingerprint(kwargs))
        store = _specs()
        with store.lock:
            spec = store.items.get(key)
            if spec is not None:
                store.items.move_to_end(key)
        if spec is None:
            spec = build(*args, **kwargs).to_dict()
            with store.lock:
                store.items[key] = spec
                while len(store.items) > store.limit:
                    store.items.popitem(last=False)
        return go.Figure(spec, _validate=False)

    return wrapper

def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17), yref="container", y=1,
                   yanchor="top", pad=dict(t=14)),
        font=FONT,
        plot_bgcolor=PAPER,
        paper_bgcolor=PAPER,
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0, title_text=""),
        hovermode="x unified",
        height=420,
    )
    fig.update_yaxes(title_text=y_title, gridcolor=GRID, zerolinecolor=ZERO_LINE)
    fig.update_xaxes(gridcolor=GRID_LIGHT)
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


def mark_periods(
    fig: go.Figure,
    *,
    lo: Any,
    hi: Any,
    shaded: list[tuple[Any, Any, str]] | None = None,
    events: list[tuple[Any, str]] | None = None,
    subplots: bool = False,
    lines_below: bool = False,
) -> go.Figure:
    """Shade periods and draw dotted event lines, with every label in a band above the plot.

    ``lo`` and ``hi`` are the x-axis extent (dates or numbers) used to keep labels apart.
    """
    dotted = dict(color=INK_MUTED, width=1, dash="dot")
    shapes: list[dict] = []
    if subplots:  # one shaded band per panel: Streamlit's helper knows the panels' axes
        for start, end, _ in shaded or []:
            fig.add_vrect(x0=start, x1=end, fillcolor=SHARED_PERIOD_FILL, line_width=0,
                          layer="below", row="all", col=1)
    else:
        shapes += [dict(type="rect", xref="x", yref="paper", x0=start, x1=end, y0=0, y1=1,
                        fillcolor=SHARED_PERIOD_FILL, line_width=0, layer="below")
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
    # One layout update for all of them: each add_shape/add_annotation call copies and
    # validates the whole layout again (about 70 ms a chart on a cold page).
    layout: dict[str, Any] = {}
    if shapes:
        layout["shapes"] = [*fig.layout.shapes, *shapes]
    if annotations:
        layout["annotations"] = [*fig.layout.annotations, *annotations]
    if placed:
        rows = max(row for _, _, row, _ in placed) + 1
        layout["margin_t"] = _TITLE_PX + base + rows * _MARK_ROW_PX + 8
    if layout:
        fig.update_layout(**layout)
    return fig


@_reused
def trend_chart(
    df: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    x: str = "period_end",
    y: str = "value",
    series: str = "series",
    label: str = "series_label",
    shaded: list[tuple[dt.date, dt.date, str]] | None = None,
    events: list[tuple[dt.date, str]] | None = None,
) -> go.Figure:
    """Lines over time, one per borough or comparator. Gaps stay gaps (no interpolation).

    ``df`` needs columns x, y, series and label; boroughs are recognised by ONS code, anything
    else is drawn as a grey comparator.
    """
    fig = go.Figure()
    if not df.is_empty():
        keys = df.get_column(series).unique(maintain_order=True).to_list()
        # Boroughs first in their fixed order, then comparators as given.
        keys = [k for k in BOROUGH_BY_CODE if k in keys] + [
            k for k in keys if k not in BOROUGH_BY_CODE
        ]
        for key in keys:
            part = df.filter(pl.col(series) == key).sort(x)
            if part.get_column(y).is_null().all():
                continue  # no legend entry for a series with nothing to draw
            name = part.get_column(label)[0] if label in part.columns else str(key)
            is_borough = key in BOROUGH_BY_CODE
            colour = BOROUGH_COLOURS.get(key) or COMPARATOR_COLOURS.get(name, FALLBACK_SERIES)
            # Comparators differ by dash and marker too: England and the London median were
            # both dash-dot crosses, told apart only by shade of grey.
            dash, symbol = (BOROUGH_DASHES.get(key), BOROUGH_SYMBOLS.get(key)) if is_borough \
                else COMPARATOR_STYLES.get(name, ("dashdot", "x"))
            fig.add_trace(
                go.Scatter(
                    x=part.get_column(x).to_list(),
                    y=part.get_column(y).to_list(),
                    name=name,
                    mode="lines+markers",
                    connectgaps=False,
                    line=dict(
                        color=colour,
                        width=3 if is_borough else 2,
                        dash=dash,
                    ),
                    marker=dict(symbol=symbol, size=8, color=colour),
                    text=part.get_column("period").to_list() if "period" in part.columns else None,
                    hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>"
                    if "period" in part.columns
                    else None,
                )
            )
    _layout(fig, title, y_title)
    if (not df.is_empty() and x == "period_end" and "period" in df.columns
            and df.get_column("period").str.contains(r"^\d{4}-\d{2}$").all()):
        # Financial years are labelled as such: a point at 31 March 2016 is '2015-16'.
        financial_year_ticks(fig, df)
    xs = [v for v in df.get_column(x).to_list() if v is not None] if not df.is_empty() else []
    if (shaded or events) and xs:
        cut, inside = within_range(min(xs), max(xs), shaded, events)
        if cut or inside:
            mark_periods(fig, lo=min(xs), hi=max(xs), shaded=cut, events=inside)
    return fig


@_reused
def bar_chart(
    df: pl.DataFrame, title: str, y_title: str, *, x: str, y: str, series: str = "area_code",
    label: str = "series_label",
) -> go.Figure:
    """Grouped bars, one colour and pattern per borough (patterns so colour is not alone)."""
    patterns = {"E09000033": "", "E09000013": "/", "E09000020": "."}
    fig = go.Figure()
    for key in df.get_column(series).unique(maintain_order=True).to_list():
        part = df.filter(pl.col(series) == key)
        name = part.get_column(label)[0] if label in part.columns else str(key)
        fig.add_trace(
            go.Bar(
                x=part.get_column(x).to_list(), y=part.get_column(y).to_list(), name=name,
                marker=dict(
                    color=BOROUGH_COLOURS.get(key, COMPARATOR_COLOURS.get(name, FALLBACK_SERIES)),
                    pattern=dict(shape=patterns.get(key, "x"), fgcolor=PAPER, fillmode="overlay"),
                ),
            )
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, y_title)


# Comparator lines differ by dash and marker as well as by grey, so London, the peer group,
# England and the Oflog national median can be told apart without colour.
COMPARATOR_STYLES: dict[str, tuple[str, str]] = {
    "London median": ("dashdot", "x"),
    "Peer median": ("longdash", "triangle-up"),
    "England": ("longdashdot", "star"),
    "England median (Oflog)": ("longdashdot", "star"),
}


BOROUGH_PATTERNS: dict[str, str] = {"E09000033": "", "E09000013": "/", "E09000020": "."}


@_reused
def stacked_bar_chart(
    df: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    x: str,
    y: str,
    series: str = "area_code",
    label: str = "series_label",
    line: tuple[list, list, str] | None = None,
    markers: list[tuple[str, float, str]] | None = None,
) -> go.Figure:
    """Bars stacked by borough (colour and pattern), with an optional total line and
    labelled reference markers (e.g. reported targets) on the same axis."""
    fig = go.Figure()
    for key in df.get_column(series).unique(maintain_order=True).to_list():
        part = df.filter(pl.col(series) == key)
        name = part.get_column(label)[0] if label in part.columns else str(key)
        fig.add_trace(
            go.Bar(
                x=part.get_column(x).to_list(), y=part.get_column(y).to_list(), name=name,
                marker=dict(
                    color=BOROUGH_COLOURS.get(key, FALLBACK_SERIES),
                    pattern=dict(shape=BOROUGH_PATTERNS.get(key, "x"), fgcolor=PAPER,
                                 fillmode="overlay"),
                ),
                hovertemplate="%{x}: %{y:,.1f}<extra>" + name + "</extra>",
            )
        )
    if line is not None:
        xs, ys, name = line
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, name=name, mode="lines+markers", connectgaps=False,
                line=dict(color=INK, width=2, dash="dash"),
                marker=dict(symbol="line-ew-open", size=14, color=INK),
            )
        )
    if markers:
        fig.add_trace(
            go.Scatter(
                x=[m[0] for m in markers], y=[m[1] for m in markers],
                text=[m[2] for m in markers], name="Reported target",
                mode="markers",
                marker=dict(symbol="diamond-open", size=14, color=INK,
                            line=dict(width=2)),
                hovertemplate="%{x}: %{text}<extra>Reported target</extra>",
            )
        )
        # Labels on a white backing, left of the diamond; targets in the same year (£40m and
        # £43m for 2015-16) are pushed apart vertically rather than printed over each other.
        labels = []
        for when in dict.fromkeys(m[0] for m in markers):
            same = sorted((m for m in markers if m[0] == when), key=lambda m: m[1])
            labels += [
                dict(x=when, y=value, text=text, showarrow=False, xanchor="right", xshift=-11,
                     yshift=(i - (len(same) - 1) / 2) * 18, bgcolor=LABEL_BACKGROUND,
                     font=dict(size=12, color=INK), borderpad=1)
                for i, (_, value, text) in enumerate(same)
            ]
        fig.update_layout(annotations=labels)  # in one go: each add_annotation re-validates
    _layout(fig, title, y_title)
    # Stacked bars list their legend bottom-up by default; keep the boroughs' fixed order.
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(type="category")
    return fig


# The timeline's plot is narrower than a line chart's: its row names take the left of it.
_BAR_PLOT_PX = 400.0
_BAR_CHAR_PX = 6.8


def _tint(colour: str, keep: float = 0.35) -> str:
    """``colour`` ('#rrggbb') mixed with white, keeping ``keep`` of it."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in rgb)


def _fit_label(text: str, share: float) -> str:
    """A bar's label cut to what fits a bar ``share`` of the axis wide, ending '…' when cut;
    nothing at all when not even a few letters fit (hover and the table carry the words)."""
    room = int(share * _BAR_PLOT_PX / _BAR_CHAR_PX) - 1
    if len(text) <= room:
        return text
    return text[: room - 1].rstrip() + "…" if room >= 4 else ""


@_reused
def timeline_chart(
    df: pl.DataFrame,
    title: str,
    *,
    row: str = "row",
    start: str = "start",
    end: str = "end",
    series: str = "area_code",
    label: str = "series_label",
    text: str = "text",
    muted: str | None = None,
    flagged: str | None = None,
    today: dt.date | None = None,
    events: list[tuple[dt.date, str]] | None = None,
    muted_name: str = "Other system",
) -> go.Figure:
    """Horizontal bars from ``start`` to ``end`` on a date axis, one row per ``row`` value.

    Bars are coloured and patterned by borough and carry a text label, so colour is never
    the only cue; rows where ``muted`` is true are drawn grey, and rows where ``flagged`` is
    true get a heavy black outline (and their label says why). Row order follows ``df``.
    """
    fig = go.Figure()
    rows_in_order = df.get_column(row).unique(maintain_order=True).to_list()
    span_ms = 1.0
    if not df.is_empty():
        first, last = df.get_column(start).min(), df.get_column(end).max()
        for when in [w for w, _ in events or []] + ([today] if today else []):
            first, last = min(first, when), max(last, when)
        span_ms = max((last - first).total_seconds() * 1000, 1.0)

    def add(part: pl.DataFrame, name: str, colour: str, pattern: str) -> None:
        starts = part.get_column(start).to_list()
        ends = part.get_column(end).to_list()
        # Plotly draws a date-axis bar as a base date plus a length in milliseconds.
        lengths = [
            (dt.datetime.combine(e, dt.time()) - dt.datetime.combine(s, dt.time()))
            .total_seconds() * 1000
            for s, e in zip(starts, ends, strict=True)
        ]
        flags = part.get_column(flagged).to_list() if flagged else [False] * part.height
        fig.add_trace(
            go.Bar(
                y=part.get_column(row).to_list(), x=lengths,
                base=[s.isoformat() for s in starts], orientation="h", name=name,
                text=[_fit_label(t, n / span_ms) for t, n in
                      zip(part.get_column(text).to_list(), lengths, strict=True)],
                textposition="inside", insidetextanchor="start", constraintext="none",
                # White on the solid bar; near-black where white pattern marks would break up
                # white letters, and on the light grey bars.
                textfont=dict(size=12, color=PAPER if pattern == "" and colour != MUTED_BAR
                              else INK),
                # A patterned bar is a light tint of the borough's colour with the pattern
                # drawn in the colour itself, so its dark label reads clearly on it.
                marker=dict(
                    color=_tint(colour) if pattern else colour,
                    pattern=dict(shape=pattern, fgcolor=colour, solidity=0.3, fillmode="overlay"),
                    line=dict(color=[BLACK if f else colour for f in flags],
                              width=[3 if f else 0.5 for f in flags]),
                ),
                customdata=[[s.isoformat(), e.isoformat(), t] for s, e, t in
                            zip(starts, ends, part.get_column(text).to_list(), strict=True)],
                hovertemplate="%{y}<br>%{customdata[2]}<br>%{customdata[0]} to %{customdata[1]}"
                "<extra>" + name + "</extra>",
            )
        )

    plain = df if muted is None else df.filter(~pl.col(muted))
    for key in plain.get_column(series).unique(maintain_order=True).to_list():
        part = plain.filter(pl.col(series) == key)
        name = part.get_column(label)[0] if label in part.columns else str(key)
        add(part, name, BOROUGH_COLOURS.get(key, FALLBACK_SERIES), BOROUGH_PATTERNS.get(key, "x"))
    if muted is not None:
        grey = df.filter(pl.col(muted))
        if not grey.is_empty():
            add(grey, muted_name, MUTED_BAR, "")
    _layout(fig, title, "")
    fig.update_layout(
        barmode="overlay", hovermode="closest",
        height=max(320, 110 + 28 * len(rows_in_order)),
    )
    marks = list(events or [])
    if today is not None:
        marks.append((today, f"Today ({today:%d %b %Y})"))
    if marks and not df.is_empty():
        lo = min([df.get_column(start).min(), *(w for w, _ in marks)])
        hi = max([df.get_column(end).max(), *(w for w, _ in marks)])
        # Bars are drawn over the dotted lines, which show in the gaps: no line through a label.
        mark_periods(fig, lo=lo, hi=hi, events=marks, lines_below=True)
    fig.update_xaxes(type="date")
    fig.update_yaxes(categoryorder="array", categoryarray=rows_in_order, autorange="reversed",
                     title_text="")
    return fig


# --- Caseload, Service quality and Compare pages ------------------------------------------

MEDIAN_COLOUR = COMPARATOR_COLOURS["Peer median"]


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, end) index pairs of consecutive True values, end exclusive."""
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _add_band(
    fig: go.Figure, band: pl.DataFrame, label: str, *, row: int | None, first: bool,
    x: str = "period_end",
) -> None:
    """Median line and inter-quartile band; a period with no figures breaks both, and a
    period standing alone (one year, or a year between gaps) gets its band as a bar."""
    xs = band.get_column(x).to_list()
    lo = band.get_column("lower_quartile").to_list()
    hi = band.get_column("upper_quartile").to_list()
    mid = band.get_column("median").to_list()
    where = dict(row=row, col=1) if row else {}
    runs = _runs([a is not None and b is not None for a, b in zip(lo, hi, strict=True)])
    band_name = f"{label}: middle half (lower to upper quartile)"
    # One closed shape per run of years with figures, so a gap year leaves a gap in the band.
    for i, (a, b) in enumerate(runs):
        shown = dict(name=band_name, legendgroup=f"band-{label}",
                     showlegend=first and i == 0, hoverinfo="skip")
        if b - a == 1:
            # A shape of one point has no area: draw the quartiles as a thick bar instead.
            centre = mid[a] if mid[a] is not None else (lo[a] + hi[a]) / 2
            fig.add_trace(
                go.Scatter(
                    x=xs[a:b], y=[centre], mode="markers", marker=dict(size=1, opacity=0),
                    error_y=dict(type="data", symmetric=False, array=[hi[a] - centre],
                                 arrayminus=[centre - lo[a]], color=BAND_FILL, thickness=28,
                                 width=0),
                    **shown,
                ),
                **where,
            )
            continue
        fig.add_trace(
            go.Scatter(
                x=xs[a:b] + xs[a:b][::-1], y=hi[a:b] + lo[a:b][::-1], fill="toself",
                mode="lines", fillcolor=BAND_FILL, line=dict(width=0), **shown,
            ),
            **where,
        )
    fig.add_trace(
        go.Scatter(
            x=xs, y=mid, name=f"{label}: median",
            mode="lines+markers", connectgaps=False, legendgroup=f"median-{label}",
            showlegend=first,
            line=dict(color=MEDIAN_COLOUR, width=2, dash="longdash"),
            marker=dict(symbol="triangle-up", size=10, color=MEDIAN_COLOUR),
            text=band.get_column("period").to_list(),
            hovertemplate="%{text}: %{y:,.1f}<extra>" + label + " median</extra>",
        ),
        **where,
    )


def _add_borough(
    fig: go.Figure, part: pl.DataFrame, code: str, *, row: int | None, x: str = "period_end"
) -> None:
    name = part.get_column("area_name")[0]
    where = dict(row=row, col=1) if row else {}
    fig.add_trace(
        go.Scatter(
            x=part.get_column(x).to_list(), y=part.get_column("value").to_list(),
            name=name, mode="lines+markers", connectgaps=False, legendgroup=code,
            line=dict(color=BOROUGH_COLOURS.get(code, FALLBACK_BOROUGH), width=3,
                      dash=BOROUGH_DASHES.get(code, "solid")),
            marker=dict(symbol=BOROUGH_SYMBOLS.get(code, "circle"), size=8,
                        color=BOROUGH_COLOURS.get(code, FALLBACK_BOROUGH)),
            text=part.get_column("period").to_list(),
            hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>",
        ),
        **where,
    )


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


@_reused
def band_chart(
    lines: pl.DataFrame,
    bands: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    per_borough: bool = False,
    shaded: list[tuple[dt.date, dt.date, str]] | None = None,
) -> go.Figure:
    """The boroughs as lines against a comparison group's median and inter-quartile band.

    ``lines``: area_code, area_name, period, period_end, value (every period, gaps as nulls).
    ``bands``: group_key, group_label, period_end, lower_quartile, median, upper_quartile.
    With ``per_borough`` (each borough against its own neighbours, band keys = borough codes)
    the chart gets one panel per borough, so each line sits on its own band.
    """
    from plotly.subplots import make_subplots

    calendar = lines.select("period", "period_end").unique().sort("period_end")
    # One period on a date axis reads as a stretch of hours ("23:59:59.999 Mar 30, 2024"):
    # a single period is drawn on a category axis labelled with the period itself.
    x = "period" if calendar.height == 1 else "period_end"
    codes = lines.get_column("area_code").unique(maintain_order=True).to_list()
    order = list(BOROUGH_COLOURS)
    codes.sort(key=lambda c: order.index(c) if c in order else len(order))

    def on_calendar(key: str) -> pl.DataFrame:
        # Every period the boroughs cover, so a period with no group figures is a gap.
        part = bands.filter(pl.col("group_key") == key).drop("period", strict=False)
        return calendar.join(part, on="period_end", how="left").sort("period_end")

    if per_borough:
        names = dict(lines.select("area_code", "area_name").unique().iter_rows())
        labels = dict(bands.select("group_key", "group_label").unique().iter_rows())
        fig = make_subplots(
            rows=len(codes), cols=1, shared_xaxes=True, vertical_spacing=0.08,
            subplot_titles=[labels.get(c, f"{names[c]}: no comparison figures")
                            for c in codes],
        )
        for i, code in enumerate(codes, start=1):
            if code in labels:
                _add_band(fig, on_calendar(code), "Neighbours", row=i, first=i == 1, x=x)
            _add_borough(fig, lines.filter(pl.col("area_code") == code).sort("period_end"),
                         code, row=i, x=x)
            fig.update_yaxes(title_text=y_title if i == 1 else "", row=i, col=1)
    else:
        fig = go.Figure()
        if not bands.is_empty():
            key = bands.get_column("group_key")[0]
            _add_band(fig, on_calendar(key), bands.get_column("group_label")[0], row=None,
                      first=True, x=x)
        for code in codes:
            _add_borough(fig, lines.filter(pl.col("area_code") == code).sort("period_end"),
                         code, row=None, x=x)
    _layout(fig, title, "" if per_borough else y_title)
    if per_borough:
        fig.update_layout(height=260 * len(codes) + 140)
    if x == "period":
        fig.update_xaxes(type="category")
    elif not calendar.is_empty():
        fig.update_xaxes(hoverformat="%d %b %Y")  # a period ends on a day, not at a time
        if calendar.get_column("period").str.contains(r"^\d{4}-\d{2}$").all():
            financial_year_ticks(fig, calendar)
        ends = calendar.get_column("period_end")
        cut, _ = within_range(ends.min(), ends.max(), shaded)
        if cut:
            mark_periods(fig, lo=ends.min(), hi=ends.max(), shaded=cut, subplots=per_borough)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=ZERO_LINE)
    return fig


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


JUDGEMENT_SHORT = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}


@_reused
def judgement_chart(
    df: pl.DataFrame,
    title: str,
    *,
    shaded: list[tuple[dt.date, dt.date, str]] | None = None,
) -> go.Figure:
    """Ofsted judgements on a timeline: one row per borough, each inspection a marker with its
    grade written beside it (words, not colours, carry the judgement).

    ``df``: area_code, area_name, publication_date, label (the words to print), hover.
    """
    fig = go.Figure()
    order: list[str] = []
    for code in df.get_column("area_code").unique(maintain_order=True).to_list():
        part = df.filter(pl.col("area_code") == code).sort("publication_date")
        name = part.get_column("area_name")[0]
        order.append(name)
        fig.add_trace(
            go.Scatter(
                x=part.get_column("publication_date").to_list(),
                y=[name] * part.height,
                mode="markers+text", name=name,
                text=part.get_column("label").to_list(), textposition="top center",
                textfont=dict(size=12, color=INK),
                marker=dict(symbol=BOROUGH_SYMBOLS.get(code, "circle"), size=14,
                            color=BOROUGH_COLOURS.get(code, FALLBACK_BOROUGH),
                            line=dict(color=PAPER, width=1)),
                customdata=part.get_column("hover").to_list(),
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            )
        )
    for start, end, text in shaded or []:
        # Label at the foot: the grade labels sit above the markers.
        fig.add_vrect(
            x0=start, x1=end, fillcolor=SHARED_PERIOD_FILL, line_width=0, layer="below",
            annotation_text=text, annotation_position="bottom left",
            annotation_font=dict(size=12, color=INK_SOFT),
        )
    _layout(fig, title, "")
    fig.update_layout(hovermode="closest", height=max(300, 150 + 90 * len(order)),
                      showlegend=False)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title_text="")
    dates = df.get_column("publication_date").drop_nulls()
    if not dates.is_empty():
        # Room either side so the first and last grade labels are not cut off, even on a
        # tablet: a tenth of the span, at least 300 days.
        pad = max(dt.timedelta(days=300), (dates.max() - dates.min()) / 10)
        fig.update_xaxes(range=[dates.min() - pad, dates.max() + pad])
    fig.update_xaxes(type="date")
    return fig


@_reused
def stacked_area_chart(
    df: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    x: str,
    y: str,
    series: str,
    styles: dict[str, tuple[str, str, str]],
    events: list[tuple[dt.date, str]] | None = None,
) -> go.Figure:
    """Areas stacked by ``series``; ``styles`` maps a series value to (legend name, colour,
    fill pattern), so the parts differ by pattern and name as well as colour."""
    fig = go.Figure()
    for key, (name, colour, pattern) in styles.items():
        part = df.filter(pl.col(series) == key).sort(x)
        if part.is_empty():
            continue
        fig.add_trace(
            go.Scatter(
                x=part.get_column(x).to_list(), y=part.get_column(y).to_list(), name=name,
                mode="lines", stackgroup="one", connectgaps=False,
                line=dict(color=colour, width=1.5), fillcolor=colour,
                fillpattern=dict(shape=pattern, fgcolor=PAPER, bgcolor=colour,
                                 fillmode="overlay", solidity=0.3)
                if pattern else None,
                hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + name + "</extra>",
            )
        )
    _layout(fig, title, y_title)
    if events and not df.is_empty():
        xs = df.get_column(x)
        mark_periods(fig, lo=min([xs.min(), *(w for w, _ in events)]),
                     hi=max([xs.max(), *(w for w, _ in events)]), events=events)
    return fig


def financial_year_ticks(fig: go.Figure, frame: pl.DataFrame, *, x: str = "period_end",
                         label: str = "period") -> go.Figure:
    """Label a date axis with financial years ('2015-16') at each year's end, so a point at
    31 March 2016 does not read as calendar 2016."""
    ticks = frame.select(x, label).unique().sort(x)
    slanted = ticks.height > 8
    fig.update_xaxes(
        tickvals=ticks.get_column(x).to_list(),
        ticktext=ticks.get_column(label).to_list(),
        tickangle=-45 if slanted else 0,
    )
    if slanted:  # slanted labels run deeper: move the legend below them
        fig.update_layout(legend_y=-0.36)
    return fig


@_reused
def interval_chart(
    df: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    x: str = "period",
    y: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    after: str = "after",
    label: str = "Difference from the comparison group",
) -> go.Figure:
    """Estimates with their intervals, one point per period: hollow before the event, filled
    from it, a zero line, and the event's start marked. An interval with no finite end (too
    few placebo comparisons) is drawn without a bar rather than a made-up one."""
    fig = go.Figure()
    colour = COMPARATOR_COLOURS["England"]
    for is_after, name, symbol in ((False, "Before", "circle-open"), (True, "After", "circle")):
        part = df.filter(pl.col(after) == is_after).sort(x)
        if part.is_empty():
            continue
        est = part.get_column(y).to_list()
        lo = [e - v if v is not None and abs(v) != float("inf") else None
              for e, v in zip(est, part.get_column(low).to_list(), strict=True)]
        hi = [v - e if v is not None and abs(v) != float("inf") else None
              for e, v in zip(est, part.get_column(high).to_list(), strict=True)]
        fig.add_trace(go.Scatter(
            x=part.get_column(x).to_list(), y=est, mode="markers",
            name=f"{label}, {name.lower()}",
            marker=dict(symbol=symbol, size=10, color=colour, line=dict(width=2, color=colour)),
            error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo,
                         color=colour, thickness=1.5, width=6),
            hovertemplate="%{x}: %{y:,.1f}<extra>" + name + "</extra>",
        ))
    _layout(fig, title, y_title)
    fig.add_hline(y=0, line=dict(color=ZERO_LINE, width=1))
    starts = df.filter(pl.col(after)).get_column(x).sort().to_list()
    if starts:
        fig.add_vline(x=starts[0], line=dict(color=REFERENCE_GREY, width=1, dash="dot"))
    fig.update_xaxes(type="category", categoryorder="category ascending")
    fig.update_layout(hovermode="closest")
    return fig


@_reused
def placebo_chart(
    values: list[float],
    observed: float,
    title: str,
    x_title: str,
    *,
    observed_label: str = "The three boroughs",
) -> go.Figure:
    """How often comparisons with councils that did not share gave a gap of each size: a
    histogram of the placebo estimates with the observed one marked."""
    fig = go.Figure()
    fig.add_trace(go.Histogram(
        x=values, name="Comparisons with councils that did not share",
        marker=dict(color=HISTOGRAM_FILL, line=dict(color=REFERENCE_GREY, width=1)), nbinsx=40,
        hovertemplate="%{x}: %{y} comparisons<extra></extra>",
    ))
    _layout(fig, title, "comparisons")
    fig.update_xaxes(title_text=x_title)
    fig.add_vline(x=observed, line=dict(color=BLACK, width=3, dash="dash"))
    fig.add_trace(go.Scatter(
        x=[observed], y=[0], mode="markers", name=observed_label,
        marker=dict(symbol="diamond", size=13, color=BLACK),
        hovertemplate="%{x:,.1f}<extra>" + observed_label + "</extra>",
    ))
    fig.update_layout(hovermode="closest", bargap=0.05)
    return fig


# A chart's image is for a paper: the camera button saves it 1,000 px wide at three times
# that resolution (3,000 px: 25 cm at 300 dpi), whatever the size of the screen it came from.
EXPORT_WIDTH = 1000
EXPORT_SCALE = 3
_PROVENANCE_ROW_PX = 15


def export_config(file_stem: str, height: int | None = None) -> dict[str, Any]:
    """The Plotly config every chart is shown with: no logo, and a camera button that saves a
    PNG named after the view at ``EXPORT_SCALE`` times a print size (the chart's own height,
    so labels placed for it stay apart)."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": file_stem,
            "width": EXPORT_WIDTH,
            "height": height or 420,
            "scale": EXPORT_SCALE,
        },
    }


def with_provenance(fig: go.Figure, lines: list[str]) -> go.Figure:
    """Write ``lines`` (unit, period, source, licence, date: ``provenance.image_lines``) into
    the chart under its title, so the saved image carries them.

    They go at the top, where every height is fixed by the layout (title, then the band of
    period labels): below the plot the legend's height depends on the width it wraps to, so
    a line there could land on it. The figure grows by the room they take.
    """
    if not lines:
        return fig
    extra = len(lines) * _PROVENANCE_ROW_PX + 6
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 60
    band = max(0, top - _TITLE_PX)  # period labels (and subplot titles) above the plot
    note = dict(
        text="<br>".join(_escaped(line) for line in lines), x=0, xref="paper", xanchor="left",
        y=1, yref="paper", yanchor="bottom", yshift=band, showarrow=False, align="left",
        font=dict(size=11, color=INK_MUTED),
    )
    layout: dict[str, Any] = {
        "annotations": [*fig.layout.annotations, note],
        "margin_t": top + extra,
        "meta": {"provenance": lines},
    }
    if fig.layout.height:
        layout["height"] = fig.layout.height + extra
    fig.update_layout(**layout)
    return fig


def _escaped(text: str) -> str:
    """Plotly reads a few HTML-like tags in text; figures' words are shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summary_from_figure(fig: go.Figure, title: str, unit: str) -> str:
    """A chart's figures in one sentence when its page gives none: each line's or bar series'
    latest figure with its period, in the chart's order (``unit`` a catalogue unit)."""
    from triborough.model.style import format_value
    from triborough.model.units import UNIT_WORDS

    # The axis says what is drawn (an index, per head, £ thousands) better than the measure's
    # unit; a view's unit in words is read the same way.
    axis = str(fig.layout.yaxis.title.text or "")
    if "index" in axis.lower():
        unit = ""
    elif _unit_from_words(axis) or unit not in UNIT_WORDS:
        unit = _unit_from_words(axis) or _unit_from_words(unit)
    latest = []
    for trace in fig.data:
        if getattr(trace, "fill", None) not in (None, "none") or trace.showlegend is False:
            continue  # a band's edges are not figures of their own
        values, places = ("x", "y") if getattr(trace, "orientation", None) == "h" else ("y", "x")
        ys = list(getattr(trace, values, None) or [])
        text = getattr(trace, "text", None)
        labels = list(text) if isinstance(text, list | tuple) else list(
            getattr(trace, places, None) or [])
        last = next((i for i in range(len(ys) - 1, -1, -1) if ys[i] is not None), None)
        if last is None or not trace.name or not isinstance(ys[last], int | float) \
                or isinstance(ys[last], bool):
            continue
        when = labels[last] if last < len(labels) else ""
        when = f"{when:%d %b %Y}" if isinstance(when, dt.date) else str(when)
        latest.append(f"{trace.name} {format_value(ys[last], unit)}"
                      + (f" ({when})" if when else ""))
    clean = re.sub(r"<[^>]*>", "", title.replace("<br>", " ")).strip().rstrip(".")
    if not latest:  # a timeline or a chart of words: the title says what it shows
        return f"{clean}."
    return f"{clean}. Latest figures: {'; '.join(latest)}."


# Unit words as views and axis titles write them, most specific first, and the catalogue
# unit whose formatting they need (so £ thousands read '£160.8m', not '160,841.3').
_UNIT_WORDS = (("£ thousand", "gbp_thousand"), ("£k", "gbp_thousand"), ("£ million", "gbp_million"),
               ("£m", "gbp_million"), ("£", "gbp"), ("per cent", "percent"), ("%", "percent"))


def _unit_from_words(words: str) -> str:
    return next((code for word, code in _UNIT_WORDS if word in words), "")
