"""Overview for councillors: the three boroughs side by side on published figures."""

from functools import partial

import polars as pl
import streamlit as st

from triborough.before_sharing import BEFORE_SHARING
from triborough.boroughs import BOROUGH_BY_CODE
from triborough.charts import trend_chart
from triborough.headlines import MONEY_UNITS, OFSTED_WORDS, OVERVIEW_METRICS, headlines
from triborough.narrative import summary
from triborough.pack import build_pack, pack_file_name
from triborough.real_terms import basis_short, basis_words, in_basis
from triborough.settings import get_settings
from triborough.style import BOROUGH_COLOURS, BOROUGH_SYMBOLS, unit_label
from triborough.ui import (
    basis_choice,
    chart_block,
    empty_notice,
    in_brief,
    metadata_for,
    page_scope,
    period_span,
    query,
)

SYMBOL_GLYPH = {"circle": "●", "square": "■", "diamond": "◆"}
CHANGE_BASES: dict[str, tuple[str, ...]] = {
    "the 2008-09 to 2010-11 average (before sharing)": BEFORE_SHARING,
    "the first year shown": (),
}

st.title("Overview: the three boroughs side by side")
st.markdown(
    "Westminster, Hammersmith & Fulham and Kensington & Chelsea shared adults' and children's "
    "social care and libraries from 2011 until 1 April 2018, when Hammersmith & Fulham left "
    "(Westminster and Kensington & Chelsea carried on together). Every figure below is a "
    "published statistic; the London median is the middle London borough for the same period."
)
areas, first_year, last_year = page_scope()
left, right = st.columns(2)
with left:
    basis = basis_choice("overview_basis", "Money compared across years in")
with right:
    since = st.selectbox(
        "Changes measured from",
        options=list(CHANGE_BASES),
        index=0,
        key="overview_change_base", bind="query-params",
        help="The three years before sharing began, averaged, where a figure was published "
        "for each of them; otherwise the first year shown.",
    )
deflators = query("gdp_deflator")
st.caption(
    f"Changes in money since an earlier year are in {basis_words(basis, deflators)}; each "
    "figure for a single year is that year's cash. Until 2010-11 councils reported children's "
    "and adults' social care as one line, so changes in social care spend per head run from "
    "2011-12. Per head: children's services per child aged 0-17, adults' per adult aged 18 "
    "and over, others per resident (ONS's post-2021-Census rebased series). London medians "
    "leave out the City of London."
)

rows = query(
    "headline_figures",
    metrics=list(OVERVIEW_METRICS),
    areas=areas,
    from_year=first_year,
    to_year=last_year,
    base_periods=list(BEFORE_SHARING),
)
catalogue = query("metric_catalogue", metrics=list(OVERVIEW_METRICS))
order = {code: i for i, code in enumerate(OVERVIEW_METRICS)}
catalogue = catalogue.sort(pl.col("code").replace_strict(order))
cards = headlines(rows, deflators if basis == "real" else None, CHANGE_BASES[since])

# Built only when clicked (about ten seconds of work), for the boroughs and years chosen.
st.download_button(
    "Download committee pack (PDF)",
    data=partial(build_pack, get_settings().warehouse_path, areas, first_year, last_year),
    file_name=pack_file_name(areas, first_year, last_year),
    mime="application/pdf",
    key="overview_pack",
    on_click="ignore",
)
# Said in a caption, not the button's help: a help tooltip left a hidden copy of the button.
st.caption("An A4 PDF of these figures in words, tables and charts with their sources, for the "
           "boroughs and years chosen. It is built when you click, which takes some seconds.")

with st.expander("In brief: the headline figures in words", expanded=True):
    in_brief(summary(
        query("quality_scorecard", metrics=list(OVERVIEW_METRICS), areas=areas,
              from_year=first_year, to_year=last_year),
        query("quality_series", metrics=list(OVERVIEW_METRICS), areas=areas,
              from_year=first_year, to_year=last_year),
        catalogue, query("ofsted_latest", areas=areas), areas,
        get_settings().small_number_threshold,
    ))


def borough_label(code: str) -> str:
    glyph = SYMBOL_GLYPH[BOROUGH_SYMBOLS[code]]
    return (
        f"<span style='color:{BOROUGH_COLOURS[code]}' aria-hidden='true'>{glyph}</span> "
        f"**{BOROUGH_BY_CODE[code].name}**"
    )


st.header("Headline figures")
for metric in catalogue.to_dicts():
    code = metric["code"]
    with st.container(border=True):
        st.markdown(f"### {metric['name']}")
        cols = st.columns(len(areas))
        london_text = ""
        for col, area in zip(cols, areas, strict=True):
            card = cards.get((code, area))
            with col:
                st.markdown(borough_label(area), unsafe_allow_html=True)
                if card is None:
                    st.markdown("**no figure** in the years chosen")
                    continue
                st.markdown(f"<p class='tb-value'>{card.value}</p>", unsafe_allow_html=True)
                # One phrase a line: on a tablet's narrow columns a longer line broke
                # inside a period ('2023-' / '24').
                st.markdown(f"{card.period}  \n{card.arrow} {card.travel}  \n{card.change}")
                london_text = f"{card.london} ({card.period})"
        st.caption(
            f"{london_text} · Source: {metric['publisher']}, {metric['source_title']} · "
            f"{metric['licence']}"
        )

# Ofsted: an ordinal judgement, shown as words.
ofsted = query("ofsted_latest", areas=areas)
with st.container(border=True):
    st.markdown("### Ofsted: overall effectiveness of children's services (latest inspection)")
    cols = st.columns(len(areas))
    judged = {r["area_code"]: r for r in ofsted.to_dicts()}
    for col, area in zip(cols, areas, strict=True):
        with col:
            st.markdown(borough_label(area), unsafe_allow_html=True)
            r = judged.get(area)
            if r is None:
                st.markdown("**no inspection found**")
                continue
            words = OFSTED_WORDS.get(r["judgement_score"], r["judgement"])
            st.markdown(f"<p class='tb-value'>{words}</p>", unsafe_allow_html=True)
            st.markdown(f"{r['framework']}, published {r['publication_date']:%d %B %Y}")
    st.caption(
        "Source: Ofsted, children's services inspection outcomes · Open Government Licence v3.0"
    )

st.divider()

shared = query("shared_periods")
shading = [
    (r["start_date"], r["shaded_until"], "shared by all three")
    for r in shared.filter(pl.col("arrangement_id") == "triborough_childrens_services").to_dicts()
]

st.header("How the figures moved")
trend_metric = st.segmented_control(
    "Figure",
    options=[
        "cla_rate_per_10000",
        "cin_rate_per_10000",
        "spend_ph_childrens_social_care",
        "spend_ph_adult_social_care",
        "spend_ph_cultural_related",
    ],
    default="cla_rate_per_10000",
    format_func=lambda c: catalogue.filter(pl.col("code") == c).get_column("name")[0],
    key="overview_trend_metric", bind="query-params",
    required=True,
)
trend = query(
    "metric_trend", metric=trend_metric, areas=areas, from_year=first_year, to_year=last_year
)
meta_rows = catalogue.filter(pl.col("code") == trend_metric)
name = meta_rows.get_column("name")[0]
if trend.filter(pl.col("value").is_not_null()).is_empty():
    empty_notice(f"No published figures for {name.lower()} in the years chosen.")
else:
    published = trend.filter(pl.col("value").is_not_null()).sort("period_end")
    periods = published.get_column("period").unique(maintain_order=True).to_list()
    span = period_span(periods)
    unit = meta_rows.get_column("unit")[0]
    is_money = unit in MONEY_UNITS
    if is_money:
        trend = in_basis(trend, basis, deflators)
    fig = trend_chart(
        trend,
        f"{name}, {span}" + (f"<br><sup>{basis_short(basis)}</sup>" if is_money else ""),
        unit_label(unit),
        shaded=shading,
    )
    table = trend.select("series_label", "period", "value").rename(
        {"series_label": "area", "value": name}
    )
    chart_block(
        fig,
        table,
        key="overview_trend",
        meta=metadata_for(meta_rows, span)
        | ({"prices": basis_words(basis, deflators)} if is_money else {}),
        alt=f"Line chart of {name} for the chosen boroughs, London median and England, {span}. "
        "The same figures are in the table below.",
        file_stem=f"triborough_{trend_metric}",
    )
    st.caption(
        "Shaded: the years adults' and children's services were shared by all three boroughs. "
        "A break in a line is a year with no published figure."
    )
