"""Systems and IT, for CIOs: IT towers, contracts, common platforms, central services spend."""

import datetime as dt

import polars as pl
import streamlit as st

from triborough.figures.bar_charts import bar_chart
from triborough.figures.line_charts import trend_chart
from triborough.figures.timeline_charts import timeline_chart
from triborough.model.real_terms import in_basis
from triborough.ui.blocks import (
    basis_choice,
    chart_block,
    empty_notice,
    illustrative_notice,
    page_scope,
    query,
    show_table,
)
from triborough.views import systems_views as sv
from triborough.views.page_pieces import sharing_shading
from triborough.views.systems import DESK_MEASURES, ENDING_SOON_MONTHS, TOWER_LABELS, add_months
from triborough.views.systems import convergence as convergence_table

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
window = (dt.date(first_year, 4, 1), dt.date(last_year + 1, 3, 31))
present = {
    r["table_name"]: r["present"]
    for r in query("council_tables_present",
                   tables=["service_desk_monthly", "contracts", "system_migrations"]).to_dicts()
}


def section_rows(table: str, name: str, banner: str) -> pl.DataFrame | None:
    """A section's rows, or None with a note saying why it is empty; the banner says what
    was generated when any row is."""
    rows = query(name, areas=areas) if present.get(table) else None
    if rows is None or rows.is_empty():
        empty_notice(
            f"The {table.replace('_', ' ')} table is not in this warehouse yet. It arrives with "
            "the illustrative council tables when the warehouse is rebuilt (`triborough "
            "build`), or when a council loads its own extract (`triborough ingest`).")
        return None
    if rows["is_illustrative"].any():
        illustrative_notice(banner)
    return rows


def show(view: sv.View, fig: object, key: str) -> None:
    """A view's chart with its table, source line and download."""
    chart_block(fig, view.table, key=key, meta=view.meta, alt=view.alt,
                file_stem=view.file_stem)


# ---------------------------------------------------------------------------------------------
st.header("1. IT towers: the service desk")
desk = section_rows(
    "service_desk_monthly", "systems_service_desk",
    "No council publishes its IT service-desk figures, so these are generated (deterministic) "
    "to show how the comparison works: towers bought jointly from April 2014, a dip in service "
    "levels during the transition, and H&F on its own arrangements after the 2018 split. A "
    "council replaces them by loading its monthly extract.")
if desk is not None:
    # The measures take a row of their own: in half a tablet's width the last was cut off.
    measure_key = st.segmented_control(
        "Measure", options=list(DESK_MEASURES), default="first_contact_pct",
        format_func=lambda k: DESK_MEASURES[k].short, key="systems_desk_measure",
        bind="query-params",
        required=True)
    tower = st.columns(2)[0].selectbox(
        "Tower", options=["all", *TOWER_LABELS],
        format_func=lambda k: "All four towers" if k == "all" else TOWER_LABELS[k],
        key="systems_tower", bind="query-params")
    measure = DESK_MEASURES[measure_key]
    trend = sv.desk_trend(desk, measure_key, tower, (first_year, last_year), window)
    if trend is None:
        empty_notice("No full years of service-desk figures in the years chosen.")
    else:
        show(trend, trend_chart(trend.frame, trend.title, measure.label, events=[sv.SPLIT]),
             "systems_desk_trend")
        st.caption(
            "Financial years (April to March). A year with fewer than twelve months of figures "
            "is left as a gap. Percentages are of all tickets in the year; cost per user is the "
            "year's cost over the average number of staff users."
            + sv.direction_words(measure.polarity))
        latest = trend.facts["latest"]
        if not latest:
            empty_notice("No year has a full twelve months of figures for every borough shown.")
        else:
            by_tower = sv.desk_by_tower(desk, measure_key, latest)
            show(by_tower, bar_chart(by_tower.frame, by_tower.title, measure.label, x="tower",
                                     y=measure.column), "systems_desk_latest")

# ---------------------------------------------------------------------------------------------
st.header("2. Contracts: who supplies what, and when each ends")
contracts = section_rows(
    "contracts", "systems_contracts",
    "The contracts below are generated, with vendors named neutrally (Vendor A, B, …): each "
    "council's own tower contracts until 2014, joint tower and platform contracts from "
    "2013-2016, and separate or bi-borough contracts after the split, each renewed term after "
    f"term up to {sv.generated_until(query('illustrative_until'))}. A council replaces them by "
    "loading its contract register.")
if contracts is not None:
    kind = st.segmented_control(
        "Contracts for", options=list(sv.CONTRACT_KINDS), default="all",
        format_func=lambda k: sv.CONTRACT_KINDS[k][0], key="systems_contract_kind",
        bind="query-params",
        required=True)
    shown = sv.contracts_view(contracts, kind, today, window)
    horizon = add_months(today, ENDING_SOON_MONTHS)
    suffix = sv.suffix_for(contracts)
    if shown.soon.is_empty():
        st.markdown(f"**No contract shown ends between today ({today:%d %B %Y}) and "
                    f"{horizon:%d %B %Y}.**")
    else:
        n = shown.soon.height
        st.markdown(f"**⚑ {n} contract{'s' if n != 1 else ''} end within {ENDING_SOON_MONTHS} "
                    f"months** (by {horizon:%d %B %Y}){suffix}:")
        show_table(shown.soon, key="systems_ending_soon_table", column_config={
            "ends": st.column_config.DateColumn("ends", format="D MMM YYYY"),
            "annual value £k": st.column_config.NumberColumn(format="localized")})
    if shown.rows.is_empty():
        empty_notice("No contracts of this kind run during the years chosen.")
    else:
        fig = timeline_chart(shown.rows, shown.view.title, flagged="ending_soon", today=today,
                             events=[sv.SPLIT])
        sv.hover_in_full(fig, shown.rows)
        fig.update_xaxes(range=[min(window[0], shown.rows["start"].min()),
                                max(window[1], horizon)])
        show(shown.view, fig, "systems_contracts")
        st.caption(
            f"⚑ and a heavy outline: ends within {ENDING_SOON_MONTHS} months of today "
            f"({today:%d %B %Y}). '(joint)': let jointly, this row being the borough's share. "
            "A label too long for its bar is cut with '…': hover on the bar, or open the "
            "table, for it in full. Only contracts running in the years chosen are shown.")
        st.markdown("**What the contract references mean**")
        show_table(shown.legend, key="systems_code_legend")

# ---------------------------------------------------------------------------------------------
st.header("3. Moving onto the common platforms")
migrations = section_rows(
    "system_migrations", "systems_migrations",
    "Go-live dates are generated to show how convergence is tracked; a council replaces them "
    "by loading its migration log.")
if migrations is not None:
    periods, platforms = sv.convergence_view(migrations, today, window)
    if platforms.frame.is_empty():
        empty_notice("No platform moves fall in the years chosen.")
    else:
        fig = timeline_chart(platforms.frame, platforms.title, muted="muted", today=today,
                             events=[sv.SPLIT], muted_name="Own or legacy system (grey)")
        fig.update_xaxes(range=[window[0], max(window[1], today, platforms.frame["end"].max())])
        show(platforms, fig, "systems_convergence")
        st.caption(
            "A system counts as a common platform when two or more boroughs moved onto it. "
            "Coloured bars: the borough on a common platform; grey: its own or legacy system. "
            "Each period runs from a go-live to the borough's next move on that platform, or "
            "to today.")
        st.markdown(f"**When the boroughs shown converged**{sv.suffix_for(migrations)}")
        show_table(convergence_table(periods, areas), key="systems_convergence_summary",
                   column_config={c: st.column_config.DateColumn(c, format="D MMM YYYY")
                                  for c in ("all shown on it from", "first to leave")})

# ---------------------------------------------------------------------------------------------
st.header("4. Central services spending (published)")
st.markdown(
    "Central services are the council's own running costs that are not a front-line service: "
    "corporate and democratic core, council tax and benefits administration, elections, "
    "registration and similar. Shared back-office systems should show here first.")
central_measure = st.segmented_control(
    "Show as", options=list(sv.CENTRAL_MEASURES), default="nce_central_services",
    format_func=sv.CENTRAL_MEASURES.get, key="systems_central_measure",
    bind="query-params", required=True)
basis = basis_choice("systems_basis")
deflators = query("gdp_deflator")
central = sv.central_view(
    in_basis(query("metric_trend", metric=central_measure, areas=areas, from_year=first_year,
                   to_year=last_year), basis, deflators),
    query("metric_catalogue", metrics=[central_measure, "pop_all_ages"]
          if central_measure.startswith("spend_ph") else [central_measure]),
    central_measure, basis, deflators, areas)
if central is None:
    empty_notice("No published central services figures in the years chosen.")
else:
    fig = trend_chart(central.frame, central.title, central.facts["unit"],
                      shaded=sharing_shading(query("shared_periods")), events=[sv.SPLIT])
    show(central, fig, "systems_central")
    st.markdown("Latest published: " + central.facts["latest"] + ".")
    seen = central.facts["caveat"]
    st.caption(
        "A break in a line is a year with no published figure (2015-16, 2016-17 and 2018-19 to "
        "2022-23 are not in the files used). Central services can be negative where income and "
        "recharges to other services exceed spending, and one-off items can make one year "
        "stand out" + (f" (here: {seen})" if seen else "") + "; figures are shown as "
        "published. Per resident uses ONS mid-year estimates (post-2021-Census series).")
