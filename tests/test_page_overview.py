"""The Overview as a councillor sees it: real published figures, three boroughs, no errors."""

from __future__ import annotations

import pytest
from pagetest import page_text, run_page
from streamlit.testing.v1 import AppTest

PAGE = "../pages/overview.py"


@pytest.fixture
def overview(app_env) -> AppTest:
    return run_page(PAGE)


def test_overview_shows_published_figures_for_all_three_boroughs(overview):
    assert not overview.exception
    text = page_text(overview)
    for name in ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"):
        assert name in text
    # ONS mid-2024 (MYE2 'All ages'): Westminster 209,996; H&F 188,687; K&C 144,518.
    for figure in ("209,996", "188,687", "144,518"):
        assert f"<p class='tb-value'>{figure}</p>" in text
    # Westminster adult social care net current expenditure 2024-25 (RSX) £105,421.24k over
    # 180,162 residents aged 18+ (209,996 less 29,834 aged 0-17) = £585.15 a head.
    assert "<p class='tb-value'>£585</p>" in text
    # DfE: children looked after per 10,000 at 31 March 2025: WCC 62, H&F 62, K&C 47;
    # the London median, over the 32 boroughs (the City of London left out), is 47.
    assert "median of 32 London boroughs with a figure: 47.0 (2024-25)" in text
    assert "33 London" not in text
    # Adult social care per adult 2024-25, median of the 32 boroughs (with the City it was
    # £514): £508.
    assert "median of 32 London boroughs with a figure: £508 (2024-25)" in text
    # Ofsted: all three judged Outstanding at their latest ILACS inspections.
    assert text.count("<p class='tb-value'>Outstanding</p>") == 3
    assert "published 13 January 2025" in text


def test_overview_says_where_each_number_came_from(overview):
    captions = [c.value for c in overview.caption]
    assert any("Office for National Statistics" in c for c in captions)
    assert any("Department for Education" in c for c in captions)
    assert any("Open Government Licence" in c for c in captions)


def test_direction_of_travel_follows_polarity(overview):
    text = page_text(overview)
    # Population has no polarity: neutral words, never 'improving' or 'worsening'.
    assert "decreasing since mid-2023" in text
    assert "since 2011-12" in text  # social care spend change runs from 2011-12


def test_borough_filter_applies(app_env):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["boroughs"] = ["E09000033", "E09000020"]
    at.run()
    assert not at.exception
    text = page_text(at)
    assert "Westminster" in text and "Kensington and Chelsea" in text
    assert "Hammersmith and Fulham" not in text
    assert "188,687" not in text


def test_money_changes_are_real_terms_by_default(overview):
    """Westminster adult social care per adult: £470.91 in 2011-12 (RS 2011-12 £86,296k over
    183,255 adults) and £585.15 in 2024-25. Cash: +£114. Real terms: 2011-12 is £669.61 in
    2024-25 prices (x 100 / 70.3261, HMT March 2026), so the change is -£84."""
    assert overview.segmented_control(key="overview_basis").value == "real"
    text = page_text(overview)
    assert "−£84 since 2011-12" in text
    assert "HM Treasury GDP deflators, March 2026 (2024-25 = 100)" in text
    overview.segmented_control(key="overview_basis").set_value("cash").run()
    assert not overview.exception
    text = page_text(overview)
    assert "+£114 since 2011-12" in text
    assert "<p class='tb-value'>£585</p>" in text  # the year's own figure is its cash


def test_changes_run_from_the_years_before_sharing(overview):
    """Westminster cultural services per resident: RS £16,536k, £16,496k and £16,431k in
    2008-09 to 2010-11 over 219,582 residents (mid-2011, the nearest estimate) are £75.31,
    £75.12 and £74.83; in 2024-25 prices (x 100 / 66.8397, 67.7042, 68.8561) they average
    £110.77, against £63.26 in 2024-25: -£48. In cash the average is £75.09: -£12."""
    text = page_text(overview)
    assert "−£48 since the 2008-09 to 2010-11 average" in text
    overview.segmented_control(key="overview_basis").set_value("cash").run()
    assert "−£12 since the 2008-09 to 2010-11 average" in page_text(overview)
    # Adults' social care has no figure before 2011-12: its change still runs from 2011-12.
    assert "+£114 since 2011-12" in page_text(overview)
    overview.selectbox(key="overview_change_base").set_value("the first year shown").run()
    assert "since 2007-08" in page_text(overview)


def test_spend_trend_in_real_terms(overview, downloads):
    overview.segmented_control(key="overview_trend_metric").set_value(
        "spend_ph_adult_social_care"
    )
    overview.toggle(key="overview_trend_as_table").set_value(True).run()
    assert not overview.exception
    table = overview.dataframe[0].value
    row = table[(table["area"] == "Westminster") & (table["period"] == "2011-12")]
    assert row.iloc[0, 2] == pytest.approx(470.91 * 100 / 70.3261)
    assert "HM Treasury GDP deflators, March 2026" in downloads[-1][0]["prices"]


def test_trend_chart_has_table_and_download(overview):
    overview.toggle(key="overview_trend_as_table").set_value(True).run()
    assert not overview.exception
    table = overview.dataframe[0].value
    assert set(table["area"]) >= {"Westminster", "London median"}
    # CLA at 31 March 2018 from DfE's 2022 release (line 2463): Westminster 45 per 10,000.
    row = table[(table["area"] == "Westminster") & (table["period"] == "2017-18")]
    assert len(row) == 1 and row.iloc[0, 2] == 45
    # The 31 March 2010 baseline is in reach of the year filter (from 2007).
    assert "2009-10" in set(table["period"])


def test_in_brief_says_the_figures_in_words(overview):
    text = page_text(overview)
    assert "In brief" in overview.get("expander")[0].proto.label
    assert (
        "Children looked after per 10,000 children in Westminster stood at 62 in 2024-25, up "
        "from 58 in 2023-24 (increasing); the London median was 47, and Westminster was the "
        "joint seventh highest of 32 London boroughs." in text
    )
    assert ("Ofsted last judged Kensington and Chelsea's children's services Outstanding "
            "(ILACS short, published 13 January 2025)." in text)


def test_committee_pack_button_for_the_boroughs_chosen(app_env):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["boroughs"] = ["E09000020"]
    at.session_state["period"] = (2015, 2024)
    at.run()
    assert not at.exception
    buttons = {b.key: b.label for b in at.get("download_button")}
    assert buttons["overview_pack"] == "Download committee pack (PDF)"
    assert buttons["overview_pack_word"] == "Download committee pack (Word)"
    text = page_text(at)
    assert "Kensington and Chelsea stood at" in text and "Westminster stood at" not in text
