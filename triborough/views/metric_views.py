"""One published metric as a chart block: the view the Caseload and Service quality pages
repeat for many metrics (boroughs, London median, England; suppression; gaps; shading)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from triborough.figures.bar_charts import bar_chart
from triborough.figures.kept import kept
from triborough.figures.line_charts import trend_chart
from triborough.model.boroughs import ENGLAND
from triborough.model.periods import period_span
from triborough.views.comparison import UNIT_WORDS
from triborough.views.disclosure import (
    SPLIT_DATE,
    meta_with,
    shading,
    span_of,
)
from triborough.views.disclosure import series_table as _series_table
from triborough.views.disclosure import suppress_series as _suppress_series
from triborough.views.narrative import comparison_sentences as _comparison_sentences
from triborough.views.narrative import direction_hint
from triborough.views.page_pieces import SPLIT_EVENT
from triborough.views.provenance import metadata_for

# A metric's suppression, table and sentences, kept per distinct input: every rerun of every
# session asks for the same few, and working them out was most of a warm Quality page.
suppress_series = kept(_suppress_series)
series_table = kept(_series_table)
comparison_sentences = kept(_comparison_sentences)


def suppression_note(threshold: int) -> str:
    """The download header line saying how small counts were treated."""
    return (
        f"counts of people below {threshold} are suppressed, with a second figure hidden where "
        "one could be worked out from the others"
    )


@dataclass(frozen=True)
class TrendView:
    """One metric's chart as the app draws it: figure, table alternative, download metadata
    and alt text (the page and the committee pack share it)."""

    fig: go.Figure
    table: pl.DataFrame
    meta: dict[str, str]
    alt: str
    span: str
    words: dict[str, str] = field(default_factory=dict)


def trend_view(
    metric: Mapping[str, object],
    trend: pl.DataFrame,
    *,
    threshold: int,
    arrangements: pl.DataFrame | None = None,
    shared: tuple[str, ...] = (),
    kind: str = "line",
    title: str = "",
    y_title: str = "",
    extra_meta: Mapping[str, str] | None = None,
    london_counts: pl.DataFrame | None = None,
) -> TrendView | None:
    """One metric's trend rows (``metric_trend`` shape) as a chart, or None when the boroughs
    have no figures to show.

    ``metric`` is a ``metric_catalogue`` row. Counts leave England out (its figures would
    flatten the boroughs'); counts of people are suppressed; ``shared`` arrangement ids are
    shaded over the years the chart covers, with the April 2018 split marked. The title says
    which way is better (or that neither is); ``london_counts`` (``metric_london_counts`` rows)
    lets the words under the chart say how many boroughs the London median is over.
    """
    name = str(metric["name"])
    unit = str(metric["unit"])
    if unit == "count":
        trend = trend.filter(pl.col("series") != ENGLAND)
    shown = trend.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null())
    if shown.is_empty():
        return None
    trend = suppress_series(trend, threshold, bool(metric.get("is_people_count")))
    periods = shown.sort("period_end").get_column("period").unique(maintain_order=True)
    span = period_span(periods.to_list())
    polarity = str(metric.get("polarity") or "neither")
    title = f"{title or f'{name}, {span}'}<br><sup>{direction_hint(polarity)}</sup>"
    y_title = y_title or UNIT_WORDS.get(unit, unit)
    if kind == "bar":
        fig = bar_chart(trend, title, y_title, x="period", y="value", series="series")
        fig.update_xaxes(type="category")  # '2012-13' must not be read as a date
    else:
        within = span_of(shown)
        shaded = shading(arrangements, shared, within) if arrangements is not None else []
        # The split is marked only on charts whose years reach it: a line out on its own
        # would stretch the axis over years with no figures.
        split = bool(shared) and within is not None and within[0] <= SPLIT_DATE <= within[1]
        fig = trend_chart(trend, title, y_title, shaded=shaded,
                          events=SPLIT_EVENT if split else None)
    meta = metadata_for(pl.DataFrame([dict(metric)]), span)
    if metric.get("is_people_count"):
        meta = meta_with(meta, suppression=suppression_note(threshold))
    meta = meta_with(meta, **dict(extra_meta or {}))
    comparators = ", ".join(
        trend.filter(pl.col("series_kind") != "area")
        .get_column("series_label").unique(maintain_order=True).to_list()
    )
    alt = (
        f"{'Bar' if kind == 'bar' else 'Line'} chart of {name.lower()} for the chosen "
        f"boroughs{' and ' + comparators if comparators else ''}, {span}. The same figures "
        "are in the table."
    )
    if london_counts is not None:
        trend = trend.join(london_counts.rename({"london_areas": "areas"}), on="period",
                           how="left")
    words = comparison_sentences(
        trend, measure=name[:1].lower() + name[1:], unit=unit, polarity=polarity,
        illustrative=bool(metric.get("is_illustrative")),
    )
    return TrendView(fig, series_table(trend, name, threshold), meta, alt, span, words)
