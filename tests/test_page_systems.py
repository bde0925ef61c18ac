"""The Systems page as a CIO sees it: illustrative IT figures labelled, published central spend."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest
from pagetest import chart_titles, page_text, run_page
from streamlit.testing.v1 import AppTest

from triborough.model.style import ILLUSTRATIVE_LABEL
from triborough.views.systems import ending_soon

PAGE = "../pages/systems.py"
BOROUGHS = ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")


@pytest.fixture
def page(app_env, downloads) -> AppTest:
    return run_page(PAGE)


def _central_table(at: AppTest) -> pl.DataFrame:
    at.toggle(key="systems_central_as_table").set_value(True).run()
    assert not at.exception
    return pl.from_pandas(at.dataframe[-1].value)


def _value(table: pl.DataFrame, area: str, period: str) -> float:
    rows = table.filter((pl.col("area") == area) & (pl.col("period") == period))
    assert rows.height == 1, (area, period)
    return rows.row(0)[2]


def test_page_runs_with_all_three_boroughs(page):
    text = page_text(page)
    for name in BOROUGHS:
        assert name in text
    assert page.title[0].value.startswith("Systems and IT")


def test_central_services_spend_is_the_published_outturn(page):
    page.segmented_control(key="systems_basis").set_value("cash")
    table = _central_table(page)
    # MHCLG RSX 2023-24, rsx_service_expenditure_summary_2023_24.csv line 146 (Hammersmith &
    # Fulham), 'Central services - Net Current Expenditure (C7 = C3 - C6)' = 32779 (£ thousand).
    assert _value(table, "Hammersmith and Fulham", "2023-24") == 32779.0
    # MHCLG RS 2012-13, rs_revenue_outturn_summary_2012_13.csv line 334 (Westminster, E5022),
    # column 'Central services' = -16881: negative as published, not clipped to zero.
    assert _value(table, "Westminster", "2012-13") == -16881.0
    # RS 2010-11, rs_revenue_outturn_summary_2010_11.csv line 328 (Kensington & Chelsea,
    # E5016), 'Central services' = 11838.
    assert _value(table, "Kensington and Chelsea", "2010-11") == 11838.0
    assert "London median" in set(table["area"])
    # Cash charts leave England out (its total would dwarf any borough).
    assert "England" not in set(table["area"])


def test_central_services_per_resident(page, downloads):
    page.segmented_control(key="systems_central_measure").set_value(
        "spend_ph_central_services")
    page.segmented_control(key="systems_basis").set_value("cash").run()
    table = _central_table(page)
    # 32,779,000 / 186,176 residents (ONS mid-2023, Hammersmith and Fulham) = £176.06.
    assert _value(table, "Hammersmith and Fulham", "2023-24") == pytest.approx(176.06)
    # Real terms, the default: x 100 / 96.1117 (2023-24 deflator, 2024-25 = 100) = £183.18.
    page.segmented_control(key="systems_basis").set_value("real").run()
    table = _central_table(page)
    assert _value(table, "Hammersmith and Fulham", "2023-24") == pytest.approx(
        176.06 * 100 / 96.1117)
    assert "HM Treasury GDP deflators, March 2026" in downloads[-1][0]["prices"]


def test_illustrative_sections_are_labelled_on_screen_and_in_downloads(page, downloads):
    text = page_text(page)
    assert text.count(ILLUSTRATIVE_LABEL) >= 3
    titles = chart_titles(page)
    illustrative = [t for t in titles if t.endswith("(illustrative)")]
    # Service desk trend and by tower, contracts, platforms; central services is published.
    assert len(illustrative) == 4, titles
    assert any(t.startswith("Net current expenditure: Central services") for t in titles)
    generated = [m for m, _ in downloads if m.get("source", "").startswith("Tri-borough Insight")]
    assert len(generated) == 4
    assert all(m["illustrative"].startswith("yes") for m in generated)
    published = [m for m, _ in downloads if m.get("metrics", "").startswith("nce_central")]
    assert len(published) == 1 and published[0]["illustrative"].startswith("no")


def test_contracts_ending_within_twelve_months_are_flagged(page, app_env):
    with duckdb.connect(str(app_env), read_only=True) as con:
        contracts = pl.from_arrow(con.sql("select * from contracts").to_arrow_table())
    soon = ending_soon(contracts, dt.date.today())
    text = page_text(page)
    if soon.is_empty():
        assert "No contract shown ends between today" in text
    else:
        assert f"⚑ {soon.height} contract" in text
        spec = json.loads(
            next(c for c in page.get("plotly_chart")
                 if "Contracts by borough" in c.proto.spec).proto.spec
        )
        labels = [t for trace in spec["data"] for t in (trace.get("text") or [])]
        assert sum("⚑" in str(t) for t in labels) == soon.height


def test_convergence_summary(page):
    frames = [pl.from_pandas(d.value) for d in page.dataframe]
    summary = next(f for f in frames if "common system" in f.columns)
    assert set(summary["platform"]) == {
        "ERP managed service", "Library management", "Social care", "BI platform"}


def test_sidebar_and_page_filters_apply(app_env, downloads):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["boroughs"] = ["E09000033"]
    at.session_state["period"] = (2013, 2017)
    at.run()
    assert not at.exception
    text = page_text(at)
    assert "Westminster" in text
    assert "Hammersmith and Fulham" not in text and "Kensington and Chelsea" not in text
    table = _central_table(at)
    assert set(table["area"]) == {"Westminster", "London median"}
    assert set(table["period"]) == {"2013-14", "2014-15", "2015-16", "2016-17", "2017-18"}

    at.segmented_control(key="systems_desk_measure").set_value("cost_per_user").run()
    at.selectbox(key="systems_tower").set_value("data_centre").run()
    assert not at.exception
    assert any(t.startswith("Cost per staff user (£ a year), data centre, 2013-14 to 2017-18")
               for t in chart_titles(at)), chart_titles(at)


def test_contract_labels_in_full_and_the_reference_legend(page, app_env):
    with duckdb.connect(str(app_env), read_only=True) as con:
        ids = [r[0] for r in con.sql("select distinct contract_id from contracts").fetchall()]
    frames = {tuple(d.value.columns): pl.from_pandas(d.value) for d in page.dataframe}
    legend = frames[("code", "means")]
    spec = json.loads(next(c for c in page.get("plotly_chart")
                           if "Contracts by borough" in c.proto.spec).proto.spec)
    hovers = [d[2] for trace in spec["data"] for d in trace.get("customdata", [])]
    shown = {h.split(":")[0] for h in hovers}
    assert shown and shown <= set(ids)
    # Every part of every reference shown is explained (the generated ones follow a scheme).
    parts = {p for cid in shown for p in cid.split("-")}
    assert parts <= set(legend["code"]), parts - set(legend["code"])
    assert legend.filter(pl.col("code") == "TB")["means"].item().startswith("tri-borough")
    page.toggle(key="systems_contracts_as_table").set_value(True).run()
    table = pl.from_pandas(next(d.value for d in page.dataframe
                                if "bar label in full" in d.value.columns))
    assert sorted(set(table["bar label in full"])) == sorted(set(hovers))
    # The generated register's references are all read; none falls back to "own reference".
    assert not any("own contract reference" in m for m in table["reference means"])
