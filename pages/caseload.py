"""Caseload: how much work the shared services carry in each borough, on published figures
(plus one clearly labelled illustrative view of monthly caseload by team)."""

import polars as pl
import streamlit as st

from triborough.charts import bar_chart, stacked_area_chart, trend_chart
from triborough.contracts import SERVICES
from triborough.disclosure import (
    meta_with,
    notes,
    series_table,
    shading,
    span_of,
    team_totals,
)
from triborough.metric_views import SPLIT_EVENT, published_trend, suppression_note
from triborough.settings import get_settings
from triborough.suppression import suppress
from triborough.ui import (
    chart_block,
    council_table_meta,
    empty_notice,
    illustrative_notice,
    metadata_for,
    page_scope,
    query,
    table_block,
)

CHILDREN_TOPICS = (
    ("Children in need", "cin_at_31_march", "cin_rate_per_10000"),
    ("Referrals and re-referrals", "referrals", "rereferral_pct"),
    ("Child protection plans", "cpp_starts", "cpp_subsequent_pct"),
    ("Children looked after", "cla_at_31_march", "cla_rate_per_10000"),
)
PSS_METRICS = ("asc_assessments", "asc_reviews", "asc_home_care_clients",
               "asc_day_care_clients", "asc_direct_payments_clients")
CHILDREN_SHARED = ("triborough_childrens_services",)
ADULTS_SHARED = ("triborough_adult_social_care",)
AGE_ORDER = {"Under 12": 0, "12-17": 1, "Adult": 2, "Age not reported": 3}
SERVICE_WORDS = {
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "looked_after": "Children looked after",
    "adult_long_term_support": "Adults in long-term support",
}

st.title("Caseload: how many children, adults and library users each borough serves")
st.markdown(
    "The three councils merged their children's and adults' social care and library teams in "
    "2011. These charts show the work those services carry in each borough, year by year, from "
    "published statistics, beside the middle London borough (the London median) and England."
)

areas, first_year, last_year = page_scope()
threshold = get_settings().small_number_threshold
arrangements = query("shared_periods")
catalogue = query(
    "metric_catalogue",
    metrics=[code for topic in CHILDREN_TOPICS for code in topic[1:]]
    + list(PSS_METRICS)
    + ["asc_requests_service_rate", "lib_visits", "lib_loans", "lib_active_users",
       "lib_statutory_libraries"],
)
METRIC = {r["code"]: r for r in catalogue.to_dicts()}
SUPPRESSION_NOTE = suppression_note(threshold)


def metric_trend_view(
    code: str, *, key: str, shared: tuple[str, ...] = (), kind: str = "line", title: str = ""
) -> bool:
    """One published metric for the boroughs beside the London median (and England)."""
    trend = query(
        "metric_trend", metric=code, areas=areas, from_year=first_year, to_year=last_year
    )
    return published_trend(
        METRIC[code], trend, key=key, threshold=threshold, arrangements=arrangements,
        shared=shared, kind=kind, title=title,
    )


def merged_teams_view() -> None:
    """Illustrative (or loaded) monthly caseload, by borough and by team model."""
    st.header("Open cases each month, in shared and in sovereign teams")
    present = query("council_tables_present", tables=["caseload_monthly"])
    if not present.get_column("present").any():
        empty_notice(
            "The monthly caseload table is not in the warehouse yet: it arrives with the "
            "illustrative build (`triborough build`) or when a council loads its extract."
        )
        return
    service = st.segmented_control(
        "Service", options=list(SERVICES), default="looked_after",
        format_func=lambda s: SERVICE_WORDS.get(s, s), key="caseload_monthly_service",
        bind="query-params",
        required=True,
    )
    monthly = query("caseload_monthly", service=service, areas=areas, from_year=first_year,
                    to_year=last_year)
    if monthly.is_empty():
        empty_notice(
            f"No monthly caseload for {SERVICE_WORDS[service].lower()} in the boroughs and "
            "years chosen."
        )
        return
    monthly = suppress(monthly, "open_cases", threshold, group_cols=["month"]).rename(
        {"open_cases_suppressed": "suppressed"}
    )
    first, last = monthly["month"].min(), monthly["month"].max()
    span = f"{first:%b %Y} to {last:%b %Y}"
    # The split is marked only when the months shown reach it.
    split = SPLIT_EVENT if first <= SPLIT_EVENT[0][0] <= last else None
    words = SERVICE_WORDS[service]
    meta = meta_with(
        council_table_meta(
            f"Open cases at the end of each month: {words.lower()}", "cases",
            monthly.get_column("is_illustrative").to_list(), span,
        ),
        suppression=SUPPRESSION_NOTE,
    )
    generated = monthly.get_column("is_illustrative").any()
    tag = " (illustrative)" if generated else ""
    if generated:
        illustrative_notice(
            "No council publishes monthly caseload by team. At the end of each March these "
            "figures equal DfE's published counts of children in need and children looked "
            "after at 31 March; child protection and adults' series are anchored on related "
            "published figures; the months between are interpolated, and a year with no "
            "published count is held flat. They show how this view works with a council's "
            "own extract, which replaces them when loaded."
        )
    lines = monthly.select(
        pl.col("borough_code").alias("series"),
        pl.col("area_name").alias("series_label"),
        pl.lit("area").alias("series_kind"),
        pl.col("month").dt.strftime("%b %Y").alias("period"),
        pl.col("month").alias("period_end"),
        pl.col("open_cases").cast(pl.Float64).alias("value"),
        "team_model",
        "suppressed",
    )
    fig = trend_chart(
        lines, f"{words}: open cases each month{tag}, {span}", "open cases",
        shaded=shading(
            arrangements,
            ADULTS_SHARED if service == "adult_long_term_support" else CHILDREN_SHARED,
            span_of(lines),
        ),
        events=split,
    )
    fig.update_traces(mode="lines")  # monthly points: markers would bury the lines
    chart_block(
        fig,
        lines.sort("period_end").select(
            pl.col("series_label").alias("area"), "period",
            pl.col("team_model").alias("team"), pl.col("value").alias("open cases"),
            notes(threshold),
        ),
        key="caseload_monthly",
        meta=meta,
        alt=f"Line chart of open {words.lower()} cases at the end of each month for the chosen "
        f"boroughs{tag}, {span}.",
        file_stem=f"triborough_caseload_{service}",
    )

    # Totals by team model; a month with any hidden borough figure is left out whole, so the
    # total cannot give the hidden figure away.
    by_team = team_totals(monthly)
    team_styles = {
        "shared": ("Shared team (serves more than one borough)", "#4d4d4d", ""),
        "sovereign": ("Council's own team (sovereign)", "#a6a6a6", "/"),
    }
    fig = stacked_area_chart(
        by_team,
        f"{words}: open cases by type of team{tag}, {span}",
        "open cases (chosen boroughs together)",
        x="month", y="open_cases", series="team_model", styles=team_styles,
        events=split,
    )
    chart_block(
        fig,
        by_team.select(
            pl.col("month").dt.strftime("%b %Y").alias("period"),
            pl.col("team_model").alias("team"),
            pl.col("open_cases").alias("open cases"),
            pl.when(pl.col("suppressed"))
            .then(pl.lit(f"left out: a borough figure below {threshold} is hidden"))
            .otherwise(pl.lit(""))
            .alias("note"),
        ),
        key="caseload_team_model",
        meta=meta,
        alt=f"Stacked area chart of open {words.lower()} cases in shared and in councils' own "
        f"teams, chosen boroughs together{tag}, {span}.",
        file_stem=f"triborough_caseload_{service}_by_team",
    )


def children_view() -> None:
    """Children's social care: children in need, referrals, child protection, looked after."""
    st.markdown(
        "Each chart shows a count or, for a fairer comparison between boroughs of different "
        "sizes, a rate or share. Choose which above each chart."
    )
    for topic, count_code, other_code in CHILDREN_TOPICS:
        st.header(topic)
        slug = count_code.split("_")[0]
        choice = st.segmented_control(
            f"{topic}: show",
            options=[count_code, other_code],
            default=count_code,
            format_func=lambda c: METRIC[c]["name"],
            key=f"caseload_{slug}_measure", bind="query-params",
            required=True,
        )
        metric_trend_view(choice, key=f"caseload_{choice}", shared=CHILDREN_SHARED)
    st.caption(
        "Shaded: the years children's services were shared by all three boroughs (June 2011 to "
        "March 2018); the dotted line marks 1 April 2018, when Hammersmith & Fulham took its "
        "service back and Westminster and Kensington & Chelsea carried on together. A break in "
        "a line is a year with no published figure (children looked after at 31 March 2018 is "
        "missing from the series used). England is left out of charts of counts, where its "
        "figures would dwarf the boroughs'; it is shown for rates and shares."
    )


def adults_view() -> None:
    """Adults' social care: PSS-EX1 activity to 2013-14; Oflog requests resulting in a service."""
    st.header("Adults' social care activity, 2010-11 to 2013-14")
    pss = st.segmented_control(
        "Activity",
        options=list(PSS_METRICS),
        default=PSS_METRICS[0],
        format_func=lambda c: METRIC[c]["name"],
        key="caseload_pss_measure", bind="query-params",
        required=True,
    )
    metric_trend_view(pss, key="caseload_pss", kind="bar")
    st.caption(
        "The publisher (the Health and Social Care Information Centre) rounded these counts to "
        "the nearest 5. Council-level activity figures in this form stop in 2013-14; later "
        "years were not found. The shared adult social care service began in June 2011."
    )

    st.header("Requests for support that resulted in a service")
    requests = query(
        "quality_oflog_trend", metric="asc_requests_service_rate", areas=areas,
        from_year=first_year, to_year=last_year,
    )
    published_trend(
        METRIC["asc_requests_service_rate"], requests, key="caseload_asc_requests",
        threshold=threshold, arrangements=arrangements, shared=ADULTS_SHARED,
        y_title="rate (unit not stated by the publisher)",
        extra_meta={"unit_note": "the publisher's file does not state the unit of this rate "
                    "(likely per 100,000 adults)"},
    )
    st.caption(
        "Oflog's file does not say what this rate is per (most likely per 100,000 adults), "
        "so compare the boroughs with each other and with the medians only. More requests "
        "turning into a service is neither better nor worse in itself."
    )


def libraries_view() -> None:
    """Libraries: Arts Council activity 2023/24 and libraries open in 2010 and 2016."""
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
    activity = query(
        "caseload_library_activity", measure=measure, grain=grain, areas=areas,
        from_year=first_year, to_year=last_year,
    ).rename({"period_start": "period_end"})
    code = f"lib_{measure}"
    if activity.filter(
        (pl.col("series_kind") == "area") & pl.col("value").is_not_null()
    ).is_empty():
        empty_notice(
            "Arts Council England's library activity figures cover April 2023 to March 2024 "
            "only: include 2023 in the years chosen to see them."
        )
    else:
        span = "April 2023 to March 2024"
        title = f"Library {measure} {'each month' if grain == 'month' else 'each quarter'}, {span}"
        fig = trend_chart(activity, title, measure)
        london = activity.filter(pl.col("series") == "london_median").get_column("areas")
        counted = (f"{london.min()}" if london.min() == london.max()
                   else f"{london.min()} to {london.max()}")
        chart_block(
            fig,
            series_table(activity, f"library {measure}", threshold),
            key="caseload_library_activity",
            meta=metadata_for(catalogue.filter(pl.col("code") == code), "2023-24"),
            alt=f"Line chart of library {measure} by {grain} for the chosen boroughs and the "
            "London median, 2023/24.",
            file_stem=f"triborough_library_{measure}_{grain}",
        )
        st.caption(
            "Only one year of library activity is published in this form, so there is no trend "
            "across years. Each borough's figure adds up everything its service reported "
            "(libraries, shared buildings, home delivery; books, audiobooks and e-loans). The "
            f"London median is the middle of the {counted} London boroughs whose figures "
            "cover their whole service for that period."
        )

    st.header("Active library users by age, 2023/24")
    users = query("caseload_active_users", areas=areas, from_year=first_year,
                  to_year=last_year)
    if users.is_empty():
        empty_notice("No active-user figures for the boroughs and years chosen (2023/24 only).")
    else:
        users = suppress(users, "users", threshold, group_cols=["age_group"])
        users = users.rename({"users_suppressed": "suppressed"}).with_columns(
            pl.col("age_group").replace({"Unknown": "Age not reported"})
        ).sort(pl.col("age_group").replace_strict(AGE_ORDER, default=9), "area_code")
        fig = bar_chart(
            users.rename({"area_name": "series_label"}),
            "Active library users by age group, 2023/24", "people",
            x="age_group", y="users",
        )
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(AGE_ORDER))
        table = users.select(
            pl.col("area_name").alias("area"), "age_group", "period",
            pl.col("users").alias("active users"), notes(threshold, "users"),
        )
        chart_block(
            fig, table, key="caseload_library_users",
            meta=meta_with(
                metadata_for(catalogue.filter(pl.col("code") == "lib_active_users"), "2023-24"),
                suppression=SUPPRESSION_NOTE,
            ),
            alt="Bar chart of active library users by age group for each chosen borough, "
            "2023/24.",
            file_stem="triborough_library_active_users",
        )
        st.caption(
            "Hammersmith & Fulham reported its active users as one total, without ages "
            "('Unknown'). Arts Council's raw return gives a higher total for some services "
            "(Westminster 38,544) than the sum of age groups used here (34,326)."
        )

    st.header("Libraries open in 2010 and in 2016")
    metric_trend_view(
        "lib_statutory_libraries", key="caseload_libraries_open", kind="bar",
        title="Statutory libraries open in 2010 and in 2016",
    )
    listing = query("caseload_libraries_list", areas=areas)
    with st.expander("Every library in the chosen boroughs, 2010 and 2016"):
        words = {True: "yes", False: "no"}
        table_block(
            listing.select(
                pl.col("area_name").alias("borough"),
                pl.col("library_name").alias("library"),
                "postcode",
                pl.col("statutory_2010").replace_strict(words, default="not known")
                .alias("statutory in 2010"),
                pl.col("statutory_2016").replace_strict(words, default="not known")
                .alias("statutory in 2016"),
                pl.col("library_type").alias("how run in 2016"),
                pl.col("closed_year").alias("year closed"),
            ),
            key="caseload_libraries_list",
            meta=metadata_for(catalogue.filter(pl.col("code") == "lib_statutory_libraries"),
                              "2010 and 2016"),
            file_stem="triborough_libraries_2010_2016",
        )
        st.caption(
            "How run in 2016: LAL = local-authority-led; CRL = community-run. 'Statutory' "
            "means counted as part of the council's statutory library service."
        )


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
