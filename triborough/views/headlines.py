"""Headline figures for the Overview: value, change since the first year, direction of travel."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from triborough.model.real_terms import deflate
from triborough.model.style import format_change, format_value, is_missing
from triborough.model.travel import direction

OVERVIEW_METRICS: tuple[str, ...] = (
    "pop_all_ages",
    "spend_ph_adult_social_care",
    "spend_ph_childrens_social_care",
    "spend_ph_cultural_related",
    "cin_rate_per_10000",
    "cla_rate_per_10000",
    "lib_visits_per_1000",
)

MONEY_UNITS: frozenset[str] = frozenset({"gbp", "gbp_thousand", "gbp_million"})

OFSTED_WORDS = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}


@dataclass(frozen=True)
class Headline:
    """One borough's figure for one metric, in words ready to show."""

    area_code: str
    metric_code: str
    value: str
    period: str
    change: str  # e.g. '+£120 since 2011-12'
    travel: str  # e.g. 'improving since 2022-23'
    arrow: str
    london: str  # e.g. 'London median £1,234'
    raw_value: float | None


def _money_in_real_terms(rows: pl.DataFrame, deflators: pl.DataFrame) -> pl.DataFrame:
    """Money figures' first, previous and latest values in 2024-25 prices (``deflate``), so
    a change across years is a real change; other units and the London median (a single
    year, compared within that year) are left as they are."""
    money = pl.col("unit").is_in(list(MONEY_UNITS))
    out = rows.with_row_index("_row")
    for which in ("first", "previous", "latest"):
        real = deflate(
            out.select("_row", pl.col(f"{which}_period").alias("period"),
                       pl.col(f"{which}_value").alias("value")),
            deflators,
        ).select("_row", pl.col("value").alias("_real"))
        out = out.join(real, on="_row", how="left").with_columns(
            pl.when(money).then(pl.col("_real")).otherwise(pl.col(f"{which}_value"))
            .alias(f"{which}_value")
        ).drop("_real")
    return out.sort("_row").drop("_row")


def _from_base(row: dict, base: tuple[str, ...], deflators: pl.DataFrame | None) -> dict:
    """The row with its change measured from the average of ``base`` (every period must have
    a figure, and the latest must be after them); money in real terms with ``deflators``."""
    periods, values = row.get("base_period_list") or [], row.get("base_value_list") or []
    if not base or list(periods) != list(base) or row["latest_period"] in base:
        return row
    if deflators is not None and row["unit"] in MONEY_UNITS:
        frame = deflate(pl.DataFrame({"period": list(periods), "value": list(values)}),
                        deflators)
        values = frame.get_column("value").to_list()
    if any(v is None for v in values):
        return row
    label = base[0] if len(base) == 1 else f"the {base[0]} to {base[-1]} average"
    return {**row, "first_period": label, "first_value": sum(values) / len(values)}


def headlines(
    rows: pl.DataFrame, deflators: pl.DataFrame | None = None, base: tuple[str, ...] = ()
) -> dict[tuple[str, str], Headline]:
    """Turn ``headline_figures`` query rows into display text, keyed by (metric, area).

    With ``deflators`` (rows of ``gdp_deflator``) money figures are in real terms, 2024-25
    prices; without, in cash. A change is measured from the average of the ``base`` periods
    where the metric has a figure for each of them (the years before sharing), else from
    the first year shown. The London median is over the boroughs with a figure (the City of
    London left out by the query) and says how many.
    """
    if deflators is not None and not rows.is_empty():
        cash_latest = rows.get_column("latest_value")
        rows = _money_in_real_terms(rows, deflators).with_columns(
            cash_latest.alias("_cash_latest")
        )
    out: dict[tuple[str, str], Headline] = {}
    for raw in rows.to_dicts():
        r = _from_base(raw, base, deflators)
        unit, pol = r["unit"], r["polarity"]
        word, arrow = direction(r["previous_value"], r["latest_value"], pol)
        if r["previous_period"]:
            travel = f"{word} since {r['previous_period']}"
        else:
            travel = "only one year published"
        if r["first_period"] and r["first_period"] != r["latest_period"]:
            change = (
                f"{format_change(r['latest_value'] - r['first_value'], unit)} "
                f"since {r['first_period']}"
            )
        else:
            change = "no earlier figure in the years chosen"
        london = (
            f"median of {r['london_areas']} London boroughs with a figure: "
            f"{format_value(r['london_median'], unit)}"
            if not is_missing(r["london_median"])
            else "no London median"
        )
        out[(r["metric_code"], r["area_code"])] = Headline(
            area_code=r["area_code"],
            metric_code=r["metric_code"],
            # The latest figure itself is that year's cash (2024-25's cash is its real terms).
            value=format_value(r.get("_cash_latest", r["latest_value"]), unit),
            period=r["latest_period"],
            change=change,
            travel=travel,
            arrow=arrow,
            london=london,
            raw_value=r["latest_value"],
        )
    return out
