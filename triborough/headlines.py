"""Headline figures for the Overview: value, change since the first year, direction of travel."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from triborough.style import format_change, format_value, is_missing
from triborough.travel import direction

OVERVIEW_METRICS: tuple[str, ...] = (
    "pop_all_ages",
    "spend_ph_adult_social_care",
    "spend_ph_childrens_social_care",
    "spend_ph_cultural_related",
    "cin_rate_per_10000",
    "cla_rate_per_10000",
    "lib_visits_per_1000",
)

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


def headlines(rows: pl.DataFrame) -> dict[tuple[str, str], Headline]:
    """Turn ``headline_figures`` query rows into display text, keyed by (metric, area)."""
    out: dict[tuple[str, str], Headline] = {}
    for r in rows.to_dicts():
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
            f"London median {format_value(r['london_median'], unit)}"
            if not is_missing(r["london_median"])
            else "no London median"
        )
        out[(r["metric_code"], r["area_code"])] = Headline(
            area_code=r["area_code"],
            metric_code=r["metric_code"],
            value=format_value(r["latest_value"], unit),
            period=r["latest_period"],
            change=change,
            travel=travel,
            arrow=arrow,
            london=london,
            raw_value=r["latest_value"],
        )
    return out
