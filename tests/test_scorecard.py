"""Scorecard logic: London quarters, distance from comparators, RAG, sparklines, Ofsted words."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from triborough.views.scorecard import (
    SPARK_GAP,
    gap_words,
    inspection_history,
    london_quartile,
    quartile_cuts,
    quartile_words,
    rag_status,
    rag_words,
    scorecard_table,
    sparkline,
)

NINE = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_quartile_cuts_interpolate_like_quartile_inc_and_ignore_gaps():
    assert quartile_cuts(NINE) == (3.0, 5.0, 7.0)
    assert quartile_cuts([*NINE, None, float("nan")]) == (3.0, 5.0, 7.0)
    # Too few figures for quarters to mean anything.
    assert quartile_cuts(NINE[:7]) is None


@pytest.mark.parametrize(
    ("value", "quartile"),
    [(1.0, 1), (3.0, 1), (3.5, 2), (5.0, 2), (6.0, 3), (7.0, 3), (7.1, 4), (9.0, 4), (None, None)],
)
def test_london_quartile_puts_a_value_on_a_cut_in_the_lower_quarter(value, quartile):
    assert london_quartile(value, NINE) == quartile


def test_quartile_words_follow_polarity():
    assert quartile_words(4, "higher_better") == "best quarter"
    assert quartile_words(4, "lower_better") == "worst quarter"
    assert quartile_words(1, "lower_better") == "best quarter"
    assert quartile_words(1, "neither") == "lowest quarter"
    assert quartile_words(3, "neither") == "second-highest quarter"
    assert quartile_words(None, "higher_better") == "too few London figures to place"


def test_gap_words_give_size_side_and_verdict_by_polarity():
    assert gap_words(18.6, 18.3, "percent", "lower_better", "London median") == (
        "0.3 pts above (worse)"
    )
    assert gap_words(15.3, 18.3, "percent", "lower_better", "London median") == (
        "3.0 pts below (better)"
    )
    assert gap_words(84.0, 68.0, "percent", "higher_better", "London median") == (
        "16.0 pts above (better)"
    )
    # No polarity, no verdict: more children in need is not 'worse' in itself.
    assert gap_words(62.0, 47.0, "rate_per_10000", "neither", "London median") == "15.0 above"
    assert gap_words(10.0, 10.0, "percent", "lower_better", "London median") == "the same"
    assert gap_words(None, 10.0, "percent", "lower_better", "London median") == (
        "no London median figure"
    )


@pytest.mark.parametrize(
    ("value", "target", "polarity", "status"),
    [
        (72.0, 70.0, "higher_better", "green"),
        (70.0, 70.0, "higher_better", "green"),
        (67.0, 70.0, "higher_better", "amber"),  # within 5% of the target
        (60.0, 70.0, "higher_better", "red"),
        (15.3, 18.0, "lower_better", "green"),
        (18.6, 18.0, "lower_better", "amber"),
        (21.0, 18.0, "lower_better", "red"),
        (21.0, 18.0, "neither", None),  # no direction: no verdict
        (21.0, None, "lower_better", None),  # no target: no colour
        (None, 18.0, "lower_better", None),
    ],
)
def test_rag_status(value, target, polarity, status):
    assert rag_status(value, target, polarity) == status


def test_rag_words_always_say_the_rating_and_whose_target():
    assert rag_words("red", 18.0, "percent", published=False) == (
        "off target (illustrative target 18.0%)"
    )
    assert rag_words("green", 70.0, "percent", published=True) == (
        "on target (published target 70.0%)"
    )
    assert rag_words(None, None, "percent", published=False) == "no target set"


def test_sparkline_shows_gaps_as_gaps_not_zero():
    assert sparkline([1.0, None, 3.0, 2.0]) == f"▁{SPARK_GAP}█▅"
    assert sparkline([None, None]) == SPARK_GAP * 2
    assert sparkline([4.0, 4.0]) == "▄▄"
    # A zero is a figure (the lowest mark), a gap is not.
    assert sparkline([0.0, None, 8.0]) == f"▁{SPARK_GAP}█"


def _latest(**overrides) -> dict:
    row = {
        "metric_code": "rereferral_pct", "metric_name": "Re-referrals within 12 months",
        "domain": "children", "unit": "percent", "polarity": "lower_better", "target": None,
        "target_is_published": False, "is_illustrative": False, "is_people_count": False,
        "area_code": "E09000013", "area_name": "Hammersmith and Fulham",
        "latest_period": "2024-25", "latest_value": 15.3,
        "previous_period": "2023-24", "previous_value": 12.9,
        "london_values": NINE + [20.0, 21.0, 22.0], "london_median": 18.3, "london_areas": 12,
        "england_value": 22.6, "national_median": None, "publisher": "DfE",
        "source_title": "CIN", "source_url": "", "licence": "OGL",
    }
    row.update(overrides)
    return row


def test_scorecard_table_rows_in_words_in_borough_order():
    latest = pl.DataFrame([
        _latest(),
        _latest(area_code="E09000033", area_name="Westminster", latest_value=18.6,
                previous_value=15.6),
        _latest(metric_code="asc_user_qol", metric_name="Quality of life", domain="adults",
                unit="score", polarity="higher_better", area_code="E09000033",
                area_name="Westminster", latest_period="2022-23", latest_value=0.393,
                previous_period="2021-22", previous_value=0.409, england_value=None,
                national_median=0.413),
    ])
    series = pl.DataFrame({
        "metric_code": ["rereferral_pct"] * 3,
        "area_code": ["E09000013"] * 3,
        "area_name": ["Hammersmith and Fulham"] * 3,
        "period": ["2022-23", "2023-24", "2024-25"],
        "period_end": [dt.date(2023, 3, 31), dt.date(2024, 3, 31), dt.date(2025, 3, 31)],
        "value": [14.0, None, 15.3],
    })
    table = scorecard_table(latest, series)
    assert table.get_column("borough").to_list() == [
        "Westminster", "Hammersmith and Fulham", "Westminster"
    ]
    hf = table.row(1, named=True)
    assert hf["latest"] == "15.3%"
    # Re-referrals: lower is better, so a rise is 'worsening', never just 'up'.
    assert hf["direction"] == "▲ worsening since 2023-24"
    # London figures 1-9, 20, 21, 22: upper quartile 11.75, so 15.3 is in the highest quarter,
    # which for a lower-is-better measure is the worst.
    assert hf["london_position"] == "worst quarter"
    assert hf["vs_london_median"] == "3.0 pts below (better)"
    assert hf["vs_england"] == "7.3 pts below (better)"
    assert hf["trend"] == f"2022-23 ▁{SPARK_GAP}█ 2024-25"
    assert hf["trend_years"] == "2022-23 to 2024-25"
    assert hf["target"] == "no target set" and hf["rag"] == ""
    qol = table.row(2, named=True)
    # No England figure for Oflog measures: the national median stands in, and says so.
    assert qol["vs_england"] == "national median (Oflog): 0.02 below (worse)"
    assert qol["direction"] == "▼ worsening since 2021-22"


def test_scorecard_table_rates_against_a_target_when_one_is_held():
    latest = pl.DataFrame([_latest(target=18.0, latest_value=21.0)])
    row = scorecard_table(latest, pl.DataFrame()).row(0, named=True)
    assert row["rag"] == "red"
    assert row["target"] == "off target (illustrative target 18.0%)"


def _judgement(area, name, framework, date, judgement_area, judgement):
    return {
        "area_code": area, "area_name": name, "framework": framework, "inspection_date": None,
        "publication_date": date, "judgement_area": judgement_area, "judgement": judgement,
        "judgement_score": 0,
    }


def test_inspection_history_reads_in_words_with_the_headline_first():
    wcc, hf = "E09000033", "E09000013"
    slac = dt.date(2011, 7, 22)
    sif = dt.date(2016, 3, 29)
    rows = pl.DataFrame([
        _judgement(hf, "Hammersmith and Fulham", "SIF", sif, "adoption", "Outstanding"),
        _judgement(hf, "Hammersmith and Fulham", "SIF", sif, "overall", "Good"),
        _judgement(wcc, "Westminster", "SLAC", slac, "safeguarding", "Good"),
        _judgement(wcc, "Westminster", "SLAC", slac, "looked_after_children",
                   "Requires improvement to be good"),
    ])
    history = inspection_history(rows)
    assert history.get_column("borough").to_list() == ["Westminster", "Hammersmith and Fulham"]
    first, second = history.to_dicts()
    # SLAC gave no overall judgement: both of its judgements make the headline.
    assert first["headline_judgement"] == (
        "Safeguarding: Good; Services for looked after children: Requires improvement to be good"
    )
    assert first["label"] == "Good / Requires improvement"
    assert first["published"] == "22 July 2011"
    assert first["inspection"].startswith("Safeguarding and looked after children")
    assert second["headline_judgement"] == "Good"
    assert second["other_judgements"] == "Adoption: Outstanding"
    assert "Single inspection framework" in second["inspection"]


def test_inspection_history_of_nothing_is_empty():
    empty = pl.DataFrame(schema={
        "area_code": pl.String, "area_name": pl.String, "framework": pl.String,
        "inspection_date": pl.Date, "publication_date": pl.Date, "judgement_area": pl.String,
        "judgement": pl.String, "judgement_score": pl.Int32,
    })
    assert inspection_history(empty).is_empty()


def test_sparklines_share_one_scale_across_boroughs_and_name_their_years():
    from triborough.views.scorecard import sparklines

    rows = [("E09000033", "2022-23", 10.0), ("E09000033", "2023-24", 20.0),
            ("E09000033", "2024-25", 30.0), ("E09000013", "2022-23", 28.0),
            ("E09000013", "2023-24", None), ("E09000013", "2024-25", 30.0)]
    series = pl.DataFrame(
        [{"metric_code": "m", "area_code": a, "period": p,
          "period_end": dt.date(int(p[:4]) + 1, 3, 31), "value": v} for a, p, v in rows],
        schema_overrides={"value": pl.Float64})
    lines = sparklines(series)
    # One scale, 10 to 30: H&F's 28 is near the top, not the bottom of its own range.
    assert lines[("m", "E09000033")] == ("2022-23 ▁▅█ 2024-25", "2022-23 to 2024-25")
    assert lines[("m", "E09000013")] == (f"2022-23 ▇{SPARK_GAP}█ 2024-25", "2022-23 to 2024-25")
    assert sparkline([28.0, 30.0]) == "▁█"  # on its own range the same figures read low-high
