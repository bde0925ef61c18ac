"""The Systems page's views without a running app: contract labels in full, the legend of
contract references, and what each section's view carries."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
from test_systems import TODAY, _contracts

from triborough.figures.timeline_charts import timeline_chart
from triborough.views import systems_views as sv

WINDOW = (dt.date(2010, 4, 1), dt.date(2027, 3, 31))


def test_reference_codes_are_said_in_words() -> None:
    assert sv.code_meaning("TB-IT-DSK") == (
        "tri-borough: let jointly by all three councils · an IT tower contract · desktop")
    assert sv.code_meaning("PRE-DES-33").endswith("desktop · Westminster (ONS code E09000033)")
    assert sv.code_meaning("BB-ERP").startswith("bi-borough: Westminster and Kensington")
    # A council's own scheme is not guessed at.
    assert sv.code_meaning("WCC/2024/117") == "the council's own contract reference"
    assert sv.code_meaning("") == "the council's own contract reference"
    # Contracts renewed up to the build date carry their term.
    assert sv.code_meaning("BB-ERP-R2").endswith("· re-procured for a further term (term 3)")
    assert sv.code_meaning("BB-ERP-R0") == "the council's own contract reference"


def test_the_legend_explains_each_part_once_in_the_order_met() -> None:
    legend = sv.code_legend(["TB-IT-DSK", "TB-IT-SDK", "HF-SC", "COUNCIL-9"])
    assert legend["code"].to_list() == ["TB", "IT", "DSK", "SDK", "HF", "SC"]
    assert legend.filter(pl.col("code") == "SC")["means"].item() == "social care system"


def test_contracts_view_keeps_every_label_whole_and_flags_the_soon() -> None:
    shown = sv.contracts_view(_contracts(), "all", TODAY, WINDOW)
    table = shown.view.table
    soon = table.filter(pl.col("contract") == "C-SOON")
    assert soon["bar label in full"].to_list() == [
        "C-SOON: Vendor J, joint, ends within 12 months"] * 2
    assert shown.soon["contract"].to_list() == ["C-SOON", "C-SOON", "C-NEW", "C-EDGE"]
    # Only contracts running in the years chosen are shown.
    early = sv.contracts_view(_contracts(), "all", TODAY,
                              (dt.date(2015, 4, 1), dt.date(2019, 3, 31)))
    assert early.view.table["contract"].to_list() == ["C-OLD"]
    assert early.legend.is_empty()  # 'C-OLD' follows no scheme the legend knows
    towers = sv.contracts_view(_contracts(), "towers", TODAY, WINDOW).view.table
    assert set(towers["tower or system"]) == {"Desktop", "Service desk"}


def test_the_hover_carries_the_whole_label_the_bar_cuts() -> None:
    contracts = _contracts().with_columns(
        pl.when(pl.col("contract_id") == "C-OLD")
        .then(pl.lit("Vendor A with a very long name indeed (joint venture)"))
        .otherwise(pl.col("vendor")).alias("vendor"))
    shown = sv.contracts_view(contracts, "all", TODAY, WINDOW)
    fig = timeline_chart(shown.rows, "t", flagged="ending_soon", today=TODAY)
    sv.hover_in_full(fig, shown.rows)
    hovers = [d[2] for trace in fig.data for d in trace.customdata]
    assert "C-OLD: Vendor A with a very long name indeed (joint venture), joint, ended" in hovers
    bars = [t for trace in fig.data for t in trace.text]
    assert not any("very long name indeed (joint venture)" in str(t) for t in bars)


def test_hover_is_left_alone_when_rows_do_not_match_the_traces() -> None:
    fig = go.Figure(go.Bar(x=[1], y=["a"], name="Westminster", customdata=[["s", "e", "t"]]))
    sv.hover_in_full(fig, pl.DataFrame({"series_label": [], "full_label": []},
                                       schema={"series_label": pl.String,
                                               "full_label": pl.String}))
    assert fig.data[0].customdata[0][2] == "t"


def test_the_page_says_where_the_generated_contracts_stop() -> None:
    built = pl.DataFrame({"built_at": [dt.datetime(2026, 11, 30, 9)],
                          "illustrative_until": [dt.date(2026, 11, 30)]})
    assert sv.generated_until(built) == "30 November 2026, the day the warehouse was built"
    # A warehouse built before the date was recorded says so rather than inventing one.
    older = pl.DataFrame({"built_at": [dt.datetime(2026, 3, 1)], "illustrative_until": [None]},
                         schema={"built_at": pl.Datetime, "illustrative_until": pl.Date})
    assert "does not record it" in sv.generated_until(older)
