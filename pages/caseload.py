"""Caseload: how much work the shared services carry in each borough, on published figures
(plus one clearly labelled illustrative view of monthly caseload by team)."""

import polars as pl
import streamlit as st

from triborough.model.contracts import SERVICES
from triborough.settings import get_settings
from triborough.ui.blocks import (
    council_table_meta,
    empty_notice,
    illustrative_notice,
    metadata_for,
    page_scope,
    published_trend,
    query,
    table_block,
    view_block,
)
from triborough.views.caseload_views import (
    ANNUAL_MEASURES,
    CHILDREN_TOPICS,
    NOTES,
    PAGE_METRICS,
    PSS_METRICS,
    SERVICE_WORDS,
    active_users_view,
    libraries_listing,
    library_activity_view,
    library_annual_view,
    monthly_views,
)
from triborough.views.disclosure import meta_with
from triborough.views.metric_views import suppression_note
from triborough.views.page_pieces import ADULTS_SHARED, CHILDREN_SHARED

st.title("Caseload: how many children, adults and library users each borough serves")
st.markdown(
    "The three councils merged their children's and adults' social care and library teams in "
    "2011. These charts show the work those services carry in each borough, year by year, from "
    "published statistics, beside the middle London borough (the London median) and England."
)

areas, first_year, last_year = page_scope()
threshold = get_settings().small_number_threshold
arrangements = query("shared_periods")
catalogue = query("metric_catalogue", metrics=PAGE_METRICS)
METRIC = {r["code"]: r for r in catalogue.to_dicts()}
YEARS = {"from_year": first_year, "to_year": last_year}


def meta_of(code: str, period: str) -> dict[str, str]:
    """Download metadata for one catalogue metric over ``period``."""
    return metadata_for(catalogue.filter(pl.col("code") == code), period)


def metric_trend_view(code: str, *, key: str, shared: tuple[str, ...] = (), kind: str = "line",
                      title: str = "", query_name: str = "metric_trend", **extra: object) -> None:
    """One published metric for the boroughs beside the London median (and England), which
    way is better in its title and where each borough stands in words under it."""
    trend = query(query_name, metric=code, areas=areas, **YEARS)
    published_trend(METRIC[code], trend, key=key, threshold=threshold, arrangements=arrangements,
                    shared=shared, kind=kind, title=title,
                    london_counts=query("metric_london_counts", metric=code, **YEARS), **extra)


def merged_teams_view() -> None:
    """Illustrative (or loaded) monthly caseload, by borough and by team model."""
    st.header("Open cases each month, in shared and in sovereign teams")
    if not query("council_tables_present", tables=["caseload_monthly"])["present"].any():
        empty_notice(NOTES["no_monthly"])
        return
    service = st.segmented_control(
        "Service", options=list(SERVICES), default="looked_after",
        format_func=lambda s: SERVICE_WORDS.get(s, s), key="caseload_monthly_service",
        bind="query-params",
        required=True,
    )
    monthly = query("caseload_monthly", service=service, areas=areas, **YEARS)
    if monthly.is_empty():
        empty_notice(f"No monthly caseload for {SERVICE_WORDS[service].lower()} in the boroughs "
                     "and years chosen.")
        return
    first, last = monthly["month"].min(), monthly["month"].max()
    meta = meta_with(council_table_meta(
        f"Open cases at the end of each month: {SERVICE_WORDS[service].lower()}", "cases",
        monthly["is_illustrative"].to_list(), f"{first:%b %Y} to {last:%b %Y}",
    ), suppression=suppression_note(threshold))
    if monthly["is_illustrative"].any():
        illustrative_notice(NOTES["monthly"])
    by_borough, by_team = monthly_views(monthly, service, arrangements=arrangements,
                                        threshold=threshold, meta=meta)
    view_block(by_borough, "caseload_monthly")
    view_block(by_team, "caseload_team_model")


def children_view() -> None:
    """Children's social care: children in need, referrals, child protection, looked after."""
    st.markdown(
        "Each chart shows a count or, for a fairer comparison between boroughs of different "
        "sizes, a rate or share. Choose which above each chart; its title says which way is "
        "better, and the lines under it say where each borough stands against London."
    )
    for topic, count_code, other_code in CHILDREN_TOPICS:
        st.header(topic)
        choice = st.segmented_control(
            f"{topic}: show", options=[count_code, other_code], default=count_code,
            format_func=lambda c: METRIC[c]["name"],
            key=f"caseload_{count_code.split('_')[0]}_measure", bind="query-params", required=True,
        )
        metric_trend_view(choice, key=f"caseload_{choice}", shared=CHILDREN_SHARED)
    st.caption(NOTES["children"])


def adults_view() -> None:
    """Adults' social care: PSS-EX1 activity to 2013-14; Oflog requests resulting in a service."""
    st.header("Adults' social care activity, 2010-11 to 2013-14")
    pss = st.segmented_control(
        "Activity", options=list(PSS_METRICS), default=PSS_METRICS[0],
        format_func=lambda c: METRIC[c]["name"], key="caseload_pss_measure",
        bind="query-params", required=True,
    )
    metric_trend_view(pss, key="caseload_pss", kind="bar")
    st.caption(NOTES["pss"])
    st.header("Requests for support that resulted in a service")
    metric_trend_view(
        "asc_requests_service_rate", key="caseload_asc_requests", shared=ADULTS_SHARED,
        query_name="quality_oflog_trend", y_title="rate (unit not stated by the publisher)",
        extra_meta={"unit_note": "the publisher's file does not state the unit of this rate "
                    "(likely per 100,000 adults)"},
    )
    st.caption(NOTES["requests"])


def libraries_view() -> None:
    """Libraries: use per 1,000 residents against London, activity through 2023/24, active
    users by age and libraries open in 2010 and 2016."""
    st.header("Library use per 1,000 residents, each year, against London")
    annual = st.segmented_control(
        "Measure", options=list(ANNUAL_MEASURES), default="visits",
        format_func=lambda m: ANNUAL_MEASURES[m][0], key="caseload_library_annual_measure",
        bind="query-params",
        required=True,
    )
    code = ANNUAL_MEASURES[annual][1]
    view = library_annual_view(query("caseload_library_annual", areas=areas, **YEARS), annual,
                               meta=meta_of(code, "2023-24"))
    if view is None:
        empty_notice(NOTES["no_activity"])
    else:
        view_block(view, "caseload_library_annual")
        st.caption(NOTES["annual"].format(n=view.notes[0]))
    st.header("Library visits and loans through 2023/24")
    c1, c2 = st.columns([2, 1])
    with c1:
        measure = st.segmented_control(
            "Measure", options=["visits", "loans"], default="visits",
            format_func=lambda c: {"visits": "Visits", "loans": "Loans"}[c],
            key="caseload_library_measure", bind="query-params", required=True,
        )
    with c2:
        grain = st.radio(
            "Period", options=["month", "quarter"], horizontal=True,
            format_func=lambda g: {"month": "By month", "quarter": "By quarter"}[g],
            key="caseload_library_grain", bind="query-params",
        )
    activity = query("caseload_library_activity", measure=measure, grain=grain, areas=areas,
                     **YEARS).rename({"period_start": "period_end"})
    view = library_activity_view(activity, measure, grain, threshold=threshold,
                                 meta=meta_of(f"lib_{measure}", "2023-24"))
    if view is None:
        empty_notice(NOTES["no_months"])
    else:
        view_block(view, "caseload_library_activity")
        st.caption(NOTES["activity"].format(n=view.notes[0]))
    st.header("Active library users by age, 2023/24")
    users = query("caseload_active_users", areas=areas, **YEARS)
    if users.is_empty():
        empty_notice("No active-user figures for the boroughs and years chosen (2023/24 only).")
    else:
        view_block(active_users_view(users, threshold=threshold, meta=meta_with(
            meta_of("lib_active_users", "2023-24"), suppression=suppression_note(threshold))),
            "caseload_library_users")
        st.caption(NOTES["users"])
    st.header("Libraries open in 2010 and in 2016")
    metric_trend_view("lib_statutory_libraries", key="caseload_libraries_open", kind="bar",
                      title="Statutory libraries open in 2010 and in 2016")
    with st.expander("Every library in the chosen boroughs, 2010 and 2016"):
        table_block(libraries_listing(query("caseload_libraries_list", areas=areas)),
                    key="caseload_libraries_list", meta=meta_of("lib_statutory_libraries",
                                                                 "2010 and 2016"),
                    file_stem="triborough_libraries_2010_2016")
        st.caption(NOTES["listing"])


# Lazy tabs: only the chosen tab's figures are queried and drawn, so the page stays quick and
# no hidden tab holds charts or downloads a reader cannot see.
TABS = {
    "Children's social care": children_view,
    "Adults' social care": adults_view,
    "Libraries": libraries_view,
    "Merged teams (illustrative)": merged_teams_view,
}
for tab, view in zip(st.tabs(list(TABS), key="caseload_tab",
                     bind="query-params", on_change="rerun"), TABS.values(),
                     strict=True):
    with tab:
        if tab.open:
            view()
