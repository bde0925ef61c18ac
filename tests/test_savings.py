"""Savings logic: per head, indexing with gaps, comparator medians, cumulative net, payback."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from triborough.model.catalogue import SPEND_SERVICES
from triborough.model.contracts import WORKSTREAMS
from triborough.read.queries import get_query
from triborough.ui.blocks import council_table_meta
from triborough.views.savings import (
    BEFORE_SHARING,
    SERVICE_OPTIONS,
    WORKSTREAM_LABELS,
    add_measure,
    base_words,
    borough_changes,
    comparison_series,
    financial_year_of,
    ledger_by_year,
    ledger_summary,
    milestone_events,
    payback_year,
    programme_totals,
    reported_targets,
)

WCC, HF = "E09000033", "E09000013"


def _spend(rows: list[tuple]) -> pl.DataFrame:
    """Rows of savings_spend_by_service: (area, role, period, £k, population)."""
    return pl.DataFrame(
        [
            {"area_code": a, "area_name": a, "role": r, "period": p,
             "period_end": dt.date(int(p[:4]) + 1, 3, 31), "value_gbp_k": v, "population": n}
            for a, r, p, v, n in rows
        ],
        schema_overrides={"value_gbp_k": pl.Float64, "population": pl.Float64},
    )


def _values(df: pl.DataFrame, area: str) -> list[float | None]:
    return df.filter(pl.col("area_code") == area).sort("period")["value"].to_list()


def test_index_keeps_a_gap_year_as_a_gap():
    spend = _spend([
        (WCC, "borough", "2010-11", 200.0, 100.0),
        (WCC, "borough", "2011-12", None, 100.0),  # not published
        (WCC, "borough", "2012-13", 150.0, 100.0),
    ])
    assert _values(add_measure(spend, "index", "2010-11"), WCC) == [100.0, None, 75.0]


def test_index_has_no_value_without_a_positive_base():
    spend = _spend([
        (WCC, "borough", "2010-11", None, 1.0), (WCC, "borough", "2011-12", 10.0, 1.0),
        (HF, "borough", "2010-11", -5.0, 1.0), (HF, "borough", "2011-12", 10.0, 1.0),
    ])
    valued = add_measure(spend, "index", "2010-11")
    assert _values(valued, WCC) == [None, None]  # base year missing
    assert _values(valued, HF) == [None, None]  # negative base (e.g. highways): no ratio


def test_index_starts_from_the_services_own_base():
    # Adults' and children's social care were one line to 2010-11: they index from 2011-12.
    assert SERVICE_OPTIONS["adult_social_care"].base_periods == ("2011-12",)
    assert SERVICE_OPTIONS["childrens_social_care"].base_periods == ("2011-12",)
    # The rest: the average of the three years before sharing began.
    assert SERVICE_OPTIONS["social_care_all"].base_periods == ("2008-09", "2009-10", "2010-11")
    assert SERVICE_OPTIONS["cultural_related"].base_periods == BEFORE_SHARING
    assert SERVICE_OPTIONS["public_health"].base_periods == ("2013-14",)
    assert base_words(BEFORE_SHARING) == "average of 2008-09 to 2010-11"


def test_index_base_is_the_average_of_the_years_before_sharing():
    spend = _spend([
        (WCC, "borough", "2008-09", 90.0, 1.0), (WCC, "borough", "2009-10", 100.0, 1.0),
        (WCC, "borough", "2010-11", 110.0, 1.0), (WCC, "borough", "2011-12", 150.0, 1.0),
        # H&F lacks 2009-10: an average over two of the three years is not the base
        (HF, "borough", "2008-09", 90.0, 1.0), (HF, "borough", "2010-11", 110.0, 1.0),
        (HF, "borough", "2011-12", 150.0, 1.0),
    ])
    valued = add_measure(spend, "index", BEFORE_SHARING)
    assert _values(valued, WCC) == [90.0, 100.0, 110.0, 150.0]
    assert _values(valued, HF) == [None, None, None]


DEFLATORS = pl.DataFrame({
    "period": ["2010-11", "2011-12", "2024-25"],
    "deflator": [50.0, 80.0, 100.0],
    "release": ["test release"] * 3,
})


def test_real_terms_deflate_before_the_measure():
    spend = _spend([
        (WCC, "borough", "2010-11", 100.0, 1000.0), (WCC, "borough", "2011-12", 100.0, 1000.0),
        (WCC, "borough", "2012-13", 100.0, 1000.0),  # no deflator: no real-terms figure
    ])
    real = add_measure(spend, "cash", "2010-11", "real", DEFLATORS)
    assert _values(real, WCC) == [200.0, 125.0, None]
    assert _values(add_measure(spend, "per_head", "2010-11", "real", DEFLATORS), WCC) == [
        200.0, 125.0, None,
    ]
    # The same cash every year is a 37.5% real-terms fall: the index says 62.5.
    assert _values(add_measure(spend, "index", "2010-11", "real", DEFLATORS), WCC) == [
        100.0, 62.5, None,
    ]
    assert _values(add_measure(spend, "index", "2010-11"), WCC) == [100.0, 100.0, 100.0]
    with pytest.raises(ValueError, match="real terms need"):
        add_measure(spend, "cash", "2010-11", "real")
    with pytest.raises(ValueError, match="unknown basis"):
        add_measure(spend, "cash", "2010-11", "constant", DEFLATORS)


def test_per_head_divides_by_the_services_population_and_keeps_gaps():
    spend = _spend([
        (WCC, "borough", "2010-11", 68_932.0, 179_069.0),
        (WCC, "borough", "2011-12", None, 179_069.0),
        (HF, "borough", "2010-11", 10.0, None),  # no population: no per-head figure
    ])
    valued = add_measure(spend, "per_head", "2010-11")
    assert _values(valued, WCC) == [384.95, None]
    assert _values(valued, HF) == [None]
    assert SERVICE_OPTIONS["adult_social_care"].age_band == "18+"
    assert SERVICE_OPTIONS["childrens_social_care"].age_band == "0-17"
    assert SERVICE_OPTIONS["cultural_related"].per_head_label == "per resident"


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="unknown measure"):
        add_measure(_spend([(WCC, "borough", "2010-11", 1.0, 1.0)]), "real_terms", "2010-11")


def test_medians_are_taken_after_the_measure():
    spend = _spend([
        (WCC, "borough", "2010-11", 100.0, 10.0), (WCC, "borough", "2011-12", 200.0, 10.0),
        # London: per head 1, 2 and 10 in 2010-11 -> median 2 (not total over total = 5.3)
        ("L1", "london", "2010-11", 1.0, 1000.0), ("L2", "london", "2010-11", 2.0, 1000.0),
        ("L3", "london", "2010-11", 100.0, 10_000.0), ("L1", "london", "2011-12", None, 1.0),
        ("P1", "peer", "2010-11", 4.0, 1000.0), ("P1", "peer", "2011-12", 8.0, 1000.0),
        ("E92000001", "england", "2010-11", 1e6, 1e6), ("E92000001", "england", "2011-12",
                                                        2e6, 1e6),
    ])
    per_head = comparison_series(spend, "per_head", "2010-11", 2010, 2025)
    london = per_head.filter(pl.col("series") == "london_median").sort("period")
    assert london["value"].to_list() == [2.0, None]  # nobody in 2011-12: a gap
    assert london["areas"].to_list() == [3, 0]
    assert set(per_head["series_label"]) == {WCC, "London median", "Peer median", "England"}
    # Cash leaves England out: its total would dwarf any borough.
    cash = comparison_series(spend, "cash", "2010-11", 2010, 2025)
    assert "England" not in set(cash["series_label"])
    # Years outside the range are dropped after indexing, so the base is still 2010-11.
    index = comparison_series(spend, "index", "2010-11", 2011, 2025)
    assert index.filter(pl.col("series") == WCC)["value"].to_list() == [200.0]


def test_borough_changes_skip_gaps():
    series = pl.DataFrame({
        "series": [WCC] * 3, "series_kind": ["area"] * 3,
        "period": ["2010-11", "2011-12", "2012-13"],
        "period_end": [dt.date(2011, 3, 31), dt.date(2012, 3, 31), dt.date(2013, 3, 31)],
        "value": [100.0, 120.0, None],
    })
    change = borough_changes(series)[WCC]
    assert (change.first_period, change.latest_period) == ("2010-11", "2011-12")
    assert change.percent == pytest.approx(20.0)


def test_borough_changes_from_the_average_before_sharing():
    series = pl.DataFrame({
        "series": [WCC] * 4 + [HF] * 3, "series_kind": ["area"] * 7,
        "period": ["2008-09", "2009-10", "2010-11", "2011-12", "2009-10", "2010-11", "2011-12"],
        "period_end": [dt.date(y, 3, 31) for y in (2009, 2010, 2011, 2012, 2010, 2011, 2012)],
        "value": [90.0, 100.0, 110.0, 120.0, 100.0, 110.0, 121.0],
    })
    changes = borough_changes(series, BEFORE_SHARING)
    wcc = changes[WCC]
    assert (wcc.first_period, wcc.first_value) == ("average of 2008-09 to 2010-11", 100.0)
    assert wcc.percent == pytest.approx(20.0)
    # H&F has no 2008-09 figure: measured from its first published year instead, and says so.
    assert (changes[HF].first_period, changes[HF].first_value) == ("2009-10", 100.0)


def _ledger(rows: list[tuple]) -> pl.DataFrame:
    """Ledger rows: (borough, year, workstream, planned, delivered, one-off)."""
    return pl.DataFrame(
        [dict(zip(("borough_code", "financial_year", "workstream", "planned_gbp_k",
                   "delivered_gbp_k", "one_off_cost_gbp_k"), r, strict=True)) for r in rows],
        schema_overrides={c: pl.Float64 for c in ("planned_gbp_k", "delivered_gbp_k",
                                                  "one_off_cost_gbp_k")},
    )


def test_cumulative_net_and_payback_year():
    yearly = ledger_by_year(_ledger([
        (WCC, "2011-12", "procurement", 100, 100, 900),
        (WCC, "2011-12", "it_towers", 0, 0, 100),
        (WCC, "2012-13", "procurement", 500, 500, 200),
        (WCC, "2013-14", "procurement", 800, 800, 100),
        (WCC, "2014-15", "procurement", 800, 800, 0),
    ]))
    assert yearly["net_gbp_k"].to_list() == [-900, 300, 700, 800]
    assert yearly["cumulative_net_gbp_k"].to_list() == [-900, -600, 100, 900]
    assert payback_year(yearly) == "2013-14"
    summary = ledger_summary(yearly).row(0, named=True)
    assert summary["delivered_gbp_k"] == 2200 and summary["one_off_cost_gbp_k"] == 1300
    assert summary["cumulative_net_gbp_k"] == 900 and summary["payback_year"] == "2013-14"


def test_payback_exactly_at_zero_and_never():
    even = ledger_by_year(_ledger([
        (WCC, "2011-12", "procurement", 0, 100, 300),
        (WCC, "2012-13", "procurement", 0, 200, 0),
    ]))
    assert payback_year(even) == "2012-13"  # costs exactly recovered counts as paid back
    never = ledger_by_year(_ledger([
        (WCC, "2011-12", "procurement", 0, 100, 300),
        (WCC, "2012-13", "procurement", 0, 100, 0),
    ]))
    assert payback_year(never) is None


def test_a_missing_year_makes_the_running_total_unknown():
    yearly = ledger_by_year(_ledger([
        (WCC, "2011-12", "procurement", 100, 100, 500),
        # 2012-13 missing altogether
        (WCC, "2013-14", "procurement", 900, 900, 0),
    ]))
    assert yearly["financial_year"].to_list() == ["2011-12", "2012-13", "2013-14"]
    assert yearly["delivered_gbp_k"].to_list() == [100, None, 900]
    assert yearly["cumulative_net_gbp_k"].to_list() == [-400, None, None]
    assert payback_year(yearly) is None  # would depend on the missing year
    assert ledger_summary(yearly)["delivered_gbp_k"].to_list() == [None]
    # A missing figure inside a year does the same; paying back before a gap still counts.
    partial = ledger_by_year(_ledger([
        (WCC, "2011-12", "procurement", 100, 600, 500),
        (WCC, "2012-13", "procurement", 100, None, 0),
    ]))
    assert partial["cumulative_net_gbp_k"].to_list() == [100, None]
    assert payback_year(partial) == "2011-12"


def test_programme_totals_in_millions():
    yearly = ledger_by_year(_ledger([
        (WCC, "2015-16", "procurement", 20_000, 21_500, 100),
        (HF, "2015-16", "procurement", 20_000, 21_500, 100),
    ]))
    totals = programme_totals(yearly).row(0, named=True)
    assert totals == {"financial_year": "2015-16", "planned_gbp_m": 40.0,
                      "delivered_gbp_m": 43.0, "one_off_cost_gbp_m": 0.2}


def test_milestones_become_short_dated_labels():
    milestones = pl.DataFrame({
        "date": [dt.date(2011, 6, 1), dt.date(2013, 3, 31), dt.date(2015, 3, 31),
                 dt.date(2016, 3, 31), dt.date(2016, 3, 31), dt.date(2017, 3, 27),
                 dt.date(2018, 4, 1)],
        "label": ["Sharing begins (2011)", "£7.7m of savings planned in 2012/13",
                  "£33.4m a year projected by 2014/15", "£40m a year target by 2015/16",
                  "£43m a year revised target by 2015/16", "RBKC and WCC serve notice",
                  "Tri-borough split takes effect"],
        "kind": ["event", "target", "target", "target", "target", "event", "event"],
        "value_gbp_m": [None, 7.7, 33.4, 40.0, 43.0, None, None],
        "source_url": ["u"] * 7,
    })
    assert milestone_events(milestones) == [
        (dt.date(2015, 3, 31), "£33.4m a year projected (2014-15)"),
        (dt.date(2016, 3, 31), "£40m then £43m a year target (2015-16)"),
        (dt.date(2017, 3, 27), "Notice to end sharing"),
        (dt.date(2018, 4, 1), "Split takes effect"),
    ]
    targets = reported_targets(milestones)
    assert targets["financial_year"].to_list() == ["2012-13", "2014-15", "2015-16", "2015-16"]


def test_financial_year_of():
    assert financial_year_of(dt.date(2016, 3, 31)) == "2015-16"
    assert financial_year_of(dt.date(2016, 4, 1)) == "2016-17"
    assert financial_year_of(dt.date(2099, 12, 31)) == "2099-00"


def test_catalogue_and_contracts_agree_with_the_page_options():
    for option in SERVICE_OPTIONS.values():
        assert set(option.lines) <= set(SPEND_SERVICES), option.key
    assert set(WORKSTREAM_LABELS) == set(WORKSTREAMS)


def test_council_table_meta_says_whether_figures_are_generated():
    assert council_table_meta("x", "£", [True, True])["illustrative"].startswith("yes - gen")
    assert council_table_meta("x", "£", [False])["illustrative"].startswith("no")
    mixed = council_table_meta("x", "£", [True, False, False], "2011-12")
    assert mixed["illustrative"].startswith("yes - partly generated: 1 of 3")
    assert "Tri-borough Insight (generated)" in mixed["source"]
    assert mixed["period"] == "2011-12" and mixed["unit"] == "£"


def test_spend_query_per_head_matches_the_catalogue(built_warehouse):
    """The page's per-head figures use the same population rule as the build's metrics."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        query = get_query("savings_spend_by_service")
        option = SERVICE_OPTIONS["adult_social_care"]
        rel = con.sql(query.sql, params=query.bind(
            {"services": list(option.lines), "age_band": option.age_band}))
        spend = pl.from_arrow(rel.to_arrow_table())
        mine = add_measure(spend.filter(pl.col("role") == "london"), "per_head", "2011-12")
        theirs = pl.from_arrow(con.sql(
            "select area_code, period, value as expected from fact_metric "
            "where metric_code = 'spend_ph_adult_social_care'").to_arrow_table())
    finally:
        con.close()
    joined = mine.join(theirs, on=["area_code", "period"], how="inner")
    assert joined.height > 200
    assert (joined["value"] - joined["expected"]).abs().max() < 0.011
    # Every year from 2007-08 is a row, published or not.
    periods = spend.filter(pl.col("area_code") == WCC)["period"].unique().sort().to_list()
    assert periods[0] == "2007-08" and "2015-16" in periods and "2019-20" in periods
    # The London median leaves out the City of London.
    assert "E09000001" not in set(spend.filter(pl.col("role") == "london")["area_code"])


def _page_series(built_warehouse, service: str, measure: str, basis: str) -> pl.DataFrame:
    """The Savings chart's series for one service, 2007-08 to 2024-25, as the page builds it."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        query = get_query("savings_spend_by_service")
        option = SERVICE_OPTIONS[service]
        spend = pl.from_arrow(con.sql(query.sql, params=query.bind(
            {"services": list(option.lines), "age_band": option.age_band})).to_arrow_table())
        deflators = pl.from_arrow(con.sql("from gdp_deflator").to_arrow_table())
    finally:
        con.close()
    return comparison_series(spend, measure, option.base_periods, 2007, 2025, basis, deflators)


@pytest.mark.parametrize(
    ("basis", "first", "latest", "percent"),
    [
        # RS 2011-12 (rs_revenue_outturn_summary_2011_12.csv, E5022) adult social care £86,296k
        # over 183,255 adults (ONS 18+, mid-2012, the nearest year to mid-2011) = £470.91;
        # RSX 2024-25 line 391 £105,421.24k over 180,162 (mid-2024) = £585.15. Cash: up 24.3%.
        ("cash", 470.91, 585.15, 24.26),
        # Real terms, 2024-25 prices: 2011-12 x 100 / 70.3261 (HMT March 2026 deflator for
        # 2011-12, 2024-25 = 100) = 86,296 x 100 / 70.3261 / 183.255 = £669.60. Down 12.6%.
        ("real", 669.60, 585.15, -12.61),
    ],
)
def test_westminster_adult_social_care_per_adult_by_hand(built_warehouse, basis, first,
                                                          latest, percent):
    series = _page_series(built_warehouse, "adult_social_care", "per_head", basis)
    change = borough_changes(series)[WCC]
    assert (change.first_period, change.latest_period) == ("2011-12", "2024-25")
    assert change.first_value == pytest.approx(first, abs=0.01)
    assert change.latest_value == pytest.approx(latest, abs=0.01)
    assert change.percent == pytest.approx(percent, abs=0.01)


def test_spend_runs_every_year_without_a_gap_in_real_terms(built_warehouse):
    """The Savings chart's rows for each borough, real terms, 2007-08 to 2024-25: no gap."""
    series = _page_series(built_warehouse, "social_care_all", "cash", "real")
    for code in (WCC, HF, "E09000020"):
        rows = series.filter(pl.col("series") == code).sort("period_end")
        assert rows["period"].to_list() == [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]
        assert rows["value"].null_count() == 0, code
    # Westminster 2007-08: RS "Social care" £125,390k x 100 / 64.438 = £194,590k (2024-25 prices)
    first = series.filter((pl.col("series") == WCC) & (pl.col("period") == "2007-08"))
    assert first["value"][0] == pytest.approx(125_390 * 100 / 64.438)


def test_reported_claims_read_as_figures_in_words():
    from triborough.views.savings import claim_figure

    assert claim_figure(33.4, "GBP million per year") == "£33.4m a year"
    assert claim_figure(7.0, "GBP million") == "£7m"
    assert claim_figure(7.3, "percent") == "7.3%"
    assert claim_figure(175.0, "posts") == "175 posts"
    # The notice to end sharing is an event with no figure: a dash, not 'None'.
    assert claim_figure(None, "event") == "—"
