"""Provenance said once: the download header, the source line, the chart image's lines and the
copied summary all come from the same dict; tables separate thousands but not years."""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from triborough.figures.chart_export import (
    EXPORT_SCALE,
    export_config,
    summary_from_figure,
    with_provenance,
)
from triborough.figures.line_charts import trend_chart
from triborough.ui.blocks import chart_unit, number_columns
from triborough.views.exports import read_csv_bytes, to_csv_bytes
from triborough.views.provenance import council_table_meta, image_lines, metadata_for, source_line

DFE = {
    "code": "cla_rate_per_10000", "name": "Children looked after per 10,000 children",
    "unit": "rate_per_10000", "publisher": "DfE", "source_title": "Children looked after",
    "source_url": "https://example.org/cla", "licence": "Open Government Licence v3.0",
    "is_illustrative": False,
}


def test_one_dict_serves_the_download_header_the_source_line_and_the_image():
    meta = metadata_for(pl.DataFrame([DFE]), "2012-13 to 2024-25")
    _, header = read_csv_bytes(to_csv_bytes(pl.DataFrame({"value": [1]}), meta))
    assert header == meta
    assert source_line(meta) == ("Source: DfE: Children looked after · Period: 2012-13 to "
                                 "2024-25 · Licence: Open Government Licence v3.0")
    day = meta["downloaded_at"][:10]
    assert image_lines(meta, "rate per 10,000") == [
        "Unit: rate per 10,000 · Period: 2012-13 to 2024-25",
        "Source: DfE: Children looked after · Licence: Open Government Licence v3.0",
        f"Figures as of {day}",  # broken between parts, never inside one
    ]


def test_generated_figures_say_so_first_in_the_image_and_lines_stay_short():
    meta = council_table_meta("Service desk tickets", "tickets", [True, False], "2024-25")
    lines = image_lines(meta, width=60)
    assert lines[1].startswith("Illustrative figures (generated, not published).")
    assert all(len(line) <= 60 for line in lines)
    assert "Licence:" in " ".join(lines)


def _trend() -> pl.DataFrame:
    return pl.DataFrame({
        "series": ["E09000033", "E09000033", "LONDON"],
        "series_label": ["Westminster", "Westminster", "London median"],
        "period": ["2022-23", "2023-24", "2023-24"],
        "period_end": pl.Series(["2023-03-31", "2024-03-31", "2024-03-31"]).str.to_date(),
        "value": [55721.0, None, 48.25],
    })


def test_the_chart_carries_its_provenance_under_the_title_and_grows_to_fit():
    fig = trend_chart(_trend(), "Children looked after, 2022-23 to 2023-24", "rate per 10,000")
    height, top = fig.layout.height, fig.layout.margin.t
    lines = ["Unit: rate · Period: 2022-23", "Source: DfE <x> & co · Figures as of 2026-11-30"]
    with_provenance(fig, lines)
    note = fig.layout.annotations[-1]
    assert note.text == ("Unit: rate · Period: 2022-23<br>"
                         "Source: DfE &lt;x&gt; &amp; co · Figures as of 2026-11-30")
    assert (note.yref, note.y, note.yanchor) == ("paper", 1, "bottom")
    assert fig.layout.height - height == fig.layout.margin.t - top > 2 * 11
    assert fig.layout.meta["provenance"] == lines


def test_the_camera_saves_a_named_png_at_print_resolution():
    options = export_config("triborough_compare_x", 500)["toImageButtonOptions"]
    assert options == {"format": "png", "filename": "triborough_compare_x", "width": 1000,
                       "height": 500, "scale": EXPORT_SCALE}
    assert EXPORT_SCALE >= 2


def test_the_summary_gives_each_series_latest_figure_with_separators():
    fig = trend_chart(_trend(), "<b>Children looked after</b>", "rate")
    assert summary_from_figure(fig, fig.layout.title.text, "count") == (
        "Children looked after. Latest figures: Westminster 55,721 (2022-23); "
        "London median 48.2 (2023-24)."
    )
    # Money in £ thousands reads in millions, whatever unit the view's metadata gives.
    money = trend_chart(_trend(), "Spend", "£ thousand, real terms")
    assert "Westminster £55.7m (2022-23)" in summary_from_figure(money, "Spend", "£ thousand")
    indexed = trend_chart(_trend(), "Spend", "Index (base = 100)")
    assert "London median 48.2 (2023-24)" in summary_from_figure(indexed, "Spend", "gbp")


def test_tables_separate_quantities_but_not_years_or_codes():
    table = pl.DataFrame({"area_code": [1], "financial_year": [2024], "year": [2024],
                          "open cases": [55721], "rate_per_10000": [62.5], "area": ["x"]})
    assert number_columns(table) == ["open cases", "rate_per_10000"]
    assert number_columns(table.to_pandas()) == ["open cases", "rate_per_10000"]


@pytest.mark.slow
def test_a_page_chart_is_shown_with_its_provenance_and_export_options(app_env):
    at = AppTest.from_file("../pages/compare.py", default_timeout=90)
    at.run()
    assert not at.exception
    chart = at.get("plotly_chart")[0].proto
    notes = [a["text"] for a in json.loads(chart.spec)["layout"]["annotations"]]
    assert any("Source: Department for Education" in n and "Licence: Open Government Licence"
               in n and "Figures as of" in n and "Unit: rate per 10,000" in n for n in notes)
    options = json.loads(chart.config)["toImageButtonOptions"]
    assert options["scale"] >= 2 and options["filename"].startswith("triborough_compare_")


def test_the_image_names_the_measures_unit_or_for_a_mixed_view_the_axis():
    fig = trend_chart(_trend(), "Tickets", "Tickets resolved at first contact (%)")
    assert chart_unit(fig, {"unit": "rate_per_10000"}) == "rate per 10,000"
    assert chart_unit(fig, {"unit": "count; percent"}) == "Tickets resolved at first contact (%)"
