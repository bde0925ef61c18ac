"""The figures in words: one plain sentence per measure and borough, computed from the
warehouse's rows, for the Overview's and the scorecard's "In brief" blocks and the committee
pack.

Every sentence follows the measure's polarity (improving or worsening only where the publisher
reads higher or lower as better; increasing or decreasing otherwise), gives ranks in words,
writes numbers in GOV.UK style ("£1.2 million", "62 per 10,000", "18.6%"), says when a figure
is illustrative, and says a gap or a suppressed figure is one, never a zero. It describes; it
never says why a figure moved.

The building blocks (``number_words``, ``movement_words``, ``rank_words``, ``ordinal_words``)
are public so other pages can say their comparisons in the same words. No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from triborough.model.before_sharing import base_words
from triborough.model.boroughs import BOROUGH_BY_CODE, BOROUGH_CODES, borough_name
from triborough.model.style import format_value, is_missing
from triborough.model.suppression import suppress
from triborough.model.travel import direction
from triborough.views.headlines import OFSTED_WORDS
from triborough.views.scorecard import MIN_FOR_QUARTILES, RAG_WORDS, rag_status

_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty"}
_MONTHS = {full[:3]: full for full in (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December")}

# Rate units and what the number is per, GOV.UK style ("62 per 10,000").
_PER = {"rate_per_10000": "per 10,000", "rate_per_1000": "per 1,000"}
_MONEY_SCALE = {"gbp": 1, "gbp_thousand": 1_000, "gbp_million": 1_000_000}


@dataclass(frozen=True)
class Statement:
    """One sentence (sometimes with a short second one: a gap, a target) about one measure
    for one borough."""

    metric_code: str
    area_code: str
    text: str


def ordinal_words(n: int) -> str:
    """'first', 'third', 'twenty-second'; figures past fifty-nine as '61st'."""
    if n < 1:
        raise ValueError(f"an ordinal starts at 1, not {n}")
    if n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    tens, unit = divmod(n, 10)
    if tens * 10 in _TENS:
        if unit == 0:
            return _TENS[tens * 10][:-1] + "ieth"
        return f"{_TENS[tens * 10]}-{_ORDINALS[unit - 1]}"
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _trimmed(v: float, places: int = 1) -> str:
    """'62' for 62.0, '18.6' for 18.6: GOV.UK drops a decimal that says nothing."""
    text = f"{v:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_words(value: float | int | None, unit: str, *, with_per: bool = True) -> str:
    """A value in GOV.UK style: '£585', '£1.2 million', '62 per 10,000', '18.6%', '209,996'.

    Money of a million pounds or more is said in millions (or billions); ``with_per=False``
    leaves the 'per 10,000' off where the measure's name already says it. A gap reads
    'no figure'.
    """
    if is_missing(value):
        return "no figure"
    v = float(value)
    if unit in _MONEY_SCALE:
        pounds = v * _MONEY_SCALE[unit]
        sign = "-" if pounds < 0 else ""
        pounds = abs(pounds)
        if pounds >= 1e9:
            return f"{sign}£{_trimmed(pounds / 1e9)} billion"
        if pounds >= 1e6:
            return f"{sign}£{_trimmed(pounds / 1e6)} million"
        return f"{sign}£{pounds:,.0f}"
    if unit == "percent":
        return f"{_trimmed(v)}%"
    if unit in _PER:
        per = f" {_PER[unit]}" if with_per else ""
        return f"{_trimmed(v)}{per}"
    if unit == "judgement":
        return OFSTED_WORDS.get(round(v), format_value(v, unit))
    if unit in ("cases_per_fte", "rate", "fte"):
        return _trimmed(v)
    return format_value(v, unit)


def _value_words(value: float | None, unit: str, name: str) -> str:
    return number_words(value, unit, with_per=_PER.get(unit, "\0") not in name)


def movement_words(
    previous: float | None, latest: float | None, unit: str, polarity: str,
    previous_period: str | None, *, name: str = "",
) -> str:
    """'up from 58 in 2023-24 (worsening)', 'the same as in 2023-24', or that there is no
    earlier figure to compare with. The word in brackets follows the polarity."""
    if not previous_period or is_missing(previous):
        return "with no earlier figure in the years chosen to compare it with"
    word, _arrow = direction(previous, latest, polarity)
    before = _value_words(previous, unit, name)
    when = period_words(previous_period)
    if word == "no change":
        return f"the same as in {when}"
    way = "up" if float(latest) > float(previous) else "down"
    return f"{way} from {before} in {when} ({word})"


def rank_words(value: float | None, values: Sequence[float | None],
               group: str = "London boroughs") -> str:
    """'the third highest of 32 London boroughs', from whichever end is nearer; ties are
    'joint'. Empty when there is nothing to rank against. (London's figures leave out the City
    of London, as every London median does: hence 'boroughs'.)"""
    known = [float(v) for v in values if not is_missing(v)]
    if is_missing(value) or not known:
        return ""
    v = float(value)
    n = len(known)
    from_top = 1 + sum(x > v for x in known)
    from_bottom = 1 + sum(x < v for x in known)
    joint = "joint " if sum(x == v for x in known) > 1 else ""
    if from_top <= from_bottom:
        place, end = from_top, "highest"
    else:
        place, end = from_bottom, "lowest"
    position = end if place == 1 else f"{ordinal_words(place)} {end}"
    return f"the {joint}{position} of {n} {group}"


def period_words(period: str) -> str:
    """A period as GOV.UK writes it: 'Sep 2024' becomes 'September 2024'; '2024-25' and
    'mid-2024' stay as they are."""
    match = re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", period)
    if match and match[1] in _MONTHS:
        return f"{_MONTHS[match[1]]} {match[2]}"
    return period


def _subject(name: str) -> str:
    """A measure's name as the subject of a sentence (its own capitals kept)."""
    return name[:1].upper() + name[1:]


def _gaps(series: pl.DataFrame, metric: str, area: str, after: str | None) -> list[str]:
    """Periods with no figure for this measure and borough, after ``after`` (the period the
    sentence compares with) where given."""
    if series.is_empty():
        return []
    rows = series.filter((pl.col("metric_code") == metric) & (pl.col("area_code") == area))
    rows = rows.sort("period_end")
    periods = rows.get_column("period").to_list()
    values = rows.get_column("value").to_list()
    start = periods.index(after) + 1 if after in periods else 0
    return [p for p, v in zip(periods[start:], values[start:], strict=True) if is_missing(v)]


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _target_words(row: Mapping[str, Any]) -> str:
    status = rag_status(row["latest_value"], row.get("target"), str(row["polarity"]))
    if status is None:
        return ""
    if row.get("target_is_published"):
        kind = "published target"
    elif row.get("target_is_illustrative", True):
        kind = "illustrative target (generated, not set by the council)"
    else:
        kind = "council's own target"
    target = _value_words(row["target"], str(row["unit"]), str(row["metric_name"]))
    return f" Against the {kind} of {target} it is {RAG_WORDS[status]}."


def measure_sentence(
    row: Mapping[str, Any],
    *,
    threshold: int,
    hidden: bool = False,
    previous_hidden: bool = False,
    gaps: Sequence[str] = (),
) -> str:
    """The sentence for one ``quality_scorecard``-shaped row (latest and previous figures,
    London figures and median, target): figure, movement, London median and rank, target.

    ``hidden`` says the latest figure is suppressed (a small count of people, or a second
    figure hidden so a first cannot be worked out); ``gaps`` lists periods with no figure.
    """
    name, unit, pol = str(row["metric_name"]), str(row["unit"]), str(row["polarity"])
    borough, period = str(row["area_name"]), period_words(str(row["latest_period"]))
    latest = row["latest_value"]
    if hidden:
        small = not is_missing(latest) and 0 < float(latest) < threshold
        why = (f"it counts fewer than {threshold} people" if small else
               "a smaller figure beside it could otherwise be worked out")
        text = f"{_subject(name)} in {borough} in {period} is suppressed because {why}."
    else:
        if previous_hidden:
            movement = f"the figure for {period_words(str(row['previous_period']))} is suppressed"
        else:
            movement = movement_words(row["previous_value"], latest, unit, pol,
                                      row["previous_period"], name=name)
        text = (f"{_subject(name)} in {borough} stood at {_value_words(latest, unit, name)} "
                f"in {period}, {movement}")
        median = row.get("london_median")
        london = [v for v in row.get("london_values") or [] if not is_missing(v)]
        # Generated figures exist for the three boroughs alone: three is no London median.
        if not is_missing(median) and len(london) >= MIN_FOR_QUARTILES:
            rank = rank_words(latest, london)
            text += (f"; the London median was {_value_words(median, unit, name)}, "
                     f"and {borough} was {rank}")
        else:
            text += f"; there is no London-wide figure to compare with for {period}"
        text += "."
        text += _target_words(row)
    if gaps:
        text += f" No figure was published for {_and_list([period_words(g) for g in gaps])}."
    if row.get("is_illustrative"):
        text += " These are illustrative figures, generated rather than published."
    return text


def _hidden(series: pl.DataFrame, catalogue: pl.DataFrame, threshold: int
            ) -> set[tuple[str, str, str]]:
    """(metric, area, period) of every suppressed figure, with the boroughs of one period side
    by side (a second figure hidden where one could be worked out), as on every chart."""
    if series.is_empty():
        return set()
    counts = catalogue.select(pl.col("code").alias("metric_code"), "is_people_count")
    flagged = suppress(series.join(counts, on="metric_code", how="left"), "value", threshold,
                       group_cols=["metric_code", "period"], applies_col="is_people_count")
    return {(r["metric_code"], r["area_code"], r["period"])
            for r in flagged.filter(pl.col("value_suppressed")).to_dicts()}


def statements(
    latest: pl.DataFrame,
    series: pl.DataFrame,
    catalogue: pl.DataFrame,
    areas: Sequence[str],
    threshold: int,
) -> list[Statement]:
    """One statement per measure in ``catalogue`` (its order) and borough in ``areas``.

    ``latest`` holds ``quality_scorecard`` rows (optionally with each borough's own target from
    ``scorecard.with_council_targets``), ``series`` ``quality_series`` rows for the same
    measures (gaps as empty values), ``catalogue`` ``metric_catalogue`` rows. A borough with
    no figure in the years chosen gets a sentence saying so.
    """
    rows = {(r["metric_code"], r["area_code"]): r for r in latest.to_dicts()}
    hidden = _hidden(series, catalogue, threshold)
    out = []
    ordered = [a for a in BOROUGH_CODES if a in areas] + [a for a in areas
                                                          if a not in BOROUGH_CODES]
    for metric in catalogue.to_dicts():
        code = metric["code"]
        for area in ordered:
            row = rows.get((code, area))
            if row is None:
                name = borough_name(area)
                text = (f"No figure for {metric['name'][:1].lower()}{metric['name'][1:]} was "
                        f"published for {name} in the years chosen.")
                out.append(Statement(code, area, text))
                continue
            text = measure_sentence(
                row, threshold=threshold,
                hidden=(code, area, row["latest_period"]) in hidden,
                previous_hidden=(code, area, row["previous_period"]) in hidden,
                gaps=_gaps(series, code, area, row["previous_period"]),
            )
            out.append(Statement(code, area, text))
    return out


def ofsted_sentence(row: Mapping[str, Any]) -> str:
    """'Ofsted last judged Westminster's children's services Outstanding (ILACS standard,
    published 13 January 2025).' from an ``ofsted_latest`` row."""
    words = OFSTED_WORDS.get(row.get("judgement_score"), row["judgement"])
    published = row["publication_date"]
    code = str(row["area_code"])
    name = BOROUGH_BY_CODE[code].name if code in BOROUGH_BY_CODE else row["area_name"]
    return (f"Ofsted last judged {name}'s children's services {words} "
            f"({row['framework']}, published {published:%-d %B %Y}).")


def by_measure(items: Sequence[Statement], codes: Sequence[str], names: Mapping[str, str]
               ) -> list[tuple[str, list[str]]]:
    """Statements grouped under their measure's name, measures in the order of ``codes``."""
    return [(names[code], texts) for code in codes
            if (texts := [s.text for s in items if s.metric_code == code])]


def summary(
    latest: pl.DataFrame,
    series: pl.DataFrame,
    catalogue: pl.DataFrame,
    ofsted: pl.DataFrame,
    areas: Sequence[str],
    threshold: int,
) -> list[tuple[str, list[str]]]:
    """The Overview's "In brief": its measures (``catalogue`` order) then the latest Ofsted
    judgement (``ofsted_latest`` rows), each as (heading, sentences)."""
    names = dict(zip(catalogue["code"], catalogue["name"], strict=True))
    said = by_measure(statements(latest, series, catalogue, areas, threshold),
                      catalogue["code"].to_list(), names)
    if not ofsted.is_empty():
        order = {c: i for i, c in enumerate(BOROUGH_CODES)}
        rows = sorted(ofsted.to_dicts(), key=lambda r: order.get(r["area_code"], len(order)))
        said.append(("Ofsted judgement of children's services",
                     [ofsted_sentence(r) for r in rows]))
    return said


# --- A chart's comparison in words -----------------------------------------------------------
# Savings and Caseload say under each chart where each borough stands against the comparison
# group and how that changed. They take the charts' own rows (``series``, ``series_kind``,
# ``period``, ``period_end``, ``value`` and, for a group, ``areas``: how many councils its
# median is over), so the words cannot drift from the lines.

POLARITY_HINT: dict[str, str] = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "neither": "Neither higher nor lower is better in itself",
}


def direction_hint(polarity: str) -> str:
    """What a reader should take a rise to mean: 'Lower is better', 'Higher is better', or
    that neither is better in itself."""
    return POLARITY_HINT.get(polarity, POLARITY_HINT["neither"])


@dataclass(frozen=True)
class Change:
    """One series' figure at the start (its base, or its first published figure) and its
    latest published figure in the years shown."""

    series: str
    first_period: str
    first_value: float
    latest_period: str
    latest_value: float

    @property
    def area_code(self) -> str:
        """The series is an area code for a borough's line."""
        return self.series

    @property
    def percent(self) -> float | None:
        """Change as a percentage of the first figure (None when that is zero or negative)."""
        if self.first_value <= 0:
            return None
        return (self.latest_value - self.first_value) / self.first_value * 100


def series_changes(
    series: pl.DataFrame, base: str | Sequence[str] = (), kind: str | None = "area"
) -> dict[str, Change]:
    """Each series' change from its base to its latest published figure (gaps skipped, never
    zeros); ``kind`` picks the ``series_kind`` ('area', 'comparator', or None for both).

    ``base``: the period, or periods averaged (every one must have a figure), a change is
    measured from; a series without a figure for it is measured from its first published
    figure instead. Without a base, from the first published figure. A series with one
    figure has no change.
    """
    periods = [base] if isinstance(base, str) else list(base)
    out: dict[str, Change] = {}
    rows = series.filter(pl.col("value").is_not_null())
    if kind is not None:
        rows = rows.filter(pl.col("series_kind") == kind)
    for code in rows.get_column("series").unique(maintain_order=True).to_list():
        part = rows.filter(pl.col("series") == code).sort("period_end")
        if part.height < 2:
            continue
        in_base = part.filter(pl.col("period").is_in(periods))
        if periods and in_base.height == len(periods) and part["period"][-1] not in periods:
            out[code] = Change(code, base_words(tuple(periods)), in_base["value"].mean(),
                               part["period"][-1], part["value"][-1])
            continue
        out[code] = Change(
            code, part["period"][0], part["value"][0], part["period"][-1], part["value"][-1]
        )
    return out


def _moved(change: Change, unit: str, terms: str = "") -> str:
    """'rose 44% in real terms, from £1,010 in 2011-12 to £1,455 in 2024-25'; without a
    percentage where the start is not positive; a base of several years is their average."""
    first, latest = number_words(change.first_value, unit), number_words(change.latest_value, unit)
    when = period_words(change.first_period)
    start = (f"an average of {first} over {when.removeprefix('average of ')}"
             if when.startswith("average of ") else f"{first} in {when}")
    fromto = f"from {start} to {latest} in {period_words(change.latest_period)}"
    terms = f" {terms}" if terms else ""
    if change.latest_value == change.first_value:
        return (f"stayed at {latest}{terms} from {when} to "
                f"{period_words(change.latest_period)}")
    amount = _amount(change, unit)
    if amount is None:
        return f"went{terms} {fromto}"
    went = "rose" if change.latest_value > change.first_value else "fell"
    return f"{went} {amount}{terms}, {fromto}"


def _amount(change: Change, unit: str) -> str | None:
    """How far a figure moved: '44%', or for a percentage 'by 3.2 percentage points' (a fall
    from 21.8% to 18.6% is not a fall of 15%); None where a percentage change means nothing
    (a start at or below zero)."""
    if unit == "percent":
        return f"{_trimmed(abs(change.latest_value - change.first_value))} percentage points"
    pct = change.percent
    return None if pct is None else f"{abs(pct):.0f}%"


def _group_size(series: pl.DataFrame, group: str, period: str, members: str) -> str:
    rows = series.filter((pl.col("series") == group) & (pl.col("period") == period))
    if rows.is_empty() or "areas" not in rows.columns or is_missing(rows["areas"][0]):
        return ""
    n = int(rows["areas"][0])
    return f"{n} {members}" if n != 1 else f"1 {members.removesuffix('s')}"


def _standing(latest: float, median: float, polarity: str) -> str:
    """'above', 'below' or 'level with', and — only where the publisher reads one way as
    better — whether that is the better side."""
    if latest == median:
        return "level with"
    above = latest > median
    side = "above" if above else "below"
    if polarity == "higher_better":
        return f"{side} ({'better than' if above else 'worse than'})"
    if polarity == "lower_better":
        return f"{side} ({'worse than' if above else 'better than'})"
    return side


def comparison_sentences(
    series: pl.DataFrame,
    *,
    measure: str,
    unit: str,
    polarity: str,
    group: str = "london_median",
    group_words: str = "the London median",
    members: str = "London boroughs",
    base: str | Sequence[str] = (),
    terms: str = "",
    illustrative: bool = False,
) -> dict[str, str]:
    """One or two sentences per borough line in ``series``: how its figure changed against
    the comparison group's median over the same years, and where it stands in the latest year.

    ``measure`` is what the chart shows as a possessive's object ("children's social care
    spend per child aged 0-17"); ``terms`` is how money is measured ("in real terms (2024-25
    prices)"), empty otherwise; ``group`` the comparator series, said as ``group_words`` with
    the number of ``members`` its median is over that year. Direction words follow
    ``polarity``: 'improving'/'worsening' and 'better'/'worse' only where the publisher reads
    one way as better. Keys are the boroughs' area codes, in the fixed borough order.
    """
    boroughs = series_changes(series, base, "area")
    out: dict[str, str] = {}
    values = series.filter(pl.col("value").is_not_null())
    shown = series.filter(pl.col("series_kind") == "area").get_column("series").unique(
        maintain_order=True).to_list()
    # Boroughs in the fixed order every chart's legend uses.
    for code in [c for c in BOROUGH_CODES if c in shown] + [c for c in shown
                                                            if c not in BOROUGH_CODES]:
        mine = values.filter(pl.col("series") == code).sort("period_end")
        name = borough_name(code)
        if mine.is_empty():
            out[code] = f"{name} has no figure for {measure} in the years shown."
            continue
        latest_period, latest = mine["period"][-1], mine["value"][-1]
        subject = f"{name}'s {measure}"
        sentences = []
        sized = False  # the group's size is said once, where it first comes up
        change = boroughs.get(code)
        if change is not None:
            word, _arrow = direction(change.first_value, change.latest_value, polarity)
            judged = f" ({word})" if polarity in ("higher_better", "lower_better") else ""
            text = f"{subject} {_moved(change, unit, terms)}{judged}"
            theirs = _group_change(values, group, change)
            if theirs is not None:
                size = _group_size(series, group, change.latest_period, members)
                amount = _amount(theirs, unit)
                if amount is None or theirs.latest_value == theirs.first_value:
                    text += f", while {group_words} {_moved(theirs, unit)}"
                else:
                    noun = "rise" if theirs.latest_value > theirs.first_value else "fall"
                    text += (f", against {_article(group_words)} {noun} of {amount} "
                             "over the same years")
                text += f" ({size})" if size else ""
                sized = bool(size)
            sentences.append(text + ".")
        median_rows = values.filter((pl.col("series") == group)
                                    & (pl.col("period") == latest_period))
        if not median_rows.is_empty():
            median = median_rows["value"][0]
            size = _group_size(series, group, latest_period, members)
            lead = (f"In {period_words(latest_period)} it stood at" if change is not None
                    else f"In {period_words(latest_period)} {subject} stood at")
            sentences.append(
                f"{lead} {number_words(latest, unit)}, "
                f"{_standing(latest, median, polarity)} {group_words} of "
                f"{number_words(median, unit)}"
                + (f" ({size})" if size and not sized else "") + "."
            )
        elif change is None:
            sentences.append(f"In {period_words(latest_period)} {subject} stood at "
                             f"{number_words(latest, unit)}; there is no figure for "
                             f"{group_words} to compare with.")
        later = _suppressed_after(series, code, mine["period_end"][-1])
        if later:
            sentences.append(f"The figure for {_and_list([period_words(p) for p in later])} "
                             "is suppressed because it counts few people.")
        if illustrative:
            sentences.append("These are illustrative figures, generated rather than published.")
        out[code] = " ".join(sentences)
    return out


def _suppressed_after(series: pl.DataFrame, code: str, after: object) -> list[str]:
    """Periods after the borough's latest shown figure whose figure is suppressed, so the
    words never pass over a hidden year as though nothing was published."""
    if "suppressed" not in series.columns:
        return []
    rows = series.filter((pl.col("series") == code) & pl.col("suppressed")
                         & (pl.col("period_end") > after))
    return rows.sort("period_end").get_column("period").to_list()


def _article(group_words: str) -> str:
    """'the London median' → 'a London median': 'against a London median rise of 104%'."""
    return "a " + group_words.removeprefix("the ") if group_words.startswith("the ") \
        else group_words


def _group_change(values: pl.DataFrame, group: str, change: Change) -> Change | None:
    """The group median's change over exactly the borough's years (its base, or its first
    year, to its latest), so the two percentages are like for like."""
    rows = values.filter(pl.col("series") == group)
    if change.first_period.startswith("average of "):
        first_periods = change.first_period.removeprefix("average of ").split(" to ")
        span = rows.sort("period_end").get_column("period").to_list()
        if first_periods[0] not in span or first_periods[-1] not in span:
            return None
        wanted = span[span.index(first_periods[0]): span.index(first_periods[-1]) + 1]
    else:
        wanted = [change.first_period]
    start = rows.filter(pl.col("period").is_in(wanted))
    end = rows.filter(pl.col("period") == change.latest_period)
    if start.height != len(wanted) or end.is_empty():
        return None
    return Change(group, change.first_period, start["value"].mean(), change.latest_period,
                  end["value"][0])
