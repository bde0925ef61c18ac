"""Bar charts: grouped and stacked bars by borough (colour and pattern), and the placebo
histogram of the effect estimates."""

from __future__ import annotations

from typing import Any

import polars as pl

from triborough.figures.charts import (
    BOROUGH_PATTERNS,
    Spec,
    axis,
    base_layout,
    reused,
    series_parts,
    trace,
    vline,
)
from triborough.model.style import (
    BLACK,
    BOROUGH_COLOURS,
    COMPARATOR_COLOURS,
    FALLBACK_SERIES,
    HISTOGRAM_FILL,
    INK,
    LABEL_BACKGROUND,
    PAPER,
    REFERENCE_GREY,
)


def _bars(part: pl.DataFrame, x: str, y: str, name: str, colour: str, key: str,
          **props: Any) -> dict[str, Any]:
    """One series' bars, in its colour with its borough's pattern over it."""
    return trace(
        "bar", x=part.get_column(x).to_list(), y=part.get_column(y).to_list(), name=name,
        marker=dict(color=colour, pattern=dict(shape=BOROUGH_PATTERNS.get(key, "x"),
                                               fgcolor=PAPER, fillmode="overlay")),
        **props,
    )


@reused
def bar_chart(
    df: pl.DataFrame, title: str, y_title: str, *, x: str, y: str, series: str = "area_code",
    label: str = "series_label",
) -> Spec:
    """Grouped bars, one colour and pattern per borough (patterns so colour is not alone)."""
    data = [_bars(part, x, y, name, BOROUGH_COLOURS.get(
                key, COMPARATOR_COLOURS.get(name, FALLBACK_SERIES)), key)
            for key, part, name in series_parts(df, series, label)]
    layout = base_layout(title, y_title)
    layout["barmode"] = "group"
    return {"data": data, "layout": layout}


@reused
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
) -> Spec:
    """Bars stacked by borough (colour and pattern), with an optional total line and
    labelled reference markers (e.g. reported targets) on the same axis."""
    data = [_bars(part, x, y, name, BOROUGH_COLOURS.get(key, FALLBACK_SERIES), key,
                  hovertemplate="%{x}: %{y:,.1f}<extra>" + name + "</extra>")
            for key, part, name in series_parts(df, series, label)]
    if line is not None:
        xs, ys, name = line
        data.append(trace(
            "scatter", x=xs, y=ys, name=name, mode="lines+markers", connectgaps=False,
            line=dict(color=INK, width=2, dash="dash"),
            marker=dict(symbol="line-ew-open", size=14, color=INK),
        ))
    layout = base_layout(title, y_title)
    if markers:
        data.append(trace(
            "scatter", x=[m[0] for m in markers], y=[m[1] for m in markers],
            text=[m[2] for m in markers], name="Reported target", mode="markers",
            marker=dict(symbol="diamond-open", size=14, color=INK, line=dict(width=2)),
            hovertemplate="%{x}: %{text}<extra>Reported target</extra>",
        ))
        # Labels on a white backing, left of the diamond; targets in the same year (£40m and
        # £43m for 2015-16) are pushed apart vertically rather than printed over each other.
        labels: list[dict[str, Any]] = []
        for when in dict.fromkeys(m[0] for m in markers):
            same = sorted((m for m in markers if m[0] == when), key=lambda m: m[1])
            labels += [
                dict(x=when, y=value, text=text, showarrow=False, xanchor="right", xshift=-11,
                     yshift=(i - (len(same) - 1) / 2) * 18, bgcolor=LABEL_BACKGROUND,
                     font=dict(size=12, color=INK), borderpad=1)
                for i, (_, value, text) in enumerate(same)
            ]
        layout["annotations"] = labels
    # Stacked bars list their legend bottom-up by default; keep the boroughs' fixed order.
    layout["barmode"] = "stack"
    layout["legend"]["traceorder"] = "normal"
    axis(layout, "xaxis", type="category")
    return {"data": data, "layout": layout}


@reused
def placebo_chart(
    values: list[float],
    observed: float,
    title: str,
    x_title: str,
    *,
    observed_label: str = "The three boroughs",
) -> Spec:
    """How often comparisons with councils that did not share gave a gap of each size: a
    histogram of the placebo estimates with the observed one marked."""
    data = [
        trace("histogram", x=values, name="Comparisons with councils that did not share",
              marker=dict(color=HISTOGRAM_FILL, line=dict(color=REFERENCE_GREY, width=1)),
              nbinsx=40, hovertemplate="%{x}: %{y} comparisons<extra></extra>"),
        trace("scatter", x=[observed], y=[0], mode="markers", name=observed_label,
              marker=dict(symbol="diamond", size=13, color=BLACK),
              hovertemplate="%{x:,.1f}<extra>" + observed_label + "</extra>"),
    ]
    layout = base_layout(title, "comparisons")
    axis(layout, "xaxis", title=dict(text=x_title))
    layout["shapes"] = [vline(observed, dict(color=BLACK, width=3, dash="dash"))]
    layout["hovermode"] = "closest"
    layout["bargap"] = 0.05
    return {"data": data, "layout": layout}
