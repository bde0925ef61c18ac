"""Compare and Savings compare with the same statistical neighbours, named on screen, and
their money axes say pounds in words."""

from __future__ import annotations

import json

import polars as pl
from pagetest import page_text, run_page

from triborough.read.connection import connect_readonly, run_named
from triborough.settings import PROJECT_ROOT
from triborough.views.comparison import statistical_neighbours

SAVINGS = "../pages/savings.py"
THREE = ["E09000033", "E09000013", "E09000020"]


def test_savings_peers_are_the_latest_model_named_on_screen(app_env, built_warehouse, downloads):
    model = statistical_neighbours()
    at = run_page(SAVINGS)
    assert model.name in page_text(at)
    assert "2021 model" not in page_text(at)
    assert any(model.name in meta.get("comparators", "") for meta, _ in downloads)
    # The page's peers are the 2025 neighbours of the three, without the three: the same
    # councils Compare's group holds.
    con = connect_readonly(built_warehouse)
    try:
        compare = set(run_named(con, "compare_members", {
            "comparison": model.group_id, "areas": THREE}).get_column("member_code"))
    finally:
        con.close()
    held = pl.read_csv(PROJECT_ROOT / "data" / "public" / "neighbours_dfe.csv")
    savings = set(held.filter((pl.col("group_id") == model.group_id)
                              & pl.col("area_code").is_in(THREE)
                              & ~pl.col("neighbour_code").is_in(THREE))
                  .get_column("neighbour_code"))
    assert compare == savings and len(compare) == 12


def test_savings_cash_axis_reads_pounds_millions(app_env):
    """Net spend is held in £ thousand: the axis says '£80m', not '80k'."""
    at = run_page(SAVINGS)
    at.segmented_control(key="savings_measure").set_value("cash").run()
    spend = json.loads(at.get("plotly_chart")[0].proto.spec)
    ticks = spend["layout"]["yaxis"]["ticktext"]
    assert ticks and all(t.startswith("£") and t.endswith("m") for t in ticks if t != "£0")
    assert spend["layout"]["yaxis"]["title"]["text"] in ("Real terms", "Cash")
