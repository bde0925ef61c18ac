"""Savings and spend: what each council spent on a service, and what sharing was said to save."""

import polars as pl
import streamlit as st

from triborough.model.before_sharing import base_options
from triborough.model.periods import period_span
from triborough.model.real_terms import basis_words
from triborough.ui.blocks import (
    base_choice,
    basis_choice,
    council_table_meta,
    download_block,
    empty_notice,
    illustrative_notice,
    metadata_for,
    page_scope,
    query,
    show_table,
    source_line,
    view_block,
)
from triborough.views.page_pieces import borough_label, illustrative_suffix, sharing_shading
from triborough.views.savings import (
    MEASURES,
    SERVICE_OPTIONS,
    claims_on_screen,
    ledger_by_year,
    ledger_summary,
    reported_targets,
)
from triborough.views.savings_views import (
    CLAIMS_META,
    LEDGER_NOTICE,
    NEIGHBOURS,
    claims_table,
    cumulative_view,
    delivered_view,
    in_years,
    payback_words,
    spend_view,
    workstream_view,
)

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
shading = sharing_shading(query("shared_periods"))

# ---------------------------------------------------------------------------------------------
st.header("1. What each council spent on a service")
left, middle, right = st.columns([3, 3, 2])
with left:
    service = st.selectbox(
        "Service", options=list(SERVICE_OPTIONS), index=0,
        format_func=lambda k: SERVICE_OPTIONS[k].label, key="savings_service", bind="query-params",
    )
with middle:
    measure = st.segmented_control(
        "Show as", options=list(MEASURES), default="cash", format_func=lambda k: MEASURES[k],
        key="savings_measure", bind="query-params", required=True,
    )
with right:
    basis = basis_choice("savings_basis")
option = SERVICE_OPTIONS[service]
deflators = query("gdp_deflator")
years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]
base = base_choice(
    "savings_index_base",
    base_options(option.base_periods, [y for y in years if y >= option.base_periods[0]]),
)
spend = query(
    "savings_spend_by_service", services=list(option.lines), age_band=option.age_band,
    areas=areas, peer_group=NEIGHBOURS.group_id,
)
view = spend_view(
    spend, option, measure=measure, basis=basis, base=base, deflators=deflators,
    years=(first_year, last_year), milestones=milestones, shading=shading,
    meta_for=lambda codes, span: metadata_for(query("metric_catalogue", metrics=codes), span),
    money=basis_words(basis, deflators),
)
if isinstance(view, str):
    empty_notice(view)
else:
    view_block(view, "savings_spend", words=False)  # said below, under their own heading
    if view.words:
        st.markdown("**Against London, in words**")
        for code, words in view.words.items():
            st.markdown(f"{borough_label(code)}: {words}".replace("$", "\\$"),
                        unsafe_allow_html=True)
    st.caption("  \n".join(view.notes))

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
    claims = claims_table(reported)
    # A static table: every claim's words wrap and show in full; scope and quotes are in
    # the download.
    st.table(claims_on_screen(claims))
    st.caption(source_line(CLAIMS_META))
    download_block(claims, key="savings_reported", meta=CLAIMS_META,
                   file_stem="triborough_reported_savings_claims")

# ---------------------------------------------------------------------------------------------
present = query("council_tables_present", tables=["savings_ledger"])
has_ledger = bool(present.filter(pl.col("present")).height)
ledger = query("savings_ledger", areas=areas) if has_ledger else pl.DataFrame()
flags = [] if ledger.is_empty() else ledger.get_column("is_illustrative").to_list()
suffix = illustrative_suffix(flags)
st.header("3. Savings ledger by workstream" + suffix)
if ledger.is_empty():
    empty_notice(
        "The savings ledger is not in this warehouse yet. It arrives with the illustrative "
        "council tables when the warehouse is rebuilt (`triborough build`), or when a council "
        "loads its own ledger (`triborough ingest`)."
    )
    st.stop()
if any(flags):
    illustrative_notice(LEDGER_NOTICE)
yearly = ledger_by_year(ledger)  # cumulative from the ledger's first year, whatever is shown
window = (first_year, last_year)
shown = yearly.filter(in_years(window))
if shown.is_empty():
    empty_notice("The ledger has no years inside the years chosen in the sidebar.")
    st.stop()
span = period_span(shown.get_column("financial_year").unique().sort().to_list())
in_window = ledger.filter(in_years(window))
in_flags = in_window["is_illustrative"].to_list()


def meta(what: str) -> dict[str, str]:
    """Download metadata for a view of the ledger in the years shown."""
    return council_table_meta(what, "£ thousand, cash", in_flags, span)


all_three = len(areas) == 3
targets = reported_targets(milestones).filter(in_years(window))
views = [
    delivered_view(shown, targets, all_three=all_three, suffix=suffix, span=span, meta_for=meta),
    cumulative_view(shown, shading, suffix=suffix, span=span, meta_for=meta),
    workstream_view(in_window, suffix=suffix, span=span, meta_for=meta),
]
keys = ["savings_ledger_delivered", "savings_ledger_cumulative", "savings_ledger_workstreams"]


view_block(views[0], keys[0])
st.caption(
    "Diamonds: the reported targets for all three councils together (£7.7m planned for "
    "2012-13, £33.4m a year projected by 2014-15, £40m then £43m a year by 2015-16). The dashed "
    "line is the ledger's planned total." if all_three else
    "The reported targets are for all three councils together, so they are shown only when "
    "all three boroughs are chosen."
)
if not views[0].frame.is_empty():
    st.markdown("**Ledger totals against the reported targets**" + suffix)
    show_table(views[0].frame, key="savings_targets_table")
    if any(flags):
        st.caption(
            "The generated ledger was calibrated to the reported figures, so its planned and "
            "delivered totals equal the targets **by construction**: this table cannot show "
            "whether any target was met. Only a council's own ledger can."
        )

view_block(views[1], keys[1])
summary = ledger_summary(yearly.filter(pl.col("borough_code").is_in(areas)))
st.markdown("**Payback**" + suffix)
for code, words in payback_words(summary, suffix).items():
    st.markdown(f"{borough_label(code)}: {words}", unsafe_allow_html=True)
st.caption(
    "Net saving = savings delivered less one-off costs (redundancy, systems, transition), "
    "added up from the ledger's first year (2011-12) whatever years are chosen. The payback "
    "year is the first year that running total reaches zero. A year missing from a ledger "
    "leaves the running total unknown from then on, rather than counting it as nothing."
)
view_block(views[2], keys[2])
