"""Did sharing work? The estimated effect of sharing on spend and outcomes, with its limits."""

from pathlib import Path

import polars as pl
import streamlit as st

from triborough.boroughs import BOROUGH_BY_CODE
from triborough.charts import interval_chart, placebo_chart, trend_chart
from triborough.effect import EffectInputError, EffectResult, did, synth
from triborough.effect_data import (
    COMPARISONS,
    DEFLATOR_TABLE,
    EVENTS,
    OUTCOMES,
    LoadedPanel,
    load_panel,
)
from triborough.effect_words import caveats, comparison_words, headline, placebo_words, signed
from triborough.settings import get_settings
from triborough.style import format_value, unit_label
from triborough.ui import (
    chart_block,
    current_version,
    empty_notice,
    metadata_for,
    page_scope,
    query,
    table_block,
)
from triborough.warehouse import connect_readonly

SHORT_EVENTS = {"sharing": "Sharing began, 2011", "split": "H&F left, 2018"}
SHORT_GROUPS = {"london": "London boroughs", "neighbours": "Statistical neighbours"}
IN_TITLE = {"london": "London boroughs", "neighbours": "statistical neighbours",
            "partners": "Westminster and Kensington & Chelsea"}
SOURCE_METRICS = {
    "spend_ph_social_care": ["nce_social_care_combined", "nce_childrens_social_care",
                             "nce_adult_social_care", "pop_all_ages"],
}


@st.cache_data(max_entries=8, show_spinner=False)
def coverage(path: str, version: str, comparison: str, event: str) -> pl.DataFrame:
    """For each outcome: the published years before and from the change, or why it cannot be
    estimated."""
    con = connect_readonly(Path(path))
    rows = []
    try:
        for code, outcome in OUTCOMES.items():
            try:
                panel = load_panel(con, code, comparison=comparison, event=event).panel
                rows.append({"code": code, "outcome": outcome.label,
                             "years before": len(panel.pre_periods),
                             "years from": len(panel.post_periods), "estimated": "yes"})
            except EffectInputError as exc:
                rows.append({"code": code, "outcome": outcome.label, "years before": None,
                             "years from": None, "estimated": f"no: {exc}"})
    finally:
        con.close()
    return pl.DataFrame(rows, schema_overrides={"years before": pl.Int64,
                                                "years from": pl.Int64})


@st.cache_data(max_entries=64, show_spinner="Estimating: thousands of comparisons…")
def estimates(path: str, version: str, outcome: str, comparison: str, real: bool,
              event: str) -> tuple[LoadedPanel | None, dict[str, EffectResult | str], str]:
    """The panel and both estimates for one choice, cached until the warehouse changes."""
    con = connect_readonly(Path(path))
    try:
        loaded = load_panel(con, outcome, comparison=comparison, real=real, event=event)
    except EffectInputError as exc:
        return None, {}, str(exc)
    finally:
        con.close()
    results: dict[str, EffectResult | str] = {"did": did(loaded.panel)}
    if event == "sharing":
        try:
            results["synth"] = synth(loaded.panel)
        except EffectInputError as exc:
            results["synth"] = str(exc)
    return loaded, results, ""


def show_coverage(available: pl.DataFrame) -> None:
    """Which outcomes the published years support, with the reason for each that they do not
    (a static table, so the reasons wrap and show in full)."""
    st.markdown("**Which outcomes the published years can support**")
    st.table(available.drop("code").with_columns(pl.col("estimated").alias("can be estimated")
                                                 ).drop("estimated"))


def with_gaps(series: pl.DataFrame) -> pl.DataFrame:
    """Every financial year from the first to the last, a year nobody published left empty so
    a line breaks there instead of joining across it."""
    first, last = (int(series.get_column("period").min()[:4]),
                   int(series.get_column("period").max()[:4]))
    years = pl.DataFrame({"period": [f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1)]})
    return years.join(series, on="period", how="left").with_columns(
        pl.date(pl.col("period").str.slice(0, 4).cast(pl.Int32) + 1, 3, 31).alias("period_end"))


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
# Open on the first outcome the published years can support; the table below says why the
# others cannot be estimated yet.
first_ok = available.get_column("estimated").eq("yes").arg_true()
row = st.columns([3, 2])
with row[0]:
    outcome = st.selectbox(
        "Outcome", options=list(OUTCOMES), format_func=lambda k: OUTCOMES[k].label,
        key="effect_outcome", bind="query-params", index=int(first_ok[0]) if first_ok.len() else 0,
        help="Each shared service's outcome, per head of the people it serves.",
    )
money = OUTCOMES[outcome].money
prices = "cash"
with row[1]:
    if money and deflator:
        prices = st.segmented_control(
            "Prices", options=["real", "cash"], key="effect_prices", default="real",
            bind="query-params",
            format_func=lambda k: {"real": "Real terms", "cash": "Cash"}[k], required=True,
            help="Real terms: in 2024-25 prices, by the GDP deflator.",
        )
    elif money:
        st.caption("Real terms are not available: this warehouse has no GDP deflator, so "
                   "money is shown in cash.")

loaded, results, problem = estimates(path, version, outcome, comparison,
                                     prices == "real" and money and deflator, event)
if loaded is None:
    empty_notice(
        f"{OUTCOMES[outcome].label} cannot be estimated for this event on the published "
        f"figures: {problem}. The page shows nothing rather than a figure it cannot support."
    )
    show_coverage(available)
    st.stop()

main = results["did"]
assert isinstance(main, EffectResult)
unit = loaded.outcome.unit
y_words = unit_label(unit) + (f", {loaded.prices}" if loaded.prices else "")
span = f"{loaded.panel.periods[0]} to {loaded.panel.periods[-1]}"
meta = metadata_for(query("metric_catalogue", metrics=SOURCE_METRICS.get(
    outcome, [*loaded.outcome.metrics])), span)
meta["method"] = (
    "Difference-in-differences with council and year fixed effects (pyfixest); 95% interval "
    "and p-value by randomisation over sets of councils that did not share"
)
meta["comparison"] = comparison_words(loaded.comparison)

st.header("The answer")
st.markdown(headline(main, loaded))
other = results.get("synth")
if isinstance(other, EffectResult):
    inf = other.inference
    st.markdown(
        f"A second method, a **synthetic comparison** for each borough (a weighted mix of "
        f"councils that did not share, matched on the years before), gives "
        f"{signed(other.effect, loaded)} a year (95% interval {signed(inf.ci_low, loaded)} "
        f"to {signed(inf.ci_high, loaded)}; p = {inf.p_value:.2f})."
    )

st.header("What this can and cannot tell you")
st.markdown("\n".join(f"- {c}" for c in caveats(main, loaded)))
show_coverage(available)

st.header("1. Year by year: the difference from the comparison group")
es = main.event_study
if es is not None:
    ref = es.filter(pl.col("reference")).get_column("period")[0]
    fig = interval_chart(
        es, f"{loaded.outcome.label}<br><sup>Difference from "
        f"{IN_TITLE[loaded.comparison]}, {y_words}, "
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
    for fit in other.synth:
        if fit.area_code not in areas:
            continue
        name = BOROUGH_BY_CODE[fit.area_code].name
        # Periods are financial years (or counts at their 31 March): dated at that 31 March so
        # the chart labels them as financial years.
        dated = with_gaps(fit.series)
        series = pl.concat([
            dated.select("period", "period_end", pl.col("actual").alias("value"),
                              pl.lit(fit.area_code).alias("series"),
                              pl.lit(name).alias("series_label")),
            dated.select("period", "period_end", pl.col("synthetic").alias("value"),
                              pl.lit("synthetic").alias("series"),
                              pl.lit(f"Synthetic {name}").alias("series_label")),
        ])
        fig = trend_chart(series, f"{name} and its synthetic comparison<br><sup>{y_words}"
                          f", the comparison fitted on {', '.join(other.panel.pre_periods)}"
                          "</sup>", y_words)
        donors = sorted(fit.weights.items(), key=lambda kv: -kv[1])
        mix = ", ".join(f"{loaded.names.get(c, c)} {w:.0%}" for c, w in donors if w >= 0.01)
        chart_block(
            fig, fit.series, key=f"effect_synth_{fit.area_code}",
            meta=meta | {"unit": y_words, "synthetic_weights": mix},
            alt=f"Line chart of {name}'s {loaded.outcome.words} against its synthetic "
            "comparison. The same figures are in the table.",
            file_stem=f"triborough_effect_synth_{outcome}_{fit.area_code}",
        )
        st.caption(
            f"Synthetic {name}: {mix}. Fit before the change (root mean squared gap): "
            f"{format_value(fit.pre_rmspe, unit)}; after: {format_value(fit.post_rmspe, unit)}. "
            f"Its gap after against its fit before ranks {fit.rank} of {fit.rank_of} among "
            "this borough and every council that did not share given the same treatment."
        )
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
    observed_label="The councils that shared" if len(loaded.panel.treated) > 1
    else BOROUGH_BY_CODE[loaded.panel.treated[0]].name,
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
    ratios = other.placebo_ratios.with_columns(
        pl.col("area_code").replace_strict(loaded.names, default=pl.col("area_code"))
        .alias("council"),
    ).sort("ratio", descending=True).with_row_index("rank", offset=1).select(
        "rank", "council", pl.col("ratio").round(2).alias("gap after / fit before"),
        pl.col("is_treated").alias("shared"),
    )
    st.markdown("**Synthetic comparisons ranked by their gap after against their fit before**")
    if len(other.panel.pre_periods) <= 3:
        st.caption(
            f"With only {len(other.panel.pre_periods)} years before, most councils can be "
            "matched almost exactly on those years, so these ratios are large for nearly "
            "everyone and the ranks say little."
        )
    table_block(ratios, key="effect_ratios", meta=meta, file_stem=f"triborough_effect_ranks_"
                f"{outcome}")
