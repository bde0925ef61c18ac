"""Charts of dated spans and dated events: contracts and platforms as bars on a date axis, and
Ofsted judgements as labelled markers, one row per borough."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from triborough.figures.charts import (
    BOROUGH_PATTERNS,
    Spec,
    axis,
    base_layout,
    mark_periods,
    reused,
    series_parts,
    trace,
)
from triborough.model.style import (
    BLACK,
    BOROUGH_COLOURS,
    BOROUGH_SYMBOLS,
    FALLBACK_BOROUGH,
    FALLBACK_SERIES,
    INK,
    INK_SOFT,
    MUTED_BAR,
    PAPER,
    SHARED_PERIOD_FILL,
)

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


@reused
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
) -> Spec:
    """Horizontal bars from ``start`` to ``end`` on a date axis, one row per ``row`` value.

    Bars are coloured and patterned by borough and carry a text label, so colour is never
    the only cue; rows where ``muted`` is true are drawn grey, and rows where ``flagged`` is
    true get a heavy black outline (and their label says why). Row order follows ``df``.
    """
    data: list[dict[str, Any]] = []
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
        words = part.get_column(text).to_list()
        data.append(trace(
            "bar",
            y=part.get_column(row).to_list(), x=lengths,
            base=[s.isoformat() for s in starts], orientation="h", name=name,
            text=[_fit_label(t, n / span_ms) for t, n in zip(words, lengths, strict=True)],
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
                        zip(starts, ends, words, strict=True)],
            hovertemplate="%{y}<br>%{customdata[2]}<br>%{customdata[0]} to %{customdata[1]}"
            "<extra>" + name + "</extra>",
        ))

    plain = df if muted is None else df.filter(~pl.col(muted))
    for key, part, name in series_parts(plain, series, label):
        add(part, name, BOROUGH_COLOURS.get(key, FALLBACK_SERIES), BOROUGH_PATTERNS.get(key, "x"))
    if muted is not None:
        grey = df.filter(pl.col(muted))
        if not grey.is_empty():
            add(grey, muted_name, MUTED_BAR, "")
    layout = base_layout(title, "")
    layout.update(barmode="overlay", hovermode="closest",
                  height=max(320, 110 + 28 * len(rows_in_order)))
    marks = list(events or [])
    if today is not None:
        marks.append((today, f"Today ({today:%d %b %Y})"))
    if marks and not df.is_empty():
        lo = min([df.get_column(start).min(), *(w for w, _ in marks)])
        hi = max([df.get_column(end).max(), *(w for w, _ in marks)])
        # Bars are drawn over the dotted lines, which show in the gaps: no line through a label.
        mark_periods(layout, lo=lo, hi=hi, events=marks, lines_below=True)
    axis(layout, "xaxis", type="date")
    axis(layout, "yaxis", categoryorder="array", categoryarray=rows_in_order,
         autorange="reversed", title=dict(text=""))
    return {"data": data, "layout": layout}


@reused
def judgement_chart(
    df: pl.DataFrame,
    title: str,
    *,
    shaded: list[tuple[dt.date, dt.date, str]] | None = None,
) -> Spec:
    """Ofsted judgements on a timeline: one row per borough, each inspection a marker with its
    grade written beside it (words, not colours, carry the judgement).

    ``df``: area_code, area_name, publication_date, label (the words to print), hover.
    """
    data = []
    order: list[str] = []
    for code in df.get_column("area_code").unique(maintain_order=True).to_list():
        part = df.filter(pl.col("area_code") == code).sort("publication_date")
        name = part.get_column("area_name")[0]
        order.append(name)
        data.append(trace(
            "scatter",
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
        ))
    layout = base_layout(title, "")
    # Each shaded period labelled at its foot: the grade labels sit above the markers.
    shaded = shaded or []
    if shaded:
        layout["shapes"] = [dict(type="rect", x0=start, x1=end, xref="x", y0=0, y1=1,
                                 yref="y domain", fillcolor=SHARED_PERIOD_FILL,
                                 line=dict(width=0), layer="below")
                            for start, end, _ in shaded]
        layout["annotations"] = [dict(text=text, x=start, xref="x", xanchor="left", y=0,
                                      yref="y domain", yanchor="bottom", showarrow=False,
                                      font=dict(size=12, color=INK_SOFT))
                                 for start, _, text in shaded]
    layout.update(hovermode="closest", height=max(300, 150 + 90 * len(order)),
                  showlegend=False)
    axis(layout, "yaxis", categoryorder="array", categoryarray=order[::-1],
         title=dict(text=""))
    dates = df.get_column("publication_date").drop_nulls()
    if not dates.is_empty():
        # Room either side so the first and last grade labels are not cut off, even on a
        # tablet: a tenth of the span, at least 300 days.
        pad = max(dt.timedelta(days=300), (dates.max() - dates.min()) / 10)
        axis(layout, "xaxis", range=[dates.min() - pad, dates.max() + pad])
    axis(layout, "xaxis", type="date")
    return {"data": data, "layout": layout}
