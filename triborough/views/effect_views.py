"""The "Did sharing work?" page's figures, shaped for showing: which outcomes the published
years support, both estimates for one choice, each borough's synthetic comparison as a series,
and the placebo ranks. No Streamlit here, so each is tested without the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import format_value, unit_label
from triborough.views.effect import EffectInputError, EffectResult, SynthFit, did, synth
from triborough.views.effect_data import OUTCOMES, LoadedPanel, load_panel

IN_TITLE = {"london": "London boroughs", "neighbours": "statistical neighbours",
            "partners": "Westminster and Kensington & Chelsea"}
# The published series an outcome is computed from, for its source lines and downloads.
SOURCE_METRICS = {
    "spend_ph_social_care": ["nce_social_care_combined", "nce_childrens_social_care",
                             "nce_adult_social_care", "pop_all_ages"],
}
METHOD_NOTE = (
    "Difference-in-differences with council and year fixed effects (pyfixest); 95% interval "
    "and p-value by randomisation over sets of councils that did not share"
)


def coverage(con: duckdb.DuckDBPyConnection, comparison: str, event: str) -> pl.DataFrame:
    """For each outcome: the published years before and from the change, or why it cannot be
    estimated (code, outcome, years before, years from, estimated)."""
    rows = []
    for code, outcome in OUTCOMES.items():
        try:
            panel = load_panel(con, code, comparison=comparison, event=event).panel
            rows.append({"code": code, "outcome": outcome.label,
                         "years before": len(panel.pre_periods),
                         "years from": len(panel.post_periods), "estimated": "yes"})
        except EffectInputError as exc:
            rows.append({"code": code, "outcome": outcome.label, "years before": None,
                         "years from": None, "estimated": f"no: {exc}"})
    return pl.DataFrame(rows, schema_overrides={"years before": pl.Int64,
                                                "years from": pl.Int64})


def first_supported(available: pl.DataFrame) -> int:
    """The position of the first outcome the published years can support (the page opens on
    it), or 0 when none can."""
    supported = available.get_column("estimated").eq("yes").arg_true()
    return int(supported[0]) if supported.len() else 0


def source_metrics(loaded: LoadedPanel) -> list[str]:
    """The catalogue codes behind an outcome's figures."""
    return SOURCE_METRICS.get(loaded.outcome.code, [*loaded.outcome.metrics])


def unit_words(loaded: LoadedPanel) -> str:
    """The outcome's unit with its prices: "£ per head, 2024-25 prices (...)"."""
    return unit_label(loaded.outcome.unit) + (f", {loaded.prices}" if loaded.prices else "")


def coverage_shown(available: pl.DataFrame) -> pl.DataFrame:
    """The coverage as the page's table shows it: no code, the verdict headed in words."""
    return available.drop("code").rename({"estimated": "can be estimated"})


@dataclass(frozen=True)
class Estimates:
    """Both estimates for one choice, or the reason the published figures cannot give them."""

    loaded: LoadedPanel | None
    did: EffectResult | None = None
    synth: EffectResult | str | None = None  # None for the split: two donors are too few
    problem: str = ""


def estimates(con: duckdb.DuckDBPyConnection, outcome: str, comparison: str, real: bool,
              event: str) -> Estimates:
    """The panel and both estimates for one outcome, comparison group, prices and event."""
    try:
        loaded = load_panel(con, outcome, comparison=comparison, real=real, event=event)
    except EffectInputError as exc:
        return Estimates(None, problem=str(exc))
    other: EffectResult | str | None = None
    if event == "sharing":
        try:
            other = synth(loaded.panel)
        except EffectInputError as exc:
            other = str(exc)
    return Estimates(loaded, did(loaded.panel), other)


def with_gaps(series: pl.DataFrame) -> pl.DataFrame:
    """Every financial year from the first to the last, a year nobody published left empty so
    a line breaks there instead of joining across it; each dated at its 31 March so a chart
    labels it as a financial year."""
    first, last = (int(series.get_column("period").min()[:4]),
                   int(series.get_column("period").max()[:4]))
    years = pl.DataFrame({"period": [f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1)]})
    return years.join(series, on="period", how="left").with_columns(
        pl.date(pl.col("period").str.slice(0, 4).cast(pl.Int32) + 1, 3, 31).alias("period_end"))


def synthetic_series(fit: SynthFit) -> pl.DataFrame:
    """A borough and its synthetic comparison as two series in ``trend_chart``'s shape."""
    name = BOROUGH_BY_CODE[fit.area_code].name
    dated = with_gaps(fit.series)
    return pl.concat([
        dated.select("period", "period_end", pl.col("actual").alias("value"),
                     pl.lit(fit.area_code).alias("series"), pl.lit(name).alias("series_label")),
        dated.select("period", "period_end", pl.col("synthetic").alias("value"),
                     pl.lit("synthetic").alias("series"),
                     pl.lit(f"Synthetic {name}").alias("series_label")),
    ])


def synthetic_mix(fit: SynthFit, names: dict[str, str]) -> str:
    """The councils a synthetic comparison is made of, largest weight first (1% and over)."""
    donors = sorted(fit.weights.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{names.get(c, c)} {w:.0%}" for c, w in donors if w >= 0.01)


def synthetic_caption(fit: SynthFit, mix: str, unit: str) -> str:
    """What a synthetic comparison is made of and how well it fitted, in words."""
    name = BOROUGH_BY_CODE[fit.area_code].name
    return (
        f"Synthetic {name}: {mix}. Fit before the change (root mean squared gap): "
        f"{format_value(fit.pre_rmspe, unit)}; after: {format_value(fit.post_rmspe, unit)}. "
        f"Its gap after against its fit before ranks {fit.rank} of {fit.rank_of} among this "
        "borough and every council that did not share given the same treatment."
    )


def placebo_ranks(result: EffectResult, names: dict[str, str]) -> pl.DataFrame:
    """Synthetic comparisons ranked by their gap after against their fit before (rank,
    council, ratio, shared)."""
    assert result.placebo_ratios is not None
    return result.placebo_ratios.with_columns(
        pl.col("area_code").replace_strict(names, default=pl.col("area_code")).alias("council"),
    ).sort("ratio", descending=True).with_row_index("rank", offset=1).select(
        "rank", "council", pl.col("ratio").round(2).alias("gap after / fit before"),
        pl.col("is_treated").alias("shared"),
    )


def treated_label(loaded: LoadedPanel) -> str:
    """Who the estimate is for, as the placebo chart marks it."""
    treated = loaded.panel.treated
    return "The councils that shared" if len(treated) > 1 else BOROUGH_BY_CODE[treated[0]].name


def ranks_caveat(result: EffectResult) -> str:
    """Why the placebo ranks say little when few years come before the change, or ''."""
    before = len(result.panel.pre_periods)
    if before > 3:
        return ""
    return (f"With only {before} years before, most councils can be matched almost exactly on "
            "those years, so these ratios are large for nearly everyone and the ranks say "
            "little.")
