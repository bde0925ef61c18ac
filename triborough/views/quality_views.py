"""The Service quality page's Ofsted view, shaped without Streamlit: every judgement of the
boroughs' children's services on a timeline, with its table, source and alt text."""

from __future__ import annotations

import polars as pl

from triborough.figures.timeline_charts import judgement_chart
from triborough.model.catalogue import SOURCES
from triborough.views.disclosure import span_of
from triborough.views.page_pieces import CHILDREN_SHARED, View, sharing_shading

OFLOG_METRICS = ("asc_user_qol", "asc_carer_qol", "asc_short_term_outcome_pct",
                 "asc_info_users_pct", "asc_info_carers_pct", "asc_workforce_turnover_pct")
WORKFORCE_METRICS = ("sw_turnover_pct", "sw_agency_pct", "sw_vacancy_pct", "sw_caseload")
PLACEMENT_METRICS = ("placements_3plus_pct", "placement_same_2yrs_pct")


def ofsted_view(history: pl.DataFrame, arrangements: pl.DataFrame) -> View:
    """The Ofsted timeline from ``scorecard.inspection_history`` rows (not empty), shaded
    over the years children's services were shared."""
    dates = history.get_column("publication_date")
    span = f"{dates.min():%Y} to {dates.max():%Y}"
    title = f"Ofsted judgements of children's services, {span}"
    fig = judgement_chart(
        history.select("area_code", pl.col("borough").alias("area_name"), "publication_date",
                       "label", "hover"),
        title,
        shaded=sharing_shading(arrangements, CHILDREN_SHARED,
                               span_of(history, "publication_date")),
    )
    ofsted = SOURCES["ofsted"]
    meta = {
        "figures": "Ofsted judgements of local authority children's services",
        "unit": "judgement (Outstanding, Good, Requires improvement to be good, Inadequate)",
        "source": f"{ofsted['publisher']}: {ofsted['title']}",
        "source_url": ofsted["url"],
        "licence": ofsted["licence"],
        "illustrative": "no - published figures",
        "period": span,
    }
    table = history.select("borough", "published", "inspection", "headline_judgement",
                           "other_judgements")
    alt = (f"Timeline of Ofsted judgements for each chosen borough, {span}, each inspection "
           "labelled with its judgement in words. The table lists every judgement.")
    return View(fig, table, title, meta, alt, "triborough_ofsted_judgements")
