"""The Savings page as a councillor sees it: published spend, claims, illustrative ledger."""

from __future__ import annotations

import math

import polars as pl
import pytest
from pagetest import chart_titles, page_text, run_page
from streamlit.testing.v1 import AppTest

from triborough.model.style import ILLUSTRATIVE_LABEL

PAGE = "../pages/savings.py"
BOROUGHS = ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")


@pytest.fixture
def page(app_env, downloads) -> AppTest:
    return run_page(PAGE)


def _spend_table(
    at: AppTest, service: str, measure: str = "cash", basis: str = "cash"
) -> pl.DataFrame:
    at.selectbox(key="savings_service").set_value(service)
    at.segmented_control(key="savings_measure").set_value(measure)
    at.segmented_control(key="savings_basis").set_value(basis)
    at.toggle(key="savings_spend_as_table").set_value(True)
    at.run()
    assert not at.exception
    return pl.from_pandas(at.dataframe[0].value)


def _value(table: pl.DataFrame, area: str, period: str) -> float:
    rows = table.filter((pl.col("area") == area) & (pl.col("period") == period))
    assert rows.height == 1, (area, period)
    return rows.row(0)[2]


def _gap(value: float | None) -> bool:
    """An unpublished year: empty (None or NaN), never zero."""
    return value is None or math.isnan(value)


def test_page_runs_with_all_three_boroughs(page):
    text = page_text(page)
    for name in BOROUGHS:
        assert name in text
    assert page.title[0].value.startswith("Savings and spend")


def test_spend_is_the_published_outturn(page):
    # MHCLG RS 2014-15, rs_revenue_outturn_summary_2014_15.csv line 334 (Westminster, E5022),
    # column 'Adult Social Care' = 68932 (£ thousand).
    adults = _spend_table(page, "adult_social_care")
    assert _value(adults, "Westminster", "2014-15") == 68932.0
    # Adults' social care was not reported separately in 2010-11: a gap, not a zero.
    assert _gap(_value(adults, "Westminster", "2010-11"))
    # rs2015_16__RS_LA_Data_2015-16.csv line 340 (E5022), 'Adult Social Care': the year
    # that was a hole before the all-years RS files.
    assert _value(adults, "Westminster", "2015-16") == pytest.approx(66550.47014)
    assert {"London median", "Peer median"} <= set(adults["area"])

    # MHCLG RS 2010-11, rs_revenue_outturn_summary_2010_11.csv line 328 (Kensington & Chelsea,
    # E5016), column 'Cultural and related services' = 14935.
    cultural = _spend_table(page, "cultural_related")
    assert _value(cultural, "Kensington and Chelsea", "2010-11") == 14935.0

    # MHCLG RSX 2023-24, rsx_service_expenditure_summary_2023_24.csv line 146 (Hammersmith &
    # Fulham), 'Children Social Care - Net Current Expenditure (C7 = C3 - C6)' = 60166.
    children = _spend_table(page, "childrens_social_care")
    assert _value(children, "Hammersmith and Fulham", "2023-24") == 60166.0


def test_per_head_and_index(page):
    # RSX 2024-25 line 391: Westminster adult social care £105,421.24k over 180,162 residents
    # aged 18+ at mid-2024 (209,996 less 29,834 aged 0-17) = £585.15 a head.
    per_head = _spend_table(page, "adult_social_care", "per_head")
    assert _value(per_head, "Westminster", "2024-25") == pytest.approx(585.15)
    assert "England" in set(per_head["area"])
    # Indexed to 2011-12 = 100 (the first year adults' social care was reported on its own):
    # 2014-15 is 68,932 / 86,296 (RS 2011-12, Westminster) = 79.9.
    index = _spend_table(page, "adult_social_care", "index")
    assert _value(index, "Westminster", "2011-12") == 100.0
    assert _value(index, "Westminster", "2014-15") == 79.9
    assert "2011-12 = 100" in page_text(page)


def test_reported_claims_are_labelled_as_claims_with_sources(page, downloads):
    text = page_text(page)
    assert "not audited outturns" in text
    claims = pl.from_pandas(page.table[0].value)
    # Programme reports (programme_reported.csv): £33.4m a year projected (Feb 2011), £40m a
    # year target (June 2012), £43m a year revised target, £13m a year to H&F (2017).
    assert {"£33.4m a year", "£40m a year", "£43m a year", "£13m a year"} <= set(
        claims["figure"].to_list())
    assert claims.filter(pl.col("what was claimed").str.starts_with("notice served"))[
        "figure"].to_list() == ["—"]  # an event, not a figure: a dash, never 'None'
    # Every claim names who published it and links the page it came from.
    assert claims["source"].str.contains(r"\(\[page\]\(https?://").all()
    meta = next(m for m, _ in downloads if m.get("figures", "").startswith("Reported"))
    assert meta["illustrative"] == "no - reported claims, not audited outturns"


def test_milestones_annotate_the_spend_chart(page):
    import json

    spec = json.loads(page.get("plotly_chart")[0].proto.spec)
    notes = " | ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))
    assert "£33.4m a year projected" in notes
    assert "£40m then £43m a year target" in notes
    assert "Notice to end sharing" in notes and "Split takes effect" in notes
    assert "Shared by all three" in notes  # the shaded shared-service period, as on every page


def test_illustrative_ledger_is_labelled_everywhere(page, downloads):
    text = page_text(page)
    assert ILLUSTRATIVE_LABEL in text
    assert "3. Savings ledger by workstream (illustrative)" in text
    titles = chart_titles(page)
    illustrative_titles = [t for t in titles if t.endswith("(illustrative)")]
    assert len(illustrative_titles) == 3, titles
    # Payback worked out from the ledger, labelled.
    assert "Paid back its one-off costs in **" in text
    assert "net by 2018-19 (illustrative)" in text
    # Downloads: the published chart says so; every ledger download says illustrative.
    published = [m for m, _ in downloads if m.get("metrics", "").startswith("nce_")]
    assert published and all(m["illustrative"].startswith("no") for m in published)
    assert all("Open Government Licence" in m["licence"] for m in published)
    ledger = [m for m, _ in downloads
              if m.get("figures", "").startswith(("Savings ledger", "Cumulative net savings",
                                                  "Savings delivered"))]
    assert len(ledger) == 3
    for meta in ledger:
        assert meta["illustrative"].startswith("yes")
        assert "generated" in meta["source"].lower()
        assert meta["unit"] == "£ thousand, cash"


def test_ledger_totals_meet_the_reported_target(page):
    # The generator calibrates the three councils' delivered savings to the reported £43m a
    # year in 2015-16; the page sets the ledger's totals beside that target.
    targets = pl.from_pandas(page.dataframe[0].value)
    row = targets.filter((pl.col("year") == "2015-16") & (pl.col("reported £m") == 43.0))
    assert row.height == 1
    assert row["ledger delivered £m"][0] == 43.0


def test_sidebar_filters_apply(app_env, downloads):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["boroughs"] = ["E09000033", "E09000020"]
    at.session_state["period"] = (2012, 2014)
    at.run()
    assert not at.exception
    at.toggle(key="savings_spend_as_table").set_value(True).run()
    table = pl.from_pandas(at.dataframe[0].value)
    areas = set(table["area"])
    assert {"Westminster", "Kensington and Chelsea"} <= areas
    assert "Hammersmith and Fulham" not in areas
    assert set(table["period"]) == {"2012-13", "2013-14", "2014-15"}
    text = page_text(at)
    assert "Hammersmith and Fulham" not in text
    # With two boroughs the programme-wide targets are not drawn against their share.
    assert "shown only when all three boroughs are chosen" in text


def test_real_terms_by_default_naming_the_release(page, downloads):
    assert page.segmented_control(key="savings_basis").value == "real"
    text = page_text(page)
    assert "2024-25 prices" in text
    assert "HM Treasury GDP deflators, March 2026 (2024-25 = 100)" in text
    assert "median of 32 London boroughs with a figure" in text
    assert "33 London councils" not in text
    meta = next(m for m, _ in downloads if m.get("prices"))
    assert "HM Treasury GDP deflators, March 2026" in meta["prices"]
    # Social care together, real terms: Westminster 2007-08 is the RS 'Social care' line,
    # £125,390k (rs2007_08.xls, row 372) x 100 / 64.438 (2007-08 deflator).
    table = _spend_table(page, "social_care_all", "cash", "real")
    assert _value(table, "Westminster", "2007-08") == pytest.approx(125_390 * 100 / 64.438)
    for name in BOROUGHS:
        rows = table.filter(pl.col("area") == name)
        assert rows.height == 18 and rows[table.columns[2]].null_count() == 0, name


def test_change_is_measured_from_the_years_before_sharing(page):
    """Westminster social care, real terms: RS 'Social care' £132,220k (2008-09), £145,493k
    (2009-10), £138,389k (2010-11) at 2024-25 prices (x 100 / 66.8397, 67.7042, 68.8561)
    average £204.6m a year; 2024-25 is £105,421.24k + £55,420.06k = £160.8m: down 21%."""
    text = page_text(page)
    assert ("Westminster's net spending on social care, children's and adults' together fell "
            "21% in real terms (2024-25 prices), from an average of £204.6 million over "
            "2008-09 to 2010-11 to £160.8 million in 2024-25, against a London median rise "
            "of 15% over the same years (32 London boroughs). In 2024-25 it stood at £160.8 "
            "million, below the London median of £205.2 million.") in text


def test_spend_against_london_is_said_in_words_for_each_borough(page):
    """The councillor's question: how Westminster's children's social care spend changed
    against London. Per child aged 0-17 in 2024-25 prices: RSX 2024-25 £55,420.06k over
    29,834 children at mid-2024 = £1,858; 2011-12 RS £38,482k x 100 / 70.3261 (the 2011-12
    deflator) over 36,284 children at mid-2012, the nearest year published = £1,508."""
    page.selectbox(key="savings_service").set_value("childrens_social_care")
    page.segmented_control(key="savings_measure").set_value("per_head").run()
    assert not page.exception
    text = page_text(page)
    assert ("Westminster's net spending on children's social care per child aged 0-17 rose "
            "23% in real terms (2024-25 prices), from £1,508 in 2011-12 to £1,858 in 2024-25, "
            "against a London median rise of 22% over the same years (32 London boroughs). "
            "In 2024-25 it stood at £1,858, above the London median of £1,202.") in text
    assert ("Kensington and Chelsea's net spending on children's social care per child aged "
            "0-17 rose 57% in real terms") in text
    # In cash the same change reads in cash, and the words follow the switch.
    page.segmented_control(key="savings_basis").set_value("cash").run()
    text = page_text(page)
    assert "Westminster's net spending on children's social care per child aged 0-17 rose" in text
    assert "in cash, from £" in text and "in real terms (2024-25 prices)" not in text


def test_ledger_totals_say_they_equal_the_targets_by_construction(page):
    captions = " ".join(c.value for c in page.caption)
    assert "equal the targets **by construction**" in captions
    assert "cannot show whether any target was met" in captions


def test_index_base_is_shown_and_selectable(page):
    table = _spend_table(page, "cultural_related", "index")
    assert "index, average of 2008-09 to 2010-11 = 100, cash" in table.columns
    page.selectbox(key="savings_index_base").set_value("2010-11").run()
    assert not page.exception
    assert "index, 2010-11 = 100, cash" in pl.from_pandas(page.dataframe[0].value).columns


def test_views_with_nothing_to_show_say_why(app_env, downloads):
    at = AppTest.from_file(PAGE, default_timeout=60)
    # Public health moved to councils in April 2013: nothing before; the ledger runs 2011-12
    # to 2018-19.
    at.session_state["period"] = (2011, 2012)
    at.run()
    at.selectbox(key="savings_service").set_value("public_health").run()
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any(i.startswith("No published figures for public health") for i in infos), infos
    assert not any("ledger has no years" in i for i in infos)

    at.session_state["period"] = (2020, 2022)
    at.run()
    infos = [i.value for i in at.info]
    assert any("ledger has no years inside the years chosen" in i for i in infos), infos
