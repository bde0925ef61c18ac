"""The outcomes the effect estimates are made for, and their panels from the warehouse.

Each shared service is measured per head of the population it serves; spend can be shown in
cash or, when the warehouse holds the GDP deflator, in real terms. Nothing here estimates: the
panels go to ``triborough.views.effect``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from triborough.model import real_terms
from triborough.model.boroughs import BOROUGH_CODES
from triborough.read.connection import run_named
from triborough.views.effect import EffectInputError, Panel, make_panel

HF = "E09000013"
PARTNERS = ("E09000033", "E09000020")
DEFLATOR_TABLE = "gdp_deflator"
COMPARISONS: dict[str, str] = {
    "london": "London boroughs (not the City of London)",
    "neighbours": "DfE statistical neighbours (2021 model)",
}


@dataclass(frozen=True)
class Event:
    """A decision whose effect is estimated: who it changed, from when, against whom."""

    key: str
    label: str
    treated: tuple[str, ...]
    first_treated: str  # financial year; year-end counts at 31 March use the same label
    comparison: str | None  # fixed donors (a query comparison), or None for the chosen group


EVENTS: dict[str, Event] = {
    "sharing": Event(
        "sharing", "Sharing began (June 2011)", BOROUGH_CODES, "2011-12", None,
    ),
    "split": Event(
        "split", "Hammersmith & Fulham left (April 2018)", (HF,), "2018-19", "partners",
    ),
}


@dataclass(frozen=True)
class Outcome:
    """One outcome of a shared service: the metrics added up and who it is per head of."""

    code: str
    label: str
    service: str
    metrics: tuple[str, ...]
    age_band: str  # 'none' when the metric is already a rate
    unit: str  # style.format_value unit
    money: bool
    words: str  # the outcome in a sentence: "adult social care spend per adult"
    scale: float = 1000.0  # with a population: 1000 turns £ thousand into £ per head


OUTCOMES: dict[str, Outcome] = {
    o.code: o
    for o in (
        Outcome("spend_ph_social_care", "Social care spend per resident (children's and "
                "adults' together)", "Social care",
                ("nce_social_care_combined", "nce_childrens_social_care",
                 "nce_adult_social_care"), "all_ages", "gbp", True,
                "social care spend per resident"),
        Outcome("spend_ph_adult_social_care", "Adult social care spend per adult (18+)",
                "Adults' social care", ("nce_adult_social_care",), "18+", "gbp", True,
                "adult social care spend per adult"),
        Outcome("spend_ph_childrens_social_care", "Children's social care spend per child "
                "(0-17)", "Children's social care", ("nce_childrens_social_care",), "0-17",
                "gbp", True, "children's social care spend per child"),
        Outcome("spend_ph_cultural_related", "Cultural and library spend per resident",
                "Libraries", ("nce_cultural_related",), "all_ages", "gbp", True,
                "cultural and library spend per resident"),
        # From the counts, so that 2010 and 2011 count too: DfE's own rates start in 2013.
        # The child population series starts at mid-2012, which stands in for the two
        # years before (the project's nearest-year rule).
        Outcome("cla_per_10000_children", "Children looked after per 10,000 children (0-17)",
                "Children's social care", ("cla_at_31_march",), "0-17", "rate_per_10000",
                False, "the rate of children looked after", 10000.0),
        Outcome("cin_rate_per_10000", "Children in need per 10,000 children",
                "Children's social care", ("cin_rate_per_10000",), "none", "rate_per_10000",
                False, "the rate of children in need"),
        Outcome("rereferral_pct", "Re-referrals to children's social care within 12 months "
                "(%)", "Children's social care", ("rereferral_pct",), "none", "percent", False,
                "the re-referral rate"),
    )
}


def outcome_for(con: duckdb.DuckDBPyConnection, code: str) -> Outcome:
    """The outcome named ``code``: one of OUTCOMES, or any published metric as it stands."""
    if code in OUTCOMES:
        return OUTCOMES[code]
    found = run_named(con, "metric_catalogue", {"metrics": [code]})
    if found.is_empty():
        raise EffectInputError(
            f"unknown metric code {code!r}; the shared-service outcomes are "
            + ", ".join(OUTCOMES) + " (or any code in the metric catalogue)"
        )
    row = found.row(0, named=True)
    unit = str(row.get("unit") or "")
    return Outcome(code, str(row.get("name") or code), "", (code,), "none", unit,
                   unit.startswith("gbp"), str(row.get("name") or code).lower())


def has_deflator(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds the GDP deflator that real terms need."""
    present = run_named(con, "council_tables_present", {"tables": [DEFLATOR_TABLE]})
    return bool(present.filter(pl.col("present")).height)


def deflate(con: duckdb.DuckDBPyConnection, panel: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Cash values in 2024-25 prices, through ``triborough.model.real_terms.deflate`` (the app's one
    deflating function), with the deflator's latest release.

    Refuses, naming the period, when a period has no deflator: a guessed deflator would make
    an invented figure. Returns the panel and the words for its prices ("2024-25 prices").
    """
    if not has_deflator(con):
        raise EffectInputError(
            "real terms need the GDP deflator, and this warehouse has no gdp_deflator table; "
            "use --cash, or rebuild the warehouse with the deflator"
        )
    # The deflator table arrives with the real-terms series; read it whole (a few dozen rows).
    table = con.table(DEFLATOR_TABLE).pl().select(
        pl.col("period").cast(pl.String), pl.col("deflator").cast(pl.Float64),
        pl.col("release").cast(pl.String),
    )
    latest = table.filter(pl.col("release") == table.get_column("release").max())
    latest = latest.filter(pl.col("deflator").is_not_null() & (pl.col("deflator") > 0))
    if latest.is_empty():
        raise EffectInputError("the gdp_deflator table has no usable deflator")
    release = latest.get_column("release")[0]
    lacking = (panel.select(pl.col("period").cast(pl.String)).unique()
               .join(latest, on="period", how="anti").get_column("period").sort())
    if lacking.len():
        raise EffectInputError(
            "the GDP deflator has no figure for " + ", ".join(lacking.to_list())
            + f" (release {release}); real terms cannot be shown for those years"
        )
    return (real_terms.deflate(panel, latest.select("period", "deflator")),
            f"{real_terms.PRICE_YEAR} prices (GDP deflator, {release})")


@dataclass(frozen=True)
class LoadedPanel:
    """A checked panel with the words that describe it."""

    panel: Panel
    outcome: Outcome
    event: Event
    comparison: str
    prices: str  # "cash" or "<year> prices (...)"; "" when the outcome is not money
    names: dict[str, str]


def load_panel(
    con: duckdb.DuckDBPyConnection,
    code: str,
    *,
    comparison: str = "london",
    real: bool = False,
    event: str = "sharing",
) -> LoadedPanel:
    """The outcome ``code`` for the event's treated councils and their donors, checked."""
    if event not in EVENTS:
        raise EffectInputError(f"unknown event {event!r}: use {' or '.join(EVENTS)}")
    happening = EVENTS[event]
    if happening.comparison is None and comparison not in COMPARISONS:
        raise EffectInputError(
            f"unknown comparison group {comparison!r}: use {' or '.join(COMPARISONS)}"
        )
    outcome = outcome_for(con, code)
    if real and not outcome.money:
        raise EffectInputError(f"{outcome.code} is not money, so it has no real terms")
    donors_from = happening.comparison or comparison
    rows = run_named(con, "effect_panel", {
        "metrics": list(outcome.metrics), "age_band": outcome.age_band,
        "comparison": donors_from, "treated": list(happening.treated),
        "scale": outcome.scale,
    })
    if rows.is_empty():
        raise EffectInputError(f"no published figures for {outcome.code} in this warehouse")
    prices = ("cash" if outcome.money else "")
    if real:
        rows, prices = deflate(con, rows)
    names = dict(zip(rows.get_column("area_code"), rows.get_column("area_name"), strict=True))
    donors = rows.filter(pl.col("role") == "donor").get_column("area_code").unique().to_list()
    panel = make_panel(rows, list(happening.treated), happening.first_treated, donors)
    return LoadedPanel(panel, outcome, happening, donors_from, prices, names)
