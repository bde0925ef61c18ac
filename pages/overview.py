"""Overview for councillors: the three boroughs side by side on published figures."""

from functools import partial

import polars as pl
import streamlit as st

from triborough.model.before_sharing import BEFORE_SHARING
from triborough.model.real_terms import basis_words
from triborough.pack.content import pack_file_name
from triborough.pack.pdf_document import build_pack
from triborough.pack.word_document import build_docx
from triborough.settings import get_settings
from triborough.ui.blocks import (
    basis_choice,
    empty_notice,
    in_brief,
    metadata_for,
    page_scope,
    query,
    view_block,
)
from triborough.views.headlines import OFSTED_WORDS, OVERVIEW_METRICS, headlines
from triborough.views.narrative import summary
from triborough.views.overview_views import TREND_METRICS, overview_trend_view
from triborough.views.page_pieces import borough_label, sharing_shading

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
st.download_button(
    "Download committee pack (Word)",
    data=partial(build_docx, get_settings().warehouse_path, areas, first_year, last_year),
    file_name=pack_file_name(areas, first_year, last_year, ".docx"),
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    key="overview_pack_word",
    on_click="ignore",
)
# Said in a caption, not the button's help: a help tooltip left a hidden copy of the button.
st.caption("An A4 PDF, or a Word document, of these figures in words, tables and charts with "
           "their sources and the effect estimate, for the boroughs and years chosen. It is "
           "built when you click, which takes some seconds.")

with st.expander("In brief: the headline figures in words", expanded=True):
    in_brief(summary(
        query("quality_scorecard", metrics=list(OVERVIEW_METRICS), areas=areas,
              from_year=first_year, to_year=last_year),
        query("quality_series", metrics=list(OVERVIEW_METRICS), areas=areas,
              from_year=first_year, to_year=last_year),
        catalogue, query("ofsted_latest", areas=areas), areas,
        get_settings().small_number_threshold,
    ))


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

st.header("How the figures moved")
trend_metric = st.segmented_control(
    "Figure", options=list(TREND_METRICS), default="cla_rate_per_10000",
    format_func=lambda c: catalogue.filter(pl.col("code") == c).get_column("name")[0],
    key="overview_trend_metric", bind="query-params", required=True,
)
view = overview_trend_view(
    query("metric_trend", metric=trend_metric, areas=areas, from_year=first_year,
          to_year=last_year),
    catalogue.filter(pl.col("code") == trend_metric), basis=basis, deflators=deflators,
    shading=sharing_shading(query("shared_periods")), meta_for=metadata_for,
)
if isinstance(view, str):
    empty_notice(view)
else:
    view_block(view, "overview_trend")
    st.caption(
        "Shaded: the years adults' and children's services were shared by all three boroughs. "
        "A break in a line is a year with no published figure."
    )
