"""The Service quality page: scorecard in words, Ofsted's record, RAG only with a target."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pagetest import altered_warehouse, page_text, run_page
from streamlit.testing.v1 import AppTest

from triborough.model.catalogue import METRIC_BY_CODE
from triborough.model.style import ILLUSTRATIVE_LABEL
from triborough.views.scorecard import SCORECARD_METRICS

PAGE = "../pages/quality.py"
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
NAMES = {"Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"}


def _scorecard(at: AppTest):
    """Every scorecard row on screen, one pandas frame. On screen each measure is a table of
    its own whose first column, headed 'measure (lower is better)', names the boroughs."""
    import re

    import pandas as pd

    parts = []
    for table in at.table:
        frame = table.value
        heading = str(frame.columns[0])
        found = re.fullmatch(r"(.*) \((higher|lower) is better\)", heading)
        measure, better = (found[1], found[2]) if found else (heading, "neither")
        # Periods on screen hold a non-breaking hyphen or space so they never wrap inside.
        frame = frame.map(lambda v: v.replace("\u2011", "-").replace("\u00a0", " ")
                          if isinstance(v, str) else v)
        parts.append(frame.rename(columns={heading: "Borough"}).assign(
            Measure=measure, **{"Better when": better}))
    assert parts, "no scorecard tables"
    return pd.concat(parts, ignore_index=True)


def _row(card, measure: str, borough: str):
    found = card[(card["Measure"] == measure) & (card["Borough"] == borough)]
    assert len(found) == 1, f"{measure} / {borough}: {len(found)} rows"
    return found.iloc[0]


@pytest.fixture
def no_targets(built_warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the warehouse with no targets anywhere: none in the catalogue, none in the
    council table."""
    return altered_warehouse(built_warehouse, tmp_path, monkeypatch,
                             ("delete from kpi_targets", {}))


@pytest.fixture
def catalogue_target(built_warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """No council targets, but the catalogue holds a published re-referral target."""
    return altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("delete from kpi_targets", {}),
        ("update dim_metric set target = 20.0, target_is_published = true "
         "where code = 'rereferral_pct'", {}),
    )


@pytest.fixture
def council_loaded_target(built_warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """Westminster has loaded its own (unpublished) re-referral target of 17% for 2024-25."""
    return altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("update kpi_targets set target = 17.0, is_illustrative = false "
         "where metric_code = 'rereferral_pct' and borough_code = $a "
         "and financial_year = '2024-25'", {"a": WCC}),
    )


def test_scorecard_shows_published_figures_in_words_for_all_three(app_env):
    at = run_page(PAGE)
    card = _scorecard(at)
    assert set(card["Borough"]) == NAMES
    turnover = _row(card, "Social worker turnover rate", "Westminster")
    # DfE children's social work workforce (csww_indicators_2017_to_2025.csv row 309,
    # time_period 2024, Westminster): turnover_rate_fte 16.7. The 2025 row is all 'x'
    # (not published), so September 2024 is Westminster's latest figure.
    assert turnover["Latest figure"] == "16.7%"
    # Other boroughs have September 2025: Westminster's figure is marked older, not ranked.
    assert turnover["Period"] == "Sep 2024 (older)"
    assert turnover["Among London boroughs"].startswith(
        "not ranked: an older figure (others have Sep 2025; later years suppressed")
    assert turnover["Direction of travel"] == "▲ worsening since Sep 2023"  # 14.7% in 2023
    assert turnover["Better when"] == "lower"
    # Oflog gives no England figure: the national median stands in, and says so.
    qol = _row(card, "Social care-related quality of life", "Westminster")
    assert qol["Against England"].startswith("national median (Oflog): ")
    # Every figure on this page is published: no illustrative banner.
    assert not any(ILLUSTRATIVE_LABEL in w.value for w in at.warning)


def test_an_older_figure_is_not_ranked_against_current_ones(app_env):
    """Westminster's agency social worker rate is 'x' from 2022 (csww_indicators row 472):
    its Sep 2021 figure is marked older, not placed among London's Sep 2025 figures."""
    card = _scorecard(run_page(PAGE))
    agency = _row(card, "Agency social worker rate", "Westminster")
    assert agency["Period"] == "Sep 2021 (older)"
    assert agency["Among London boroughs"].startswith("not ranked: an older figure")
    assert "the Sep 2021 median" in agency["Against the London median"]
    current = _row(card, "Agency social worker rate", "Hammersmith and Fulham")
    assert current["Period"] == "Sep 2025"
    assert not current["Among London boroughs"].startswith("not ranked")


def test_ofsted_record_reads_in_words(app_env):
    at = run_page(PAGE)
    at.toggle(key="quality_ofsted_as_table").set_value(True).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "headline_judgement" in d.value.columns)
    sif = table[table["published"] == "29 March 2016"].set_index("borough")
    # Ofsted, LA children's services inspections 2009-2023
    # (la_childrens_services_inspections_2009_2023.csv, 'First SIF Overall Judgement (OE)',
    # published 29/03/2016): Westminster Outstanding (row 145), Kensington and Chelsea
    # Outstanding (row 63), Hammersmith and Fulham Good (row 50).
    assert sif.loc["Westminster", "headline_judgement"] == "Outstanding"
    assert sif.loc["Kensington and Chelsea", "headline_judgement"] == "Outstanding"
    assert sif.loc["Hammersmith and Fulham", "headline_judgement"] == "Good"
    assert "Adoption: Outstanding" in sif.loc["Hammersmith and Fulham", "other_judgements"]
    # Before the SIF, SLAC judged two things and gave no overall judgement.
    slac = table[(table["borough"] == "Westminster") & (table["published"] == "28 October 2011")]
    assert slac["headline_judgement"].iloc[0] == (
        "Safeguarding: Good; Services for looked after children: Good"
    )


def test_sidebar_filters_apply(app_env):
    at = run_page(PAGE, boroughs=[HF, RBKC], period=(2010, 2023))
    card = _scorecard(at)
    assert set(card["Borough"]) == {"Hammersmith and Fulham", "Kensington and Chelsea"}
    rereferrals = _row(card, "Re-referrals within 12 months", "Hammersmith and Fulham")
    # DfE children in need (c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv
    # row 302, time_period 2024, Hammersmith and Fulham): rereferral_percent 12.9.
    assert rereferrals["Latest figure"] == "12.9%"
    assert rereferrals["Period"] == "2023-24"
    at.toggle(key="quality_ofsted_as_table").set_value(True).run()
    table = next(d.value for d in at.dataframe if "headline_judgement" in d.value.columns)
    assert "Westminster" not in set(table["borough"])
    assert table["published"].str.endswith(("2024", "2025")).sum() == 0


def test_council_targets_rate_the_latest_year_and_say_they_are_illustrative(app_env, downloads):
    at = run_page(PAGE)
    card = _scorecard(at)
    assert "Target" in card.columns
    # Latest DfE re-referral rates 2024-25: K&C 21.0%, Westminster 18.6%, H&F 15.3%, against
    # the generated 18% target in kpi_targets (within 5% on the wrong side is 'near').
    rereferrals = "Re-referrals within 12 months"
    assert _row(card, rereferrals, "Kensington and Chelsea")["Target"] == (
        "off target (illustrative target 18.0%)")
    assert _row(card, rereferrals, "Westminster")["Target"] == (
        "near target (illustrative target 18.0%)")
    assert _row(card, rereferrals, "Hammersmith and Fulham")["Target"] == (
        "on target (illustrative target 18.0%)")
    # DfE 3+ placements 2024-25: Westminster 10.0% against a 10% target; K&C 18.0%.
    placements = "Children looked after with 3+ placements in the year"
    assert _row(card, placements, "Westminster")["Target"] == (
        "on target (illustrative target 10.0%)")
    assert _row(card, placements, "Kensington and Chelsea")["Target"] == (
        "off target (illustrative target 10.0%)")
    # No target is held for turnover: its table has no Target column at all.
    assert pd.isna(_row(card, "Social worker turnover rate", "Westminster")["Target"])
    captions = "\n".join(c.value for c in at.caption)
    assert "Targets marked illustrative are generated, not set by the councils" in captions
    rated = [m for m, _ in downloads if m.get("targets")]
    assert rated and all(m["targets"].startswith("illustrative") for m in rated)


def test_a_council_target_is_called_the_council_s(council_loaded_target):
    card = _scorecard(run_page(PAGE))
    # Westminster's 18.6% against its own 17% target: more than 5% over, so off target.
    assert _row(card, "Re-referrals within 12 months", "Westminster")["Target"] == (
        "off target (council target 17.0%)")


def test_a_published_catalogue_target_is_used_when_no_council_has_one(catalogue_target):
    card = _scorecard(run_page(PAGE))
    assert _row(card, "Re-referrals within 12 months", "Kensington and Chelsea")["Target"] == (
        "near target (published target 20.0%)")  # 21.0% is within 5% of 20%
    assert pd.isna(_row(card, "Social worker turnover rate", "Westminster")["Target"])


def test_without_targets_there_is_no_rating_column(no_targets):
    at = run_page(PAGE)
    assert "Target" not in _scorecard(at).columns
    assert "No targets are held for these measures" in "\n".join(c.value for c in at.caption)


def test_scorecard_holds_no_counts_of_people():
    # Everything on this page is a rate, share or score: nothing is small-number suppressed.
    # A count added to the scorecard must bring suppression (and a test) with it.
    assert not [c for c in SCORECARD_METRICS if METRIC_BY_CODE[c].is_people_count]


def test_each_scorecard_section_opens_with_the_figures_in_words(app_env):
    at = run_page(PAGE)
    text = page_text(at)
    assert text.count("**In brief**") == 5  # one per theme
    assert (
        "Second or subsequent child protection plans in Westminster stood at 7.6% in 2024-25, "
        "down from 14.2% in 2023-24 (improving)" in text
    )
    assert ("Kensington and Chelsea was the ninth highest of 32 London boroughs. Against the "
            "illustrative target (generated, not set by the council) of 18% it is off target."
            in text)
