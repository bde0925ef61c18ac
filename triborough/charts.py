"""Plotly figures with one fixed colour, dash and marker per borough on every chart."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from triborough.boroughs import BOROUGH_BY_CODE
from triborough.style import (
    BOROUGH_COLOURS,
    BOROUGH_DASHES,
    BOROUGH_SYMBOLS,
    COMPARATOR_COLOURS,
    SHARED_PERIOD_FILL,
)

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1a1a1a")


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
        for key in df.get_column(series).unique(maintain_order=True).to_list():
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
                    pattern=dict(shape=patterns.get(key, "x"), fgcolor="white"),
                ),
            )
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, y_title)
