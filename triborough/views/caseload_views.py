"""The Caseload page's views, shaped without Streamlit: monthly caseload by team, library
activity in the year by month or quarter, library use per 1,000 residents against London, and
active users by age. The page fetches rows with named queries and lays out what comes back."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from triborough.figures.bar_charts import bar_chart
from triborough.figures.line_charts import stacked_area_chart, trend_chart
from triborough.model.style import SHARED_TEAM, SOVEREIGN_TEAM
from triborough.model.suppression import suppress
from triborough.views.disclosure import meta_with, notes, series_table, span_of, team_totals
from triborough.views.narrative import comparison_sentences, direction_hint
from triborough.views.page_pieces import (
    ADULTS_SHARED,
    CHILDREN_SHARED,
    View,
    illustrative_suffix,
    sharing_shading,
    split_marker,
)

CHILDREN_TOPICS = (
    ("Children in need", "cin_at_31_march", "cin_rate_per_10000"),
    ("Referrals and re-referrals", "referrals", "rereferral_pct"),
    ("Child protection plans", "cpp_starts", "cpp_subsequent_pct"),
    ("Children looked after", "cla_at_31_march", "cla_rate_per_10000"),
)
PSS_METRICS = ("asc_assessments", "asc_reviews", "asc_home_care_clients",
               "asc_day_care_clients", "asc_direct_payments_clients")
LIBRARY_METRICS = ("lib_visits", "lib_loans", "lib_active_users", "lib_statutory_libraries")
PAGE_METRICS = ([code for topic in CHILDREN_TOPICS for code in topic[1:]] + list(PSS_METRICS)
                + ["asc_requests_service_rate", *LIBRARY_METRICS])
AGE_ORDER = {"Under 12": 0, "12-17": 1, "Adult": 2, "Age not reported": 3}
SERVICE_WORDS = {
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "looked_after": "Children looked after",
    "adult_long_term_support": "Adults in long-term support",
}
# Per 1,000 residents, each from its count in the catalogue (the download names it).
ANNUAL_MEASURES = {
    "visits": ("Visits", "lib_visits"),
    "loans": ("Loans", "lib_loans"),
    "active_users": ("Active users", "lib_active_users"),
}
TEAM_STYLES = {
    "shared": ("Shared team (serves more than one borough)", SHARED_TEAM, ""),
    "sovereign": ("Council's own team (sovereign)", SOVEREIGN_TEAM, "/"),
}


def monthly_views(
    monthly: pl.DataFrame, service: str, *, arrangements: pl.DataFrame, threshold: int,
    meta: Mapping[str, str],
) -> tuple[View, View]:
    """Open cases at the end of each month: one line per borough, and the boroughs together
    by type of team (a month with any hidden borough figure is left out of the totals whole,
    so a total cannot give a hidden figure away). ``meta`` is the download metadata."""
    monthly = suppress(monthly, "open_cases", threshold, group_cols=["month"]).rename(
        {"open_cases_suppressed": "suppressed"})
    first, last = monthly["month"].min(), monthly["month"].max()
    span = f"{first:%b %Y} to {last:%b %Y}"
    words = SERVICE_WORDS[service]
    tag = illustrative_suffix(monthly.get_column("is_illustrative").to_list())
    lines = monthly.select(
        pl.col("borough_code").alias("series"), pl.col("area_name").alias("series_label"),
        pl.lit("area").alias("series_kind"), pl.col("month").dt.strftime("%b %Y").alias("period"),
        pl.col("month").alias("period_end"), pl.col("open_cases").cast(pl.Float64).alias("value"),
        "team_model", "suppressed",
    )
    shared = ADULTS_SHARED if service == "adult_long_term_support" else CHILDREN_SHARED
    title = f"{words}: open cases each month{tag}, {span}"
    fig = trend_chart(lines, title, "open cases",
                      shaded=sharing_shading(arrangements, shared, span_of(lines)),
                      events=split_marker(first, last))
    fig.update_traces(mode="lines")  # monthly points: markers would bury the lines
    table = lines.sort("period_end").select(
        pl.col("series_label").alias("area"), "period", pl.col("team_model").alias("team"),
        pl.col("value").alias("open cases"), notes(threshold),
    )
    by_borough = View(fig, table, title, dict(meta),
                      f"Line chart of open {words.lower()} cases at the end of each month for "
                      f"the chosen boroughs{tag}, {span}.", f"triborough_caseload_{service}")
    by_team = team_totals(monthly)
    title = f"{words}: open cases by type of team{tag}, {span}"
    fig = stacked_area_chart(by_team, title, "open cases (chosen boroughs together)",
                             x="month", y="open_cases", series="team_model", styles=TEAM_STYLES,
                             events=split_marker(first, last))
    table = by_team.select(
        pl.col("month").dt.strftime("%b %Y").alias("period"), pl.col("team_model").alias("team"),
        pl.col("open_cases").alias("open cases"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(f"left out: a borough figure below {threshold} is hidden"))
        .otherwise(pl.lit("")).alias("note"),
    )
    teams = View(fig, table, title, dict(meta),
                 f"Stacked area chart of open {words.lower()} cases in shared and in councils' "
                 f"own teams, chosen boroughs together{tag}, {span}.",
                 f"triborough_caseload_{service}_by_team")
    return by_borough, teams


def london_size(frame: pl.DataFrame, column: str = "areas") -> str:
    """'26', or '25 to 26' when the London median is over different numbers of boroughs."""
    counts = frame.filter(pl.col("series") == "london_median").get_column(column)
    low, high = counts.min(), counts.max()
    return f"{low}" if low == high else f"{low} to {high}"


def library_activity_view(
    activity: pl.DataFrame, measure: str, grain: str, *, threshold: int,
    meta: Mapping[str, str],
) -> View | None:
    """Library visits or loans in 2023/24 by month or quarter, boroughs beside the London
    median; None when the years chosen hold none."""
    if activity.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null()
                       ).is_empty():
        return None
    span = "April 2023 to March 2024"
    title = (f"Library {measure} {'each month' if grain == 'month' else 'each quarter'}, "
             f"{span}<br><sup>{direction_hint('higher_better')}</sup>")
    fig = trend_chart(activity, title, measure)
    return View(fig, series_table(activity, f"library {measure}", threshold), title, dict(meta),
                f"Line chart of library {measure} by {grain} for the chosen boroughs and the "
                "London median, 2023/24.", f"triborough_library_{measure}_{grain}",
                notes=[london_size(activity)])


def library_annual_view(annual: pl.DataFrame, measure: str, *, meta: Mapping[str, str]
                        ) -> View | None:
    """One library measure per 1,000 residents for each year published, each borough beside
    the London median, with where each stands in words; None when the years hold none."""
    rows = annual.filter(pl.col("measure") == measure).rename({"london_areas": "areas"})
    if rows.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null()
                   ).is_empty():
        return None
    label = ANNUAL_MEASURES[measure][0]
    periods = rows.sort("period_end").get_column("period").unique(maintain_order=True).to_list()
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    title = (f"Library {label.lower()} per 1,000 residents, {span}"
             f"<br><sup>{direction_hint('higher_better')}</sup>")
    fig = bar_chart(rows, title, "per 1,000 residents", x="period", y="value", series="series")
    fig.update_xaxes(type="category")  # '2023-24' must not be read as a date
    table = rows.select(
        pl.col("series_label").alias("area"), "period",
        pl.col("value").alias(f"{label.lower()} per 1,000 residents"),
        pl.col("numerator").alias(label.lower()), pl.col("denominator").alias("residents"),
        pl.col("areas").alias("boroughs in figure"),
    )
    words = comparison_sentences(rows, measure=f"library {label.lower()}", unit="rate_per_1000",
                                 polarity="higher_better")
    alt = (f"Bar chart of library {label.lower()} per 1,000 residents for the chosen boroughs "
           f"and the London median, {span}. The same figures are in the table.")
    return View(fig, table, title, meta_with(meta, unit="per 1,000 residents (ONS mid-year "
                "estimate, all ages, for the year the financial year starts)"), alt,
                f"triborough_library_{measure}_per_1000", words=words,
                notes=[london_size(rows)])


def active_users_view(users: pl.DataFrame, *, threshold: int, meta: Mapping[str, str]) -> View:
    """Active library users in 2023/24 by age group, one bar per borough."""
    users = suppress(users, "users", threshold, group_cols=["age_group"]).rename(
        {"users_suppressed": "suppressed"}).with_columns(
        pl.col("age_group").replace({"Unknown": "Age not reported"})
    ).sort(pl.col("age_group").replace_strict(AGE_ORDER, default=9), "area_code")
    title = "Active library users by age group, 2023/24"
    fig = bar_chart(users.rename({"area_name": "series_label"}), title, "people",
                    x="age_group", y="users")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(AGE_ORDER))
    table = users.select(pl.col("area_name").alias("area"), "age_group", "period",
                         pl.col("users").alias("active users"), notes(threshold, "users"))
    return View(fig, table, title, dict(meta), "Bar chart of active library users by age group "
                "for each chosen borough, 2023/24.", "triborough_library_active_users")


def libraries_listing(listing: pl.DataFrame) -> pl.DataFrame:
    """Every library in the chosen boroughs in 2010 and 2016, in words."""
    words = {True: "yes", False: "no"}
    return listing.select(
        pl.col("area_name").alias("borough"), pl.col("library_name").alias("library"),
        "postcode",
        pl.col("statutory_2010").replace_strict(words, default="not known")
        .alias("statutory in 2010"),
        pl.col("statutory_2016").replace_strict(words, default="not known")
        .alias("statutory in 2016"),
        pl.col("library_type").alias("how run in 2016"), pl.col("closed_year").alias("year closed"),
    )


# What the page says under its charts, kept with the views they explain.
NOTES = {
    "monthly": (
        "No council publishes monthly caseload by team. At the end of each March these figures "
        "equal DfE's published counts of children in need and children looked after at 31 "
        "March; child protection and adults' series are anchored on related published figures; "
        "the months between are interpolated, and a year with no published count is held flat. "
        "They show how this view works with a council's own extract, which replaces them when "
        "loaded."
    ),
    "children": (
        "Shaded: the years children's services were shared by all three boroughs (June 2011 to "
        "March 2018); the dotted line marks 1 April 2018, when Hammersmith & Fulham took its "
        "service back and Westminster and Kensington & Chelsea carried on together. A break in "
        "a line is a year with no published figure (children looked after at 31 March 2018 is "
        "missing from the series used). England is left out of charts of counts, where its "
        "figures would dwarf the boroughs'; it is shown for rates and shares."
    ),
    "pss": (
        "The publisher (the Health and Social Care Information Centre) rounded these counts to "
        "the nearest 5. Council-level activity figures in this form stop in 2013-14; later "
        "years were not found. The shared adult social care service began in June 2011."
    ),
    "requests": (
        "Oflog's file does not say what this rate is per (most likely per 100,000 adults), so "
        "compare the boroughs with each other and with the medians only. More requests turning "
        "into a service is neither better nor worse in itself."
    ),
    "annual": (
        "Arts Council England has published one year of these figures so far (2023-24), so "
        "each borough is one bar beside the London median; later years will sit beside it. The "
        "London median is the middle of the {n} London boroughs with a figure for the whole "
        "year. Residents: ONS mid-2023 estimate, all ages."
    ),
    "activity": (
        "Only one year of library activity is published in this form, so there is no trend "
        "across years. Each borough's figure adds up everything its service reported "
        "(libraries, shared buildings, home delivery; books, audiobooks and e-loans). The "
        "London median is the middle of the {n} London boroughs whose figures cover their "
        "whole service for that period."
    ),
    "users": (
        "Hammersmith & Fulham reported its active users as one total, without ages "
        "('Unknown'). Arts Council's raw return gives a higher total for some services "
        "(Westminster 38,544) than the sum of age groups used here (34,326)."
    ),
    "listing": (
        "How run in 2016: LAL = local-authority-led; CRL = community-run. 'Statutory' means "
        "counted as part of the council's statutory library service."
    ),
    "no_months": (
        "Arts Council England's library activity figures cover April 2023 to March 2024 only: "
        "include 2023 in the years chosen to see them."
    ),
    "no_monthly": (
        "The monthly caseload table is not in the warehouse yet: it arrives with the "
        "illustrative build (`triborough build`) or when a council loads its extract."
    ),
    "no_activity": (
        "Arts Council England publishes library visits, loans and active users for April 2023 "
        "to March 2024 only: include 2023 in the years chosen to see them."
    ),
}
