"""The effect estimate a report quotes: the headline difference-in-differences figure with its
interval and p-value, the two checks on it (a synthetic comparison, and the same method against
the DfE statistical neighbours) and the limits in words.

It is the one place outside the "Did sharing work?" page where a cause is claimed, so it only
ever quotes an estimate with its 95% interval, and says plainly when the warehouse cannot
support one. No Streamlit here: the committee pack (PDF and Word) reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from triborough.views.effect import ALPHA, EffectInputError, EffectResult, did, synth
from triborough.views.effect_data import COMPARISONS, LoadedPanel, has_deflator, load_panel
from triborough.views.effect_words import caveats, headline, signed

# Social care as one line: the only shared service whose spend per head has published years
# before sharing (adults' and children's lines start in 2011-12).
HEADLINE_OUTCOME = "spend_ph_social_care"
YEAR_CHART = "the year-by-year chart on the app's \"Did sharing work?\" page"
METHOD_NAMES = {"did": "Difference-in-differences", "synth": "Synthetic comparison"}


@dataclass(frozen=True)
class EstimateRow:
    """One estimate as a report's table gives it, every figure already in words."""

    method: str
    comparison: str
    estimate: str  # "−£96 a year"
    interval: str  # "−£171 to −£22", or why there is none
    p_value: str  # "0.009"
    reading: str  # "distinguishable from no effect" or "not distinguishable from no effect"


@dataclass(frozen=True)
class EffectSummary:
    """What a report says about the effect of sharing. Sentences may carry **bold** marks."""

    outcome: str  # the outcome's label
    basis: str  # the panel behind the estimates, in a sentence
    headline: str
    rows: list[EstimateRow]
    limits: list[str]


def p_words(p: float) -> str:
    """A p-value to three decimal places, or 'under 0.001'."""
    return "under 0.001" if p < 0.001 else f"{p:.3f}"


def estimate_row(result: EffectResult, loaded: LoadedPanel) -> EstimateRow:
    """One estimate's figures in words, in the outcome's unit."""
    inf = result.inference
    per_year = " a year" if loaded.outcome.money else ""
    interval = (f"{signed(inf.ci_low, loaded)} to {signed(inf.ci_high, loaded)}"
                if math.isfinite(inf.ci_low) and math.isfinite(inf.ci_high)
                else "none with finite ends: too few comparisons")
    return EstimateRow(
        METHOD_NAMES[result.method], COMPARISONS[loaded.comparison],
        f"{signed(result.effect, loaded)}{per_year}", interval, p_words(inf.p_value),
        ("not " if inf.p_value >= ALPHA else "") + "distinguishable from no effect",
    )


def effect_summary(con: duckdb.DuckDBPyConnection) -> EffectSummary | str:
    """The effect of sharing on social care spend per resident (in real terms when the warehouse
    holds the GDP deflator), or the reason in words when the published figures cannot support
    an estimate."""
    real = has_deflator(con)
    try:
        loaded = load_panel(con, HEADLINE_OUTCOME, comparison="london", real=real)
        # No event study or clustered error: a report quotes neither, and pyfixest's first fit
        # costs seconds. The estimate is the same closed-form regression.
        main = did(loaded.panel, event_study=False, clustered=False)
    except EffectInputError as exc:
        return f"the published figures cannot support an estimate of the effect of sharing: {exc}"
    rows = [estimate_row(main, loaded)]
    for attempt in ("synth", "neighbours"):
        try:
            if attempt == "synth":
                rows.append(estimate_row(synth(loaded.panel), loaded))
            else:
                near = load_panel(con, HEADLINE_OUTCOME, comparison="neighbours", real=real)
                rows.append(estimate_row(did(near.panel, event_study=False, clustered=False),
                                         near))
        except EffectInputError:
            continue  # a check the figures cannot support is left out; the headline stands
    panel = loaded.panel
    prices = (f"in {loaded.prices.split(' (', 1)[0]} (HM Treasury's GDP deflator)" if real
              else "in cash")
    basis = (
        f"{loaded.outcome.label}, {prices}: the three boroughs against "
        f"{len(panel.donors)} {COMPARISONS['london']}, over {len(panel.pre_periods)} published "
        f"years before sharing ({panel.pre_periods[0]} to {panel.pre_periods[-1]}) and "
        f"{len(panel.post_periods)} from {panel.first_treated} ({panel.periods[-1]} the "
        "latest). It uses every published year whatever years the pack was asked for, and "
        "is for the three boroughs together."
    )
    return EffectSummary(loaded.outcome.label, basis, headline(main, loaded), rows,
                         caveats(main, loaded, YEAR_CHART))
