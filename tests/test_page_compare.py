"""The Compare page: any metric, the boroughs against a comparison group, per head, indexed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pagetest import altered_warehouse, page_text, run_page
from streamlit.testing.v1 import AppTest

from triborough.model.style import ILLUSTRATIVE_LABEL

PAGE = "../pages/compare.py"
WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
NAMES = {"Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"}
CLA = "Children looked after at 31 March"


def _table(at: AppTest):
    at.toggle(key="compare_chart_as_table").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


def _value(table, area: str, period: str) -> float:
    row = table[(table["area"] == area) & (table["period"] == period)]
    assert len(row) == 1, f"{area} {period}: {len(row)} rows"
    return row.iloc[0, 2]


@pytest.fixture
def small_count(built_warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the warehouse in which K&C had 3 children looked after at 31 March 2025."""
    return altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("update fact_metric set value = 3 where area_code = $a "
         "and metric_code = 'cla_at_31_march' and period = '2024-25'", {"a": RBKC}),
    )


def test_default_view_has_boroughs_band_and_metadata(app_env, downloads):
    at = run_page(PAGE)
    table = _table(at)
    assert set(table["area"]) >= NAMES
    # DfE: children looked after per 10,000 children at 31 March 2025, Westminster 62
    # (cla_number_and_rate_per_10k_children.csv row 444, rate_per_10000).
    assert _value(table, "Westminster", "2024-25") == 62
    # The London borough median of the same table (the Overview shows it too): 47.
    assert _value(table, "London boroughs: median", "2024-25") == 47
    assert "London boroughs: lower quartile" in set(table["area"])
    panel = "\n".join(m.value for m in at.markdown)
    assert "**Definition:** Children looked after at 31 March per 10,000" in panel
    assert "**Licence:** Open Government Licence v3.0" in panel
    assert "**Published figures held:** 2009-10 to 2024-25" in panel
    meta = downloads[-1][0]
    assert meta["illustrative"].startswith("no") and "London boroughs" in meta["comparison_group"]


def test_counts_per_head_and_indexed(app_env, downloads):
    at = run_page(PAGE, compare_metric="cla_at_31_march")
    table = _table(at)
    # DfE: Westminster 186 children looked after at 31 March 2025 (row 444, children_count).
    assert _value(table, "Westminster", "2024-25") == 186
    at.toggle(key="compare_per_head").set_value(True).run()
    table = at.dataframe[0].value
    assert table.columns[2] == "per 10,000 children"
    # 186 / 29,834 children aged 0-17 (the population DfE uses, same row) x 10,000 = 62.3.
    assert round(_value(table, "Westminster", "2024-25"), 1) == 62.3
    assert "children aged 0 to 17" in downloads[-1][0]["per_head"]
    at.toggle(key="compare_per_head").set_value(False)
    at.toggle(key="compare_index").set_value(True).run()
    at.selectbox(key="compare_base_period").set_value("2023-24").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.columns[2] == "index (2023-24 = 100)"
    # 186 at 31 March 2025 over 174 at 31 March 2024 (cla_at_31_march_2010_2025_long.csv
    # row 1910): 106.9.
    assert round(_value(table, "Westminster", "2024-25"), 1) == 106.9
    assert _value(table, "Westminster", "2023-24") == 100


def test_index_base_defaults_to_the_years_before_sharing(app_env, downloads):
    """Westminster's cultural and related services, cash: £16,536k (RS 2008-09), £16,496k
    (RS 2009-10), £16,431k (RS 2010-11), average £16,487.67k; £13,285.2k in RSX 2024-25:
    index 80.6. The base holds when the years shown start after it."""
    at = run_page(PAGE, compare_metric="nce_cultural_related", compare_basis="cash",
                  compare_index=True, period=(2019, 2025))
    assert at.selectbox(key="compare_base_period").value == "average of 2008-09 to 2010-11"
    table = _table(at)
    assert table.columns[2] == "index (average of 2008-09 to 2010-11 = 100)"
    assert round(_value(table, "Westminster", "2024-25"), 1) == 80.6
    assert min(table["period"]) == "2019-20"
    assert "The default is the average of 2008-09 to 2010-11" in page_text(at)
    assert "average of 2008-09 to 2010-11 figure x 100" in downloads[-1][0]["index"]
    # Selectable: one year as the base instead (13,285.2 / 16,431 x 100 = 80.9).
    at.selectbox(key="compare_base_period").set_value("2010-11").run()
    table = at.dataframe[0].value
    assert table.columns[2] == "index (2010-11 = 100)"
    assert round(_value(table, "Westminster", "2024-25"), 1) == 80.9


def test_index_without_figures_before_sharing_says_which_base_it_used(app_env):
    """Children looked after are held from 31 March 2010 (2009-10): no figure for 2008-09, so
    the base is 2009-10 and the page says so. Westminster 186 / 247 x 100 = 75.3."""
    at = run_page(PAGE, compare_metric="cla_at_31_march", compare_index=True)
    assert at.selectbox(key="compare_base_period").value == "2009-10"
    assert "average of 2008-09 to 2010-11" not in at.selectbox(key="compare_base_period").options
    text = page_text(at)
    assert ("No borough shown has a figure for each of 2008-09 to 2010-11, the three years "
            "before sharing, so the default base is 2009-10, the first year with a figure") in text
    table = _table(at)
    assert round(_value(table, "Westminster", "2024-25"), 1) == 75.3
    # Another measure brings its own default: 2009-10 is on offer there too, but it was only
    # this measure's default, so it is not carried over.
    at.selectbox(key="compare_metric").set_value("nce_cultural_related").run()
    assert at.selectbox(key="compare_base_period").value == "average of 2008-09 to 2010-11"
    assert "index (average of 2008-09 to 2010-11 = 100)" in at.dataframe[0].value.columns


def test_each_borough_against_its_own_statistical_neighbours(app_env):
    at = run_page(PAGE, compare_group="dfe_sn_2025", compare_peer_mode="each")
    areas = set(_table(at)["area"])
    for name in NAMES:
        assert f"{name}'s DfE statistical neighbours (2025 model): median" in areas


def test_illustrative_metric_is_labelled(app_env, downloads):
    at = run_page(PAGE, compare_metric="savings_delivered_gbp_m")
    assert any(ILLUSTRATIVE_LABEL in w.value for w in at.warning)
    assert downloads[-1][0]["illustrative"].startswith("yes")
    # Illustrative figures exist for the three boroughs only: no band pretending otherwise.
    assert any("No comparison band" in c.value for c in at.caption)


def test_small_count_is_suppressed_before_per_head(small_count, downloads):
    at = run_page(PAGE, compare_metric="cla_at_31_march")
    table = _table(at)
    row = table[(table["area"] == "Kensington and Chelsea") & (table["period"] == "2024-25")]
    assert row.iloc[0, 2] != row.iloc[0, 2]  # NaN, not 3
    assert row["note"].iloc[0] == "suppressed (fewer than 5)"
    at.toggle(key="compare_per_head").set_value(True).run()
    table = at.dataframe[0].value
    row = table[(table["area"] == "Kensington and Chelsea") & (table["period"] == "2024-25")]
    assert row.iloc[0, 2] != row.iloc[0, 2]  # no rate made from the hidden count either
    frame = [f for _, f in downloads if "period" in f.columns][-1]  # the chart's, not the map's
    hidden = frame.filter((pl.col("area") == "Kensington and Chelsea")
                          & (pl.col("period") == "2024-25"))
    assert hidden.row(0)[1:3] == ("2024-25", None)


def test_sidebar_filters_apply(app_env):
    at = run_page(PAGE, boroughs=[WCC], period=(2019, 2025))
    table = _table(at)
    shown = {a for a in table["area"] if not a.startswith("London boroughs")}
    assert shown == {"Westminster"}
    assert min(table["period"]) == "2019-20"  # 2019-20 is the first year starting in 2019


def test_adult_social_care_per_head_is_per_adult_as_on_the_overview(app_env, downloads):
    """RSX 2024-25 line 391: Westminster adult social care £105,421.24k. Per head it is
    divided by the 180,162 residents aged 18+ (mid-2024), £585.15, the Overview's figure;
    not by all 209,996 residents (£502)."""
    at = run_page(PAGE, compare_metric="nce_adult_social_care")
    assert at.segmented_control(key="compare_basis").value == "real"
    at.segmented_control(key="compare_basis").set_value("cash")
    at.toggle(key="compare_per_head").set_value(True).run()
    table = _table(at)
    assert table.columns[2] == "£ per adult"
    assert round(_value(table, "Westminster", "2024-25"), 2) == 585.15
    assert "residents aged 18 and over" in downloads[-1][0]["per_head"]
    assert downloads[-1][0]["prices"] == "cash (not adjusted for inflation)"
    # Real terms: 2011-12's £86,296k is £122,708k in 2024-25 prices (x 100 / 70.3261), shown
    # in £ million (an axis of £ thousand read "80k" for £80 million).
    at.toggle(key="compare_per_head").set_value(False)
    at.segmented_control(key="compare_basis").set_value("real").run()
    table = at.dataframe[0].value
    assert table.columns[2] == "£ million"
    assert _value(table, "Westminster", "2011-12") == pytest.approx(86_296 / 70.3261 / 10)
    assert "HM Treasury GDP deflators, March 2026" in downloads[-1][0]["prices"]


def test_london_group_leaves_out_the_city(app_env, downloads):
    at = run_page(PAGE, compare_metric="nce_adult_social_care")
    table = _table(at)
    notes = set(table[table["area"] == "London boroughs: median"]["note"])
    assert notes <= {f"{n} areas with a figure" for n in range(5, 33)}
    assert "32 areas with a figure" in notes


def test_library_shading_stops_where_the_sources_do(app_env):
    """No source after the 'One Year On' report of 18 June 2012 names the libraries as shared:
    the shading stops there and the page says so."""
    at = run_page(PAGE, compare_metric="lib_statutory_libraries")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Shading for libraries stops on 18 June 2012" in captions
    assert "neither confirmed nor ruled out" in captions


def _words(at: AppTest) -> dict[str, str]:
    """The 'In plain words' paragraphs by borough."""
    text = next(m.value for m in at.markdown if m.value.startswith("Westminster: "))
    return {p.split(":")[0]: p for p in text.split("\n\n")}


def _specs(at: AppTest) -> list[dict]:
    import json

    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_the_chart_in_words_against_london(app_env):
    """DfE: children looked after per 10,000 at 31 March 2025, Westminster 62, London median
    47 over the 32 boroughs with a figure; 2012-13 (the first year the sidebar shows)
    Westminster 52, median 51. Children looked after: neither way is better, so no judgement."""
    at = run_page(PAGE)
    words = _words(at)
    assert words["Westminster"] == (
        "Westminster: 62 per 10,000 in 2024-25, higher than the median of 47 for London "
        "boroughs (32 councils with a figure), the joint seventh highest of 32 councils. Since "
        "2012-13, when it was 52 against a median of 51, it has risen and the median has "
        "fallen, so the gap to the median widened from 1 to 15."
    )
    assert words["Kensington and Chelsea"].endswith(
        "so it moved from below the median to level with it.")
    assert set(words) == NAMES


def test_adult_social_care_against_dfe_neighbours_in_words(app_env):
    """The CIO's task: Westminster's adult social care net spend (RSX 2024-25, £105,421k)
    against the 2025 DfE neighbours of the three boroughs, without the three themselves."""
    at = run_page(PAGE, compare_metric="nce_adult_social_care", compare_group="dfe_sn_2025")
    assert "DfE statistical neighbours (2025 model)" in page_text(at) + str(at.radio[0].options)
    words = _words(at)
    assert words["Westminster"].startswith(
        "Westminster: £105.4 million in 2024-25, lower than the median of £131.5 million for "
        "their DfE statistical neighbours (2025 model), 12 councils with a figure, the lowest "
        "of 13 councils (the group and Westminster)."
    )
    # Money axes in £ million words: "£105m", never "105k" of £ thousand.
    axis = _specs(at)[0]["layout"]["yaxis"]
    assert axis["tickprefix"] == "£" and axis["ticksuffix"] == "m"
    assert axis["title"]["text"] == "£ million"


def test_neighbour_median_is_not_a_boroughs_own_figure(app_env):
    """Before, the union of the three's DfE neighbours held the three themselves (15
    councils), and the group's median of children looked after per 10,000 in 2023-24 was 64,
    Hammersmith and Fulham's own figure. Without them: 67 over the 12 others."""
    at = run_page(PAGE, compare_group="dfe_sn_2025")
    table = _table(at)
    median = _value(table, "DfE statistical neighbours (2025 model): median", "2023-24")
    assert median == 67 and _value(table, "Hammersmith and Fulham", "2023-24") == 64
    note = table[(table["area"] == "DfE statistical neighbours (2025 model): median")
                 & (table["period"] == "2023-24")]["note"].iloc[0]
    assert note == "12 areas with a figure"
    assert not any(a.startswith(("Westminster", "Hammersmith", "Kensington"))
                   for a in table["area"] if ":" in a)


def test_a_one_year_measure_is_a_period_with_its_band(app_env):
    """Arts Council England: library visits per 1,000 residents, 2023-24 only. The axis is the
    period, the band a bar for the one year, and the words say there is no change."""
    at = run_page(PAGE, compare_metric="lib_visits_per_1000")
    chart = _specs(at)[0]
    assert chart["layout"]["xaxis"]["type"] == "category"
    xs = {x for trace in chart["data"] for x in trace.get("x", []) if x is not None}
    assert xs == {"2023-24"}
    bar = next(t for t in chart["data"] if "middle half" in t["name"])
    assert bar["error_y"]["array"][0] > 0 and bar["error_y"]["arrayminus"][0] > 0
    assert _words(at)["Westminster"] == (
        "Westminster: 6,880.5 per 1,000 in 2023-24, higher than the median of 3,565.2 for "
        "London boroughs (26 councils with a figure), the third highest of 26 councils. It is "
        "the only year shown with both figures, so there is no change to report."
    )


def test_map_of_london_and_of_england(app_env, downloads):
    """London's 33 areas (the City grey: no figure for this rate), or England's 153 upper-tier
    councils for the same-tier group, each with ONS's attribution."""
    at = run_page(PAGE)
    areas = [t for t in _specs(at)[1]["data"] if t.get("meta", {}).get("role") == "area"]
    assert len(areas) == 33
    city = next(t for t in areas if t["meta"]["area"] == "E09000001")
    assert city["name"] == "City of London: no figure"
    assert "database right 2020" in page_text(at)
    map_download = downloads[-1]
    assert "database right 2020" in map_download[0]["boundaries"]
    assert map_download[1].height == 33 and map_download[0]["period"] == "2024-25"
    at = run_page(PAGE, compare_group="same_tier")
    areas = [t for t in _specs(at)[1]["data"] if t.get("meta", {}).get("role") == "area"]
    assert len(areas) == 153
    assert "database right 2024" in page_text(at)
