"""The Caseload page as a councillor sees it: published figures, gaps, suppression, labels."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pagetest import altered_warehouse, chart_titles, page_text, run_page
from streamlit.testing.v1 import AppTest

from triborough.model.style import ILLUSTRATIVE_LABEL

PAGE = "../pages/caseload.py"
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
NAMES = ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")
CLA = "Children looked after at 31 March"
# Tab labels: the page runs only the chosen tab (session state key 'caseload_tab').
CHILDREN, ADULTS = "Children's social care", "Adults' social care"
TEAMS = "Merged teams (illustrative)"


def _table(at: AppTest, column: str):
    """The one table on screen with ``column`` (a pandas frame)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"expected one table with {column!r}, found {len(found)}"
    return found[0]


@pytest.fixture
def small_counts(built_warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the warehouse with small counts planted where the page shows them."""
    return altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("update fact_metric set value = 3 where area_code = $a "
         "and metric_code = 'cla_at_31_march' and period = '2024-25'", {"a": RBKC}),
        ("update caseload_monthly set open_cases = 2 where borough_code = $a "
         "and service = 'looked_after' and month = date '2025-03-01'", {"a": WCC}),
    )


def test_children_looked_after_are_the_published_counts_with_the_gap_kept(app_env):
    at = run_page(PAGE)
    at.toggle(key="caseload_cla_at_31_march_as_table").set_value(True).run()
    assert not at.exception
    table = _table(at, CLA)
    assert set(NAMES) <= set(table["area"])
    latest = table[table["period"] == "2024-25"].set_index("area")[CLA]
    # DfE 'Children looked after in England' 2025 (cla_number_and_rate_per_10k_children.csv,
    # 'Children looked after on 31 March each year', time_period 2025): Westminster 186
    # (row 444), Hammersmith and Fulham 197 (row 414), Kensington and Chelsea 106 (row 423).
    assert latest["Westminster"] == 186
    assert latest["Hammersmith and Fulham"] == 197
    assert latest["Kensington and Chelsea"] == 106
    # 31 March 2018, missing from the main series, comes from DfE's 2022 release
    # (cla_number_and_rate_per_10k_children_2018_to_2022.csv line 2463): Westminster 204.
    row = table[(table["area"] == "Westminster") & (table["period"] == "2017-18")]
    assert len(row) == 1 and row[CLA].iloc[0] == 204


def test_library_visits_add_up_to_the_published_year(app_env):
    at = run_page(PAGE, caseload_tab="Libraries")
    at.toggle(key="caseload_library_activity_as_table").set_value(True).run()
    table = _table(at, "library visits")
    wcc = table[table["area"] == "Westminster"]
    # Arts Council England 2023/24 (ace_libraries_activity_2023_24/visits.csv rows 3229-3240,
    # 'Shared building' P1M): April 2023 105,768; the year sums to 1,455,280, the 'Visits'
    # figure for Westminster in services.csv (row 124).
    assert wcc[wcc["period"] == "Apr 2023"]["library visits"].iloc[0] == 105_768
    assert wcc["library visits"].sum() == 1_455_280
    assert len(wcc) == 12


def test_caveats_about_rounding_and_unstated_units_are_on_the_page(app_env):
    text = page_text(run_page(PAGE, caseload_tab=ADULTS))
    assert "rounded these counts to the nearest 5" in text
    assert "does not say what this rate is per" in text


def test_illustrative_caseload_is_labelled_on_screen_and_in_downloads(app_env, downloads):
    at = run_page(PAGE, caseload_tab=TEAMS)
    # One banner for the section says what was generated and why; each of its two charts
    # says so again in the source line under it.
    assert sum(ILLUSTRATIVE_LABEL in w.value for w in at.warning) == 1
    assert sum(c.value.startswith(f"**{ILLUSTRATIVE_LABEL}**") for c in at.caption) == 2
    assert "generated, not published" in page_text(at)
    by_what = {meta.get("figures", meta.get("metrics", "")): meta for meta, _ in downloads}
    monthly = [m for w, m in by_what.items() if w.startswith("Open cases at the end of each")]
    assert monthly and all(m["illustrative"].startswith("yes") for m in monthly)
    # Published figures on the other tabs say they are published.
    at.session_state["caseload_tab"] = CHILDREN
    at.query_params["caseload_tab"] = CHILDREN  # the address follows a bound tab
    at.run()
    published = [m for m, _ in downloads if "cla_at_31_march" in m.get("metrics", "")]
    assert published and published[0]["illustrative"].startswith("no")
    assert published[0]["licence"] == "Open Government Licence v3.0"
    assert "Department for Education" in published[0]["source"]


def test_small_counts_read_as_suppressed_on_screen_and_in_downloads(small_counts, downloads):
    at = run_page(PAGE)
    at.toggle(key="caseload_cla_at_31_march_as_table").set_value(True).run()
    assert not at.exception
    table = _table(at, CLA)
    year = table[table["period"] == "2024-25"].set_index("area")
    assert year.loc["Kensington and Chelsea", CLA] != year.loc["Kensington and Chelsea", CLA]
    assert year.loc["Kensington and Chelsea", "note"] == "suppressed (fewer than 5)"
    # Secondary suppression: the next smallest borough that year is hidden too (186 < 197).
    assert year.loc["Westminster", "note"] == "suppressed (fewer than 5)"
    assert year.loc["Hammersmith and Fulham", CLA] == 197
    at.session_state["caseload_tab"] = TEAMS
    at.query_params["caseload_tab"] = TEAMS  # the address follows a bound tab
    at.run()
    at.toggle(key="caseload_monthly_as_table").set_value(True).run()
    assert not at.exception
    monthly = _table(at, "open cases")
    march = monthly[(monthly["period"] == "Mar 2025") & (monthly["area"] == "Westminster")]
    assert march["open cases"].isna().all()
    assert march["note"].iloc[0] == "suppressed (fewer than 5)"
    # The CSVs carry the same gaps, never the planted counts.
    for meta, frame in downloads:
        if "cla_at_31_march" in meta.get("metrics", ""):
            row = frame.filter((pl.col("area") == "Kensington and Chelsea")
                               & (pl.col("period") == "2024-25"))
            assert row[CLA].to_list() == [None]
            assert "suppressed" in meta["suppression"]


def test_sidebar_filters_apply(app_env):
    at = run_page(PAGE, boroughs=[WCC, RBKC], period=(2019, 2025))
    at.toggle(key="caseload_cla_at_31_march_as_table").set_value(True).run()
    table = _table(at, CLA)
    assert set(table["area"]) == {"Westminster", "Kensington and Chelsea", "London median"}
    assert table["period"].iloc[0] == "2019-20"


def test_years_without_library_data_say_why(app_env):
    at = run_page(PAGE, period=(2010, 2015), caseload_tab="Libraries")
    assert any("April 2023 to March 2024 only" in i.value for i in at.info)


def test_charts_say_which_way_is_better_and_where_each_borough_stands(app_env):
    at = run_page(PAGE)
    at.segmented_control(key="caseload_referrals_measure").set_value("rereferral_pct").run()
    assert not at.exception
    titles = chart_titles(at)
    # Re-referrals: lower is better (DfE); children in need: neither, said as such.
    assert "Re-referrals within 12 months, 2010-11 to 2024-25<br><sup>Lower is better</sup>" \
        in titles
    assert titles[0].endswith("<sup>Neither higher nor lower is better in itself</sup>")
    # DfE children in need census, re-referrals within 12 months: Westminster 21.8% in
    # 2010-11 and 18.6% in 2024-25; London median 18.5% over 32 boroughs in 2024-25.
    text = page_text(at)
    assert (
        "Westminster's re-referrals within 12 months fell 3.2 percentage points, from 21.8% in "
        "2010-11 to 18.6% in 2024-25 (improving), against a London median fall of") in text
    assert "In 2024-25 it stood at 18.6%, above (worse than) the London median of 18.5%." in text
    assert "Hammersmith and Fulham's re-referrals within 12 months" in text


def test_library_use_per_1000_residents_against_london(app_env, downloads):
    at = run_page(PAGE, caseload_tab="Libraries")
    assert chart_titles(at)[0] == ("Library visits per 1,000 residents, 2023-24"
                                   "<br><sup>Higher is better</sup>")
    # ACE 2023/24: Westminster 1,455,280 visits over 211,508 residents (ONS mid-2023) =
    # 6,880.5 per 1,000; the London median over the 26 boroughs reporting a whole year.
    text = page_text(at)
    assert ("In 2023-24 Westminster's library visits stood at 6,880.5 per 1,000, above (better "
            "than) the London median of 3,565.2 per 1,000 (26 London boroughs).") in text
    at.segmented_control(key="caseload_library_annual_measure").set_value("active_users").run()
    assert not at.exception
    # Active users: 34,326 (the age groups added up) over 211,508 residents = 162.3.
    text = page_text(at)
    assert ("In 2023-24 Westminster's library active users stood at 162.3 per 1,000, above "
            "(better than) the London median of 101.1 per 1,000 (27 London boroughs).") in text
    at.toggle(key="caseload_library_annual_as_table").set_value(True).run()
    table = _table(at, "active users per 1,000 residents")
    row = table[table["area"] == "Westminster"].iloc[0]
    assert row["active users"] == 34326 and row["residents"] == 211508
    rates = [m for m, _ in downloads if m.get("metrics", "").startswith("lib_active_users")
             and m["unit"].startswith("per 1,000 residents")]
    assert rates and all(m["illustrative"].startswith("no") for m in rates)


def test_tables_show_thousands_separators_but_not_in_years(app_env):
    import json

    at = run_page(PAGE, caseload_tab="Libraries")
    at.toggle(key="caseload_library_annual_as_table").set_value(True).run()
    columns = json.loads(at.dataframe[0].proto.columns)
    # 1,455,280 visits, not 1455280; the period label stays as published.
    assert columns["visits"]["type_config"]["format"] == "localized"
    assert columns["residents"]["type_config"]["format"] == "localized"
    assert "period" not in columns
    at.toggle(key="caseload_libraries_open_as_table").set_value(True).run()
    listing = json.loads(at.dataframe[-1].proto.columns)
    assert all(c.get("type_config", {}).get("format") != "localized"
               for name, c in listing.items() if "year" in name)
