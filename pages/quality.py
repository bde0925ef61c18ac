"""Service quality: are residents served as well? A scorecard of published quality measures,
the Ofsted record, adult social care outcomes, the social work workforce and placements."""

import polars as pl
import streamlit as st

from triborough.model.style import RAG_COLOURS
from triborough.settings import get_settings
from triborough.ui.blocks import (
    download_block,
    empty_notice,
    in_brief,
    metadata_for,
    page_scope,
    published_trend,
    query,
    source_line,
    view_block,
)
from triborough.views.disclosure import meta_with
from triborough.views.narrative import statements
from triborough.views.page_pieces import ADULTS_SHARED, CHILDREN_SHARED
from triborough.views.quality_views import (
    OFLOG_METRICS,
    PLACEMENT_METRICS,
    WORKFORCE_METRICS,
    ofsted_view,
)
from triborough.views.scorecard import (
    DISPLAY_COLUMNS,
    SCORECARD_METRICS,
    SPARK_GAP,
    THEMES,
    inspection_history,
    scorecard_table,
    screen_tables,
    with_council_targets,
)

st.title("Service quality: how well each borough's services are doing")
st.markdown(
    "Published measures of how well children's and adults' services and libraries work, for "
    "each borough: the latest figure, whether it is getting better or worse, and where it "
    "stands among London boroughs and against England. Ofsted's judgements follow, then the "
    "trends behind the scorecard."
)

areas, first_year, last_year = page_scope()
threshold = get_settings().small_number_threshold
arrangements = query("shared_periods")
catalogue = query("metric_catalogue", metrics=list(SCORECARD_METRICS))
METRIC = {r["code"]: r for r in catalogue.to_dicts()}

# --- Scorecard ------------------------------------------------------------------------------
st.header("Scorecard")
latest = query("quality_scorecard", metrics=list(SCORECARD_METRICS), areas=areas,
               from_year=first_year, to_year=last_year)
series = query("quality_series", metrics=list(SCORECARD_METRICS), areas=areas,
               from_year=first_year, to_year=last_year)
# Each borough's own target for its latest year, where the council table holds one.
if query("council_tables_present", tables=["kpi_targets"]).get_column("present").any():
    latest = with_council_targets(
        latest, query("quality_targets", metrics=list(SCORECARD_METRICS), areas=areas))
card = scorecard_table(latest, series)
brief = statements(latest, series, catalogue, areas, threshold)
if card.is_empty():
    empty_notice("None of these measures has a published figure in the years chosen.")
else:
    with_target = (card.get_column("rag") != "").any()
    headings = {k: v for k, v in DISPLAY_COLUMNS.items() if with_target or k != "target"}
    st.caption(
        "Each measure's table shows the latest published figure for each borough. Direction "
        "of travel compares it with the one before: improving or worsening where the "
        "publisher reads higher or lower as better, increasing or decreasing where neither is "
        "better in itself. The trend column has one mark a year from the first year named to the "
        "last, low ▁ to high █ on one scale for every borough shown, so the marks compare "
        f"across boroughs; {SPARK_GAP} marks a year with no published figure. "
        "Among London boroughs: the quarter of London boroughs' figures for the same period it "
        "falls in. Against England: England's figure where the publisher gives one; for adult "
        "social care, the national median Oflog publishes."
    )

    def rated(frame: pl.DataFrame, ratings: list[str]):  # noqa: ANN202 - a pandas Styler
        """The frame without its index, target cells coloured by rating (their words say the
        same)."""
        return frame.to_pandas().style.hide(axis="index").apply(
            lambda _col: [f"background-color: {RAG_COLOURS[r]}; color: white" if r else ""
                          for r in ratings],
            subset=["Target"],
        )

    missing = []
    for theme, codes in THEMES.items():
        rows = card.filter(pl.col("metric_code").is_in(list(codes)))
        if rows.is_empty():
            missing.append(theme.lower())
            continue
        st.subheader(theme)
        in_brief([("In brief", [s.text for code in codes for s in brief
                                if s.metric_code == code])])
        for code, shown in screen_tables(rows, with_target=with_target):
            ratings = rows.filter(pl.col("metric_code") == code).get_column("rag").to_list()
            # A pandas Styler costs about 20 ms a table: only the rated tables need colour.
            st.table(rated(shown, ratings) if "Target" in shown.columns else shown)
        meta = meta_with(
            metadata_for(catalogue.filter(pl.col("code").is_in(list(codes))),
                         "latest published figure in the years chosen"),
            how_to_read="direction compares the latest figure with the one before; London "
            "position is the quarter of London boroughs for the same period; trend marks "
            f"run oldest to latest, {SPARK_GAP} = no figure published",
            **({"targets": "illustrative - generated targets, not set by the councils; the "
                "figures they judge are published"}
               if rows.get_column("target").str.contains("illustrative target").any() else {}),
        )
        st.caption(source_line(meta))
        download_block(
            rows.select(list(headings)).rename(headings),
            key=f"quality_scorecard_{codes[0]}", meta=meta,
            file_stem=f"triborough_scorecard_{theme.lower().replace(' ', '_')}",
        )
    if missing:
        empty_notice(f"No published figures in the years chosen for: {', '.join(missing)}.")
    if with_target:
        generated = card.get_column("target").str.contains("illustrative target").any()
        st.caption(
            "Red, amber and green appear only where a target is held for the borough's latest "
            "year, and each cell says the same in words: on target, near target (within 5%) "
            "or off target."
            + (" **Targets marked illustrative are generated, not set by the councils**: they "
               "show how the rating works until a council loads its own targets "
               "(`kpi_targets`); the figures they judge are published." if generated else "")
        )
    else:
        st.caption(
            "No targets are held for these measures, so no red, amber or green ratings are "
            "shown: each figure is judged against London and England instead."
        )

# --- Ofsted -------------------------------------------------------------------------------
st.header("Ofsted inspections of children's services")
judgements = query("quality_inspections", areas=areas, from_year=first_year,
                   to_year=last_year)
history = inspection_history(judgements)
if history.is_empty():
    empty_notice("No Ofsted inspection of these boroughs' children's services was published in "
                 "the years chosen (the record here runs from 2009 to 2025).")
else:
    view = ofsted_view(history, arrangements)
    view_block(view, "quality_ofsted")
    st.caption(
        "Shaded: the years the three boroughs shared children's services. On 29 March 2016 "
        "Ofsted published single inspections of all three boroughs' services, inspected while "
        "they were shared. Before 2013 Ofsted judged safeguarding and services for looked "
        "after children separately (SLAC) and gave no overall judgement."
    )


def trend_section(heading: str, codes: tuple[str, ...], key: str, query_name: str,
                  shared: tuple[str, ...], note: str) -> None:
    """A heading, a choice of measure and its trend against London (and England)."""
    st.header(heading)
    code = st.segmented_control(
        "Measure", options=list(codes), default=codes[0],
        format_func=lambda c: METRIC[c]["name"], key=key, bind="query-params", required=True,
    )
    trend = query(query_name, metric=code, areas=areas, from_year=first_year,
                  to_year=last_year)
    published_trend(METRIC[code], trend, key=f"{key}_{code}", threshold=threshold,
                    arrangements=arrangements, shared=shared,
                    london_counts=query("metric_london_counts", metric=code,
                                        from_year=first_year, to_year=last_year))
    st.caption(f"{METRIC[code]['definition']} {note}")


trend_section(
    "Adult social care outcomes against the national median", OFLOG_METRICS,
    "quality_oflog_metric", "quality_oflog_trend", ADULTS_SHARED,
    "Oflog publishes no England figure for these measures; the dashed grey line with stars "
    "is the national median of English councils, as Oflog publishes it. Some surveys run "
    "every other year, so their lines have gaps.",
)
trend_section(
    "Children's social work workforce", WORKFORCE_METRICS, "quality_workforce_metric",
    "metric_trend", CHILDREN_SHARED,
    "Figures are at 30 September each year from 2017. A missing point is a year the "
    "Department for Education did not publish a figure for the borough.",
)
trend_section(
    "Stability of placements for children looked after", PLACEMENT_METRICS,
    "quality_placement_metric", "metric_trend", CHILDREN_SHARED,
    "Figures are at 31 March each year from 2021.",
)
