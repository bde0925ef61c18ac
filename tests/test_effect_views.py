"""The "Did sharing work?" page's shaping, without the page: which outcomes the published years
support and why not, a synthetic comparison as two series with a gap left as a gap, its mix and
fit in words, and the placebo ranks."""

from __future__ import annotations

import numpy as np
import polars as pl

from triborough.read.connection import connect_readonly
from triborough.views import effect_views
from triborough.views.effect import EffectResult, Inference, Panel, SynthFit

WCC = "E09000033"


def test_coverage_says_which_outcomes_can_be_estimated_and_why_not(built_warehouse):
    con = connect_readonly(built_warehouse)
    try:
        available = effect_views.coverage(con, "london", "sharing")
    finally:
        con.close()
    rows = {r["code"]: r for r in available.to_dicts()}
    assert rows["spend_ph_social_care"] == {
        "code": "spend_ph_social_care",
        "outcome": "Social care spend per resident (children's and adults' together)",
        "years before": 4, "years from": 14, "estimated": "yes"}
    assert rows["spend_ph_adult_social_care"]["estimated"] == (
        "no: the estimate needs at least two periods before 2011-12; the panel has 0")
    assert rows["spend_ph_adult_social_care"]["years before"] is None
    assert effect_views.first_supported(available) == 0
    shown = effect_views.coverage_shown(available)
    assert shown.columns == ["outcome", "years before", "years from", "can be estimated"]


def test_first_supported_falls_back_to_the_first_outcome_when_none_can_be():
    frame = pl.DataFrame({"estimated": ["no: a", "no: b"]})
    assert effect_views.first_supported(frame) == 0
    assert effect_views.first_supported(pl.DataFrame({"estimated": ["no: a", "yes"]})) == 1


def _fit() -> SynthFit:
    series = pl.DataFrame({"period": ["2009-10", "2011-12"], "actual": [10.0, 12.0],
                           "synthetic": [10.5, 14.0], "gap": [-0.5, -2.0]})
    return SynthFit(WCC, {"E09000001": 0.004, "E09000007": 0.25, "E09000019": 0.746},
                    series, 3.0, 12.0, 4.0, 3, 30)


def test_a_synthetic_comparison_is_two_series_with_the_unpublished_year_left_empty():
    shaped = effect_views.synthetic_series(_fit())
    assert shaped.get_column("series_label").unique(maintain_order=True).to_list() == [
        "Westminster", "Synthetic Westminster"]
    actual = shaped.filter(pl.col("series") == WCC)
    assert actual.get_column("period").to_list() == ["2009-10", "2010-11", "2011-12"]
    assert actual.get_column("value").to_list() == [10.0, None, 12.0]  # a gap, never a zero
    assert actual.get_column("period_end").dt.strftime("%Y-%m-%d").to_list() == [
        "2010-03-31", "2011-03-31", "2012-03-31"]


def test_the_mix_and_fit_are_said_in_words_largest_weight_first():
    names = {"E09000019": "Islington", "E09000007": "Camden", "E09000001": "City of London"}
    mix = effect_views.synthetic_mix(_fit(), names)
    assert mix == "Islington 75%, Camden 25%"  # under 1% left out
    assert effect_views.synthetic_caption(_fit(), mix, "gbp") == (
        "Synthetic Westminster: Islington 75%, Camden 25%. Fit before the change (root mean "
        "squared gap): £3; after: £12. Its gap after against its fit before ranks 3 of 30 "
        "among this borough and every council that did not share given the same treatment.")


def _synth_result(pre: tuple[str, ...]) -> EffectResult:
    periods = (*pre, "2011-12")
    panel = Panel(pl.DataFrame(), (WCC,), ("E09000007", "E09000019"), "2011-12", periods)
    ratios = pl.DataFrame({"area_code": ["E09000007", WCC, "E09000019"],
                           "ratio": [1.234, 5.678, 0.5], "is_treated": [False, True, False]})
    return EffectResult("synth", -1.0, Inference(0.3, -2.0, 1.0, np.zeros(2), True), panel,
                        placebo_ratios=ratios)


def test_placebo_ranks_put_the_largest_ratio_first_with_council_names():
    ranks = effect_views.placebo_ranks(_synth_result(("2009-10", "2010-11")),
                                       {"E09000007": "Camden", WCC: "Westminster"})
    assert ranks.rows() == [(1, "Westminster", 5.68, True), (2, "Camden", 1.23, False),
                            (3, "E09000019", 0.5, False)]


def test_ranks_are_only_said_to_say_little_with_three_years_or_fewer_before():
    assert effect_views.ranks_caveat(_synth_result(("2008-09", "2009-10", "2010-11"))) \
        .startswith("With only 3 years before, most councils can be matched almost exactly")
    assert effect_views.ranks_caveat(
        _synth_result(("2007-08", "2008-09", "2009-10", "2010-11"))) == ""
