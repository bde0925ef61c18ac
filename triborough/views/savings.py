"""Savings and spend: per-head and indexed spend, comparator medians, and the savings ledger.

The Savings page stays thin: it fetches rows with named queries and hands them to these
functions, which carry the rules worth testing (which population a service is divided by,
which year an index starts from, how a gap year is treated, when a programme paid back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from triborough.model.before_sharing import BEFORE_SHARING, base_words, index_to_base  # noqa: F401 - re-exported
from triborough.model.boroughs import BOROUGH_CODES, ENGLAND, borough_name
from triborough.model.catalogue import population_band
from triborough.model.periods import fy_label, fy_label_of, fy_start
from triborough.model.real_terms import in_basis
from triborough.views.narrative import Change, series_changes

MEASURES: dict[str, str] = {
    "cash": "Total £",
    "per_head": "Per head £",
    "index": "Index",
}
MEASURE_UNITS: dict[str, str] = {
    "cash": "£ thousand",
    "per_head": "£ per resident",
    "index": "index, base = 100",
}
LONDON_MEDIAN = "London median"
PEER_MEDIAN = "Peer median"  # the name the chart styles know; the page says which peers
WORKSTREAM_LABELS: dict[str, str] = {
    "shared_management": "Shared management",
    "front_line_merger": "Front-line merger",
    "procurement": "Procurement",
    "erp_back_office": "ERP and back office",
    "it_towers": "IT towers",
}


@dataclass(frozen=True)
class ServiceOption:
    """A service the page offers: the outturn lines it adds up and how it is compared."""

    key: str
    label: str
    lines: tuple[str, ...]  # spend_by_service.service keys summed (when all were reported)
    base_periods: tuple[str, ...]  # the years whose average an index is 100 by default
    note: str = ""

    @property
    def age_band(self) -> str:
        """The population a per-head figure divides by (``catalogue.population_band``); lines
        for different populations added together are per resident."""
        bands = {population_band(line) for line in self.lines}
        return bands.pop() if len(bands) == 1 else "all_ages"

    @property
    def per_head_label(self) -> str:
        """What 'per head' means for this service, in plain words."""
        return {"0-17": "per child aged 0-17", "18+": "per adult aged 18 and over"}.get(
            self.age_band, "per resident"
        )


_SPLIT_NOTE = (
    "Until 2010-11 councils reported children's and adults' social care as one line, so this "
    "series starts in 2011-12 and its index is 2011-12 = 100. Choose \"Social care, "
    "children's and adults' together\" for a series (and an index) from 2007-08."
)

SERVICE_OPTIONS: dict[str, ServiceOption] = {
    o.key: o
    for o in (
        ServiceOption(
            "social_care_all", "Social care, children's and adults' together",
            ("social_care_combined", "childrens_social_care", "adult_social_care"),
            BEFORE_SHARING,
            "To 2010-11 this is the single social care line councils reported then; from "
            "2011-12 it is children's plus adults' social care, added together.",
        ),
        ServiceOption(
            "childrens_social_care", "Children's social care", ("childrens_social_care",),
            ("2011-12",), _SPLIT_NOTE,
        ),
        ServiceOption(
            "adult_social_care", "Adult social care", ("adult_social_care",),
            ("2011-12",), _SPLIT_NOTE,
        ),
        ServiceOption(
            "cultural_related", "Cultural and related services (incl. libraries)",
            ("cultural_related",), BEFORE_SHARING,
            "Libraries sit in this line with culture, heritage, sport, parks and tourism.",
        ),
        ServiceOption(
            "library_service", "Library service", ("library_service",), BEFORE_SHARING,
            "The library line of the RO5 return, from 2008-09; RO5 for 2012-13 and 2013-14 "
            "was not found, so those years are a gap. Shared library services may allocate "
            "costs between the councils: compare with care.",
        ),
        ServiceOption(
            "central_services", "Central services", ("central_services",),
            BEFORE_SHARING,
            "Corporate and democratic core, council tax collection, elections and similar; "
            "it can be negative where income and recharges exceed spending.",
        ),
        ServiceOption(
            "public_health", "Public health", ("public_health",), ("2013-14",),
            "Public health moved to councils in April 2013, so figures start in 2013-14 "
            "(2013-14 = 100 for the index).",
        ),
        ServiceOption(
            "education", "Education services", ("education",), BEFORE_SHARING,
            "Includes schools: it falls sharply as schools become academies, which are "
            "funded outside the council, so a fall is not a saving.",
        ),
        ServiceOption(
            "highways_transport", "Highways and transport", ("highways_transport",),
            BEFORE_SHARING,
            "Often negative in central London, where parking income exceeds spending; an "
            "index is not shown where the base year is zero or negative.",
        ),
        ServiceOption(
            "housing_gfra", "Housing (General Fund)", ("housing_gfra",),
            BEFORE_SHARING,
        ),
        ServiceOption(
            "environmental_regulatory", "Environmental and regulatory services",
            ("environmental_regulatory",), BEFORE_SHARING,
        ),
        ServiceOption(
            "planning_development", "Planning and development", ("planning_development",),
            BEFORE_SHARING,
        ),
        ServiceOption(
            "total_service_expenditure", "Total service expenditure",
            ("total_service_expenditure",), BEFORE_SHARING,
            "Includes education, so it falls as schools become academies.",
        ),
    )
}


# Financial years: triborough.model.periods (the names here are the ones pages import).
financial_year_start = fy_start
financial_year_of = fy_label_of


def add_measure(
    spend: pl.DataFrame,
    measure: str,
    base_period: str | tuple[str, ...],
    basis: str = "cash",
    deflators: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add a ``value`` column in the chosen measure to rows of ``savings_spend_by_service``.

    basis 'real' first turns each year's £ thousand into 2024-25 prices with
    ``real_terms.deflate`` (``deflators``: rows of ``gdp_deflator``); 'cash' leaves it as
    published. cash: £ thousand. per_head: £ per person in the service's population band.
    index: each area's figure as a share of its own figure in ``base_period`` (x100), or of
    the average over several base years when a tuple is given (every one of them must have a
    figure). A missing figure stays missing; an index has no value where the base is missing,
    zero or negative (a ratio to a negative base reads backwards).
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    if basis == "real" and deflators is None:
        raise ValueError("real terms need the gdp_deflator rows")
    spend = in_basis(spend, basis, deflators if deflators is not None else pl.DataFrame(),
                     ("value_gbp_k",))
    if measure == "cash":
        return spend.with_columns(pl.col("value_gbp_k").alias("value"))
    if measure == "per_head":
        return spend.with_columns(
            pl.when(pl.col("population") > 0)
            .then(pl.col("value_gbp_k") * 1000 / pl.col("population"))
            .otherwise(None)
            .round(2)
            .alias("value")
        )
    return index_to_base(spend, base_period, source="value_gbp_k").with_columns(
        pl.col("value").round(1)
    )


def _median_series(frame: pl.DataFrame, role: str, series: str, label: str) -> pl.DataFrame:
    """The median over a group's areas for each period; a period nobody has is a gap."""
    periods = frame.select("period", "period_end").unique().sort("period_end")
    medians = (
        frame.filter((pl.col("role") == role) & pl.col("value").is_not_null())
        .group_by("period")
        .agg(pl.col("value").median().alias("value"), pl.len().alias("areas"))
    )
    return periods.join(medians, on="period", how="left").with_columns(
        pl.lit(series).alias("series"),
        pl.lit(label).alias("series_label"),
        pl.lit("comparator").alias("series_kind"),
        pl.col("areas").fill_null(0),
    )


def comparison_series(
    spend: pl.DataFrame,
    measure: str,
    base_period: str | tuple[str, ...],
    first_year: int,
    last_year: int,
    basis: str = "cash",
    deflators: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Chart rows: one series per borough, the London and peer medians, and England.

    The measure is worked out for every area first and the median taken afterwards, so the
    London median per head is the middle borough's spend per head (not London's total
    divided by London's residents). England is left out of cash charts, where its total
    would dwarf any borough. Years outside ``first_year``..``last_year`` are dropped after
    the index is worked out, so the index keeps its base even when the base year is hidden.
    """
    valued = add_measure(spend, measure, base_period, basis, deflators)
    boroughs = (
        valued.filter(pl.col("role") == "borough")
        .with_columns(
            pl.col("area_code").alias("series"),
            pl.col("area_name").alias("series_label"),
            pl.lit("area").alias("series_kind"),
            pl.lit(1).cast(pl.UInt32).alias("areas"),
        )
    )
    parts = [
        boroughs,
        _median_series(valued, "london", "london_median", LONDON_MEDIAN),
        _median_series(valued, "peer", "peer_median", PEER_MEDIAN),
    ]
    if measure != "cash":
        parts.append(
            valued.filter(pl.col("role") == "england").with_columns(
                pl.lit(ENGLAND).alias("series"),
                pl.lit("England").alias("series_label"),
                pl.lit("comparator").alias("series_kind"),
                pl.lit(1).cast(pl.UInt32).alias("areas"),
            )
        )
    cols = ["series", "series_label", "series_kind", "period", "period_end", "value", "areas"]
    out = pl.concat([p.select(cols) for p in parts], how="vertical_relaxed")
    # Boroughs in the fixed order, then comparators, so legends read the same on every page.
    order = {code: i for i, code in enumerate(BOROUGH_CODES)}
    return (
        out.filter(
            pl.col("period").str.slice(0, 4).cast(pl.Int32).is_between(first_year, last_year)
        )
        .with_columns(pl.col("series").replace_strict(order, default=9).alias("_o"))
        .sort("_o", "series", "period_end")
        .drop("_o")
    )


def borough_changes(
    series: pl.DataFrame, base: str | tuple[str, ...] = ()
) -> dict[str, Change]:
    """Each borough's change from its base to its latest published figure (gaps skipped,
    never zeros): ``narrative.series_changes`` over the borough lines."""
    return series_changes(series, base, "area")


def milestone_events(milestones: pl.DataFrame) -> list[tuple[dt.date, str]]:
    """Short labels for the programme's reported targets and events, one line per date.

    Targets on the same date are joined ('£40m then £43m a year target'). Left out: the
    start of sharing (the shaded period shows it) and one-year plans such as '£7.7m planned
    in 2012/13', which are not a year-on-year target and would crowd the chart.
    """
    targets: dict[dt.date, list[tuple[str, str]]] = {}
    others: dict[dt.date, list[str]] = {}
    for row in milestones.sort("date", "value_gbp_m").iter_rows(named=True):
        label = str(row["label"])
        low = label.lower()
        if row["kind"] == "target" and row["value_gbp_m"] is not None:
            if "projected" in low:
                phrase = "a year projected"
            elif "a year" in low:
                phrase = "a year target"
            else:
                continue
            targets.setdefault(row["date"], []).append((f"£{row['value_gbp_m']:g}m", phrase))
        elif "notice" in low:
            others.setdefault(row["date"], []).append("Notice to end sharing")
        elif "split" in low:
            others.setdefault(row["date"], []).append("Split takes effect")
        elif "begin" not in low:
            others.setdefault(row["date"], []).append(
                label if len(label) <= 30 else label[:29] + "…"
            )
    texts: dict[dt.date, list[str]] = {}
    for day, items in targets.items():
        phrases = {p for _, p in items}
        if len(phrases) == 1:
            text = " then ".join(a for a, _ in items) + f" {items[0][1]}"
        else:
            text = "; ".join(f"{a} {p}" for a, p in items)
        texts.setdefault(day, []).append(f"{text} ({financial_year_of(day)})")
    for day, items in others.items():
        texts.setdefault(day, []).extend(items)
    return [(day, "; ".join(texts[day])) for day in sorted(texts)]


def reported_targets(milestones: pl.DataFrame) -> pl.DataFrame:
    """Reported programme targets (£ million a year) by the financial year they refer to."""
    targets = milestones.filter(
        (pl.col("kind") == "target") & pl.col("value_gbp_m").is_not_null()
    )
    return targets.select(
        pl.col("date").map_elements(financial_year_of, return_dtype=pl.String)
        .alias("financial_year"),
        pl.col("value_gbp_m"),
        pl.col("label"),
        pl.col("source_url"),
    ).sort("financial_year", "value_gbp_m")


def _years_between(first: str, last: str) -> list[str]:
    start, end = financial_year_start(first), financial_year_start(last)
    return [fy_label(y) for y in range(start, end + 1)]


def ledger_by_year(ledger: pl.DataFrame) -> pl.DataFrame:
    """Per borough and financial year: planned, delivered, one-off cost, net and cumulative net.

    Net is the year's delivered saving less its one-off cost; cumulative net adds those up
    from the first year. A year missing from the ledger (or with a missing figure) is kept
    as a gap, and the cumulative figure is unknown from that year on: summing across a hole
    would pass a missing year off as a year with no savings and no cost.
    """
    if ledger.is_empty():
        return pl.DataFrame(
            schema={"borough_code": pl.String, "financial_year": pl.String,
                    "planned_gbp_k": pl.Float64, "delivered_gbp_k": pl.Float64,
                    "one_off_cost_gbp_k": pl.Float64, "net_gbp_k": pl.Float64,
                    "cumulative_net_gbp_k": pl.Float64}
        )
    yearly = ledger.group_by("borough_code", "financial_year").agg(
        *(
            # A sum over rows any of which is missing is itself missing.
            pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()).alias(c)
            for c in ("planned_gbp_k", "delivered_gbp_k", "one_off_cost_gbp_k")
        )
    )
    rows: list[dict[str, object]] = []
    for code in yearly.get_column("borough_code").unique().sort().to_list():
        part = yearly.filter(pl.col("borough_code") == code)
        by_year = {r["financial_year"]: r for r in part.iter_rows(named=True)}
        years = sorted(by_year)
        running: float | None = 0.0
        for year in _years_between(years[0], years[-1]):
            r = by_year.get(year, {})
            delivered, cost = r.get("delivered_gbp_k"), r.get("one_off_cost_gbp_k")
            net = None if delivered is None or cost is None else delivered - cost
            running = None if running is None or net is None else running + net
            rows.append({
                "borough_code": code, "financial_year": year,
                "planned_gbp_k": r.get("planned_gbp_k"), "delivered_gbp_k": delivered,
                "one_off_cost_gbp_k": cost, "net_gbp_k": net, "cumulative_net_gbp_k": running,
            })
    order = {code: i for i, code in enumerate(BOROUGH_CODES)}
    return (
        pl.DataFrame(rows, schema_overrides={
            c: pl.Float64 for c in ("planned_gbp_k", "delivered_gbp_k", "one_off_cost_gbp_k",
                                    "net_gbp_k", "cumulative_net_gbp_k")
        })
        .with_columns(pl.col("borough_code").replace_strict(order, default=9).alias("_o"))
        .sort("_o", "financial_year")
        .drop("_o")
    )


def payback_year(yearly: pl.DataFrame) -> str | None:
    """The first financial year at whose end cumulative net savings are zero or more.

    ``yearly`` is one borough's rows from :func:`ledger_by_year`. None when the programme
    has not paid back in the years given, or when a gap makes the running total unknown
    before it does (a payback year that depends on a missing year would be a guess).
    """
    for row in yearly.sort("financial_year").iter_rows(named=True):
        cumulative = row["cumulative_net_gbp_k"]
        if cumulative is None:
            return None
        if cumulative >= 0:
            return row["financial_year"]
    return None


def ledger_summary(yearly: pl.DataFrame) -> pl.DataFrame:
    """One row per borough: totals over the ledger's years, final cumulative net, payback."""
    rows = []
    for code in yearly.get_column("borough_code").unique(maintain_order=True).to_list():
        part = yearly.filter(pl.col("borough_code") == code).sort("financial_year")
        complete = part.get_column("cumulative_net_gbp_k").null_count() == 0
        rows.append({
            "borough_code": code,
            "borough": borough_name(code),
            "years": f"{part['financial_year'][0]} to {part['financial_year'][-1]}",
            "planned_gbp_k": part["planned_gbp_k"].sum() if complete else None,
            "delivered_gbp_k": part["delivered_gbp_k"].sum() if complete else None,
            "one_off_cost_gbp_k": part["one_off_cost_gbp_k"].sum() if complete else None,
            "cumulative_net_gbp_k": part["cumulative_net_gbp_k"][-1],
            "payback_year": payback_year(part),
        })
    return pl.DataFrame(rows, schema_overrides={
        "planned_gbp_k": pl.Float64, "delivered_gbp_k": pl.Float64,
        "one_off_cost_gbp_k": pl.Float64, "cumulative_net_gbp_k": pl.Float64,
        "payback_year": pl.String,
    })


def programme_totals(yearly: pl.DataFrame) -> pl.DataFrame:
    """The boroughs' planned and delivered savings and one-off costs added up per year, £m."""
    return (
        yearly.group_by("financial_year")
        .agg(
            (pl.col(c).sum() / 1000).round(2).alias(c.replace("_gbp_k", "_gbp_m"))
            for c in ("planned_gbp_k", "delivered_gbp_k", "one_off_cost_gbp_k")
        )
        .sort("financial_year")
    )


def workstream_totals(ledger: pl.DataFrame) -> pl.DataFrame:
    """Delivered savings per borough and workstream over the ledger's years, £ thousand."""
    order = {w: i for i, w in enumerate(WORKSTREAM_LABELS)}
    return (
        ledger.group_by("borough_code", "workstream")
        .agg(pl.col("delivered_gbp_k").sum(), pl.col("one_off_cost_gbp_k").sum())
        .with_columns(
            pl.col("workstream").replace_strict(WORKSTREAM_LABELS, default=pl.col("workstream"))
            .alias("workstream_label"),
            pl.col("workstream").replace_strict(order, default=99).alias("_w"),
            pl.col("borough_code").replace_strict(
                {c: i for i, c in enumerate(BOROUGH_CODES)}, default=9
            ).alias("_b"),
        )
        .sort("_b", "_w")
        .drop("_b", "_w")
    )


# --- Reported claims, as a councillor reads them ------------------------------------------------

_CLAIM_UNITS = {
    "GBP million per year": "£{v}m a year",
    "GBP million": "£{v}m",
    "percent": "{v}%",
    "posts": "{v} posts",
}


def claim_figure(value: float | None, unit: str) -> str:
    """'£33.4m a year', '62 posts', '7.3%' from a reported claim's value and unit; a dash
    for a claim with no figure (an event such as the notice to end sharing)."""
    if value is None:
        return "—"
    shown = f"{value:,.1f}".removesuffix(".0")
    return _CLAIM_UNITS.get(unit, "{v} " + unit).format(v=shown)


def claims_on_screen(claims: pl.DataFrame) -> pl.DataFrame:
    """The reported claims in five columns that fit a laptop or tablet without scrolling:
    figure in words, and the source as a link. The download keeps every column."""
    return claims.select(
        "published",
        "what was claimed",
        pl.struct("value", "unit").map_elements(
            lambda r: claim_figure(r["value"], r["unit"]), return_dtype=pl.String
        ).alias("figure"),
        pl.col("for"),
        pl.concat_str(
            pl.col("published by"), pl.lit(" ([page]("), pl.col("source"), pl.lit("))")
        ).fill_null(pl.col("published by")).alias("source"),
    )
