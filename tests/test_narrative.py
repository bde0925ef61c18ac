"""The figures in words: exact sentences from the test warehouse (built from the committed
extracts), and the number, rank and period words they are made of."""

from __future__ import annotations

from pathlib import Path

import pytest
from pagetest import altered_warehouse

from triborough.read.connection import connect_readonly, run_named
from triborough.views.narrative import (
    number_words,
    ordinal_words,
    period_words,
    rank_words,
    statements,
)
from triborough.views.scorecard import with_council_targets

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
ALL = [WCC, HF, RBKC]


def said(path: Path, metrics: list[str], areas: list[str] = ALL,
         years: tuple[int, int] = (2010, 2025)) -> dict[tuple[str, str], str]:
    """The narrative for ``metrics`` as the pages compute it: by (metric, borough)."""
    con = connect_readonly(path)
    try:
        scope = dict(areas=areas, from_year=years[0], to_year=years[1])
        # Each borough's own target for its latest year, as the Service quality page does.
        latest = with_council_targets(
            run_named(con, "quality_scorecard", dict(metrics=metrics, **scope)),
            run_named(con, "quality_targets", dict(metrics=metrics, areas=areas)))
        series = run_named(con, "quality_series", dict(metrics=metrics, **scope))
        catalogue = run_named(con, "metric_catalogue", dict(metrics=metrics))
    finally:
        con.close()
    return {(s.metric_code, s.area_code): s.text
            for s in statements(latest, series, catalogue, areas, threshold=5)}


def test_improving_when_lower_is_better_and_the_figure_fell(built_warehouse):
    # DfE: Westminster's second or subsequent child protection plans, 14.2% in 2023-24 and
    # 7.6% in 2024-25; the lowest of the 32 London boroughs with a figure (the City left out).
    assert said(built_warehouse, ["cpp_subsequent_pct"])[("cpp_subsequent_pct", WCC)] == (
        "Second or subsequent child protection plans in Westminster stood at 7.6% in 2024-25, "
        "down from 14.2% in 2023-24 (improving); the London median was 18.6%, and Westminster "
        "was the lowest of 32 London boroughs."
    )


def test_worsening_with_an_illustrative_target_said_to_be_one(built_warehouse):
    # Re-referrals are better lower: Kensington and Chelsea rose from 20.3% to 21.0%. The
    # 18% target is generated (kpi_targets), and the sentence says so.
    text = said(built_warehouse, ["rereferral_pct"])[("rereferral_pct", RBKC)]
    assert text == (
        "Re-referrals within 12 months in Kensington and Chelsea stood at 21% in 2024-25, up "
        "from 20.3% in 2023-24 (worsening); the London median was 18.5%, and Kensington and "
        "Chelsea was the ninth highest of 32 London boroughs. Against the illustrative target "
        "(generated, not set by the council) of 18% it is off target."
    )


def test_neither_better_says_increasing_or_decreasing_and_ranks_ties_as_joint(built_warehouse):
    text = said(built_warehouse, ["cla_rate_per_10000", "pop_all_ages"])
    # Children looked after per 10,000: 58 then 62; H&F also 62, so 'joint'.
    assert text[("cla_rate_per_10000", WCC)] == (
        "Children looked after per 10,000 children in Westminster stood at 62 in 2024-25, up "
        "from 58 in 2023-24 (increasing); the London median was 47, and Westminster was the "
        "joint seventh highest of 32 London boroughs."
    )
    # ONS mid-2024 population (MYE2): 209,996, down from 211,508 at mid-2023.
    assert text[("pop_all_ages", WCC)] == (
        "Residents (mid-year estimate) in Westminster stood at 209,996 in mid-2024, down from "
        "211,508 in mid-2023 (decreasing); the London median was 289,580, and Westminster was "
        "the fifth lowest of 32 London boroughs."
    )
    assert "improving" not in " ".join(text.values())
    assert "worsening" not in " ".join(text.values())


def test_gap_is_said_as_a_gap(built_warehouse):
    # DfE published no long-term placement stability figure for Kensington and Chelsea at
    # 31 March 2024 or 2025: the sentence gives the latest there is and names the gaps.
    text = said(built_warehouse, ["placement_same_2yrs_pct"])[("placement_same_2yrs_pct", RBKC)]
    assert text == (
        "Long-term placement stability (same carer 2+ years) in Kensington and Chelsea stood "
        "at 54% in 2022-23, up from 50% in 2021-22 (improving); the London median was 67.5%, "
        "and Kensington and Chelsea was the second lowest of 32 London boroughs. No figure "
        "was published for 2023-24 and 2024-25."
    )


def test_months_in_full_and_gaps_at_the_end(built_warehouse):
    text = said(built_warehouse, ["sw_turnover_pct"])[("sw_turnover_pct", WCC)]
    assert text == (
        "Social worker turnover rate in Westminster stood at 16.7% in September 2024, up from "
        "14.7% in September 2023 (worsening); the London median was 15.9%, and Westminster was "
        "the twelfth highest of 30 London boroughs. No figure was published for September "
        "2025."
    )


def test_nothing_in_the_years_chosen(built_warehouse):
    text = said(built_warehouse, ["lib_visits_per_1000"], years=(2010, 2012))
    assert text[("lib_visits_per_1000", HF)] == (
        "No figure for library visits per 1,000 residents was published for Hammersmith and "
        "Fulham in the years chosen."
    )


def test_illustrative_figure_is_said_to_be_generated_in_millions(built_warehouse):
    # Generated savings exist for the three boroughs only: three figures are no London median.
    text = said(built_warehouse, ["savings_delivered_gbp_m"])[("savings_delivered_gbp_m", WCC)]
    assert text == (
        "Shared-services savings delivered (a year) in Westminster stood at £13.6 million in "
        "2018-19, down from £16.1 million in 2017-18 (worsening); there is no London-wide "
        "figure to compare with for 2018-19. Against the illustrative target (generated, not "
        "set by the council) of £13.8 million it is near target. These are illustrative "
        "figures, generated rather than published."
    )


def test_suppressed_figures_are_said_as_such_never_as_numbers(built_warehouse, tmp_path,
                                                               monkeypatch):
    path = altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("update fact_metric set value = 3 where metric_code = 'cla_at_31_march' and "
         "area_code = $a and period = '2024-25'", {"a": WCC}),
    )
    text = said(path, ["cla_at_31_march"])
    assert text[("cla_at_31_march", WCC)] == (
        "Children looked after at 31 March in Westminster in 2024-25 is suppressed because it "
        "counts fewer than 5 people."
    )
    # The next smallest borough (106) is hidden too, or the total would give the 3 away.
    assert text[("cla_at_31_march", RBKC)] == (
        "Children looked after at 31 March in Kensington and Chelsea in 2024-25 is suppressed "
        "because a smaller figure beside it could otherwise be worked out."
    )
    assert "197" in text[("cla_at_31_march", HF)]
    assert " 3 " not in " ".join(text.values()) and "106" not in " ".join(text.values())


def test_suppressed_earlier_figure_is_not_compared_with(built_warehouse, tmp_path, monkeypatch):
    path = altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("update fact_metric set value = 2 where metric_code = 'cla_at_31_march' and "
         "area_code = $a and period = '2023-24'", {"a": WCC}),
    )
    text = said(path, ["cla_at_31_march"])[("cla_at_31_march", WCC)]
    assert text.startswith("Children looked after at 31 March in Westminster stood at 186 in "
                           "2024-25, the figure for 2023-24 is suppressed;")


@pytest.mark.parametrize(("value", "unit", "words"), [
    (1_234.5, "gbp_thousand", "£1.2 million"),
    (2_500_000, "gbp_thousand", "£2.5 billion"),
    (585.15, "gbp", "£585"),
    (62.0, "rate_per_10000", "62 per 10,000"),
    (6880.46, "rate_per_1000", "6,880.5 per 1,000"),
    (18.6, "percent", "18.6%"),
    (209_996, "persons", "209,996"),
    (None, "percent", "no figure"),
    (float("nan"), "gbp", "no figure"),
])
def test_numbers_in_gov_uk_style(value, unit, words):
    assert number_words(value, unit) == words


def test_ranks_and_ordinals_in_words():
    assert ordinal_words(3) == "third"
    assert ordinal_words(22) == "twenty-second"
    assert ordinal_words(30) == "thirtieth"
    assert rank_words(9, [1, 5, 9, 12, None]) == "the second highest of 4 London boroughs"
    assert rank_words(1, [1, 5, 9, 12]) == "the lowest of 4 London boroughs"
    assert rank_words(5, [5, 5, 9, 12, 1]) == "the joint second lowest of 5 London boroughs"
    assert rank_words(None, [1, 2]) == ""
    with pytest.raises(ValueError, match="starts at 1"):
        ordinal_words(0)


def test_periods_as_gov_uk_writes_them():
    assert period_words("Sep 2024") == "September 2024"
    assert period_words("2024-25") == "2024-25"
    assert period_words("mid-2024") == "mid-2024"


# --- A chart's comparison in words (Savings and Caseload) -------------------------------------

def _chart(rows: list[tuple[str, str, float | None]], areas: int = 32,
           suppressed: tuple[tuple[str, str], ...] = ()):
    """Chart rows in the pages' shape from (series, period, value)."""
    import datetime as dt

    import polars as pl

    return pl.DataFrame(
        [{"series": s, "series_kind": "area" if s.startswith("E09") else "comparator",
          "period": p, "period_end": dt.date(int(p[:4]) + 1, 3, 31), "value": v,
          "areas": 1 if s.startswith("E09") else areas, "suppressed": (s, p) in suppressed}
         for s, p, v in rows],
        schema_overrides={"value": pl.Float64},
    )


def test_comparison_words_follow_polarity_and_name_the_group():
    from triborough.views.narrative import comparison_sentences

    chart = _chart([(WCC, "2010-11", 21.8), (WCC, "2024-25", 18.6),
                    ("london_median", "2010-11", 18.7), ("london_median", "2024-25", 18.5)])
    words = comparison_sentences(chart, measure="re-referrals within 12 months",
                                 unit="percent", polarity="lower_better")
    # A percentage moves in points, not per cent; lower is better, so down is improving and
    # above the median is the worse side.
    assert words[WCC] == (
        "Westminster's re-referrals within 12 months fell 3.2 percentage points, from 21.8% in "
        "2010-11 to 18.6% in 2024-25 (improving), against a London median fall of 0.2 "
        "percentage points over the same years (32 London boroughs). In 2024-25 it stood at "
        "18.6%, above (worse than) the London median of 18.5%.")
    neutral = comparison_sentences(chart, measure="x", unit="percent", polarity="neither")
    assert "improving" not in neutral[WCC] and "worse" not in neutral[WCC]
    assert "above the London median of 18.5%" in neutral[WCC]


def test_comparison_words_from_an_averaged_base_one_year_and_suppressed():
    from triborough.views.narrative import comparison_sentences

    chart = _chart([(HF, "2008-09", 100.0), (HF, "2009-10", 110.0), (HF, "2010-11", 120.0),
                    (HF, "2024-25", 132.0), ("london_median", "2008-09", 50.0),
                    ("london_median", "2009-10", 50.0), ("london_median", "2010-11", 50.0),
                    ("london_median", "2024-25", 100.0)])
    words = comparison_sentences(chart, measure="spend", unit="gbp_thousand",
                                 polarity="neither", base=("2008-09", "2009-10", "2010-11"),
                                 terms="in cash")
    assert words[HF].startswith(
        "Hammersmith and Fulham's spend rose 20% in cash, from an average of £110,000 over "
        "2008-09 to 2010-11 to £132,000 in 2024-25, against a London median rise of 100% "
        "over the same years (32 London boroughs).")

    one_year = _chart([(RBKC, "2023-24", 4033.8), ("london_median", "2023-24", 3565.2)], 26)
    assert comparison_sentences(one_year, measure="library visits", unit="rate_per_1000",
                                polarity="higher_better")[RBKC] == (
        "In 2023-24 Kensington and Chelsea's library visits stood at 4,033.8 per 1,000, above "
        "(better than) the London median of 3,565.2 per 1,000 (26 London boroughs).")

    # A hidden latest figure is said to be hidden, and its value is never used.
    hidden = _chart([(WCC, "2023-24", 10.0), (WCC, "2024-25", None),
                     ("london_median", "2023-24", 12.0), ("london_median", "2024-25", 13.0)],
                    suppressed=((WCC, "2024-25"),))
    text = comparison_sentences(hidden, measure="children", unit="count",
                                polarity="neither")[WCC]
    assert text.endswith("The figure for 2024-25 is suppressed because it counts few people.")
    assert "In 2023-24 Westminster's children stood at 10, below the London median of 12" in text
