"""The effect estimate a report quotes: the real published series gives these figures in words,
every estimate with its interval, and a warehouse that cannot support an estimate says why."""

from __future__ import annotations

import shutil

import duckdb

from triborough.pack.effect_summary import EffectSummary, EstimateRow, effect_summary, p_words
from triborough.read.connection import connect_readonly

LONDON = "London boroughs (not the City of London)"


def test_summary_quotes_each_estimate_with_its_interval_and_p_value(built_warehouse):
    con = connect_readonly(built_warehouse)
    try:
        said = effect_summary(con)
    finally:
        con.close()
    assert isinstance(said, EffectSummary)
    assert said.rows == [
        EstimateRow("Difference-in-differences", LONDON, "−£96 a year", "−£171 to −£22",
                    "0.009", "distinguishable from no effect"),
        EstimateRow("Synthetic comparison", LONDON, "−£23 a year", "−£90 to £43", "0.456",
                    "not distinguishable from no effect"),
        EstimateRow("Difference-in-differences", "DfE statistical neighbours (2021 model)",
                    "−£62 a year", "−£252 to £65", "0.538",
                    "not distinguishable from no effect"),
    ]
    assert said.headline.startswith(
        "After sharing began in 2011-12, social care spend per resident in the three boroughs "
        "was on average £96 (2024-25 prices) a year lower than comparable London boroughs "
        "would suggest, over the 14 published years from 2011-12 (95% interval −£171 to "
        "−£22).")
    assert said.basis.startswith(
        "Social care spend per resident (children's and adults' together), in 2024-25 prices "
        "(HM Treasury's GDP deflator): the three boroughs against 29 London boroughs (not the "
        "City of London), over 4 published years before sharing (2007-08 to 2010-11) and 14 "
        "from 2011-12 (2024-25 the latest).")
    limits = " ".join(said.limits)
    for limit in ("**Years before the change:**", "**Austerity:**", "**Spillovers:**",
                  "**Three treated councils:**"):
        assert limit in limits
    # A report has no event-study chart of its own: it sends the reader to the page.
    assert "the year-by-year chart on the app's \"Did sharing work?\" page" in limits
    assert "clustered standard error" not in limits  # not computed for a report


def test_a_warehouse_without_the_years_before_sharing_gives_the_reason(built_warehouse,
                                                                       tmp_path):
    trimmed = tmp_path / "trimmed.duckdb"
    shutil.copy(built_warehouse, trimmed)
    with duckdb.connect(str(trimmed)) as con:
        con.execute("delete from fact_metric where metric_code = 'nce_social_care_combined'")
    con = connect_readonly(trimmed)
    try:
        said = effect_summary(con)
    finally:
        con.close()
    assert said == ("the published figures cannot support an estimate of the effect of "
                    "sharing: the estimate needs at least two periods before 2011-12; the "
                    "panel has 0")


def test_p_values_read_to_three_places():
    assert p_words(0.0093) == "0.009"
    assert p_words(0.45554) == "0.456"
    assert p_words(0.0002) == "under 0.001"
