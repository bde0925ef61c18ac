"""Compare logic: comparison groups, per-head figures, the base an index starts from, bands.

The Compare page separates the *display group* (the boroughs chosen in the sidebar) from a
*comparison group* (London boroughs, statistical or nearest neighbours, every council of the
same tier), the way LG Inform and the Oflog explorer do. The group is drawn as a median line
with an inter-quartile band rather than as a league table.

Order of work matters and is fixed here: small counts about people are suppressed on the raw
published figure first, then figures are turned per head, then indexed, then summarised; so a
hidden count can never reappear as a rate or an index.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from triborough.model.before_sharing import BEFORE_SHARING
from triborough.model.catalogue import population_band
from triborough.model.suppression import suppress
from triborough.model.units import UNIT_WORDS  # noqa: F401 - read from here by pages


@dataclass(frozen=True)
class NeighbourModel:
    """A published statistical-neighbour model: its id in the ``neighbours`` table and how it
    is named on screen."""

    group_id: str
    name: str  # "DfE statistical neighbours (2025 model)"
    phrase: str  # inside a sentence: "their DfE statistical neighbours (2025 model)"


# DfE publishes a new model every few years; every page compares with the latest one only, so
# that Compare and Savings never show two different sets of "neighbours".
_STATISTICAL_NEIGHBOURS = NeighbourModel(
    "dfe_sn_2025", "DfE statistical neighbours (2025 model)",
    "their DfE statistical neighbours (2025 model)",
)


def statistical_neighbours() -> NeighbourModel:
    """The one statistical-neighbour model every page uses: DfE's latest (2025). The three
    tri-borough councils are left out of each other's neighbours (see ``compare_members``)."""
    return _STATISTICAL_NEIGHBOURS


_SN = statistical_neighbours()
# Allow-list of comparison groups: key -> label shown to users.
GROUPS: dict[str, str] = {
    "london": "London boroughs",
    _SN.group_id: _SN.name,
    "oflog_nn": "Oflog nearest neighbours",
    "same_tier": "All English councils with social care duties (same tier)",
}
# The group as it reads inside a sentence ("against London boroughs").
GROUP_PHRASE: dict[str, str] = {
    "london": "London boroughs",
    _SN.group_id: _SN.phrase,
    "oflog_nn": "their Oflog nearest neighbours",
    "same_tier": "English councils of the same tier",
}
_NOT_THEMSELVES = (
    " Westminster, Hammersmith and Fulham and Kensington and Chelsea are left out of each "
    "other's neighbours: the three councils are never compared with themselves."
)
GROUP_HELP: dict[str, str] = {
    "london": "The 32 London boroughs (the boroughs shown included) that published a figure; "
    "the City of London is left out, because its few thousand residents make its per-head "
    "and per-child figures unlike any borough's.",
    _SN.group_id: "The ten councils the Department for Education's 2025 model (its latest) "
    "finds most like each borough for children's services." + _NOT_THEMSELVES,
    "oflog_nn": "The fifteen councils the Office for Local Government's explorer lists as each "
    "borough's nearest neighbours (Oflog does not document how they were chosen)."
    + _NOT_THEMSELVES,
    "same_tier": "Every London borough, metropolitan district, unitary authority and county "
    "council: the councils that, like a London borough, run social care.",
}
NEIGHBOUR_GROUPS: frozenset[str] = frozenset({_SN.group_id, "oflog_nn"})
# A median and quartiles of fewer councils than this say little (and with the boroughs alone,
# e.g. for illustrative figures, would compare them with themselves): no band is drawn.
MIN_GROUP_AREAS = 5
UNION = "union"
EACH = "each"

AGE_BAND_WORDS: dict[str, str] = {
    "all_ages": "residents of all ages",
    "0-17": "children aged 0 to 17",
    "18+": "residents aged 18 and over",
}


@dataclass(frozen=True)
class PerHead:
    """How to turn a metric into a per-head figure: which population, and per how many."""

    age_band: str  # population table band: all_ages, 0-17, 18+
    per: int  # 1 for £ per head, 1,000 or 10,000 for counts
    to_units: float  # multiply the published value by this first (£ thousand -> £)
    unit: str  # unit of the result, for formatting
    label: str  # y-axis and table wording

    def describe(self) -> str:
        """Which population the figures are divided by, in plain words."""
        return (
            f"divided by {AGE_BAND_WORDS[self.age_band]} (ONS mid-year estimates, the series "
            "rebased after Census 2021) for the year each period mostly falls in, or the "
            "nearest year with an estimate"
        )


def per_head_rule(unit: str, domain: str, metric_code: str = "") -> PerHead | None:
    """How to show a metric per head, or None where that makes no sense.

    Only counts and money totals are divided by population; rates, percentages, scores and
    figures that are already per head are left as published. Counts of children follow DfE's
    'per 10,000 children'; other counts are per 1,000 people. Which population: the one rule
    in ``catalogue.population_band`` (children's social care spend per child, adults' per
    adult), shared with the Overview and Savings pages.
    """
    band = population_band(metric_code, domain)
    who = {"0-17": "child", "18+": "adult"}.get(band, "resident")
    if unit == "gbp_thousand":
        return PerHead(band, 1, 1000.0, "gbp", f"£ per {who}")
    if unit == "gbp_million":
        return PerHead(band, 1, 1_000_000.0, "gbp", f"£ per {who}")
    if unit == "count":
        per = 10_000 if band == "0-17" else 1_000
        plural = {"child": "children", "adult": "adults", "resident": "residents"}[who]
        unit_out = "rate_per_10000" if per == 10_000 else "rate_per_1000"
        return PerHead(band, per, 1.0, unit_out, f"per {per:,} {plural}")
    return None


def suppress_counts(
    values: pl.DataFrame, threshold: int, is_people_count: bool
) -> pl.DataFrame:
    """Hide small counts of people in the boroughs shown, before anything is derived.

    Primary suppression below ``threshold``; secondary within each period across the boroughs
    shown (their figures sit side by side, and a total could be worked out). Comparison-group
    members are never shown one by one, so only the summaries drawn from them are checked
    (see :func:`group_bands`). Adds a boolean ``suppressed`` column.
    """
    if not is_people_count:
        return values.with_columns(pl.lit(False).alias("suppressed"))
    out = suppress(
        values.with_columns((pl.col("role") == "display").alias("_shown")),
        "value",
        threshold,
        group_cols=["role", "period"],
        applies_col="_shown",
    )
    return out.drop("_shown").rename({"value_suppressed": "suppressed"})


def to_per_head(values: pl.DataFrame, rule: PerHead) -> pl.DataFrame:
    """Divide each figure by its population; no population means no figure (not zero)."""
    return values.with_columns(
        pl.when(pl.col("population") > 0)
        .then(pl.col("value") * rule.to_units * rule.per / pl.col("population"))
        .otherwise(None)
        .alias("value")
    )


def base_periods(values: pl.DataFrame) -> list[str]:
    """Periods in which at least one borough shown has a figure (possible index bases)."""
    shown = values.filter((pl.col("role") == "display") & pl.col("value").is_not_null())
    return shown.sort("period_end").get_column("period").unique(maintain_order=True).to_list()


def default_base(values: pl.DataFrame) -> tuple[str, ...]:
    """The base an index starts from unless the user picks another: the average of the years
    before sharing where a borough shown has a figure for each of them, otherwise the first
    period any borough shown has a figure for (empty when none has)."""
    shown = values.filter((pl.col("role") == "display") & pl.col("value").is_not_null())
    complete = (
        shown.filter(pl.col("period").is_in(BEFORE_SHARING))
        .group_by("area_code")
        .agg(pl.col("period").n_unique().alias("years"))
        .filter(pl.col("years") == len(BEFORE_SHARING))
    )
    if not complete.is_empty():
        return BEFORE_SHARING
    periods = base_periods(values)
    return (periods[0],) if periods else ()


def group_bands(
    values: pl.DataFrame,
    members: pl.DataFrame,
    *,
    mode: str,
    group_label: str,
    names: dict[str, str],
    threshold: int,
    counts_shown: bool,
) -> pl.DataFrame:
    """Median and inter-quartile range of the comparison group for every period in which at
    least ``MIN_GROUP_AREAS`` members have a figure.

    ``members`` has ``for_area`` and ``member_code`` (from ``compare_members``). With ``mode``
    'union' all members form one group; with 'each' every borough shown gets a band from its
    own neighbours. ``counts_shown``: the figures are counts of people as published (not per
    head or indexed), so a summary below ``threshold`` is suppressed like any count.
    """
    cols = ["group_key", "group_label", "period", "period_end", "lower_quartile", "median",
            "upper_quartile", "areas", "suppressed"]
    member_values = values.filter((pl.col("role") == "member") & pl.col("value").is_not_null())
    if members.is_empty() or member_values.is_empty():
        return pl.DataFrame(schema={
            "group_key": pl.String, "group_label": pl.String, "period": pl.String,
            "period_end": pl.Date, "lower_quartile": pl.Float64, "median": pl.Float64,
            "upper_quartile": pl.Float64, "areas": pl.UInt32, "suppressed": pl.Boolean,
        })
    if mode == EACH:
        links = members.select(
            pl.col("for_area").alias("group_key"),
            (pl.col("for_area").replace(names) + pl.lit(f"'s {group_label}"))
            .alias("group_label"),
            pl.col("member_code").alias("area_code"),
        )
    else:
        links = members.select(
            pl.lit("group").alias("group_key"),
            pl.lit(group_label).alias("group_label"),
            pl.col("member_code").alias("area_code"),
        ).unique()
    bands = (
        member_values.join(links, on="area_code", how="inner")
        .group_by("group_key", "group_label", "period", "period_end")
        .agg(
            pl.col("value").quantile(0.25, interpolation="linear").alias("lower_quartile"),
            pl.col("value").median().alias("median"),
            pl.col("value").quantile(0.75, interpolation="linear").alias("upper_quartile"),
            pl.len().alias("areas"),
        )
        .filter(pl.col("areas") >= MIN_GROUP_AREAS)
        .sort("group_key", "period_end")
    )
    stats = ["lower_quartile", "median", "upper_quartile"]
    if counts_shown:
        small = pl.any_horizontal(
            [(pl.col(c) > 0) & (pl.col(c) < threshold) for c in stats]
        ).fill_null(False)
    else:
        small = pl.lit(False)
    bands = bands.with_columns(small.alias("suppressed")).with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in stats
    )
    return bands.select(cols)


def comparison_table(
    values: pl.DataFrame, bands: pl.DataFrame, *, value_name: str, threshold: int
) -> pl.DataFrame:
    """Long table for screen and download: one row per borough or group summary and period.

    Suppressed figures and gaps are empty with a note saying which, so nobody reads a hidden
    count as zero.
    """
    hidden = f"suppressed (fewer than {threshold})"
    shown = values.filter(pl.col("role") == "display").select(
        pl.col("area_name").alias("area"),
        pl.col("period"),
        pl.col("period_end"),
        pl.col("value").alias(value_name),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(hidden))
        .when(pl.col("value").is_null())
        .then(pl.lit("no figure published"))
        .otherwise(pl.lit(""))
        .alias("note"),
    )
    parts = [shown]
    labels = {
        "median": "median",
        "lower_quartile": "lower quartile",
        "upper_quartile": "upper quartile",
    }
    for col, word in labels.items():
        parts.append(
            bands.select(
                (pl.col("group_label") + f": {word}").alias("area"),
                "period",
                "period_end",
                pl.col(col).alias(value_name),
                pl.when(pl.col("suppressed"))
                .then(pl.lit(hidden))
                .otherwise(pl.format("{} areas with a figure", pl.col("areas")))
                .alias("note"),
            )
        )
    return pl.concat(parts, how="vertical_relaxed").sort("period_end", "area").drop("period_end")
