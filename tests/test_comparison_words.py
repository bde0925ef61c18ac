"""Compare's chart in words: position against the group's median with the group and its size,
rank, and the change over the years shown, following the measure's polarity."""

from __future__ import annotations

import datetime as dt

import polars as pl

from triborough.views.comparison import EACH, UNION, group_bands
from triborough.views.comparison_words import standing_text, standings

WCC, HF = "E09000033", "E09000013"
NAMES = {WCC: "Westminster"}
PERIODS = {"2022-23": dt.date(2023, 3, 31), "2023-24": dt.date(2024, 3, 31)}


def _rows(role: str, area: str, figures: dict[str, float | None]) -> list[dict]:
    return [{"area_code": area, "area_name": area, "role": role, "period": p,
             "period_end": PERIODS[p], "value": v, "suppressed": False}
            for p, v in figures.items()]


def _frames(borough: dict, group: dict[str, dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = _rows("display", WCC, borough)
    for code, figures in group.items():
        rows += _rows("member", code, figures)
    values = pl.DataFrame(rows)
    members = pl.DataFrame({"for_area": [WCC] * len(group), "member_code": list(group)})
    return values, members


# Five neighbours (not Westminster itself): medians 20 then 30.
GROUP = {f"E0900000{i}": {"2022-23": 10.0 * i, "2023-24": 10.0 * i + 10} for i in range(1, 6)}


def _say(values, members, *, polarity="lower_better", unit="percent", mode=UNION,
         phrase="their DfE statistical neighbours (2025 model)") -> str:
    bands = group_bands(values, members, mode=mode, group_label="DfE", names=NAMES,
                        threshold=5, counts_shown=False)
    return standing_text(standings(values, bands, members, mode=mode, group_phrase=phrase,
                                   unit=unit, polarity=polarity, names=NAMES))


def test_exact_sentence_with_polarity_and_gap():
    values, members = _frames({"2022-23": 40.0, "2023-24": 55.0}, GROUP)
    # Medians: 30 (2022-23: 10..50), 40 (2023-24: 20..60). Westminster 55 is above 20, 30, 40,
    # 50 and below 60: second highest of six.
    assert _say(values, members) == (
        "Westminster: 55% in 2023-24, higher than the median of 40% for their DfE statistical "
        "neighbours (2025 model), 5 councils with a figure, the second highest of 6 councils "
        "(the group and Westminster). Since 2022-23, when it was 40% against a median of 30%, "
        "it has risen (worsening) and the median has risen, so the gap to the median widened "
        "from 10% to 15%."
    )
    # Where neither way is better, the movement gets no judgement.
    assert "it has risen and the median has risen" in _say(values, members, polarity="neither")


def test_crossing_the_median_and_each_borough_against_its_own_neighbours():
    values, members = _frames({"2022-23": 25.0, "2023-24": 35.0}, GROUP)
    text = _say(values, members, polarity="higher_better", mode=EACH)
    assert "for its own DfE statistical neighbours (2025 model)" in text
    assert "it has risen (improving)" in text
    # 25 against 30, then 35 against 40: five below both times.
    assert text.endswith("so the gap to the median stayed at 5%.")
    values, members = _frames({"2022-23": 25.0, "2023-24": 45.0}, GROUP)
    assert _say(values, members, polarity="higher_better").endswith(
        "so it moved from below the median to above it.")


def test_a_group_that_includes_the_borough_ranks_it_among_them():
    group = {**GROUP, WCC: {"2022-23": 45.0, "2023-24": 65.0}}
    values, members = _frames({"2022-23": 45.0, "2023-24": 65.0}, group)
    text = _say(values, members, phrase="London boroughs", unit="rate_per_10000")
    assert text.startswith(
        "Westminster: 65 per 10,000 in 2023-24, higher than the median of 45 for London "
        "boroughs (6 councils with a figure), the highest of 6 councils."
    )


def test_one_year_says_there_is_no_change_and_a_gap_is_never_a_zero():
    values, members = _frames({"2022-23": None, "2023-24": 35.0}, GROUP)
    text = _say(values, members)
    assert text.endswith(
        "It is the only year shown with both figures, so there is no change to report.")
    none, members = _frames({"2022-23": None, "2023-24": None}, GROUP)
    assert _say(none, members) == (
        "Westminster: no year shown has both its figure and a median for their DfE statistical "
        "neighbours (2025 model) to compare it with.")
