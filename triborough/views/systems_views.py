"""The Systems and IT page's views: each section's frame, table, title and download metadata.

The page only lays these out (charts, controls, words around them); everything here is plain
polars on the named queries' results, so it is tested without a running app.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from triborough.figures.kept import kept
from triborough.model.arrangement import SPLIT as SPLIT_DATE
from triborough.model.boroughs import BOROUGH_BY_CODE, borough_name
from triborough.model.periods import period_span
from triborough.model.real_terms import basis_short, basis_words
from triborough.model.style import format_value
from triborough.views.page_pieces import View, illustrative_suffix
from triborough.views.provenance import council_table_meta, metadata_for
from triborough.views.systems import (
    DESK_MEASURES,
    ENDING_SOON_MONTHS,
    LABELS,
    PLATFORM_LABELS,
    TOWER_LABELS,
    latest_full_year,
)
from triborough.views.systems import annual_desk as _annual_desk
from triborough.views.systems import contract_rows as _contract_rows
from triborough.views.systems import platform_periods as _platform_periods

# The page's reshaping, kept per distinct input: recomputed on every rerun it was most of a
# warm Systems page (about 800 small polars collects a run).
annual_desk = kept(_annual_desk)
contract_rows = kept(_contract_rows)
platform_periods = kept(_platform_periods)

SPLIT = (SPLIT_DATE, "Split takes effect")
CONTRACT_KINDS: dict[str, tuple[str, list[str]]] = {
    "all": ("Towers and platforms", list(LABELS)),
    "towers": ("IT towers", list(TOWER_LABELS)),
    "platforms": ("Common platforms", list(PLATFORM_LABELS)),
}
_ORDER = {c: i for i, c in enumerate(BOROUGH_BY_CODE)}
_NAMES = {c: borough_name(c) for c in BOROUGH_BY_CODE}

# What the parts of a contract reference mean (the illustrative register's scheme). A
# council's own references follow its own scheme: those are shown as they are.
CODE_PARTS: dict[str, str] = {
    "PRE": "before sharing: the borough's own contract",
    "TB": "tri-borough: let jointly by all three councils",
    "BB": "bi-borough: Westminster and Kensington and Chelsea after the 2018 split",
    "HF": "Hammersmith and Fulham's own, after the 2018 split",
    "IT": "an IT tower contract",
    "DES": "desktop",
    "DSK": "desktop",
    "EUC": "end-user computing (desktop)",
    "SER": "service desk",
    "SDK": "service desk",
    "DAT": "data centre",
    "DC": "data centre",
    "NET": "network and telephony",
    "ERP": "ERP managed service (finance and HR)",
    "LMS": "library management system",
    "SC": "social care system",
    "BI": "business intelligence (BI) platform",
    "33": "Westminster (ONS code E09000033)",
    "13": "Hammersmith and Fulham (ONS code E09000013)",
    "20": "Kensington and Chelsea (ONS code E09000020)",
}


def _named(frame: pl.DataFrame, code: str = "borough_code") -> pl.DataFrame:
    return frame.with_columns(
        pl.col(code).alias("area_code"),
        pl.col(code).replace_strict(_NAMES, default=pl.col(code)).alias("series_label"),
    )


def _labelled(column: str, alias: str) -> pl.Expr:
    return pl.col(column).replace_strict(LABELS, default=pl.col(column)).alias(alias)


def suffix_for(rows: pl.DataFrame | None) -> str:
    """' (illustrative)' when any row of a council table is generated."""
    if rows is None or "is_illustrative" not in rows.columns:
        return ""
    return illustrative_suffix(rows["is_illustrative"])


def direction_words(polarity: str) -> str:
    """' Higher is better.' / ' Lower is better.' / '' for a polarity."""
    return {"higher_better": " Higher is better.", "lower_better": " Lower is better."}.get(
        polarity, "")


# --- 1. the service desk ---------------------------------------------------------------------

def desk_trend(desk: pl.DataFrame, measure_key: str, tower: str, years: tuple[int, int],
               window: tuple[dt.date, dt.date]) -> View | None:
    """The chosen measure by borough and financial year (None when no full year is shown)."""
    measure = DESK_MEASURES[measure_key]
    annual = annual_desk(desk, None if tower == "all" else [tower]).filter(
        pl.col("fy").is_between(*years))
    if annual.filter(pl.col(measure.column).is_not_null()).is_empty():
        return None
    words = "all four towers" if tower == "all" else TOWER_LABELS[tower].lower()
    span = period_span(annual.sort("fy").get_column("period").unique(maintain_order=True)
                       .to_list())
    trend = _named(annual).with_columns(
        pl.col("borough_code").alias("series"),
        pl.col(measure.column).cast(pl.Float64).alias("value"),
    )
    title = f"{measure.label}, {words}, {span}{suffix_for(desk)}"
    in_window = desk.filter(pl.col("month").is_between(*window))["is_illustrative"].to_list()
    return View(
        None, frame=trend,
        table=trend.select(pl.col("series_label").alias("borough"), "period", "months",
                           "tickets", "first_contact_pct", "sla_met_pct", "cost_per_user_gbp"),
        title=title,
        meta=council_table_meta(
            f"IT service desk by financial year, {words}: tickets, % resolved at first "
            "contact, % within service level, cost per staff user",
            "count; percent; £ a year per user",
            in_window or desk["is_illustrative"].to_list(), span),
        alt=f"Line chart of {title.lower()} for each borough.{direction_words(measure.polarity)}"
        " The same figures are in the table.",
        file_stem=f"triborough_service_desk_{measure_key}_{tower}",
        facts={"latest": latest_full_year(annual) or ""},
    )


def desk_by_tower(desk: pl.DataFrame, measure_key: str, latest: str) -> View:
    """The chosen measure for each tower and borough in the year ``latest`` ('2023-24')."""
    measure = DESK_MEASURES[measure_key]
    fy = int(latest[:4])
    by_tower = _named(pl.concat([
        annual_desk(desk, [code]).filter(pl.col("fy") == fy)
        .with_columns(pl.lit(label).alias("tower"))
        for code, label in TOWER_LABELS.items()
    ]))
    title = f"{measure.label} by tower, {latest}{suffix_for(desk)}"
    return View(
        None, frame=by_tower,
        table=by_tower.select(pl.col("series_label").alias("borough"), "tower", "tickets",
                              "first_contact_pct", "sla_met_pct", "cost_per_user_gbp"),
        title=title,
        meta=council_table_meta(f"IT service desk by tower, {latest}",
                                "count; percent; £ a year per user",
                                desk["is_illustrative"].to_list(), latest),
        alt=f"Grouped bar chart of {title.lower()}: one bar per borough for each tower."
        f"{direction_words(measure.polarity)} The same figures are in the table.",
        file_stem=f"triborough_service_desk_by_tower_{latest}",
    )


# --- 2. contracts ----------------------------------------------------------------------------

def _part_meaning(part: str) -> str | None:
    """One part of a reference in words; 'R2' is the second re-procurement of a contract."""
    if part in CODE_PARTS:
        return CODE_PARTS[part]
    renewal = re.fullmatch(r"R([1-9][0-9]?)", part)
    if renewal:
        return f"re-procured for a further term (term {int(renewal.group(1)) + 1})"
    return None


def code_meaning(contract_id: str) -> str:
    """A contract reference in words, part by part ('TB-IT-DSK': tri-borough … · desktop);
    a reference in another scheme (a council's own) is said to be so."""
    parts = [p for p in re.split(r"[-_ /]", contract_id.upper()) if p]
    meanings = [_part_meaning(p) for p in parts]
    if not parts or None in meanings:
        return "the council's own contract reference"
    return " · ".join(m for m in meanings if m)


def code_legend(contract_ids: list[str]) -> pl.DataFrame:
    """Each part of the references shown, with what it means, in the order first met."""
    seen: dict[str, str] = {}
    for cid in contract_ids:
        for part in (p for p in re.split(r"[-_ /]", cid.upper()) if p):
            meaning = _part_meaning(part)
            if meaning and part not in seen:
                seen[part] = meaning
    return pl.DataFrame({"code": list(seen), "means": list(seen.values())},
                        schema={"code": pl.String, "means": pl.String})


def full_label(rows: pl.DataFrame) -> pl.Expr:
    """Every contract's whole description, for the hover and the table (bars cut theirs)."""
    return pl.concat_str(
        [pl.col("contract_id"), pl.lit(": "), pl.col("vendor"),
         pl.when(pl.col("shared")).then(pl.lit(", joint")).otherwise(pl.lit("")),
         pl.lit(", "), pl.col("status")],
    ).alias("full_label")


@dataclass(frozen=True)
class ContractsView:
    """The contracts section: the timeline rows, the ending-soon table and the legend."""

    rows: pl.DataFrame
    soon: pl.DataFrame
    view: View
    legend: pl.DataFrame


def contracts_view(contracts: pl.DataFrame, kind: str, today: dt.date,
                   window: tuple[dt.date, dt.date]) -> ContractsView:
    """Contracts of ``kind`` running in ``window``, their statuses on ``today`` and words."""
    chosen = CONTRACT_KINDS[kind][1]
    rows = contract_rows(contracts, today).filter(
        pl.col("tower_or_system").is_in(chosen)
        & (pl.col("end") >= window[0]) & (pl.col("start") <= window[1])
    )
    rows = rows.with_columns(
        full_label(rows),
        pl.col("contract_id").map_elements(code_meaning, return_dtype=pl.String)
        .alias("reference means"),
    )
    soon = rows.filter(pl.col("ending_soon")).sort("end_date", "contract_id", "borough_code")
    title = f"Contracts by borough, tower and platform{suffix_for(contracts)}"
    table = rows.select(
        pl.col("series_label").alias("borough"), pl.col("contract_id").alias("contract"),
        _labelled("tower_or_system", "tower or system"), "vendor",
        pl.col("full_label").alias("bar label in full"), "reference means",
        "start_date", "end_date", "annual_value_gbp_k", "shared", "status",
    )
    view = View(
        None, frame=rows, table=table, title=title,
        meta=council_table_meta(
            "IT tower and platform contracts: vendor, start and end dates, this borough's "
            f"annual value, joint or not, status on {today:%d %B %Y}",
            "£ thousand a year (annual value)", rows["is_illustrative"].to_list(),
            f"{window[0]:%b %Y} to {window[1]:%b %Y}"),
        alt=f"Timeline of {title.lower()}: one row per tower or platform and borough, one bar "
        "per contract from start to end, labelled with the vendor. Contracts ending within "
        f"{ENDING_SOON_MONTHS} months have a heavy outline and a ⚑ label. The same contracts, "
        "with each bar's label in full, are in the table.",
        file_stem="triborough_contracts",
    )
    return ContractsView(rows, soon.select(
        pl.col("series_label").alias("borough"), pl.col("contract_id").alias("contract"),
        _labelled("tower_or_system", "tower or system"), "vendor",
        pl.col("end_date").alias("ends"), pl.col("annual_value_gbp_k").alias("annual value £k"),
    ), view, code_legend(rows["contract_id"].unique(maintain_order=True).to_list()))


def hover_in_full(fig: object, rows: pl.DataFrame, label: str = "series_label") -> None:
    """Put each bar's whole label (``full_label``) in its hover: the bar itself cuts it."""
    for trace in fig.data:  # type: ignore[attr-defined]
        part = rows.filter(pl.col(label) == trace.name)
        if part.height != len(trace.customdata or ()):
            continue
        trace.customdata = [[*old[:2], text] for old, text in
                            zip(trace.customdata, part["full_label"].to_list(), strict=True)]


# --- 3. platforms ----------------------------------------------------------------------------

def convergence_view(migrations: pl.DataFrame, today: dt.date,
                     window: tuple[dt.date, dt.date]) -> tuple[pl.DataFrame, View]:
    """The periods each borough ran each platform's systems, and the timeline's bars."""
    periods = platform_periods(migrations, today, window[0])
    short = {c: b.short for c, b in BOROUGH_BY_CODE.items()}
    bars = _named(periods.filter(
        (pl.col("end") >= window[0]) & (pl.col("start") <= max(window[1], today))
    )).with_columns(
        (pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform"))
         + " · " + pl.col("borough_code").replace_strict(short, default=pl.col("borough_code"))
         ).alias("row"),
        # Legacy bars are short and their names long: the table carries the full names.
        pl.when(pl.col("state") == "planned").then(pl.col("system") + " (planned)")
        .when(pl.col("state") == "before the move").then(pl.lit("Legacy"))
        .otherwise(pl.col("system")).alias("text"),
        (~pl.col("common")).alias("muted"),
    ).sort("platform", pl.col("borough_code").replace_strict(_ORDER, default=9), "start")
    title = f"Which system each borough ran, by platform{suffix_for(migrations)}"
    return periods, View(
        None, frame=bars,
        table=bars.select(
            pl.col("series_label").alias("borough"),
            pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")),
            "system", pl.col("start").alias("from"), pl.col("end").alias("to"), "state",
            pl.col("common").alias("common platform")),
        title=title,
        meta=council_table_meta(
            "Systems each borough ran for the four common platforms, from go-live to the next "
            "move (or today)", "dates", migrations["is_illustrative"].to_list(),
            f"{window[0]:%b %Y} to {today:%b %Y}"),
        alt=f"Timeline of {title.lower()}: one row per platform and borough; bars in the "
        "borough's colour and pattern are a common platform shared with another borough, grey "
        "bars an own or legacy system, each labelled with the system's name. The same periods "
        "are in the table.",
        file_stem="triborough_platform_convergence",
    )


# --- 4. central services ---------------------------------------------------------------------

CENTRAL_MEASURES = {"nce_central_services": "Total £ thousand",
                    "spend_ph_central_services": "Per resident £"}
_CAVEAT_EXAMPLES = {
    "E09000033": "negative in 2012-13 and 2017-18 for Westminster",
    "E09000020": "a single year standing out for Kensington and Chelsea (2017-18)",
}


def central_view(trend: pl.DataFrame, catalogue: pl.DataFrame, measure: str, basis: str,
                 deflators: pl.DataFrame, areas: list[str]) -> View | None:
    """Central services spend against London (None when no borough has a figure); its notes
    carry the latest figures in words, the shading and the caveat."""
    if trend.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null()).is_empty():
        return None
    total = measure == "nce_central_services"
    if total:  # England's total would dwarf any borough on a cash chart.
        trend = trend.filter(pl.col("series") != "E92000001")
    # Boroughs in their fixed order first, so legends read the same on every chart.
    trend = trend.with_columns(pl.col("series").replace_strict(_ORDER, default=9).alias("_o")
                               ).sort("_o", "series", "period_end").drop("_o")
    name = catalogue.filter(pl.col("code") == measure).row(0, named=True)["name"]
    unit = ("£ thousand" if total else "£ per resident") + f", {basis_short(basis)}"
    span = period_span(trend.sort("period_end").get_column("period").unique(
        maintain_order=True).to_list())
    title = f"{name}, {span}"
    meta = metadata_for(catalogue, span) | {"unit": unit,
                                            "prices": basis_words(basis, deflators)}
    return View(
        None, frame=trend,
        table=trend.select(pl.col("series_label").alias("area"), "period",
                           pl.col("value").alias(unit)),
        title=title, meta=meta,
        alt=f"Line chart of {title.lower()} for the chosen boroughs and the London median"
        f"{'' if total else ' and England'}. The same figures are in the table.",
        file_stem=f"triborough_{measure}",
        facts={"unit": unit, "latest": latest_words(trend, areas, total),
               "caveat": "; ".join(_CAVEAT_EXAMPLES[c] for c in areas
                                   if c in _CAVEAT_EXAMPLES)},
    )


def latest_words(trend: pl.DataFrame, areas: list[str], total: bool) -> str:
    """'**Westminster** £1.2m in 2024-25 (London median £…); …' for the boroughs shown."""
    latest = (trend.filter((pl.col("series_kind") == "area") & pl.col("value").is_not_null())
              .sort("period_end").group_by("series", maintain_order=True).last())
    fmt = "gbp_thousand" if total else "gbp"
    london = trend.filter(pl.col("series") == "london_median")
    by_code = {r["series"]: r for r in latest.iter_rows(named=True)}
    words = []
    for r in (by_code[c] for c in areas if c in by_code):
        lm = london.filter(pl.col("period") == r["period"]).get_column("value")
        beside = f" (London median {format_value(lm[0], fmt)})" if lm.len() else ""
        words.append(f"**{r['series_label']}** {format_value(r['value'], fmt)} in "
                     f"{r['period']}{beside}")
    return "; ".join(words)


def generated_until(build: pl.DataFrame) -> str:
    """'30 November 2026, the day the warehouse was built': where the illustrative contracts
    stop, from ``meta_build`` (an older warehouse without the date says so)."""
    dates = build.get_column("illustrative_until").drop_nulls() if not build.is_empty() else None
    if dates is None or dates.is_empty():
        return "the day the warehouse was built (this warehouse does not record it)"
    return f"{dates[0]:%-d %B %Y}, the day the warehouse was built"
