"""Trend frames made safe and plain for the screen and for downloads.

Pages get series in the ``metric_trend`` shape (series, series_label, series_kind 'area' or
'comparator', period, period_end, value). Before a chart or a table sees them, small counts of
people are suppressed; tables then carry a note on every empty cell saying whether it was
suppressed or never published, so neither reads as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from triborough.model.arrangement import SPLIT
from triborough.model.suppression import suppress
from triborough.views.provenance import meta_with  # noqa: F401 - pages import it from here

NO_FIGURE = "no figure published"
# The day H&F took its services back (WCC and RBKC carried on together): charts mark it.
SPLIT_DATE = SPLIT


def suppressed_note(threshold: int) -> str:
    """The words a suppressed cell carries."""
    return f"suppressed (fewer than {threshold})"


def suppress_series(
    df: pl.DataFrame,
    threshold: int,
    is_people_count: bool,
    *,
    value: str = "value",
    group: str = "period",
) -> pl.DataFrame:
    """Suppress small counts of people in a trend frame; adds ``suppressed``.

    Boroughs get primary and secondary suppression within each ``group`` (they sit side by
    side, so one hidden figure could be worked out from a total). Comparators (medians,
    England) get primary suppression only: a median below the threshold is itself a small
    count, but hiding a second comparator would protect nobody.
    """
    if df.is_empty() or not is_people_count:
        return df.with_columns(pl.lit(False).alias("suppressed"))
    flag = f"{value}_suppressed"
    areas = suppress(
        df.filter(pl.col("series_kind") == "area"), value, threshold, group_cols=[group]
    )
    others = suppress(df.filter(pl.col("series_kind") != "area"), value, threshold)
    return (
        pl.concat([areas, others], how="vertical_relaxed")
        .rename({flag: "suppressed"})
    )


def notes(threshold: int, value: str = "value") -> pl.Expr:
    """A ``note`` column: suppressed, no figure published, or empty."""
    return (
        pl.when(pl.col("suppressed"))
        .then(pl.lit(suppressed_note(threshold)))
        .when(pl.col(value).is_null())
        .then(pl.lit(NO_FIGURE))
        .otherwise(pl.lit(""))
        .alias("note")
    )


def series_table(
    df: pl.DataFrame, value_name: str, threshold: int, *, label: str = "series_label"
) -> pl.DataFrame:
    """Long table (area, period, value, note) from a suppressed trend frame."""
    if "suppressed" not in df.columns:
        df = df.with_columns(pl.lit(False).alias("suppressed"))
    return df.sort("period_end").select(
        pl.col(label).alias("area"),
        pl.col("period"),
        pl.col("value").alias(value_name),
        notes(threshold),
    )


def shading(
    arrangements: pl.DataFrame,
    ids: Iterable[str],
    within: tuple[dt.date, dt.date] | None = None,
) -> list[tuple[dt.date, dt.date, str]]:
    """Chart shading for shared-service periods from ``shared_periods`` rows.

    ``within`` (first and last date a chart shows) clips each period to the chart, so shading
    never stretches the axis over years with no figures; a period wholly outside is dropped.
    Each period ends at ``shaded_until``: the arrangement's end, or the last day the sources
    confirm it (see :func:`unconfirmed_note`).
    """
    wanted = set(ids)
    out = []
    for r in arrangements.to_dicts():
        if r["arrangement_id"] not in wanted:
            continue
        start, end = r["start_date"], r["shaded_until"]
        if within is not None:
            start, end = max(start, within[0]), min(end, within[1])
        if start >= end:  # nothing confirmed after the start (or outside the chart)
            continue
        out.append((start, end, label_for(r["arrangement_id"])))
    return out


def span_of(df: pl.DataFrame, column: str = "period_end") -> tuple[dt.date, dt.date] | None:
    """First and last date in a frame's date column (None when empty)."""
    dates = df.get_column(column).drop_nulls()
    if dates.is_empty():
        return None
    return dates.min(), dates.max()  # type: ignore[return-value]


def unconfirmed_note(arrangements: pl.DataFrame, ids: Iterable[str]) -> str:
    """Words for shaded arrangements with no known end: shading stops where the sources do."""
    notes = [
        f"Shading for {r['service'].replace('_', ' ')} stops on {r['confirmed_until']:%d %B %Y}, "
        "the last day a source confirms all three councils shared it; later years are neither "
        "confirmed nor ruled out."
        for r in arrangements.to_dicts()
        if r["arrangement_id"] in set(ids) and r["end_date"] is None
        and r["confirmed_until"] is not None
    ]
    return " ".join(notes)


def label_for(arrangement_id: str) -> str:
    """Short shading label: who shared the service."""
    if arrangement_id.startswith("triborough"):
        return "Shared by all three"
    if arrangement_id.startswith("biborough"):
        return "WCC and RBKC shared"
    return arrangement_id


def team_totals(
    monthly: pl.DataFrame, kinds: tuple[str, ...] = ("shared", "sovereign")
) -> pl.DataFrame:
    """Open cases per month and team model, all boroughs shown together.

    ``monthly`` holds ``caseload_monthly`` rows already through suppression (``open_cases``
    null where ``suppressed``). A month with any hidden borough figure has no totals at all,
    so a total can never give the hidden figure away; a team model with no cases in a month
    is a true zero (no sovereign teams before the split), not a gap.
    """
    grid = monthly.select("month").unique().join(
        pl.DataFrame({"team_model": list(kinds)}), how="cross"
    )
    return (
        grid.join(
            monthly.group_by("month", "team_model").agg(pl.col("open_cases").sum()),
            on=["month", "team_model"], how="left",
        )
        .join(monthly.group_by("month").agg(pl.col("suppressed").any()), on="month")
        .with_columns(
            pl.when(pl.col("suppressed")).then(None)
            .otherwise(pl.col("open_cases").fill_null(0)).alias("open_cases")
        )
        .sort("month", "team_model")
    )
