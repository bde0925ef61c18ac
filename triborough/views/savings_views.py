"""The Savings page's views, shaped without Streamlit: published spend against London in a
chart and in words, and the savings ledger's three charts. The page fetches rows with named
queries, calls these and lays out what comes back."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from triborough.figures.bar_charts import stacked_bar_chart
from triborough.figures.charts import add_hline, money_axis
from triborough.figures.line_charts import trend_chart
from triborough.model.before_sharing import base_words
from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.real_terms import BASES, release_of
from triborough.model.style import INK, format_value
from triborough.views.comparison import statistical_neighbours
from triborough.views.metric_views import comparison_sentences  # kept per distinct input
from triborough.views.page_pieces import View
from triborough.views.savings import (
    MEASURE_UNITS,
    WORKSTREAM_LABELS,
    ServiceOption,
    comparison_series,
    milestone_events,
    programme_totals,
    workstream_totals,
)

# The unit ``narrative.number_words`` says a measure's figures in.
WORDS_UNIT = {"cash": "gbp_thousand", "per_head": "gbp", "index": "index"}

NEIGHBOURS = statistical_neighbours()  # the one model Compare uses too


def spend_codes(option: ServiceOption, measure: str) -> list[str]:
    """The catalogue codes a spend chart's figures come from (the outturn lines and, per
    head, the population divided by)."""
    codes = [f"nce_{line}" for line in option.lines]
    if measure == "per_head":
        codes += ["pop_0_17"] if option.age_band == "0-17" else ["pop_all_ages"]
        if option.age_band == "18+":
            codes.append("pop_0_17")
    return codes


def london_count(series: pl.DataFrame) -> str:
    """'median of 32 London boroughs with a figure', or the range when years differ."""
    counts = series.filter(
        (pl.col("series") == "london_median") & (pl.col("areas") > 0)
    ).get_column("areas")
    if counts.is_empty():
        return "no London borough has a figure"
    low, high = counts.min(), counts.max()
    many = f"{low}" if low == high else f"{low} to {high}"
    return f"median of {many} London boroughs with a figure"


def spend_words(
    series: pl.DataFrame, option: ServiceOption, measure: str, basis: str,
    base: tuple[str, ...],
) -> dict[str, str]:
    """Per borough: how its spend changed against the London median's over the same years,
    and where it stood in the latest year (``narrative.comparison_sentences``)."""
    what = f"net spending on {option.label[:1].lower()}{option.label[1:]}"
    measure_words = {
        "cash": what,
        "per_head": f"{what} {option.per_head_label}",
        "index": f"{what} as an index ({base_words(base)} = 100)",
    }[measure]
    terms = "in real terms (2024-25 prices)" if basis == "real" else "in cash"
    return comparison_sentences(
        series, measure=measure_words, unit=WORDS_UNIT[measure], polarity="neither",
        base=base, terms=terms,
    )


def spend_view(
    spend: pl.DataFrame,
    option: ServiceOption,
    *,
    measure: str,
    basis: str,
    base: tuple[str, ...],
    deflators: pl.DataFrame,
    years: tuple[int, int],
    milestones: pl.DataFrame,
    shading: list,
    meta_for: Callable[[list[str], str], dict[str, str]],
    money: str,
) -> View | str:
    """Net spending on one service for the boroughs, the London and peer medians and England,
    in the chosen measure and money; or why there is nothing to show.

    ``meta_for(codes, span)`` gives the catalogue's download metadata for the codes.
    """
    series = comparison_series(spend, measure, base, *years, basis=basis, deflators=deflators)
    if series.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null()
                     ).is_empty():
        if measure != "index":
            return f"No published figures for {option.label.lower()} in the years chosen."
        return (f"No index for {option.label.lower()}: it needs a positive figure in "
                f"{base_words(base)}, the base, and the chosen boroughs have none.")
    unit_words = {
        "cash": f"£ thousand, {BASES[basis].lower()}",
        "per_head": f"£ {option.per_head_label}, {BASES[basis].lower()}",
        "index": f"index, {base_words(base)} = 100, {BASES[basis].lower()}",
    }[measure]
    periods = series.sort("period_end").get_column("period").unique(maintain_order=True)
    span = periods[0] if periods.len() == 1 else f"{periods[0]} to {periods[-1]}"
    title = f"{option.label}: net spending<br><sup>{unit_words}, {span}</sup>"
    fig = trend_chart(series, title, unit_words, shaded=shading,
                      events=milestone_events(milestones))
    if measure == "cash":  # £ thousand on the axis read "80k" for £80m
        money_axis(fig, series.get_column("value"), "gbp_thousand", title=BASES[basis])
    table = series.select(
        pl.col("series_label").alias("area"), "period",
        pl.col("value").alias(unit_words), pl.col("areas").alias("councils in figure"),
    )
    meta = meta_for(spend_codes(option, measure), span)
    meta["unit"] = (f"{MEASURE_UNITS[measure]}, {money}" if measure != "per_head"
                    else f"£ {option.per_head_label}, {money}")
    meta["prices"] = money
    meta["measure"] = title.replace("<br><sup>", ", ").replace("</sup>", "")
    meta["comparators"] = (
        "London median: middle value of the London boroughs with a figure that year (the "
        "'councils in figure' column says how many), leaving out the City of London; "
        f"Peer median: middle value of the {NEIGHBOURS.name} of the "
        "boroughs shown, leaving out the three tri-borough councils; England (per head and "
        "index only): all English councils together"
    )
    meta["gaps"] = ("a year a council did not return is empty, not zero; children's and "
                    "adults' social care are one line until 2010-11")
    alt = (f"Line chart of {meta['measure']} for the chosen boroughs, the London median, the "
           "peer median and England. The shaded band marks when all three councils shared "
           "services; dotted lines mark the reported targets, the notice and the split. The "
           "same figures are in the table.")
    return View(fig, table, title, meta, alt, f"triborough_spend_{option.key}_{measure}",
                words=spend_words(series, option, measure, basis, base),
                notes=spend_notes(series, option, measure, basis, base, deflators),
                frame=series)


def spend_notes(
    series: pl.DataFrame, option: ServiceOption, measure: str, basis: str,
    base: tuple[str, ...], deflators: pl.DataFrame,
) -> list[str]:
    """The notes under the spend chart: gaps and money, shading, comparators, measure."""
    notes = [
        "A break in a line is a year with no published figure, not a zero. "
        + (
            "Money is in real terms: each year in 2024-25 prices, using "
            f"{release_of(deflators)}. Every year shown is outturn in that release, so no "
            "year is deflated with a forecast."
            if basis == "real" else "Money is cash, not adjusted for inflation."
        ),
        "Shaded: the years all three councils shared adults' and children's services "
        "(June 2011, month assumed, to March 2018). Dotted lines: the programme's reported "
        "targets, the notice of 27 March 2017 and the split on 1 April 2018.",
        "Comparators: **London median** is the middle of the London boroughs with a figure "
        f"that year ({london_count(series)}), leaving out the City of London, whose few "
        "residents make its figures unlike any borough's; **Peer median** is the middle of "
        f"the {NEIGHBOURS.name} of the boroughs shown, "
        "leaving out the three tri-borough councils; **England** (per head and "
        "index only) is in the files from 2021-22.",
    ]
    if measure == "per_head":
        notes.append(
            f"Per head is {option.per_head_label}: ONS mid-year estimates (post-2021-Census "
            "series) for the year the financial year starts, or the nearest year published."
        )
    if measure == "index":
        notes.append(
            f"Index: each council's spending as a share of its own {base_words(base)} "
            "figure (= 100), in the same money as the chart. The medians are the middle of "
            "the councils' own indices."
        )
    if option.note:
        notes.append(option.note)
    return notes


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("borough_code").alias("area_code"),
        pl.col("borough_code").replace_strict(
            {c: b.name for c, b in BOROUGH_BY_CODE.items()}, default=pl.col("borough_code")
        ).alias("series_label"),
    )


def in_years(years: tuple[int, int], column: str = "financial_year") -> pl.Expr:
    """Rows whose financial year starts within the sidebar's years."""
    return pl.col(column).str.slice(0, 4).cast(pl.Int32).is_between(*years)


def delivered_view(
    shown: pl.DataFrame, targets: pl.DataFrame, *, all_three: bool, suffix: str,
    meta_for: Callable[[str], dict[str, str]], span: str,
) -> View:
    """Savings delivered each year by borough (stacked), the ledger's planned total as a line
    and, with all three boroughs, the reported targets as markers; ``frame`` holds the
    ledger's totals beside each reported target. ``meta_for(what)`` gives the download
    metadata."""
    meta = meta_for("Savings ledger: planned, delivered, one-off cost, net and cumulative net "
                    "savings by borough and year")
    totals = programme_totals(shown)
    markers = ([(r["financial_year"], r["value_gbp_m"], f"£{r['value_gbp_m']:g}m ")
                for r in targets.iter_rows(named=True)] if all_three else None)
    bars = _named(shown).with_columns((pl.col("delivered_gbp_k") / 1000).alias("delivered_gbp_m"))
    title = "Savings delivered each year, by borough, against the reported targets" + suffix
    fig = stacked_bar_chart(
        bars, title, "£ million a year", x="financial_year", y="delivered_gbp_m",
        line=(totals["financial_year"].to_list(), totals["planned_gbp_m"].to_list(),
              "Planned, boroughs shown" + suffix),
        markers=markers,
    )
    table = bars.select(
        pl.col("series_label").alias("borough"), "financial_year", "planned_gbp_k",
        "delivered_gbp_k", "one_off_cost_gbp_k", "net_gbp_k", "cumulative_net_gbp_k",
    )
    alt = (f"Stacked bar chart of {title.lower()}, {span}, with the planned total as a dashed "
           "line and the reported targets as diamonds. The same figures are in the table.")
    target_rows = [
        {"year": r["financial_year"], "reported £m": r["value_gbp_m"],
         "ledger planned £m": got["planned_gbp_m"][0],
         "ledger delivered £m": got["delivered_gbp_m"][0], "what was reported": r["label"]}
        for r in targets.iter_rows(named=True)
        if all_three
        and not (got := totals.filter(pl.col("financial_year") == r["financial_year"])).is_empty()
    ]
    return View(fig, table, title, meta, alt, "triborough_savings_ledger",
                frame=pl.DataFrame(target_rows))


def cumulative_view(shown: pl.DataFrame, shading: list, *, suffix: str,
                    meta_for: Callable[[str], dict[str, str]], span: str) -> View:
    """Cumulative net savings after one-off costs, by borough: the payback year is where a
    line crosses zero."""
    meta = meta_for("Cumulative net savings (delivered less one-off costs, added up from the "
                    "ledger's first year)")
    cumulative = _named(shown).with_columns(
        pl.col("borough_code").alias("series"),
        pl.col("financial_year").alias("period"),
        pl.date(pl.col("financial_year").str.slice(0, 4).cast(pl.Int32) + 1, 3, 31)
        .alias("period_end"),
        (pl.col("cumulative_net_gbp_k") / 1000).alias("value"),
    )
    title = "Cumulative net savings after one-off costs, by borough" + suffix
    fig = trend_chart(cumulative, title, "£ million, cumulative", shaded=shading)
    add_hline(fig, 0, {"color": INK, "width": 1})
    table = cumulative.select(pl.col("series_label").alias("borough"), "financial_year",
                              "net_gbp_k", "cumulative_net_gbp_k")
    alt = (f"Line chart of {title.lower()}, {span}. Below zero the one-off costs so far exceed "
           "the savings; the payback year is when a line crosses zero. The same figures are "
           "in the table.")
    return View(fig, table, title, meta, alt, "triborough_savings_cumulative")


def workstream_view(ledger: pl.DataFrame, *, suffix: str,
                    meta_for: Callable[[str], dict[str, str]], span: str) -> View:
    """Savings delivered by workstream over the years shown, one bar per borough."""
    meta = meta_for("Savings delivered and one-off costs by workstream ("
                    + ", ".join(WORKSTREAM_LABELS.values()) + ")")
    by_stream = _named(workstream_totals(ledger)).with_columns(
        (pl.col("delivered_gbp_k") / 1000).alias("delivered_gbp_m"))
    title = f"Savings delivered by workstream, {span} in total" + suffix
    fig = stacked_bar_chart(by_stream, title, "£ million over the years",
                            x="workstream_label", y="delivered_gbp_m")
    fig.update_layout(barmode="group")
    table = by_stream.select(
        pl.col("series_label").alias("borough"), pl.col("workstream_label").alias("workstream"),
        "delivered_gbp_k", "one_off_cost_gbp_k",
    )
    alt = (f"Grouped bar chart of {title.lower()}: one bar per borough for each workstream. "
           "The same figures are in the table.")
    return View(fig, table, title, meta, alt, "triborough_savings_workstreams")



def payback_words(summary: pl.DataFrame, suffix: str) -> dict[str, str]:
    """Per borough (``savings.ledger_summary`` rows): the year it paid back its one-off costs,
    or that it did not, and its net savings by the ledger's last year."""
    return {
        r["borough_code"]: (
            f"Paid back its one-off costs in **{r['payback_year']}**" if r["payback_year"]
            else "Not paid back in the ledger's years")
        + f"; {format_value(r['cumulative_net_gbp_k'], 'gbp_thousand')} net by "
        f"{r['years'][-7:]}{suffix}."
        for r in summary.iter_rows(named=True)
    }


LEDGER_NOTICE = (
    "No council published its savings by workstream and year, so this ledger is generated: "
    "deterministic, and calibrated so the three councils together deliver the reported £43m a "
    "year in 2015-16 and plan the reported £7.7m (2012-13), £33.4m (2014-15) and £40m "
    "(2015-16), with H&F's reported £13m in 2016-17. Workstream splits, one-off costs and each "
    "borough's share are assumptions. A council replaces these rows by loading its own ledger."
)
CLAIMS_META = {
    "figures": "Reported tri-borough savings claims and targets",
    "unit": "as stated in each row",
    "source": "Councils' press releases and press reports (each row names its page)",
    "licence": "Quoted facts from public reporting",
    "illustrative": "no - reported claims, not audited outturns",
}


def claims_table(reported: pl.DataFrame) -> pl.DataFrame:
    """The reported claims and targets (``savings_programme_reported`` rows) with headings in
    words, every column the download keeps."""
    return reported.select(
        pl.col("date_published").alias("published"), pl.col("measure").alias("what was claimed"),
        "value", "unit", pl.col("period_referred_to").alias("for"), "scope",
        pl.col("source_publisher").alias("published by"), pl.col("source_url").alias("source"),
        pl.col("quote_or_note").alias("quote"),
    )
