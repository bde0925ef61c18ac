"""Charts of figures over time: borough lines against comparators, against a comparison
group's band, stacked areas, and estimates with their intervals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from triborough.figures.charts import (
    COMPARATOR_STYLES,
    MEDIAN_COLOUR,
    Spec,
    axis,
    base_layout,
    financial_year_ticks,
    hline,
    mark_periods,
    reused,
    trace,
    vline,
    within_range,
)
from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import (
    BAND_FILL,
    BOROUGH_COLOURS,
    BOROUGH_DASHES,
    BOROUGH_SYMBOLS,
    COMPARATOR_COLOURS,
    FALLBACK_BOROUGH,
    FALLBACK_SERIES,
    GRID,
    PAPER,
    REFERENCE_GREY,
    ZERO_LINE,
)


@reused
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
) -> Spec:
    """Lines over time, one per borough or comparator. Gaps stay gaps (no interpolation).

    ``df`` needs columns x, y, series and label; boroughs are recognised by ONS code, anything
    else is drawn as a grey comparator.
    """
    data: list[dict[str, Any]] = []
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
            periods = "period" in part.columns
            data.append(trace(
                "scatter",
                x=part.get_column(x).to_list(),
                y=part.get_column(y).to_list(),
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=colour, width=3 if is_borough else 2, dash=dash),
                marker=dict(symbol=symbol, size=8, color=colour),
                text=part.get_column("period").to_list() if periods else None,
                hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>"
                if periods else None,
            ))
    layout = base_layout(title, y_title)
    if (not df.is_empty() and x == "period_end" and "period" in df.columns
            and df.get_column("period").str.contains(r"^\d{4}-\d{2}$").all()):
        # Financial years are labelled as such: a point at 31 March 2016 is '2015-16'.
        financial_year_ticks(layout, df)
    xs = [v for v in df.get_column(x).to_list() if v is not None] if not df.is_empty() else []
    if (shaded or events) and xs:
        cut, inside = within_range(min(xs), max(xs), shaded, events)
        if cut or inside:
            mark_periods(layout, lo=min(xs), hi=max(xs), shaded=cut, events=inside)
    return {"data": data, "layout": layout}


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


def _on_panel(row: int | None) -> dict[str, str]:
    """The axes a trace on panel ``row`` of a stacked chart is drawn on (none: the only one)."""
    return {"xaxis": f"x{row}", "yaxis": f"y{row}"} if row and row > 1 else \
        ({"xaxis": "x", "yaxis": "y"} if row else {})


def _band(
    band: pl.DataFrame, label: str, *, row: int | None, first: bool, x: str = "period_end",
) -> list[dict[str, Any]]:
    """Median line and inter-quartile band; a period with no figures breaks both, and a
    period standing alone (one year, or a year between gaps) gets its band as a bar."""
    xs = band.get_column(x).to_list()
    lo = band.get_column("lower_quartile").to_list()
    hi = band.get_column("upper_quartile").to_list()
    mid = band.get_column("median").to_list()
    where = _on_panel(row)
    runs = _runs([a is not None and b is not None for a, b in zip(lo, hi, strict=True)])
    band_name = f"{label}: middle half (lower to upper quartile)"
    data = []
    # One closed shape per run of years with figures, so a gap year leaves a gap in the band.
    for i, (a, b) in enumerate(runs):
        shown = dict(name=band_name, legendgroup=f"band-{label}",
                     showlegend=first and i == 0, hoverinfo="skip")
        if b - a == 1:
            # A shape of one point has no area: draw the quartiles as a thick bar instead.
            centre = mid[a] if mid[a] is not None else (lo[a] + hi[a]) / 2
            data.append(trace(
                "scatter", x=xs[a:b], y=[centre], mode="markers",
                marker=dict(size=1, opacity=0),
                error_y=dict(type="data", symmetric=False, array=[hi[a] - centre],
                             arrayminus=[centre - lo[a]], color=BAND_FILL, thickness=28,
                             width=0),
                **shown, **where,
            ))
            continue
        data.append(trace(
            "scatter", x=xs[a:b] + xs[a:b][::-1], y=hi[a:b] + lo[a:b][::-1], fill="toself",
            mode="lines", fillcolor=BAND_FILL, line=dict(width=0), **shown, **where,
        ))
    data.append(trace(
        "scatter", x=xs, y=mid, name=f"{label}: median",
        mode="lines+markers", connectgaps=False, legendgroup=f"median-{label}",
        showlegend=first,
        line=dict(color=MEDIAN_COLOUR, width=2, dash="longdash"),
        marker=dict(symbol="triangle-up", size=10, color=MEDIAN_COLOUR),
        text=band.get_column("period").to_list(),
        hovertemplate="%{text}: %{y:,.1f}<extra>" + label + " median</extra>",
        **where,
    ))
    return data


def _borough(part: pl.DataFrame, code: str, *, row: int | None,
             x: str = "period_end") -> dict[str, Any]:
    name = part.get_column("area_name")[0]
    return trace(
        "scatter",
        x=part.get_column(x).to_list(), y=part.get_column("value").to_list(),
        name=name, mode="lines+markers", connectgaps=False, legendgroup=code,
        line=dict(color=BOROUGH_COLOURS.get(code, FALLBACK_BOROUGH), width=3,
                  dash=BOROUGH_DASHES.get(code, "solid")),
        marker=dict(symbol=BOROUGH_SYMBOLS.get(code, "circle"), size=8,
                    color=BOROUGH_COLOURS.get(code, FALLBACK_BOROUGH)),
        text=part.get_column("period").to_list(),
        hovertemplate="%{text}: %{y:,.1f}<extra>" + name + "</extra>",
        **_on_panel(row),
    )


def _stacked_panels(titles: list[str]) -> dict[str, Any]:
    """The layout of one panel per title, stacked, sharing the x axis (Plotly's own grid)."""
    from plotly.subplots import make_subplots

    grid = make_subplots(rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                         subplot_titles=titles)
    layout = grid.to_dict()["layout"]
    layout.pop("template", None)
    return layout


@reused
def band_chart(
    lines: pl.DataFrame,
    bands: pl.DataFrame,
    title: str,
    y_title: str,
    *,
    per_borough: bool = False,
    shaded: list[tuple[dt.date, dt.date, str]] | None = None,
) -> Spec:
    """The boroughs as lines against a comparison group's median and inter-quartile band.

    ``lines``: area_code, area_name, period, period_end, value (every period, gaps as nulls).
    ``bands``: group_key, group_label, period_end, lower_quartile, median, upper_quartile.
    With ``per_borough`` (each borough against its own neighbours, band keys = borough codes)
    the chart gets one panel per borough, so each line sits on its own band.
    """
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

    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    if per_borough:
        names = dict(lines.select("area_code", "area_name").unique().iter_rows())
        labels = dict(bands.select("group_key", "group_label").unique().iter_rows())
        layout = _stacked_panels([labels.get(c, f"{names[c]}: no comparison figures")
                                  for c in codes])
        for i, code in enumerate(codes, start=1):
            if code in labels:
                data += _band(on_calendar(code), "Neighbours", row=i, first=i == 1, x=x)
            data.append(_borough(lines.filter(pl.col("area_code") == code).sort("period_end"),
                                 code, row=i, x=x))
    else:
        if not bands.is_empty():
            key = bands.get_column("group_key")[0]
            data += _band(on_calendar(key), bands.get_column("group_label")[0], row=None,
                          first=True, x=x)
        for code in codes:
            data.append(_borough(lines.filter(pl.col("area_code") == code).sort("period_end"),
                                 code, row=None, x=x))
    base = base_layout(title, "" if per_borough else y_title)
    x_props, y_props = base.pop("xaxis"), base.pop("yaxis")
    x_axes = [k for k in layout if k.startswith("xaxis")] or ["xaxis"]
    y_axes = [k for k in layout if k.startswith("yaxis")] or ["yaxis"]
    for name in x_axes:
        axis(layout, name, **x_props)
    for name in y_axes:
        axis(layout, name, **y_props)
    layout.update(base)
    if per_borough:
        layout["height"] = 260 * len(codes) + 140
    if x == "period":
        for name in x_axes:
            axis(layout, name, type="category")
    elif not calendar.is_empty():
        for name in x_axes:
            axis(layout, name, hoverformat="%d %b %Y")  # a period ends on a day, not a time
        if calendar.get_column("period").str.contains(r"^\d{4}-\d{2}$").all():
            financial_year_ticks(layout, calendar)
        ends = calendar.get_column("period_end")
        cut, _ = within_range(ends.min(), ends.max(), shaded)
        if cut:
            mark_periods(layout, lo=ends.min(), hi=ends.max(), shaded=cut, subplots=per_borough)
    for name in y_axes:
        axis(layout, name, gridcolor=GRID, zerolinecolor=ZERO_LINE)
    return {"data": data, "layout": layout}


@reused
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
) -> Spec:
    """Areas stacked by ``series``; ``styles`` maps a series value to (legend name, colour,
    fill pattern), so the parts differ by pattern and name as well as colour."""
    data = []
    for key, (name, colour, pattern) in styles.items():
        part = df.filter(pl.col(series) == key).sort(x)
        if part.is_empty():
            continue
        data.append(trace(
            "scatter",
            x=part.get_column(x).to_list(), y=part.get_column(y).to_list(), name=name,
            mode="lines", stackgroup="one", connectgaps=False,
            line=dict(color=colour, width=1.5), fillcolor=colour,
            fillpattern=dict(shape=pattern, fgcolor=PAPER, bgcolor=colour,
                             fillmode="overlay", solidity=0.3) if pattern else None,
            hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>" + name + "</extra>",
        ))
    layout = base_layout(title, y_title)
    if events and not df.is_empty():
        xs = df.get_column(x)
        mark_periods(layout, lo=min([xs.min(), *(w for w, _ in events)]),
                     hi=max([xs.max(), *(w for w, _ in events)]), events=events)
    return {"data": data, "layout": layout}


@reused
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
) -> Spec:
    """Estimates with their intervals, one point per period: hollow before the event, filled
    from it, a zero line, and the event's start marked. An interval with no finite end (too
    few placebo comparisons) is drawn without a bar rather than a made-up one."""
    data = []
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
        data.append(trace(
            "scatter", x=part.get_column(x).to_list(), y=est, mode="markers",
            name=f"{label}, {name.lower()}",
            marker=dict(symbol=symbol, size=10, color=colour, line=dict(width=2, color=colour)),
            error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo,
                         color=colour, thickness=1.5, width=6),
            hovertemplate="%{x}: %{y:,.1f}<extra>" + name + "</extra>",
        ))
    layout = base_layout(title, y_title)
    shapes = [hline(0, dict(color=ZERO_LINE, width=1))]
    starts = df.filter(pl.col(after)).get_column(x).sort().to_list()
    if starts:
        shapes.append(vline(starts[0], dict(color=REFERENCE_GREY, width=1, dash="dot")))
    layout["shapes"] = shapes
    axis(layout, "xaxis", type="category", categoryorder="category ascending")
    layout["hovermode"] = "closest"
    return {"data": data, "layout": layout}
