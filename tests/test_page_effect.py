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


def test_opens_on_an_outcome_the_published_years_support_and_answers_in_words_first():
    at = run_page(PAGE)
    assert at.selectbox(key="effect_outcome").value == "cla_per_10000_children"
    answer = answer_of(at)
    assert answer.startswith("After sharing began in 2011-12, the rate of children looked "
                             "after in the three boroughs was on average 4.9 per 10,000 "
                             "children lower than comparable London boroughs would suggest")
    assert "(95% interval −17.6 per 10,000 children to 7.7 per 10,000 children)" in answer
    assert "appeared in 46% of the comparisons made with councils that did not share" in answer
    assert "**This is not distinguishable from no effect.**" in answer
    assert [h.value for h in at.header][:2] == ["The answer", "What this can and cannot tell you"]


def test_shows_the_event_study_each_synthetic_comparison_and_the_placebos():
    titles = chart_titles(run_page(PAGE))
    assert len(titles) == 5
    assert titles[0].startswith("Children looked after per 10,000 children (0-17)<br><sup>"
                                "Difference from London boroughs")
    assert [t.split(" and its synthetic")[0] for t in titles[1:4]] == [
        "Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"]
    assert titles[4].startswith("Gaps found in the comparisons made with councils that did "
                                "not share<br><sup>3,654 comparisons")


def test_caveats_are_on_the_page_with_this_estimates_numbers():
    at = run_page(PAGE)
    text = page_text(at)
    assert "rests on 2 published years before 2011-12 (2009-10, 2010-11)" in text
    assert "**Austerity:**" in text and "**Spillovers:**" in text
    assert "moved onto 3,654 sets of 3 councils that did not share (every such set)" in text
    coverage = at.table[0].value
    row = coverage[coverage["outcome"] == "Cultural and library spend per resident"].iloc[0]
    assert row["can be estimated"] == ("no: the estimate needs at least two periods before "
                                       "2011-12; the panel has 1 (2010-11)")


def test_an_outcome_without_two_years_before_sharing_is_refused_in_words():
    at = run_page(PAGE, effect_outcome="spend_ph_social_care")
    notice = at.info[0].value
    assert notice.startswith("Social care spend per resident (children's and adults' together) "
                             "cannot be estimated for this event on the published figures: the "
                             "estimate needs at least two periods before 2011-12; the panel has "
                             "1 (2010-11)")
    assert chart_titles(at) == []


def test_statistical_neighbours_are_a_smaller_comparison_group():
    at = run_page(PAGE, effect_group="neighbours")
    assert "than their DfE statistical neighbours would suggest" in answer_of(at)
    assert "moved onto 220 sets of 3 councils" in page_text(at)


def test_the_split_is_compared_with_the_two_councils_that_kept_sharing():
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_adult_social_care")
    answer = answer_of(at)
    assert answer.startswith("After Hammersmith & Fulham left the arrangement in April 2018, "
                             "adult social care spend per adult in Hammersmith and Fulham was "
                             "on average £45 (cash) a year higher than Westminster and "
                             "Kensington & Chelsea, who kept sharing, would suggest")
    assert "too few comparisons for a 95% interval with finite ends" in answer
    assert "**This is not distinguishable from no effect.**" in answer
    assert "the smallest p-value is 33%" in page_text(at)


def test_real_terms_are_offered_only_with_a_deflator(built_warehouse, tmp_path, monkeypatch):
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_adult_social_care")
    assert "effect_prices" not in [w.key for w in at.segmented_control]
    assert "Real terms are not available" in page_text(at)
    altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("create table gdp_deflator as select format('{}-{:02d}', y, (y + 1) % 100) as period, "
         "100.0 as deflator, 'test' as release from range(2009, 2025) as t(y)", {}),
    )
    at = run_page(PAGE, effect_event="split", effect_outcome="spend_ph_adult_social_care")
    assert at.segmented_control(key="effect_prices").value == "real"
    assert "£45 (2024-25 prices (GDP deflator, test)) a year higher" in answer_of(at)
