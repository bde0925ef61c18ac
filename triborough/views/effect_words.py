"""What the effect estimates say, in plain words, and what they cannot say.

Kept apart from the page so that the sentences a councillor reads are tested like figures.
"""

from __future__ import annotations

import math

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import format_value
from triborough.views.effect import ALPHA, EffectResult
from triborough.views.effect_data import COMPARISONS, LoadedPanel

GROUP_WORDS: dict[str, str] = {
    "london": "comparable London boroughs",
    "neighbours": "their DfE statistical neighbours",
    "partners": "Westminster and Kensington & Chelsea, who kept sharing,",
}


def amount(value: float, loaded: LoadedPanel) -> str:
    """A value in the outcome's unit, e.g. '£41' or '3.2 per 10,000 children'."""
    unit = loaded.outcome.unit
    text = format_value(abs(value), unit)
    if unit == "rate_per_10000":
        return f"{text} per 10,000 children"
    if unit == "percent":
        return f"{format_value(abs(value), 'rate')} percentage points"
    return text


def signed(value: float, loaded: LoadedPanel) -> str:
    """An interval end with its sign: '−£12' or '£30'."""
    if not math.isfinite(value):
        return "no limit"
    return ("−" if value < 0 else "") + amount(value, loaded)


def headline(result: EffectResult, loaded: LoadedPanel) -> str:
    """The answer first: what changed, by how much, how sure, in one paragraph."""
    inf = result.inference
    who = ("the three boroughs" if len(loaded.panel.treated) > 1
           else BOROUGH_BY_CODE[loaded.panel.treated[0]].name)
    when = ("After sharing began in 2011-12" if loaded.event.key == "sharing"
            else "After Hammersmith & Fulham left the arrangement in April 2018")
    direction = "higher" if result.effect >= 0 else "lower"
    # The sentence names the price year only; the deflator's release is under each chart.
    prices = f" ({loaded.prices.split(' (', 1)[0]})" if loaded.prices else ""
    per_year = " a year" if loaded.outcome.money else ""
    years = len(result.panel.post_periods)
    text = (
        f"{when}, {loaded.outcome.words} in {who} was on average "
        f"{amount(result.effect, loaded)}{prices}{per_year} {direction} than "
        f"{GROUP_WORDS[loaded.comparison]} would suggest, over the {years} published "
        f"year{'s' if years != 1 else ''} from {loaded.panel.first_treated}"
    )
    if math.isfinite(inf.ci_low) and math.isfinite(inf.ci_high):
        text += (f" (95% interval {signed(inf.ci_low, loaded)} to "
                 f"{signed(inf.ci_high, loaded)}).")
    else:
        text += " (too few comparisons for a 95% interval with finite ends)."
    share = f"{inf.p_value:.0%}" if inf.p_value >= 0.01 else "under 1%"
    text += f" A gap this large appeared in {share} of the {placebo_words(loaded)}."
    if inf.p_value >= ALPHA:
        text += " **This is not distinguishable from no effect.**"
    else:
        text += " Chance alone rarely gives a gap this large."
    return text


def placebo_words(loaded: LoadedPanel) -> str:
    """What the placebo comparisons are, for this event."""
    if loaded.event.key == "split":
        return "comparisons that treat Westminster or Kensington & Chelsea as if it had left"
    return "comparisons made with councils that did not share"


def smallest_p(result: EffectResult) -> float:
    """The smallest p-value the number of placebo comparisons allows."""
    return 1 / (len(result.inference.placebos) + 1)


def caveats(result: EffectResult, loaded: LoadedPanel,
            year_chart: str = "the event-study chart") -> list[str]:
    """The limits a reader must weigh, with this estimate's own numbers in them.
    ``year_chart`` names where the reader finds each year's difference."""
    panel = result.panel
    pre = panel.pre_periods
    sets = len(result.inference.placebos)
    out = [
        f"**Years before the change:** the comparison rests on {len(pre)} published "
        f"year{'s' if len(pre) != 1 else ''} before {panel.first_treated} "
        f"({', '.join(pre)}). With so few, parallel trends before the change can hardly be "
        f"checked: read the early points of {year_chart} as the only evidence there is.",
    ]
    if loaded.event.key == "sharing":
        out += [
            "**Austerity:** every council's budget was cut from 2010 at the same time, so a "
            "fall in the three boroughs' spending is not by itself a saving from sharing. That "
            "is why the estimate compares them with other councils that faced the same cuts "
            "but did not share.",
            "**Spillovers:** the three councils shared teams and managers, so they are not "
            "independent of each other, and anything one did spilled into the others. The "
            "estimate is for the three together.",
            f"**Three treated councils:** conventional standard errors are unreliable with so "
            f"few treated units, so the interval and p-value come from randomisation: the same "
            f"estimate repeated with the change moved onto {sets:,} sets of "
            f"{len(panel.treated)} councils that did not share "
            + ("(every such set)." if result.inference.exact else "(a seeded random sample).")
            + f" The smallest p-value that allows is {smallest_p(result):.2g}.",
        ]
    else:
        out += [
            "**Spillovers:** Westminster and Kensington & Chelsea lost their partner in the "
            "same month and rebuilt their own shared services, so the comparison group changed "
            "too; the estimate is the difference between the two paths, not the effect of "
            "leaving alone.",
            f"**One council against two:** only {sets} other assignment"
            f"{'s are' if sets != 1 else ' is'} possible, so the smallest p-value is "
            f"{smallest_p(result):.0%}: no result on this event can be distinguishable from "
            "no effect, whatever its size. Read it as a description, not as evidence.",
        ]
    if result.clustered_se is not None:
        out.append(
            f"For reference, the council-clustered standard error is "
            f"{amount(result.clustered_se, loaded)}; it is not used for the interval."
        )
    if loaded.outcome.code == "cla_per_10000_children":
        out.append(
            "Children looked after are counted at 31 March and divided by the ONS child "
            "population; that series starts at mid-2012, so 2010 and 2011 use the mid-2012 "
            "estimate."
        )
    if loaded.prices == "cash":
        out.append("Money is in cash: inflation raised every council's costs alike, which the "
                   "comparison with other councils absorbs, but the amounts are not in "
                   "today's prices.")
    return out


def comparison_words(key: str) -> str:
    """The comparison group's name for a label or caption."""
    return COMPARISONS.get(key, GROUP_WORDS.get(key, key))


def second_method(result: EffectResult, loaded: LoadedPanel) -> str:
    """The synthetic comparison's estimate in a sentence, beside the headline."""
    inf = result.inference
    per_year = " a year" if loaded.outcome.money else ""
    return (
        "A second method, a **synthetic comparison** for each borough (a weighted mix of "
        "councils that did not share, matched on the years before), gives "
        f"{signed(result.effect, loaded)}{per_year} (95% interval {signed(inf.ci_low, loaded)} "
        f"to {signed(inf.ci_high, loaded)}; p = {inf.p_value:.2f})."
    )
