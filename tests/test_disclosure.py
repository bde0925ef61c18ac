"""Trend frames made safe for screen and download: suppression, notes, shading, team totals."""

from __future__ import annotations

import datetime as dt

import polars as pl

from triborough.views.disclosure import series_table, shading, span_of, suppress_series, team_totals

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"


def _trend(values: dict[str, float | None], london: float | None = 250.0) -> pl.DataFrame:
    rows = [
        {"series": code, "series_label": code, "series_kind": "area", "period": "2024-25",
         "period_end": dt.date(2025, 3, 31), "value": v}
        for code, v in values.items()
    ]
    rows.append({"series": "london_median", "series_label": "London median",
                 "series_kind": "comparator", "period": "2024-25",
                 "period_end": dt.date(2025, 3, 31), "value": london})
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64})


def test_boroughs_get_secondary_suppression_comparators_only_primary():
    out = suppress_series(_trend({WCC: 186.0, HF: 197.0, RBKC: 3.0}, london=4.0), 5, True)
    hidden = dict(zip(out["series"], out["suppressed"], strict=True))
    assert hidden == {WCC: True, HF: False, RBKC: True, "london_median": True}
    assert out.filter(pl.col("suppressed"))["value"].null_count() == 3


def test_rates_and_large_counts_are_left_alone():
    out = suppress_series(_trend({WCC: 3.0, HF: 2.0}), 5, is_people_count=False)
    assert not out["suppressed"].any()
    assert out["value"].to_list() == [3.0, 2.0, 250.0]


def test_table_says_which_empty_cells_are_hidden_and_which_unpublished():
    out = suppress_series(_trend({WCC: 186.0, HF: None, RBKC: 3.0}), 5, True)
    table = series_table(out, "children", 5)
    notes = dict(zip(table["area"], table["note"], strict=True))
    assert notes == {
        WCC: "suppressed (fewer than 5)",  # the one other figure: hidden so no total tells
        HF: "no figure published",
        RBKC: "suppressed (fewer than 5)",
        "London median": "",
    }


def test_shading_is_clipped_to_the_years_a_chart_shows():
    arrangements = pl.DataFrame({
        "arrangement_id": ["triborough_childrens_services", "biborough_childrens_services"],
        "start_date": [dt.date(2011, 6, 1), dt.date(2018, 4, 1)],
        "shaded_until": [dt.date(2018, 3, 31), dt.date(2025, 11, 28)],
    })
    everything = shading(arrangements, ["triborough_childrens_services"])
    assert everything == [(dt.date(2011, 6, 1), dt.date(2018, 3, 31), "Shared by all three")]
    clipped = shading(arrangements, ["triborough_childrens_services"],
                      (dt.date(2016, 3, 31), dt.date(2023, 3, 31)))
    assert clipped == [(dt.date(2016, 3, 31), dt.date(2018, 3, 31), "Shared by all three")]
    assert shading(arrangements, ["triborough_childrens_services"],
                   (dt.date(2020, 3, 31), dt.date(2025, 3, 31))) == []


def test_span_of_ignores_missing_dates():
    frame = pl.DataFrame({"period_end": [None, dt.date(2020, 1, 1), dt.date(2019, 1, 1)]})
    assert span_of(frame) == (dt.date(2019, 1, 1), dt.date(2020, 1, 1))
    assert span_of(frame.head(1)) is None


def test_team_totals_never_reveal_a_hidden_figure():
    jan, feb = dt.date(2018, 1, 1), dt.date(2018, 5, 1)
    monthly = pl.DataFrame({
        "month": [jan, jan, jan, feb, feb, feb],
        "borough_code": [WCC, HF, RBKC, WCC, HF, RBKC],
        "team_model": ["shared", "shared", "shared", "shared", "sovereign", "shared"],
        "open_cases": [180, 210, 80, None, 200, None],
        "suppressed": [False, False, False, True, False, True],
    })
    totals = team_totals(monthly)
    got = {(m, t): v for m, t, v in totals.select("month", "team_model", "open_cases").rows()}
    # January: everything shared; none in sovereign teams is a true zero.
    assert got[(jan, "shared")] == 470 and got[(jan, "sovereign")] == 0
    # May: two borough figures hidden, so the month has no totals at all.
    assert got[(feb, "shared")] is None and got[(feb, "sovereign")] is None
