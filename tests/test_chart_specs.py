"""Every chart builder writes its figure as plain dicts, drawn without Plotly's validation (for
speed): validating each one here in full must accept every property and change nothing, so a
misspelt or out-of-range property still fails, here rather than in a councillor's browser."""

from __future__ import annotations

import datetime as dt
import json

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest

from triborough.figures.bar_charts import bar_chart, placebo_chart, stacked_bar_chart
from triborough.figures.chart_export import with_provenance
from triborough.figures.charts import add_hline, money_axis
from triborough.figures.line_charts import (
    band_chart,
    interval_chart,
    stacked_area_chart,
    trend_chart,
)
from triborough.figures.timeline_charts import judgement_chart, timeline_chart

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
CODES, NAMES = (WCC, HF, RBKC), ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")
YEARS = range(2011, 2019)
SHARED = [(dt.date(2011, 6, 1), dt.date(2018, 3, 31), "All three councils sharing")]
SPLIT = [(dt.date(2018, 4, 1), "Split takes effect")]


def _lines(with_gap: bool = False) -> pl.DataFrame:
    return pl.DataFrame({
        "series": [c for c in (*CODES, "LONDON") for _ in YEARS],
        "series_label": [n for n in (*NAMES, "London median") for _ in YEARS],
        "area_code": [c for c in (*CODES, "LONDON") for _ in YEARS],
        "area_name": [n for n in (*NAMES, "London median") for _ in YEARS],
        "period": [f"{y - 1}-{y % 100:02d}" for _ in range(4) for y in YEARS],
        "period_end": [dt.date(y, 3, 31) for _ in range(4) for y in YEARS],
        "value": [None if with_gap and i % 5 == 2 else float(i) for i in range(4 * len(YEARS))],
    })


def _bands(keys: tuple[str, ...]) -> pl.DataFrame:
    rows = [(k, f"{k} neighbours", dt.date(y, 3, 31), None if y == 2014 else 1.0 * y,
             None if y == 2014 else 2.0 * y, 3.0 * y) for k in keys for y in YEARS]
    return pl.DataFrame(rows, orient="row", schema=[
        "group_key", "group_label", "period_end", "lower_quartile", "median", "upper_quartile"])


def _timeline() -> pl.DataFrame:
    return pl.DataFrame({
        "row": ["Social care · WCC", "Social care · H&F", "Social care · H&F", "Finance · K&C"],
        "start": [dt.date(2016, 2, 1), dt.date(2016, 2, 1), dt.date(2018, 11, 5),
                  dt.date(2012, 1, 1)],
        "end": [dt.date(2026, 11, 29), dt.date(2018, 11, 5), dt.date(2026, 11, 29),
                dt.date(2020, 1, 1)],
        "area_code": [WCC, HF, HF, RBKC],
        "series_label": ["Westminster", "H&F", "H&F", "K&C"],
        "text": ["Shared social care system", "Shared social care system",
                 "H&F social care system", "Own finance system"],
        "muted": [False, False, False, True],
        "soon": [True, False, False, False],
    })


def _figures() -> dict[str, go.Figure]:
    lines = _lines(with_gap=True)
    boroughs = lines.filter(pl.col("area_code") != "LONDON")
    one_year = boroughs.filter(pl.col("period") == "2015-16")
    effect = pl.DataFrame({"period": [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2022)],
                           "estimate": [float(v) for v in range(-5, 5)],
                           "ci_low": [float(v) - 2 for v in range(-5, 4)] + [float("-inf")],
                           "ci_high": [float(v) + 2 for v in range(-5, 5)],
                           "after": [y >= 2018 for y in range(2012, 2022)]})
    judgements = pl.DataFrame({
        "area_code": [WCC, WCC, HF], "area_name": ["Westminster"] * 2 + ["H&F"],
        "publication_date": [dt.date(2012, 5, 1), dt.date(2016, 3, 1), dt.date(2019, 6, 1)],
        "label": ["Outstanding", "Outstanding", "Good"], "hover": ["a", "b", "c"],
    })
    bars = lines.filter(pl.col("area_code") != "LONDON").with_columns(
        pl.col("value").fill_null(0.0))
    money = trend_chart(lines, "Spend", "£ thousand", shaded=SHARED, events=SPLIT)
    money_axis(money, lines.get_column("value"), "gbp_thousand", title="Cash")
    add_hline(money, 0, {"color": "#000000", "width": 1})
    return {
        "trend": trend_chart(lines, "Spend", "£", shaded=SHARED, events=SPLIT),
        "trend, money axis": money,
        "trend with provenance": with_provenance(trend_chart(lines, "A", "b"), ["x <y>", "z"]),
        "band": band_chart(boroughs, _bands(("LONDON",)), "Band", "rate", shaded=SHARED),
        "band per borough": band_chart(boroughs, _bands(CODES), "Band", "rate",
                                       per_borough=True, shaded=SHARED),
        "band, one period": band_chart(one_year, _bands(("LONDON",)), "Band", "rate"),
        "bar": bar_chart(bars, "Bars", "£", x="period", y="value"),
        "stacked bar": stacked_bar_chart(
            bars, "Stacked", "£m", x="period", y="value",
            line=(["2011-12", "2012-13"], [1.0, 2.0], "Total"),
            markers=[("2014-15", 33.4, "£33.4m"), ("2015-16", 40.0, "£40m"),
                     ("2015-16", 43.0, "£43m")]),
        "stacked area": stacked_area_chart(
            lines, "Areas", "cases", x="period_end", y="value", series="area_code",
            styles={WCC: ("Shared", "#4d4d4d", "/"), HF: ("Own", "#a6a6a6", "")},
            events=SPLIT),
        "timeline": timeline_chart(_timeline(), "Systems", muted="muted", flagged="soon",
                                   today=dt.date(2026, 11, 29), events=SPLIT),
        "judgements": judgement_chart(judgements, "Ofsted", shaded=SHARED),
        "intervals": interval_chart(effect, "Effect", "cases"),
        "placebo": placebo_chart([float(v) for v in range(-20, 20)], 7.5, "Placebo", "gap"),
    }


FIGURES = _figures()


@pytest.mark.parametrize("name", list(FIGURES))
def test_validating_a_chart_accepts_every_property_and_changes_nothing(name):
    fig = FIGURES[name]
    drawn = json.loads(pio.to_json(fig, validate=False))
    validated = go.Figure(fig.to_dict())  # raises on any property Plotly does not know
    assert json.loads(pio.to_json(validated, validate=False)) == drawn
    assert drawn["data"], name


def test_changing_a_figure_leaves_the_next_one_as_built():
    """Figures are kept per input between reruns: what one rerun writes into its figure (the
    provenance lines, a money axis, a zero line, a range) must not reach the next rerun's."""
    lines = _lines()
    first = trend_chart(lines, "Spend", "£ thousand", shaded=SHARED, events=SPLIT)
    built = json.loads(pio.to_json(first, validate=False))
    with_provenance(first, ["Unit: £ thousand", "Source: MHCLG"])
    money_axis(first, lines.get_column("value"), "gbp_thousand", title="Cash")
    add_hline(first, 0, {"color": "#000000", "width": 1})
    first.update_xaxes(range=[dt.date(2012, 1, 1), dt.date(2016, 1, 1)])
    first.data[0].customdata = [["changed"]]
    again = trend_chart(lines, "Spend", "£ thousand", shaded=SHARED, events=SPLIT)
    assert json.loads(pio.to_json(again, validate=False)) == built
    assert json.loads(pio.to_json(first, validate=False)) != built
