"""Plotly figures with one fixed colour, dash and marker per borough on every chart."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from triborough.boroughs import BOROUGH_BY_CODE
from triborough.style import (
    BOROUGH_COLOURS,
    BOROUGH_DASHES,
    BOROUGH_SYMBOLS,
    COMPARATOR_COLOURS,
    SHARED_PERIOD_FILL,
)

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1a1a1a")


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
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17)),
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0, title_text=""),
        hovermode="x unified",
        height=420,
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#e5e5e5", zerolinecolor="#999999")
    fig.update_xaxes(gridcolor="#f0f0f0")
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
            name = part.get_column(label)[0] if label in part.columns else str(key)
            is_borough = key in BOROUGH_BY_CODE
            colour = BOROUGH_COLOURS.get(key) or COMPARATOR_COLOURS.get(name, "#777777")
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
                        dash=BOROUGH_DASHES.get(key, "dashdot"),
                    ),
                    marker=dict(symbol=BOROUGH_SYMBOLS.get(key, "x"), size=8, color=colour),
                    text=part.get_column("period").to_list() if "period" in part.columns else None,
                    hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>"
                    if "period" in part.columns
                    else None,
                )
            )
    for start, end, text in shaded or []:
        fig.add_vrect(
            x0=start, x1=end, fillcolor=SHARED_PERIOD_FILL, line_width=0, layer="below",
            annotation_text=text, annotation_position="top left",
            annotation_font=dict(size=12, color="#333333"),
        )
    for when, text in events or []:
        fig.add_vline(x=when, line=dict(color="#444444", width=1, dash="dot"))
        fig.add_annotation(
            x=when, y=1, yref="paper", text=text, showarrow=False, textangle=-90,
            xanchor="right", yanchor="top", font=dict(size=11, color="#333333"),
        )
    return _layout(fig, title, y_title)


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
                    color=BOROUGH_COLOURS.get(key, COMPARATOR_COLOURS.get(name, "#777777")),
                    pattern=dict(shape=patterns.get(key, "x"), fgcolor="white", fillmode="overlay"),
                ),
            )
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, y_title)


# Comparator lines differ by dash and marker as well as by grey, so London, the peer group
# and England can be told apart without colour (trend_chart draws them all dash-dot).
COMPARATOR_STYLES: dict[str, tuple[str, str]] = {
    "London median": ("dashdot", "x"),
    "Peer median": ("longdash", "triangle-up"),
    "England": ("longdashdot", "star"),
}


def distinguish_comparators(fig: go.Figure) -> go.Figure:
    """Give each comparator line its own dash and marker (by trace name)."""
    for trace in fig.data:
        style = COMPARATOR_STYLES.get(getattr(trace, "name", "") or "")
        if style and isinstance(trace, go.Scatter):
            trace.line.dash = style[0]
            trace.marker.symbol = style[1]
    return fig


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
                    color=BOROUGH_COLOURS.get(key, "#777777"),
                    pattern=dict(shape=BOROUGH_PATTERNS.get(key, "x"), fgcolor="white",
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
                line=dict(color="#1a1a1a", width=2, dash="dash"),
                marker=dict(symbol="line-ew-open", size=14, color="#1a1a1a"),
            )
        )
    if markers:
        fig.add_trace(
            go.Scatter(
                x=[m[0] for m in markers], y=[m[1] for m in markers],
                text=[m[2] for m in markers], name="Reported target",
                mode="markers+text", textposition="middle left",
                marker=dict(symbol="diamond-open", size=14, color="#1a1a1a",
                            line=dict(width=2)),
                textfont=dict(size=12, color="#1a1a1a"),
                hovertemplate="%{x}: %{text}<extra>Reported target</extra>",
            )
        )
    _layout(fig, title, y_title)
    # Stacked bars list their legend bottom-up by default; keep the boroughs' fixed order.
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(type="category")
    return fig


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
                text=part.get_column(text).to_list(), textposition="inside",
                insidetextanchor="start", textfont=dict(size=12),
                constraintext="none",
                marker=dict(
                    color=colour,
                    pattern=dict(shape=pattern, fgcolor="white", solidity=0.3, fillmode="overlay"),
                    line=dict(color=["#000000" if f else colour for f in flags],
                              width=[3 if f else 0.5 for f in flags]),
                ),
                customdata=[[s.isoformat(), e.isoformat()] for s, e in
                            zip(starts, ends, strict=True)],
                hovertemplate="%{y}<br>%{text}<br>%{customdata[0]} to %{customdata[1]}"
                "<extra>" + name + "</extra>",
            )
        )

    plain = df if muted is None else df.filter(~pl.col(muted))
    for key in plain.get_column(series).unique(maintain_order=True).to_list():
        part = plain.filter(pl.col(series) == key)
        name = part.get_column(label)[0] if label in part.columns else str(key)
        add(part, name, BOROUGH_COLOURS.get(key, "#777777"), BOROUGH_PATTERNS.get(key, "x"))
    if muted is not None:
        grey = df.filter(pl.col(muted))
        if not grey.is_empty():
            add(grey, muted_name, "#bdbdbd", "")
    # Today's label hangs to the left of its line: it sits near the right edge.
    marks = [(when, note, "left") for when, note in events or []]
    if today is not None:
        marks.append((today, f"Today ({today:%d %b %Y})", "right"))
    for when, note, anchor in marks:
        fig.add_vline(x=when, line=dict(color="#444444", width=1, dash="dot"))
        fig.add_annotation(
            x=when, y=1, yref="paper", text=note, showarrow=False, xanchor=anchor,
            yanchor="bottom", font=dict(size=11, color="#333333"),
        )
    _layout(fig, title, "")
    fig.update_layout(
        barmode="overlay", hovermode="closest",
        height=max(320, 110 + 28 * len(rows_in_order)),
        margin=dict(l=10, r=10, t=80, b=10),
    )
    fig.update_xaxes(type="date")
    fig.update_yaxes(categoryorder="array", categoryarray=rows_in_order, autorange="reversed",
                     title_text="")
    return fig


# --- Caseload, Service quality and Compare pages ------------------------------------------

# The Oflog national median is a comparator of its own: grey, long dash-dot, star markers.
COMPARATOR_STYLES.setdefault("England median (Oflog)", ("longdashdot", "star"))
BAND_FILL = "rgba(85,85,85,0.16)"
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
    fig: go.Figure, band: pl.DataFrame, label: str, *, row: int | None, first: bool
) -> None:
    """Median line and inter-quartile band; a period with no figures breaks both."""
    xs = band.get_column("period_end").to_list()
    lo = band.get_column("lower_quartile").to_list()
    hi = band.get_column("upper_quartile").to_list()
    where = dict(row=row, col=1) if row else {}
    runs = _runs([a is not None and b is not None for a, b in zip(lo, hi, strict=True)])
    # One closed shape per run of years with figures, so a gap year leaves a gap in the band.
    for i, (a, b) in enumerate(runs):
        fig.add_trace(
            go.Scatter(
                x=xs[a:b] + xs[a:b][::-1], y=hi[a:b] + lo[a:b][::-1], fill="toself",
                mode="lines", fillcolor=BAND_FILL, line=dict(width=0), hoverinfo="skip",
                name=f"{label}: middle half (lower to upper quartile)",
                legendgroup=f"band-{label}", showlegend=first and i == 0,
            ),
            **where,
        )
    fig.add_trace(
        go.Scatter(
            x=xs, y=band.get_column("median").to_list(), name=f"{label}: median",
            mode="lines+markers", connectgaps=False, legendgroup=f"median-{label}",
            showlegend=first,
            line=dict(color=MEDIAN_COLOUR, width=2, dash="longdash"),
            marker=dict(symbol="triangle-up", size=8, color=MEDIAN_COLOUR),
            text=band.get_column("period").to_list(),
            hovertemplate="%{text}: %{y:,.1f}<extra>" + label + " median</extra>",
        ),
        **where,
    )


def _add_borough(fig: go.Figure, part: pl.DataFrame, code: str, *, row: int | None) -> None:
    name = part.get_column("area_name")[0]
    where = dict(row=row, col=1) if row else {}
    fig.add_trace(
        go.Scatter(
            x=part.get_column("period_end").to_list(), y=part.get_column("value").to_list(),
            name=name, mode="lines+markers", connectgaps=False, legendgroup=code,
            line=dict(color=BOROUGH_COLOURS.get(code, "#333333"), width=3,
                      dash=BOROUGH_DASHES.get(code, "solid")),
            marker=dict(symbol=BOROUGH_SYMBOLS.get(code, "circle"), size=8,
                        color=BOROUGH_COLOURS.get(code, "#333333")),
            text=part.get_column("period").to_list(),
            hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>",
        ),
        **where,
    )


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
                _add_band(fig, on_calendar(code), "Neighbours", row=i, first=i == 1)
            _add_borough(fig, lines.filter(pl.col("area_code") == code).sort("period_end"),
                         code, row=i)
            fig.update_yaxes(title_text=y_title if i == 1 else "", row=i, col=1)
    else:
        fig = go.Figure()
        if not bands.is_empty():
            key = bands.get_column("group_key")[0]
            _add_band(fig, on_calendar(key), bands.get_column("group_label")[0], row=None,
                      first=True)
        for code in codes:
            _add_borough(fig, lines.filter(pl.col("area_code") == code).sort("period_end"),
                         code, row=None)
    for start, end, text in shaded or []:
        fig.add_vrect(
            x0=start, x1=end, fillcolor=SHARED_PERIOD_FILL, line_width=0, layer="below",
            annotation_text=text, annotation_position="top left",
            annotation_font=dict(size=12, color="#333333"),
            **({"row": "all", "col": 1} if per_borough else {}),
        )
    _layout(fig, title, "" if per_borough else y_title)
    if per_borough:
        fig.update_layout(height=260 * len(codes) + 140)
    fig.update_yaxes(gridcolor="#e5e5e5", zerolinecolor="#999999")
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
                textfont=dict(size=12, color="#1a1a1a"),
                marker=dict(symbol=BOROUGH_SYMBOLS.get(code, "circle"), size=14,
                            color=BOROUGH_COLOURS.get(code, "#333333"),
                            line=dict(color="white", width=1)),
                customdata=part.get_column("hover").to_list(),
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            )
        )
    for start, end, text in shaded or []:
        # Label at the foot: the grade labels sit above the markers.
        fig.add_vrect(
            x0=start, x1=end, fillcolor=SHARED_PERIOD_FILL, line_width=0, layer="below",
            annotation_text=text, annotation_position="bottom left",
            annotation_font=dict(size=12, color="#333333"),
        )
    _layout(fig, title, "")
    fig.update_layout(hovermode="closest", height=max(300, 150 + 90 * len(order)),
                      showlegend=False)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title_text="")
    dates = df.get_column("publication_date").drop_nulls()
    if not dates.is_empty():
        # Room either side so the first and last grade labels are not cut off.
        pad = dt.timedelta(days=300)
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
                fillpattern=dict(shape=pattern, fgcolor="white", bgcolor=colour,
                                 fillmode="overlay", solidity=0.3)
                if pattern else None,
                hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + name + "</extra>",
            )
        )
    for when, text in events or []:
        fig.add_vline(x=when, line=dict(color="#444444", width=1, dash="dot"))
        fig.add_annotation(
            x=when, y=1, yref="paper", text=text, showarrow=False, xanchor="left",
            yanchor="top", font=dict(size=11, color="#333333"),
        )
    return _layout(fig, title, y_title)


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
        fig.update_layout(legend_y=-0.3)
    return fig
