"""Systems and IT, for CIOs: IT towers, contracts, common platforms, central services spend."""

import datetime as dt

import polars as pl
import streamlit as st

from triborough.boroughs import BOROUGH_BY_CODE
from triborough.charts import (
    bar_chart,
    timeline_chart,
    trend_chart,
)
from triborough.real_terms import basis_short, basis_words, in_basis
from triborough.style import format_value
from triborough.systems import (
    DESK_MEASURES,
    ENDING_SOON_MONTHS,
    LABELS,
    PLATFORM_LABELS,
    TOWER_LABELS,
    add_months,
    annual_desk,
    contract_rows,
    convergence,
    ending_soon,
    latest_full_year,
    platform_periods,
)
from triborough.ui import (
    basis_choice,
    borough_name,
    chart_block,
    council_table_meta,
    empty_notice,
    illustrative_notice,
    metadata_for,
    page_scope,
    period_span,
    query,
    show_table,
)

ILLUSTRATIVE_SUFFIX = " (illustrative)"
SPLIT = (dt.date(2018, 4, 1), "Split takes effect")

st.title("Systems and IT: what the councils run, who supplies it, and what it costs")
st.markdown(
    "For chief information officers. From 2011 the three councils bought IT as four "
    "**towers** (desktop, service desk, data centre, network and telephony) and moved onto "
    "**common platforms**: an ERP managed service, one library management system, one social "
    "care system and one BI platform. Service-desk figures, contracts and migrations are not "
    "published, so those sections show **illustrative** figures until a council loads its "
    "own; the last section is the published central services spend."
)

areas, first_year, last_year = page_scope()

today = dt.date.today()
window_start, window_end = dt.date(first_year, 4, 1), dt.date(last_year + 1, 3, 31)
present = {
    r["table_name"]: r["present"]
    for r in query(
        "council_tables_present",
        tables=["service_desk_monthly", "contracts", "system_migrations"],
    ).to_dicts()
}


def missing(table: str) -> None:
    """Say why an illustrative section is empty: its table is not in this warehouse."""
    empty_notice(
        f"The {table.replace('_', ' ')} table is not in this warehouse yet. It arrives with the "
        "illustrative council tables when the warehouse is rebuilt (`triborough build`), or "
        "when a council loads its own extract (`triborough ingest`)."
    )


def section_rows(table: str, name: str, banner: str) -> tuple[pl.DataFrame | None, str]:
    """A section's rows from query ``name`` and the suffix for its titles. None (and a note
    saying why) when the council table is not in the warehouse; a banner saying what was
    generated when any row is."""
    rows = query(name, areas=areas) if present.get(table) else None
    if rows is None or rows.is_empty():
        missing(table)
        return None, ""
    flags = rows.get_column("is_illustrative").to_list()
    if any(flags):
        illustrative_notice(banner)
    return rows, ILLUSTRATIVE_SUFFIX if any(flags) else ""


# ---------------------------------------------------------------------------------------------
st.header("1. IT towers: the service desk")
desk, suffix = section_rows(
    "service_desk_monthly", "systems_service_desk",
    "No council publishes its IT service-desk figures, so these are generated "
    "(deterministic) to show how the comparison works: towers bought jointly from "
    "April 2014, a dip in service levels during the transition, and H&F on its own "
    "arrangements after the 2018 split. A council replaces them by loading its "
    "monthly extract."
)
if desk is not None:
    # The measures take a row of their own: in half a tablet's width the last was cut off.
    measure_key = st.segmented_control(
        "Measure",
        options=list(DESK_MEASURES),
        default="first_contact_pct",
        format_func=lambda k: DESK_MEASURES[k].short,
        key="systems_desk_measure", bind="query-params",
        required=True,
    )
    tower = st.columns(2)[0].selectbox(
        "Tower",
        options=["all", *TOWER_LABELS],
        format_func=lambda k: "All four towers" if k == "all" else TOWER_LABELS[k],
        key="systems_tower", bind="query-params",
    )
    measure = DESK_MEASURES[measure_key]
    annual = annual_desk(desk, None if tower == "all" else [tower])
    annual = annual.filter(pl.col("fy").is_between(first_year, last_year))
    if annual.filter(pl.col(measure.column).is_not_null()).is_empty():
        empty_notice("No full years of service-desk figures in the years chosen.")
    else:
        tower_words = "all four towers" if tower == "all" else TOWER_LABELS[tower].lower()
        span = period_span(annual.sort("fy").get_column("period").unique(
            maintain_order=True).to_list())
        trend = annual.with_columns(
            pl.col("borough_code").alias("series"),
            pl.col("borough_code").replace_strict(
                {c: borough_name(c) for c in BOROUGH_BY_CODE}, default=pl.col("borough_code")
            ).alias("series_label"),
            pl.col(measure.column).cast(pl.Float64).alias("value"),
        )
        title = f"{measure.label}, {tower_words}, {span}{suffix}"
        direction = {"higher_better": " Higher is better.",
                     "lower_better": " Lower is better."}.get(measure.polarity, "")
        chart_block(
            trend_chart(trend, title, measure.label, events=[SPLIT]),
            trend.select(
                pl.col("series_label").alias("borough"), "period", "months",
                pl.col("tickets"), pl.col("first_contact_pct"), pl.col("sla_met_pct"),
                pl.col("cost_per_user_gbp"),
            ),
            key="systems_desk_trend",
            meta=council_table_meta(
                f"IT service desk by financial year, {tower_words}: tickets, % resolved at "
                "first contact, % within service level, cost per staff user",
                "count; percent; £ a year per user",
                desk.filter(pl.col("month").is_between(window_start, window_end))
                .get_column("is_illustrative").to_list() or desk["is_illustrative"].to_list(),
                span,
            ),
            alt=f"Line chart of {title.lower()} for each borough.{direction} The same "
            "figures are in the table.",
            file_stem=f"triborough_service_desk_{measure_key}_{tower}",
        )
        st.caption(
            "Financial years (April to March). A year with fewer than twelve months of "
            "figures is left as a gap. Percentages are of all tickets in the year; cost per "
            f"user is the year's cost over the average number of staff users.{direction}"
        )

        latest = latest_full_year(annual)
        if latest is None:
            empty_notice("No year has a full twelve months of figures for every borough shown.")
        else:
            fy = int(latest[:4])
            rows = []
            for code in TOWER_LABELS:
                one = annual_desk(desk, [code]).filter(pl.col("fy") == fy)
                rows.append(one.with_columns(pl.lit(TOWER_LABELS[code]).alias("tower")))
            by_tower = pl.concat(rows).with_columns(
                pl.col("borough_code").alias("area_code"),
                pl.col("borough_code").replace_strict(
                    {c: borough_name(c) for c in BOROUGH_BY_CODE},
                    default=pl.col("borough_code"),
                ).alias("series_label"),
            )
            title = f"{measure.label} by tower, {latest}{suffix}"
            chart_block(
                bar_chart(by_tower, title, measure.label, x="tower", y=measure.column),
                by_tower.select(
                    pl.col("series_label").alias("borough"), "tower", "tickets",
                    "first_contact_pct", "sla_met_pct", "cost_per_user_gbp",
                ),
                key="systems_desk_latest",
                meta=council_table_meta(
                    f"IT service desk by tower, {latest}", "count; percent; £ a year per user",
                    desk["is_illustrative"].to_list(), latest,
                ),
                alt=f"Grouped bar chart of {title.lower()}: one bar per borough for each "
                f"tower.{direction} The same figures are in the table.",
                file_stem=f"triborough_service_desk_by_tower_{latest}",
            )

# ---------------------------------------------------------------------------------------------
st.header("2. Contracts: who supplies what, and when each ends")
contracts, suffix = section_rows(
    "contracts", "systems_contracts",
    "The contracts below are generated, with vendors named neutrally (Vendor A, B, "
    "…): each council's own tower contracts until 2014, joint tower and platform "
    "contracts from 2013-2016, and separate or bi-borough contracts after the split. "
    "A council replaces them by loading its contract register."
)
if contracts is not None:
    kind = st.segmented_control(
        "Contracts for",
        options=["all", "towers", "platforms"],
        default="all",
        format_func={"all": "Towers and platforms", "towers": "IT towers",
                     "platforms": "Common platforms"}.get,
        key="systems_contract_kind", bind="query-params",
        required=True,
    )
    chosen = {"all": list(LABELS), "towers": list(TOWER_LABELS),
              "platforms": list(PLATFORM_LABELS)}[kind]
    rows = contract_rows(contracts, today).filter(
        pl.col("tower_or_system").is_in(chosen)
        & (pl.col("end") >= window_start) & (pl.col("start") <= window_end)
    )
    soon = ending_soon(rows, today)
    horizon = add_months(today, ENDING_SOON_MONTHS)
    if soon.is_empty():
        st.markdown(
            f"**No contract shown ends between today ({today:%d %B %Y}) and "
            f"{horizon:%d %B %Y}.**"
        )
    else:
        st.markdown(
            f"**⚑ {soon.height} contract{'s' if soon.height != 1 else ''} end within "
            f"{ENDING_SOON_MONTHS} months** (by {horizon:%d %B %Y}){suffix}:"
        )
        show_table(
            soon.select(
                pl.col("series_label").alias("borough"), pl.col("contract_id").alias("contract"),
                pl.col("tower_or_system").replace_strict(LABELS, default=pl.col(
                    "tower_or_system")).alias("tower or system"),
                "vendor", pl.col("end_date").alias("ends"),
                pl.col("annual_value_gbp_k").alias("annual value £k"),
            ),
            key="systems_ending_soon_table",
            column_config={
                "ends": st.column_config.DateColumn("ends", format="D MMM YYYY"),
                "annual value £k": st.column_config.NumberColumn(format="localized"),
            },
        )
    if rows.is_empty():
        empty_notice("No contracts of this kind run during the years chosen.")
    else:
        title = f"Contracts by borough, tower and platform{suffix}"
        fig = timeline_chart(rows, title, flagged="ending_soon", today=today, events=[SPLIT])
        fig.update_xaxes(range=[min(window_start, rows["start"].min()), max(window_end, horizon)])
        chart_block(
            fig,
            rows.select(
                pl.col("series_label").alias("borough"), "contract_id",
                pl.col("tower_or_system").replace_strict(LABELS, default=pl.col(
                    "tower_or_system")).alias("tower or system"),
                "vendor", "start_date", "end_date", "annual_value_gbp_k", "shared", "status",
            ),
            key="systems_contracts",
            meta=council_table_meta(
                "IT tower and platform contracts: vendor, start and end dates, this borough's "
                f"annual value, joint or not, status on {today:%d %B %Y}",
                "£ thousand a year (annual value)",
                rows.get_column("is_illustrative").to_list(),
                f"{window_start:%b %Y} to {window_end:%b %Y}",
            ),
            alt=f"Timeline of {title.lower()}: one row per tower or platform and borough, one "
            "bar per contract from start to end, labelled with the vendor. Contracts ending "
            f"within {ENDING_SOON_MONTHS} months have a heavy outline and a ⚑ label. The same "
            "contracts are in the table.",
            file_stem="triborough_contracts",
        )
        st.caption(
            f"⚑ and a heavy outline: ends within {ENDING_SOON_MONTHS} months of today "
            f"({today:%d %B %Y}). '(joint)': let jointly, this row being the borough's share. "
            "Only contracts running in the years chosen in the sidebar are shown."
        )

# ---------------------------------------------------------------------------------------------
st.header("3. Moving onto the common platforms")
migrations, suffix = section_rows(
    "system_migrations", "systems_migrations",
    "Go-live dates are generated to show how convergence is tracked; a council "
    "replaces them by loading its migration log."
)
if migrations is not None:
    periods = platform_periods(migrations, today, window_start)
    short = {c: b.short for c, b in BOROUGH_BY_CODE.items()}
    bars = periods.filter(
        (pl.col("end") >= window_start) & (pl.col("start") <= max(window_end, today))
    ).with_columns(
        (
            pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform"))
            + " · " + pl.col("borough_code").replace_strict(short, default=pl.col(
                "borough_code"))
        ).alias("row"),
        pl.col("borough_code").alias("area_code"),
        pl.col("borough_code").replace_strict(
            {c: borough_name(c) for c in BOROUGH_BY_CODE}, default=pl.col("borough_code")
        ).alias("series_label"),
        # Legacy bars are short and their names long: the table carries the full names.
        pl.when(pl.col("state") == "planned").then(pl.col("system") + " (planned)")
        .when(pl.col("state") == "before the move").then(pl.lit("Legacy"))
        .otherwise(pl.col("system")).alias("text"),
        (~pl.col("common")).alias("muted"),
    ).sort("platform", pl.col("borough_code").replace_strict(
        {c: i for i, c in enumerate(BOROUGH_BY_CODE)}, default=9), "start")
    if bars.is_empty():
        empty_notice("No platform moves fall in the years chosen.")
    else:
        title = f"Which system each borough ran, by platform{suffix}"
        fig = timeline_chart(
            bars, title, muted="muted", today=today, events=[SPLIT],
            muted_name="Own or legacy system (grey)",
        )
        fig.update_xaxes(range=[window_start, max(window_end, today, bars["end"].max())])
        chart_block(
            fig,
            bars.select(
                pl.col("series_label").alias("borough"),
                pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col(
                    "platform")).alias("platform"),
                "system", pl.col("start").alias("from"), pl.col("end").alias("to"),
                pl.col("state"), pl.col("common").alias("common platform"),
            ),
            key="systems_convergence",
            meta=council_table_meta(
                "Systems each borough ran for the four common platforms, from go-live to the "
                "next move (or today)", "dates", migrations["is_illustrative"].to_list(),
                f"{window_start:%b %Y} to {today:%b %Y}",
            ),
            alt=f"Timeline of {title.lower()}: one row per platform and borough; bars in the "
            "borough's colour and pattern are a common platform shared with another borough, "
            "grey bars an own or legacy system, each labelled with the system's name. The "
            "same periods are in the table.",
            file_stem="triborough_platform_convergence",
        )
        st.caption(
            "A system counts as a common platform when two or more boroughs moved onto it. "
            "Coloured bars: the borough on a common platform; grey: its own or legacy system. "
            "Each period runs from a go-live to the borough's next move on that platform, or "
            "to today."
        )
        st.markdown(f"**When the boroughs shown converged**{suffix}")
        show_table(
            convergence(periods, areas), key="systems_convergence_summary",
            column_config={
                c: st.column_config.DateColumn(c, format="D MMM YYYY")
                for c in ("all shown on it from", "first to leave")
            },
        )

# ---------------------------------------------------------------------------------------------
st.header("4. Central services spending (published)")
st.markdown(
    "Central services are the council's own running costs that are not a front-line service: "
    "corporate and democratic core, council tax and benefits administration, elections, "
    "registration and similar. Shared back-office systems should show here first."
)
central_measure = st.segmented_control(
    "Show as",
    options=["nce_central_services", "spend_ph_central_services"],
    default="nce_central_services",
    format_func={"nce_central_services": "Total £ thousand",
                 "spend_ph_central_services": "Per resident £"}.get,
    key="systems_central_measure", bind="query-params",
    required=True,
)
basis = basis_choice("systems_basis")
deflators = query("gdp_deflator")
trend = in_basis(
    query("metric_trend", metric=central_measure, areas=areas, from_year=first_year,
          to_year=last_year),
    basis, deflators,
)
catalogue = query("metric_catalogue", metrics=[central_measure, "pop_all_ages"]
                  if central_measure.startswith("spend_ph") else [central_measure])
if trend.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null()).is_empty():
    empty_notice("No published central services figures in the years chosen.")
else:
    if central_measure == "nce_central_services":
        # England's total would dwarf any borough on a cash chart.
        trend = trend.filter(pl.col("series") != "E92000001")
    # Boroughs in their fixed order first, so legends read the same on every chart.
    trend = trend.with_columns(
        pl.col("series").replace_strict(
            {c: i for i, c in enumerate(BOROUGH_BY_CODE)}, default=9).alias("_o")
    ).sort("_o", "series", "period_end").drop("_o")
    name_row = catalogue.filter(pl.col("code") == central_measure).to_dicts()[0]
    unit = ("£ thousand" if central_measure == "nce_central_services" else "£ per resident") + (
        f", {basis_short(basis)}")
    span = period_span(trend.sort("period_end").get_column("period").unique(
        maintain_order=True).to_list())
    title = f"{name_row['name']}, {span}"
    shared = query("shared_periods")
    shading = [
        (r["start_date"], r["shaded_until"], "All three councils sharing")
        for r in shared.filter(
            pl.col("arrangement_id") == "triborough_childrens_services").to_dicts()
    ]
    fig = trend_chart(trend, title, unit, shaded=shading, events=[SPLIT])
    meta = metadata_for(catalogue, span)
    meta["unit"] = unit
    meta["prices"] = basis_words(basis, deflators)
    chart_block(
        fig,
        trend.select(pl.col("series_label").alias("area"), "period",
                     pl.col("value").alias(unit)),
        key="systems_central",
        meta=meta,
        alt=f"Line chart of {title.lower()} for the chosen boroughs and the London median"
        f"{'' if central_measure == 'nce_central_services' else ' and England'}. The same "
        "figures are in the table.",
        file_stem=f"triborough_{central_measure}",
    )
    latest = (
        trend.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null())
        .sort("period_end").group_by("series", maintain_order=True).last()
    )
    fmt = "gbp_thousand" if central_measure == "nce_central_services" else "gbp"
    london = trend.filter(pl.col("series") == "london_median")
    words = []
    by_code = {r["series"]: r for r in latest.iter_rows(named=True)}
    for r in (by_code[c] for c in areas if c in by_code):
        lm = london.filter(pl.col("period") == r["period"]).get_column("value")
        beside = f" (London median {format_value(lm[0], fmt)})" if lm.len() else ""
        words.append(f"**{r['series_label']}** {format_value(r['value'], fmt)} in "
                     f"{r['period']}{beside}")
    st.markdown("Latest published: " + "; ".join(words) + ".")
    # Caveats name only the boroughs shown, so a filtered page does not talk about others.
    examples = {
        "E09000033": "negative in 2012-13 and 2017-18 for Westminster",
        "E09000020": "a single year standing out for Kensington and Chelsea (2017-18)",
    }
    seen = [examples[c] for c in areas if c in examples]
    st.caption(
        "A break in a line is a year with no published figure (2015-16, 2016-17 and 2018-19 "
        "to 2022-23 are not in the files used). Central services can be negative where "
        "income and recharges to other services exceed spending, and one-off items can make "
        "one year stand out" + (f" (here: {'; '.join(seen)})" if seen else "") + "; figures "
        "are shown as published. Per resident uses ONS mid-year estimates "
        "(post-2021-Census series). Money is cash, not adjusted for inflation."
    )
