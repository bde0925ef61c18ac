"""Did sharing work? The estimated effect of sharing on spend and outcomes, with its limits."""

from pathlib import Path

import polars as pl
import streamlit as st

from triborough.figures.bar_charts import placebo_chart
from triborough.figures.line_charts import interval_chart, trend_chart
from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.read.connection import connect_readonly
from triborough.settings import get_settings
from triborough.ui.blocks import (
    chart_block,
    current_version,
    empty_notice,
    metadata_for,
    page_scope,
    query,
    table_block,
)
from triborough.views import effect_views
from triborough.views.effect import EffectResult
from triborough.views.effect_data import COMPARISONS, DEFLATOR_TABLE, EVENTS, OUTCOMES
from triborough.views.effect_words import (
    caveats,
    comparison_words,
    headline,
    placebo_words,
    second_method,
)

SHORT_EVENTS = {"sharing": "Sharing began, 2011", "split": "H&F left, 2018"}
SHORT_GROUPS = {"london": "London boroughs", "neighbours": "Statistical neighbours"}


@st.cache_data(max_entries=8, show_spinner=False)
def coverage(path: str, version: str, comparison: str, event: str) -> pl.DataFrame:
    """Which outcomes the published years support, cached until the warehouse changes."""
    con = connect_readonly(Path(path))
    try:
        return effect_views.coverage(con, comparison, event)
    finally:
        con.close()


@st.cache_data(max_entries=64, show_spinner="Estimating: thousands of comparisons…")
def estimates(path: str, version: str, outcome: str, comparison: str, real: bool,
              event: str) -> effect_views.Estimates:
    """Both estimates for one choice, cached until the warehouse changes."""
    con = connect_readonly(Path(path))
    try:
        return effect_views.estimates(con, outcome, comparison, real, event)
    finally:
        con.close()


def show_coverage(available: pl.DataFrame) -> None:
    """A static table, so the reasons an outcome cannot be estimated wrap and show in full."""
    st.markdown("**Which outcomes the published years can support**")
    st.table(effect_views.coverage_shown(available))


st.title("Did sharing work?")
st.markdown(
    "The three councils began sharing adults' and children's social care and libraries in "
    "2011. Every council's spending fell in those years, so the question is not whether the "
    "three spent less, but whether they spent less **than comparable councils that did not "
    "share**, and whether services held up. This page estimates that difference from the "
    "published figures and says how sure the estimate can be."
)
areas, _, _ = page_scope()
path, version = str(get_settings().warehouse_path), current_version()
deflator = bool(query("council_tables_present", tables=[DEFLATOR_TABLE])
                .get_column("present").any())

top = st.columns(2)
with top[0]:
    event = st.segmented_control(
        "Event", options=list(EVENTS), default="sharing", key="effect_event", bind="query-params",
        format_func=lambda k: SHORT_EVENTS[k], required=True,
        help="; ".join(e.label for e in EVENTS.values()),
    )
with top[1]:
    if event == "sharing":
        comparison = st.segmented_control(
            "Compared with", options=list(COMPARISONS), default="london", key="effect_group",
            bind="query-params",
            format_func=lambda k: SHORT_GROUPS[k], required=True,
            help="; ".join(COMPARISONS.values()),
        )
    else:
        comparison = "london"  # not used: the split has its own comparison
        st.markdown("**Compared with**  \nWestminster and Kensington & Chelsea, who kept "
                    "sharing")
available = coverage(path, version, comparison, event)
row = st.columns([3, 2])
with row[0]:
    outcome = st.selectbox(
        "Outcome", options=list(OUTCOMES), format_func=lambda k: OUTCOMES[k].label,
        key="effect_outcome", bind="query-params", index=effect_views.first_supported(available),
        help="Each shared service's outcome, per head of the people it serves.",
    )
money = OUTCOMES[outcome].money
prices = "cash"
with row[1]:
    if money and deflator:
        prices = st.segmented_control(
            "Prices", options=["real", "cash"], key="effect_prices",
            bind="query-params", default="real",
            format_func=lambda k: {"real": "Real terms", "cash": "Cash"}[k], required=True,
            help="Real terms: in 2024-25 prices, by the GDP deflator.",
        )
    elif money:
        st.caption("Real terms are not available: this warehouse has no GDP deflator, so "
                   "money is shown in cash.")

found = estimates(path, version, outcome, comparison,
                  prices == "real" and money and deflator, event)
loaded, main, other = found.loaded, found.did, found.synth
if loaded is None or main is None:
    empty_notice(
        f"{OUTCOMES[outcome].label} cannot be estimated for this event on the published "
        f"figures: {found.problem}. The page shows nothing rather than a figure it cannot "
        "support."
    )
    show_coverage(available)
    st.stop()

unit, y_words = loaded.outcome.unit, effect_views.unit_words(loaded)
meta = metadata_for(query("metric_catalogue", metrics=effect_views.source_metrics(loaded)),
                    f"{loaded.panel.periods[0]} to {loaded.panel.periods[-1]}")
meta |= {"method": effect_views.METHOD_NOTE, "comparison": comparison_words(loaded.comparison)}

st.header("The answer")
st.markdown(headline(main, loaded))
if isinstance(other, EffectResult):
    st.markdown(second_method(other, loaded))

st.header("What this can and cannot tell you")
st.markdown("\n".join(f"- {c}" for c in caveats(main, loaded)))
show_coverage(available)

st.header("1. Year by year: the difference from the comparison group")
es = main.event_study
if es is not None:
    ref = es.filter(pl.col("reference")).get_column("period")[0]
    fig = interval_chart(
        es, f"{loaded.outcome.label}<br><sup>Difference from "
        f"{effect_views.IN_TITLE[loaded.comparison]}, {y_words}, "
        f"against {ref}; bars: 95% intervals</sup>",
        y_words,
    )
    table = es.select("period", "estimate", "ci_low", "ci_high", "after")
    chart_block(
        fig, table, key="effect_event_study", meta=meta | {"unit": y_words},
        alt=f"Dot chart of each year's difference between the treated councils and the "
        f"comparison group, relative to {ref}, with 95% intervals; hollow dots before the "
        "change, filled after. The same figures are in the table.",
        file_stem=f"triborough_effect_event_study_{outcome}",
    )
    st.caption(
        f"Each dot is how far the treated councils were from the comparison group that year, "
        f"compared with {ref}, the last year before the change (fixed at zero). Before the "
        "change the dots should sit near zero if the groups were moving in parallel."
    )

st.header("2. Each borough against its synthetic comparison")
if isinstance(other, EffectResult):
    for fit in (f for f in other.synth if f.area_code in areas):
        name = BOROUGH_BY_CODE[fit.area_code].name
        mix = effect_views.synthetic_mix(fit, loaded.names)
        fig = trend_chart(effect_views.synthetic_series(fit),
                          f"{name} and its synthetic comparison<br><sup>{y_words}, the "
                          f"comparison fitted on {', '.join(other.panel.pre_periods)}</sup>",
                          y_words)
        chart_block(
            fig, fit.series, key=f"effect_synth_{fit.area_code}",
            meta=meta | {"unit": y_words, "synthetic_weights": mix},
            alt=f"Line chart of {name}'s {loaded.outcome.words} against its synthetic "
            "comparison. The same figures are in the table.",
            file_stem=f"triborough_effect_synth_{outcome}_{fit.area_code}",
        )
        st.caption(effect_views.synthetic_caption(fit, mix, unit))
elif isinstance(other, str):
    empty_notice(f"No synthetic comparison: {other}.")
else:
    empty_notice("The split of 2018 has two comparison councils, too few for a synthetic "
                 "comparison; the difference-in-differences above uses them both.")

st.header("3. Was it chance? The placebo comparisons")
values = main.inference.placebos.tolist()
fig = placebo_chart(
    values, main.effect,
    f"Gaps found in the {placebo_words(loaded)}<br><sup>"
    f"{len(values):,} comparisons, {y_words}</sup>", y_words,
    observed_label=effect_views.treated_label(loaded),
)
chart_block(
    fig, pl.DataFrame({"placebo_estimate": values}), key="effect_placebos",
    meta=meta | {"unit": y_words},
    alt="Histogram of the estimates from comparisons that move the change onto councils "
    "that did not share, with the real estimate marked by a dashed line. The same figures "
    "are in the table.",
    file_stem=f"triborough_effect_placebos_{outcome}",
)
st.caption(
    "The closer the dashed line sits to the middle of the grey bars, the more ordinary the "
    "gap: a gap is only evidence of an effect when few comparisons give one as large."
)
if isinstance(other, EffectResult) and other.placebo_ratios is not None:
    st.markdown("**Synthetic comparisons ranked by their gap after against their fit before**")
    if caveat := effect_views.ranks_caveat(other):
        st.caption(caveat)
    table_block(effect_views.placebo_ranks(other, loaded.names), key="effect_ratios",
                meta=meta, file_stem=f"triborough_effect_ranks_{outcome}")
