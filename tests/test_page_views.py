"""The pages' views shaped without Streamlit: each returns a figure, its table, a title,
download metadata and its words, checked here on the test warehouse without running a page."""

from __future__ import annotations

import polars as pl
import pytest

from triborough.read.connection import connect_readonly, run_named
from triborough.views.caseload_views import library_annual_view
from triborough.views.page_pieces import borough_label, illustrative_suffix, split_marker
from triborough.views.savings import SERVICE_OPTIONS
from triborough.views.savings_views import spend_view

ALL = ["E09000033", "E09000013", "E09000020"]


@pytest.fixture(scope="module")
def run(built_warehouse):
    con = connect_readonly(built_warehouse)
    yield lambda name, **params: run_named(con, name, params)
    con.close()


def _spend(run, service: str, measure: str, basis: str, years: tuple[int, int]):  # noqa: ANN001, ANN202
    """The Savings page's spend view for ``service`` as the page builds it."""
    option = SERVICE_OPTIONS[service]
    return spend_view(
        run("savings_spend_by_service", services=list(option.lines), age_band=option.age_band,
            areas=ALL, peer_group="dfe_sn_2021"),
        option, measure=measure, basis=basis, base=option.base_periods,
        deflators=run("gdp_deflator"), years=years, milestones=run("savings_milestones"),
        shading=[], meta_for=lambda codes, span: {"metrics": ", ".join(codes), "period": span},
        money="real terms" if basis == "real" else "cash",
    )


def test_spend_view_in_real_terms_per_child(run):
    view = _spend(run, "childrens_social_care", "per_head", "real", (2007, 2025))
    assert view.title == ("Children's social care: net spending<br><sup>£ per child aged 0-17, "
                          "real terms, 2007-08 to 2024-25</sup>")
    assert view.meta["metrics"] == "nce_childrens_social_care, pop_0_17"
    wcc = view.table.filter((pl.col("area") == "Westminster") & (pl.col("period") == "2024-25"))
    assert wcc.row(0)[2] == pytest.approx(1857.6, abs=0.1)  # £55,420.06k / 29,834 children
    assert list(view.words) == ALL
    assert view.words["E09000033"].startswith(
        "Westminster's net spending on children's social care per child aged 0-17 rose 23% in "
        "real terms (2024-25 prices), from £1,508 in 2011-12 to £1,858 in 2024-25")


def test_spend_view_says_why_when_there_is_nothing(run):
    why = _spend(run, "public_health", "cash", "cash", (2010, 2012))
    assert why == "No published figures for public health in the years chosen."


def test_library_annual_view_per_1000_against_london(run):
    annual = run("caseload_library_annual", areas=ALL, from_year=2010, to_year=2025)
    view = library_annual_view(annual, "loans", meta={"unit": "count"})
    assert view.title == "Library loans per 1,000 residents, 2023-24<br><sup>Higher is better</sup>"
    assert view.meta["unit"].startswith("per 1,000 residents")
    london = view.table.filter(pl.col("area") == "London median")
    assert london["boroughs in figure"][0] == 26
    # ACE 2023/24: H&F 333,862 loans over 186,176 residents (mid-2023) = 1,793.3 per 1,000.
    assert view.words["E09000013"] == (
        "In 2023-24 Hammersmith and Fulham's library loans stood at 1,793.3 per 1,000, below "
        "(worse than) the London median of 2,700.8 per 1,000 (26 London boroughs).")
    # Outside the one published year there is nothing, and the page says why.
    empty = run("caseload_library_annual", areas=ALL, from_year=2010, to_year=2020)
    assert library_annual_view(empty, "loans", meta={}) is None


def test_shared_page_pieces():
    import datetime as dt

    assert borough_label("E09000013").endswith("**Hammersmith and Fulham**")
    assert "aria-hidden='true'>■</span>" in borough_label("E09000013")
    assert illustrative_suffix([False, True]) == " (illustrative)"
    assert illustrative_suffix([False]) == ""
    assert split_marker(dt.date(2017, 1, 1), dt.date(2019, 1, 1))[0][0] == dt.date(2018, 4, 1)
    assert split_marker(dt.date(2019, 1, 1), dt.date(2020, 1, 1)) is None
