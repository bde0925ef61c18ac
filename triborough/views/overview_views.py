"""The Overview's trend chart, shaped without Streamlit: one headline figure over the years,
money in the chosen basis, boroughs beside the London median and England."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from triborough.figures.line_charts import trend_chart
from triborough.model.real_terms import basis_short, basis_words, in_basis
from triborough.model.style import unit_label
from triborough.views.headlines import MONEY_UNITS
from triborough.views.page_pieces import View

TREND_METRICS = ("cla_rate_per_10000", "cin_rate_per_10000", "spend_ph_childrens_social_care",
                 "spend_ph_adult_social_care", "spend_ph_cultural_related")


def overview_trend_view(
    trend: pl.DataFrame, metric: pl.DataFrame, *, basis: str, deflators: pl.DataFrame,
    shading: list, meta_for: Callable[[pl.DataFrame, str], dict[str, str]],
) -> View | str:
    """The chart of one headline figure (``metric_trend`` rows; ``metric`` its catalogue row),
    or why there is nothing to show. ``meta_for(metric, span)`` gives the download metadata."""
    name = metric.get_column("name")[0]
    if trend.filter(pl.col("value").is_not_null()).is_empty():
        return f"No published figures for {name.lower()} in the years chosen."
    published = trend.filter(pl.col("value").is_not_null()).sort("period_end")
    periods = published.get_column("period").unique(maintain_order=True).to_list()
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    unit = metric.get_column("unit")[0]
    is_money = unit in MONEY_UNITS
    if is_money:
        trend = in_basis(trend, basis, deflators)
    title = f"{name}, {span}" + (f"<br><sup>{basis_short(basis)}</sup>" if is_money else "")
    fig = trend_chart(trend, title, unit_label(unit), shaded=shading)
    table = trend.select("series_label", "period", "value").rename(
        {"series_label": "area", "value": name})
    meta = meta_for(metric, span) | ({"prices": basis_words(basis, deflators)} if is_money else {})
    alt = (f"Line chart of {name} for the chosen boroughs, London median and England, {span}. "
           "The same figures are in the table below.")
    return View(fig, table, title, meta, alt, f"triborough_{metric.get_column('code')[0]}")
