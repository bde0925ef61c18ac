"""The "Did sharing work?" page as a councillor reads it: the answer in words first, the
evidence after, the limits on the page, and no figure where the published years cannot
support one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pagetest import altered_warehouse, chart_titles, page_text, run_page

PAGE = "../pages/effect.py"


def answer_of(at) -> str:  # noqa: ANN001 - AppTest
    """The plain-words answer: the one paragraph that starts with what happened."""
    found = [m.value for m in at.markdown if m.value.startswith("After ")]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(autouse=True)
def _warehouse(app_env: Path) -> Path:
    return app_env


PRICES = "2024-25 prices (GDP deflator, HM Treasury GDP deflators, March 2026 (2024-25 = 100))"
NO_DEFLATOR = ("drop table gdp_deflator", {})


def test_opens_on_an_outcome_the_published_years_support_and_answers_in_words_first():
    at = run_page(PAGE)
    assert at.selectbox(key="effect_outcome").value == "spend_ph_social_care"
    # Real terms are the default, as on the rest of the app, when the warehouse has a deflator.
    assert at.segmented_control(key="effect_prices").value == "real"
    answer = answer_of(at)
    assert answer.startswith("After sharing began in 2011-12, social care spend per resident "
                             "in the three boroughs was on average £96 (2024-25 prices) a year "
                             "lower than comparable London boroughs would suggest, over the 14 "
                             "published years from 2011-12")
    assert "(95% interval −£171 to −£22)" in answer
    assert "appeared in under 1% of the comparisons made with councils that did not share" \
        in answer
    assert "Chance alone rarely gives a gap this large." in answer
    assert "not distinguishable" not in answer
    assert [h.value for h in at.header][:2] == ["The answer", "What this can and cannot tell you"]


def test_cash_is_one_click_away_and_matches_the_pinned_cash_estimate():
    at = run_page(PAGE, effect_prices="cash")
    answer = answer_of(at)
    assert answer.startswith("After sharing began in 2011-12, social care spend per resident "
                             "in the three boroughs was on average £48 (cash) a year lower")
    assert "(95% interval −£93 to −£1)" in answer
    assert "appeared in 4% of the comparisons" in answer
    assert "Money is in cash" in page_text(at)


def test_an_outcome_that_is_not_money_has_no_prices_choice():
    at = run_page(PAGE, effect_outcome="cla_per_10000_children")
    assert "effect_prices" not in [w.key for w in at.segmented_control]
    answer = answer_of(at)
    assert answer.startswith("After sharing began in 2011-12, the rate of children looked "
                             "after in the three boroughs was on average 4.9 per 10,000 "
                             "children lower than comparable London boroughs would suggest")
    assert "(95% interval −17.6 per 10,000 children to 7.7 per 10,000 children)" in answer
    assert "appeared in 46% of the comparisons made with councils that did not share" in answer
    assert "**This is not distinguishable from no effect.**" in answer


def test_shows_the_event_study_each_synthetic_comparison_and_the_placebos():
    titles = chart_titles(run_page(PAGE))
    assert len(titles) == 5
    assert titles[0].startswith("Social care spend per resident (children's and adults' "
                                f"together)<br><sup>Difference from London boroughs, £, {PRICES}, "
                                "against 2010-11")
    assert [t.split(" and its synthetic")[0] for t in titles[1:4]] == [
        "Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"]
    assert all("the comparison fitted on 2007-08, 2008-09, 2009-10, 2010-11" in t
               for t in titles[1:4])
    assert titles[4].startswith("Gaps found in the comparisons made with councils that did "
                                "not share<br><sup>3,654 comparisons")


def test_caveats_are_on_the_page_with_this_estimates_numbers():
    at = run_page(PAGE)
    text = page_text(at)
    assert ("rests on 4 published years before 2011-12 (2007-08, 2008-09, 2009-10, 2010-11)"
            in text)
    assert "**Austerity:**" in text and "**Spillovers:**" in text
    assert "moved onto 3,654 sets of 3 councils that did not share (every such set)" in text
    coverage = at.table[0].value
    row = coverage[coverage["outcome"] == "Adult social care spend per adult (18+)"].iloc[0]
    assert row["can be estimated"] == ("no: the estimate needs at least two periods before "
                                       "2011-12; the panel has 0")
    row = coverage[coverage["outcome"].str.startswith("Re-referrals")].iloc[0]
    assert row["can be estimated"] == ("no: the estimate needs at least two periods before "
                                       "2011-12; the panel has 1 (2010-11)")
    row = coverage[coverage["outcome"] == "Cultural and library spend per resident"].iloc[0]
    assert (row["years before"], row["years from"], row["can be estimated"]) == (4, 14, "yes")


def test_an_outcome_without_two_years_before_sharing_is_refused_in_words():
    at = run_page(PAGE, effect_outcome="spend_ph_adult_social_care")
    notice = at.info[0].value
    assert notice.startswith("Adult social care spend per adult (18+) cannot be estimated for "
                             "this event on the published figures: the estimate needs at least "
                             "two periods before 2011-12; the panel has 0")
    assert chart_titles(at) == []
    at = run_page(PAGE, effect_outcome="rereferral_pct")
    assert at.info[0].value.startswith(
        "Re-referrals to children's social care within 12 months (%) cannot be estimated for "
        "this event on the published figures: the estimate needs at least two periods before "
        "2011-12; the panel has 1 (2010-11)")
    assert chart_titles(at) == []


def test_statistical_neighbours_are_a_smaller_comparison_group():
    at = run_page(PAGE, effect_group="neighbours")
    assert "than their DfE statistical neighbours would suggest" in answer_of(at)
    assert "moved onto 220 sets of 3 councils" in page_text(at)


def test_the_split_is_compared_with_the_two_councils_that_kept_sharing():
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_childrens_social_care",
                  effect_prices="cash")
    answer = answer_of(at)
    assert answer.startswith("After Hammersmith & Fulham left the arrangement in April 2018, "
                             "children's social care spend per child in Hammersmith and Fulham "
                             "was on average £209 (cash) a year lower than Westminster and "
                             "Kensington & Chelsea, who kept sharing, would suggest")
    assert "too few comparisons for a 95% interval with finite ends" in answer
    assert "**This is not distinguishable from no effect.**" in answer
    assert "the smallest p-value is 33%" in page_text(at)


def test_real_terms_are_offered_only_with_a_deflator(built_warehouse, tmp_path, monkeypatch):
    (tmp_path / "none").mkdir()
    (tmp_path / "flat").mkdir()
    altered_warehouse(built_warehouse, tmp_path / "none", monkeypatch, NO_DEFLATOR)
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_childrens_social_care")
    assert "effect_prices" not in [w.key for w in at.segmented_control]
    assert "Real terms are not available" in page_text(at)
    assert "£209 (cash) a year lower" in answer_of(at)
    # A flat made-up deflator: real terms are the default and leave the figure as it was.
    altered_warehouse(
        built_warehouse, tmp_path / "flat", monkeypatch, NO_DEFLATOR,
        ("create table gdp_deflator as select format('{}-{:02d}', y, (y + 1) % 100) as period, "
         "100.0 as deflator, 'test' as release from range(2007, 2025) as t(y)", {}),
    )
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_childrens_social_care")
    assert at.segmented_control(key="effect_prices").value == "real"
    assert "£209 (2024-25 prices) a year lower" in answer_of(at)
