"""Compare's chart in words: where each borough stands against its comparison group, and how
that changed over the years shown.

One or two sentences per borough, from the same frames the chart draws (the boroughs' figures,
the group's medians, the members behind them), in the narrative module's number and rank
wording. The change follows the measure's polarity (improving or worsening only where the
publisher reads higher or lower as better; increasing or decreasing otherwise). The sentences
describe; none says why a figure moved. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from triborough.model.travel import direction
from triborough.views.comparison import EACH
from triborough.views.narrative import number_words, period_words, rank_words


@dataclass(frozen=True)
class Standing:
    """The sentences about one borough against its comparison group."""

    area_code: str
    text: str


@dataclass(frozen=True)
class _Point:
    period: str
    value: float
    median: float
    areas: int
    group: list[float]  # the group's figures that period (the borough's own included)
    in_group: bool  # the borough is itself a member (London, same tier), not only ranked


def _cmp(a: float, b: float) -> int:
    return (a > b) - (a < b)


def _position(value: float, median: float) -> str:
    return {1: "higher than", -1: "lower than", 0: "level with"}[_cmp(value, median)]


def _bare(value: float, unit: str) -> str:
    """A figure after the first in a sentence: '47', not '47 per 10,000' again."""
    return number_words(value, unit, with_per=False)


def _gap(first: _Point, last: _Point, unit: str) -> str:
    """How the distance to the median changed, in words."""
    before, after = first.value - first.median, last.value - last.median
    if _cmp(before, 0) != _cmp(after, 0):
        where = {1: "above", -1: "below", 0: "level with"}
        return (f"it moved from {where[_cmp(before, 0)]} the median to "
                f"{where[_cmp(after, 0)]} it")
    if abs(after) == abs(before):
        return f"the gap to the median stayed at {_bare(abs(after), unit)}"
    way = "widened" if abs(after) > abs(before) else "narrowed"
    return (f"the gap to the median {way} from {_bare(abs(before), unit)} to "
            f"{_bare(abs(after), unit)}")


def _points(
    borough: pl.DataFrame, band: pl.DataFrame, group_values: pl.DataFrame, area: str
) -> list[_Point]:
    """Periods where the borough has a figure and its group a median, oldest first."""
    joined = (
        borough.filter(pl.col("value").is_not_null())
        .select("period", "period_end", "value")
        .join(band.filter(pl.col("median").is_not_null())
              .select("period_end", "median", "areas"), on="period_end", how="inner")
        .sort("period_end")
    )
    points = []
    for row in joined.iter_rows(named=True):
        figures = group_values.filter(pl.col("period_end") == row["period_end"])
        values = figures.get_column("value").to_list()
        in_group = area in figures.get_column("area_code").to_list()
        if not in_group:
            values.append(row["value"])  # the borough is ranked with its group, not in it
        points.append(_Point(row["period"], float(row["value"]), float(row["median"]),
                             int(row["areas"]), values, in_group))
    return points


def standings(
    values: pl.DataFrame,
    bands: pl.DataFrame,
    members: pl.DataFrame,
    *,
    mode: str,
    group_phrase: str,
    unit: str,
    polarity: str,
    names: Mapping[str, str],
) -> list[Standing]:
    """One or two sentences per borough shown, in the boroughs' order in ``names``.

    ``values``: the chart's figures (role 'display' for the boroughs, 'member' for the group,
    after suppression, per head and indexing); ``bands``: ``comparison.group_bands``;
    ``members``: ``compare_members`` (for_area, member_code); ``mode``: one group for all
    boroughs, or each against its own (``comparison.EACH``). ``group_phrase``: the group as
    it reads in a sentence ("London boroughs").
    """
    out = []
    for area, borough_name in names.items():
        borough = values.filter((pl.col("role") == "display") & (pl.col("area_code") == area))
        if borough.is_empty():
            continue
        key = area if mode == EACH else "group"
        phrase = group_phrase.replace("their ", "its own ") if mode == EACH else group_phrase
        linked = members.filter(pl.col("for_area") == area) if mode == EACH else members
        codes = linked.get_column("member_code").unique().to_list()
        group_values = values.filter(
            (pl.col("role") == "member") & pl.col("area_code").is_in(codes)
            & pl.col("value").is_not_null()
        )
        points = _points(borough, bands.filter(pl.col("group_key") == key), group_values, area)
        if not points:
            out.append(Standing(area, (
                f"{borough_name}: no year shown has both its figure and a median for "
                f"{phrase} to compare it with.")))
            continue
        last = points[-1]
        rank = rank_words(last.value, last.group, "councils")
        if not last.in_group:
            rank += f" (the group and {borough_name})"
        size = f"{last.areas} councils with a figure"
        # "(2025 model) (12 councils …)" reads badly: a phrase ending in brackets takes commas.
        group_words = f"{phrase}, {size}," if phrase.endswith(")") else f"{phrase} ({size}),"
        text = (
            f"{borough_name}: {number_words(last.value, unit)} in {period_words(last.period)}, "
            f"{_position(last.value, last.median)} the median of {_bare(last.median, unit)} "
            f"for {group_words} {rank}."
        )
        if len(points) == 1:
            text += " It is the only year shown with both figures, so there is no change to report."
        else:
            first = points[0]
            word, _arrow = direction(first.value, last.value, polarity)
            moved = {1: "risen", -1: "fallen", 0: "stayed the same"}[_cmp(last.value, first.value)]
            median_moved = {1: "has risen", -1: "has fallen", 0: "has not changed"}[
                _cmp(last.median, first.median)]
            # "risen (increasing)" says nothing twice: the word is added where it judges.
            how = f"{moved} ({word})" if word in ("improving", "worsening") else moved
            text += (
                f" Since {period_words(first.period)}, when it was "
                f"{_bare(first.value, unit)} against a median of "
                f"{_bare(first.median, unit)}, it has {how} and the median "
                f"{median_moved}, so {_gap(first, last, unit)}."
            )
        hidden = borough.filter(pl.col("suppressed").fill_null(False)) \
            if "suppressed" in borough.columns else borough.clear()
        if not hidden.is_empty():
            periods = [period_words(p) for p in hidden.get_column("period").to_list()]
            text += f" Its figure for {', '.join(periods)} is suppressed, so it is left out."
        out.append(Standing(area, text))
    return out


def standing_text(items: list[Standing]) -> str:
    """The sentences as one block of Markdown, one paragraph per borough."""
    return "\n\n".join(s.text for s in items)
