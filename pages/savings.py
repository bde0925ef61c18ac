"""Savings and spend: what each council spent on a service, and what sharing was said to save."""

import polars as pl
import streamlit as st

from triborough.before_sharing import base_options, base_words
from triborough.boroughs import BOROUGH_BY_CODE
from triborough.charts import (
    stacked_bar_chart,
    trend_chart,
)
from triborough.real_terms import BASES, basis_words, release_of
from triborough.savings import (
    MEASURE_UNITS,
    MEASURES,
    SERVICE_OPTIONS,
    WORKSTREAM_LABELS,
    borough_changes,
    claims_on_screen,
    comparison_series,
    ledger_by_year,
    ledger_summary,
    milestone_events,
    programme_totals,
    reported_targets,
    workstream_totals,
)
from triborough.style import BOROUGH_COLOURS, BOROUGH_SYMBOLS, format_value
from triborough.ui import (
    base_choice,
    basis_choice,
    borough_name,
    chart_block,
    council_table_meta,
    download_block,
    empty_notice,
    illustrative_notice,
    metadata_for,
    page_scope,
    period_span,
    query,
    show_table,
    source_line,
)

SYMBOL_GLYPH = {"circle": "●", "square": "■", "diamond": "◆"}
ILLUSTRATIVE_SUFFIX = " (illustrative)"


def borough_label(code: str) -> str:
    """Borough name with its chart marker, so the text matches the lines without colour."""
    glyph = SYMBOL_GLYPH[BOROUGH_SYMBOLS[code]]
    return (
        f"<span style='color:{BOROUGH_COLOURS[code]}' aria-hidden='true'>{glyph}</span> "
        f"**{BOROUGH_BY_CODE[code].name}**"
    )


def _london_count(series: pl.DataFrame) -> str:
    """'median of 32 London boroughs with a figure', or the range when years differ."""
    counts = series.filter(
        (pl.col("series") == "london_median") & (pl.col("areas") > 0)
    ).get_column("areas")
    if counts.is_empty():
        return "no London borough has a figure"
    low, high = counts.min(), counts.max()
    many = f"{low}" if low == high else f"{low} to {high}"
    return f"median of {many} London boroughs with a figure"


def show(value: float | None, measure: str) -> str:
    """A value in the chosen measure, in words a councillor reads at a glance."""
    if measure == "cash":
        return format_value(value, "gbp_thousand")
    if measure == "per_head":
        return format_value(value, "gbp")
    return "no figure" if value is None else f"{value:,.1f}"


st.title("Savings and spend: what did the councils spend, and what did sharing save?")
st.markdown(
    "The three councils shared adults' and children's social care and libraries from 2011. "
    "The first part shows what each council actually spent on a service, from the "
    "government's published outturn, beside the London median and similar councils. The "
    "second lists what the programme said it would save. The third is an **illustrative** "
    "savings ledger: no council has published its savings year by year, so those figures "
    "are generated to show how the page works until a council loads its own."
)

areas, first_year, last_year = page_scope()

milestones = query("savings_milestones")
shared = query("shared_periods")
shading = [
    (r["start_date"], r["shaded_until"], "All three councils sharing")
    for r in shared.filter(pl.col("arrangement_id") == "triborough_childrens_services").to_dicts()
]

# ---------------------------------------------------------------------------------------------
st.header("1. What each council spent on a service")
left, middle, right = st.columns([3, 3, 2])
with left:
    service = st.selectbox(
        "Service",
        options=list(SERVICE_OPTIONS),
        index=0,
        format_func=lambda k: SERVICE_OPTIONS[k].label,
        key="savings_service", bind="query-params",
    )
with middle:
    measure = st.segmented_control(
        "Show as",
        options=list(MEASURES),
        default="cash",
        format_func=lambda k: MEASURES[k],
        key="savings_measure", bind="query-params",
        required=True,
    )
with right:
    basis = basis_choice("savings_basis")
option = SERVICE_OPTIONS[service]
deflators = query("gdp_deflator")
money = basis_words(basis, deflators)
years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]
base = base_choice(
    "savings_index_base",
    base_options(option.base_periods, [y for y in years if y >= option.base_periods[0]]),
)

spend = query(
    "savings_spend_by_service",
    services=list(option.lines),
    age_band=option.age_band,
    areas=areas,
    peer_group="dfe_sn_2021",
)
series = comparison_series(
    spend, measure, base, first_year, last_year, basis=basis, deflators=deflators
)
borough_rows = series.filter(pl.col("series_kind") == "area")

if borough_rows.filter(pl.col("value").is_not_null()).is_empty():
    why = (
        f"No published figures for {option.label.lower()} in the years chosen."
        if measure != "index"
        else f"No index for {option.label.lower()}: it needs a positive figure in "
        f"{base_words(base)}, the base, and the chosen boroughs have none."
    )
    empty_notice(why)
else:
    measure_words = {
        "cash": f"£ thousand, {BASES[basis].lower()}",
        "per_head": f"£ {option.per_head_label}, {BASES[basis].lower()}",
        "index": f"index, {base_words(base)} = 100, {BASES[basis].lower()}",
    }[measure]
    span = period_span(series.sort("period_end").get_column("period").unique(
        maintain_order=True).to_list())
    title = f"{option.label}: net spending<br><sup>{measure_words}, {span}</sup>"
    fig = trend_chart(
        series, title, measure_words, shaded=shading, events=milestone_events(milestones)
    )
    table = series.select(
        pl.col("series_label").alias("area"),
        "period",
        pl.col("value").alias(measure_words),
        pl.col("areas").alias("councils in figure"),
    )
    codes = [f"nce_{line}" for line in option.lines]
    if measure == "per_head":
        codes += ["pop_0_17"] if option.age_band == "0-17" else ["pop_all_ages"]
        if option.age_band == "18+":
            codes.append("pop_0_17")
    meta = metadata_for(query("metric_catalogue", metrics=codes), span)
    meta["unit"] = (
        f"{MEASURE_UNITS[measure]}, {money}" if measure != "per_head"
        else f"£ {option.per_head_label}, {money}"
    )
    meta["prices"] = money
    meta["measure"] = title.replace("<br><sup>", ", ").replace("</sup>", "")
    meta["comparators"] = (
        "London median: middle value of the London boroughs with a figure that year (the "
        "'councils in figure' column says how many), leaving out the City of London; "
        "Peer median: middle value of the DfE statistical neighbours (2021 model) of the "
        "boroughs shown, leaving out the three tri-borough councils; England (per head and "
        "index only): all English councils together"
    )
    meta["gaps"] = (
        "a year a council did not return is empty, not zero; children's and adults' social "
        "care are one line until 2010-11"
    )
    chart_block(
        fig,
        table,
        key="savings_spend",
        meta=meta,
        alt=f"Line chart of {meta['measure']} for the chosen boroughs, the London median, the peer "
        "median and England. The shaded band marks when all three councils shared services; "
        "dotted lines mark the reported targets, the notice and the split. The same figures "
        "are in the table.",
        file_stem=f"triborough_spend_{service}_{measure}",
    )
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
        f"that year ({_london_count(series)}), leaving out the City of London, whose few "
        "residents make its figures unlike any borough's; **Peer median** is the middle of "
        "the councils DfE names as statistical neighbours of the boroughs shown (2021 "
        "model), leaving out the three tri-borough councils; **England** (per head and "
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
    st.caption("  \n".join(notes))

    changes = borough_changes(series, base)
    if changes:
        st.markdown("**In plain words**")
        cols = st.columns(len(changes))
        for col, (code, ch) in zip(cols, changes.items(), strict=True):
            with col:
                st.markdown(borough_label(code), unsafe_allow_html=True)
                pct = ch.percent
                direction = (
                    "" if pct is None
                    else f" ({'up' if pct >= 0 else 'down'} {abs(pct):.0f}%)"
                )
                st.markdown(
                    f"{show(ch.first_value, measure)} "
                    + ("a year on average " if ch.first_period.startswith("average") else "")
                    + f"in {ch.first_period.removeprefix('average of ')}, "
                    f"{show(ch.latest_value, measure)} in {ch.latest_period}{direction}"
                    + (", in 2024-25 prices." if basis == "real" else ", in cash.")
                )

# ---------------------------------------------------------------------------------------------
st.header("2. What the programme said it would save")
st.markdown(
    "These are **reported claims and targets** from council press releases and press "
    "coverage, each with the page it came from. They are not audited outturns: no official "
    "year-by-year record of savings achieved was found."
)
reported = query("savings_programme_reported")
if reported.is_empty():
    empty_notice("No reported savings claims are in the warehouse.")
else:
    claims = reported.select(
        pl.col("date_published").alias("published"),
        pl.col("measure").alias("what was claimed"),
        pl.col("value"),
        pl.col("unit"),
        pl.col("period_referred_to").alias("for"),
        pl.col("scope"),
        pl.col("source_publisher").alias("published by"),
        pl.col("source_url").alias("source"),
        pl.col("quote_or_note").alias("quote"),
    )
    # A static table: every claim's words wrap and show in full; scope and quotes are in
    # the download.
    st.table(claims_on_screen(claims))
    claims_meta = {
        "figures": "Reported tri-borough savings claims and targets",
        "unit": "as stated in each row",
        "source": "Councils' press releases and press reports (each row names its page)",
        "licence": "Quoted facts from public reporting",
        "illustrative": "no - reported claims, not audited outturns",
    }
    st.caption(source_line(claims_meta))
    download_block(claims, key="savings_reported", meta=claims_meta,
                   file_stem="triborough_reported_savings_claims")

# ---------------------------------------------------------------------------------------------
present = query("council_tables_present", tables=["savings_ledger"])
has_ledger = bool(present.filter(pl.col("present")).height)
ledger = query("savings_ledger", areas=areas) if has_ledger else pl.DataFrame()
generated = not ledger.is_empty() and bool(ledger.get_column("is_illustrative").any())
st.header("3. Savings ledger by workstream" + (ILLUSTRATIVE_SUFFIX if generated else ""))

if ledger.is_empty():
    empty_notice(
        "The savings ledger is not in this warehouse yet. It arrives with the illustrative "
        "council tables when the warehouse is rebuilt (`triborough build`), or when a council "
        "loads its own ledger (`triborough ingest`)."
    )
    st.stop()

flags = ledger.get_column("is_illustrative").to_list()
if any(flags):
    illustrative_notice(
        "No council published its savings by workstream and year, so this ledger is "
        "generated: deterministic, and calibrated so the three councils together deliver the "
        "reported £43m a year in 2015-16 and plan the reported £7.7m (2012-13), £33.4m "
        "(2014-15) and £40m (2015-16), with H&F's reported £13m in 2016-17. Workstream "
        "splits, one-off costs and each borough's share are assumptions. A council replaces "
        "these rows by loading its own ledger."
    )
suffix = ILLUSTRATIVE_SUFFIX if any(flags) else ""

yearly = ledger_by_year(ledger)  # cumulative from the ledger's first year, whatever is shown
in_years = pl.col("financial_year").str.slice(0, 4).cast(pl.Int32).is_between(
    first_year, last_year
)
shown = yearly.filter(in_years).with_columns(
    pl.col("borough_code").replace_strict(
        {c: borough_name(c) for c in BOROUGH_BY_CODE}, default=pl.col("borough_code")
    ).alias("series_label"),
    pl.col("borough_code").alias("area_code"),
)
if shown.is_empty():
    empty_notice("The ledger has no years inside the years chosen in the sidebar.")
    st.stop()
ledger_span = period_span(shown.get_column("financial_year").unique(maintain_order=True)
                          .sort().to_list())
period_filter = ledger.filter(in_years)

# 3a. Delivered savings against the reported targets.
totals = programme_totals(shown)
targets = reported_targets(milestones).filter(
    pl.col("financial_year").str.slice(0, 4).cast(pl.Int32).is_between(first_year, last_year)
)
all_three = len(areas) == 3
markers = (
    [(r["financial_year"], r["value_gbp_m"], f"£{r['value_gbp_m']:g}m ")
     for r in targets.iter_rows(named=True)]
    if all_three else None
)
bars = shown.with_columns((pl.col("delivered_gbp_k") / 1000).alias("delivered_gbp_m"))
title = "Savings delivered each year, by borough, against the reported targets" + suffix
fig = stacked_bar_chart(
    bars, title, "£ million a year", x="financial_year", y="delivered_gbp_m",
    line=(totals["financial_year"].to_list(), totals["planned_gbp_m"].to_list(),
          "Planned, boroughs shown" + suffix),
    markers=markers,
)
table = shown.select(
    pl.col("series_label").alias("borough"), "financial_year", "planned_gbp_k",
    "delivered_gbp_k", "one_off_cost_gbp_k", "net_gbp_k", "cumulative_net_gbp_k",
)
chart_block(
    fig,
    table,
    key="savings_ledger_delivered",
    meta=council_table_meta(
        "Savings ledger: planned, delivered, one-off cost, net and cumulative net savings "
        "by borough and year", "£ thousand, cash", period_filter["is_illustrative"].to_list(),
        ledger_span,
    ),
    alt=f"Stacked bar chart of {title.lower()}, {ledger_span}, with the planned total as a "
    "dashed line and the reported targets as diamonds. The same figures are in the table.",
    file_stem="triborough_savings_ledger",
)
if all_three:
    st.caption(
        "Diamonds: the reported targets for all three councils together (£7.7m planned for "
        "2012-13, £33.4m a year projected by 2014-15, £40m then £43m a year by 2015-16). "
        "The dashed line is the ledger's planned total."
    )
else:
    st.caption(
        "The reported targets are for all three councils together, so they are shown only "
        "when all three boroughs are chosen."
    )

# Totals against the targets, in words.
target_rows = []
for r in targets.iter_rows(named=True):
    got = totals.filter(pl.col("financial_year") == r["financial_year"])
    if got.is_empty() or not all_three:
        continue
    target_rows.append({
        "year": r["financial_year"],
        "reported £m": r["value_gbp_m"],
        "ledger planned £m": got["planned_gbp_m"][0],
        "ledger delivered £m": got["delivered_gbp_m"][0],
        "what was reported": r["label"],
    })
if target_rows:
    st.markdown("**Ledger totals against the reported targets**" + suffix)
    show_table(pl.DataFrame(target_rows), key="savings_targets_table")
    if any(flags):
        st.caption(
            "The generated ledger was calibrated to the reported figures, so its planned and "
            "delivered totals equal the targets **by construction**: this table cannot show "
            "whether any target was met. Only a council's own ledger can."
        )

# 3b. Cumulative net savings and payback.
cumulative = shown.with_columns(
    pl.col("borough_code").alias("series"),
    pl.col("financial_year").alias("period"),
    pl.date(pl.col("financial_year").str.slice(0, 4).cast(pl.Int32) + 1, 3, 31)
    .alias("period_end"),
    (pl.col("cumulative_net_gbp_k") / 1000).alias("value"),
)
title = "Cumulative net savings after one-off costs, by borough" + suffix
fig = trend_chart(cumulative, title, "£ million, cumulative", shaded=shading)
fig.add_hline(y=0, line=dict(color="#1a1a1a", width=1))
chart_block(
    fig,
    cumulative.select(
        pl.col("series_label").alias("borough"), "financial_year",
        pl.col("net_gbp_k"), pl.col("cumulative_net_gbp_k"),
    ),
    key="savings_ledger_cumulative",
    meta=council_table_meta(
        "Cumulative net savings (delivered less one-off costs, added up from the ledger's "
        "first year)", "£ thousand, cash", period_filter["is_illustrative"].to_list(),
        ledger_span,
    ),
    alt=f"Line chart of {title.lower()}, {ledger_span}. Below zero the one-off costs so far "
    "exceed the savings; the payback year is when a line crosses zero. The same figures are "
    "in the table.",
    file_stem="triborough_savings_cumulative",
)

summary = ledger_summary(yearly.filter(pl.col("borough_code").is_in(areas)))
st.markdown("**Payback**" + suffix)
cols = st.columns(len(areas))
for col, row in zip(cols, summary.iter_rows(named=True), strict=False):
    with col:
        st.markdown(borough_label(row["borough_code"]), unsafe_allow_html=True)
        payback = row["payback_year"]
        st.markdown(
            (f"Paid back its one-off costs in **{payback}**" if payback
             else "Not paid back in the ledger's years")
            + f"; {format_value(row['cumulative_net_gbp_k'], 'gbp_thousand')} net by "
            f"{row['years'][-7:]}{suffix}."
        )
st.caption(
    "Net saving = savings delivered less one-off costs (redundancy, systems, transition), "
    "added up from the ledger's first year (2011-12) whatever years are chosen. The payback "
    "year is the first year that running total reaches zero. A year missing from a ledger "
    "leaves the running total unknown from then on, rather than counting it as nothing."
)

# 3c. By workstream.
by_stream = workstream_totals(period_filter).with_columns(
    pl.col("borough_code").alias("area_code"),
    pl.col("borough_code").replace_strict(
        {c: borough_name(c) for c in BOROUGH_BY_CODE}, default=pl.col("borough_code")
    ).alias("series_label"),
    (pl.col("delivered_gbp_k") / 1000).alias("delivered_gbp_m"),
)
title = f"Savings delivered by workstream, {ledger_span} in total" + suffix
fig = stacked_bar_chart(
    by_stream, title, "£ million over the years", x="workstream_label", y="delivered_gbp_m"
)
fig.update_layout(barmode="group")
chart_block(
    fig,
    by_stream.select(
        pl.col("series_label").alias("borough"), pl.col("workstream_label").alias("workstream"),
        "delivered_gbp_k", "one_off_cost_gbp_k",
    ),
    key="savings_ledger_workstreams",
    meta=council_table_meta(
        "Savings delivered and one-off costs by workstream ("
        + ", ".join(WORKSTREAM_LABELS.values()) + ")",
        "£ thousand, cash", period_filter["is_illustrative"].to_list(), ledger_span,
    ),
    alt=f"Grouped bar chart of {title.lower()}: one bar per borough for each workstream. "
    "The same figures are in the table.",
    file_stem="triborough_savings_workstreams",
)
