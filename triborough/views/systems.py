"""Systems and IT: service-desk measures by tower, contract end dates, platform convergence.

The Systems page stays thin: named queries fetch the council tables, and these functions
carry the rules worth testing (what counts as a full year, when a contract is 'ending soon',
which system a borough was on when, and when the boroughs converged on a common platform).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import polars as pl

from triborough.model.boroughs import BOROUGH_BY_CODE, BOROUGH_CODES
from triborough.model.contracts import PLATFORMS, TOWERS
from triborough.model.periods import fy_label, fy_start_of

TOWER_LABELS: dict[str, str] = {
    "desktop": "Desktop",
    "service_desk": "Service desk",
    "data_centre": "Data centre",
    "network_telephony": "Network and telephony",
}
PLATFORM_LABELS: dict[str, str] = {
    "erp_managed_service": "ERP managed service",
    "library_management": "Library management",
    "social_care": "Social care",
    "bi_platform": "BI platform",
}
LABELS: dict[str, str] = TOWER_LABELS | PLATFORM_LABELS
ENDING_SOON_MONTHS = 12
# Statuses under which a migration actually moved a borough onto a system.
MOVED_STATUSES = ("live", "in_progress")


@dataclass(frozen=True)
class DeskMeasure:
    """A service-desk measure: its column in :func:`annual_desk`, unit and reading."""

    column: str
    label: str
    unit: str  # style.format_value unit
    polarity: str
    short: str  # for the control that picks it


DESK_MEASURES: dict[str, DeskMeasure] = {
    "tickets": DeskMeasure("tickets", "Tickets logged in the year", "count", "neither",
                           "Tickets"),
    "first_contact_pct": DeskMeasure(
        "first_contact_pct", "Tickets resolved at first contact (%)", "percent",
        "higher_better", "First contact %"),
    "sla_met_pct": DeskMeasure(
        "sla_met_pct", "Tickets resolved within the service level (%)", "percent",
        "higher_better", "Within SLA %"),
    "cost_per_user": DeskMeasure(
        "cost_per_user_gbp", "Cost per staff user (£ a year)", "gbp", "lower_better",
        "Cost per user £"),
}


# Financial years: triborough.model.periods (the names here are the ones pages import).
financial_year = fy_start_of


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, held to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def annual_desk(monthly: pl.DataFrame, towers: list[str] | None = None) -> pl.DataFrame:
    """Service-desk figures per borough and financial year, for the chosen towers.

    Percentages are of all tickets in the year (not an average of monthly percentages);
    cost per user is the year's cost over the average number of staff users. A year with
    fewer than twelve months of figures is kept as a row with empty values, so a chart shows
    a gap rather than a part-year that looks like a fall.
    """
    chosen = monthly if not towers else monthly.filter(pl.col("tower").is_in(towers))
    months = (
        chosen.with_columns(
            pl.col("month").map_elements(financial_year, return_dtype=pl.Int32).alias("fy")
        )
        .group_by("borough_code", "fy", "month")
        .agg(
            pl.col("tickets").sum(),
            pl.col("first_contact_resolved").sum(),
            pl.col("sla_met").sum(),
            # Users are the borough's staff, repeated on every tower's row: count them once.
            pl.col("users").max(),
            pl.col("cost_gbp").sum(),
        )
    )
    yearly = months.group_by("borough_code", "fy").agg(
        pl.len().alias("months"),
        pl.col("tickets").sum(),
        pl.col("first_contact_resolved").sum(),
        pl.col("sla_met").sum(),
        pl.col("users").mean().alias("avg_users"),
        pl.col("cost_gbp").sum(),
    )
    full = pl.col("months") == 12
    order = {code: i for i, code in enumerate(BOROUGH_CODES)}
    return (
        yearly.with_columns(
            pl.when(full).then(pl.col("tickets")).alias("tickets"),
            pl.when(full & (pl.col("tickets") > 0))
            .then((100 * pl.col("first_contact_resolved") / pl.col("tickets")).round(1))
            .alias("first_contact_pct"),
            pl.when(full & (pl.col("tickets") > 0))
            .then((100 * pl.col("sla_met") / pl.col("tickets")).round(1))
            .alias("sla_met_pct"),
            pl.when(full & (pl.col("avg_users") > 0))
            .then((pl.col("cost_gbp") / pl.col("avg_users")).round(0))
            .alias("cost_per_user_gbp"),
            pl.col("fy").map_elements(fy_label, return_dtype=pl.String).alias("period"),
            pl.date(pl.col("fy") + 1, 3, 31).alias("period_end"),
            pl.col("borough_code").replace_strict(order, default=9).alias("_o"),
        )
        .sort("_o", "fy")
        .drop("_o", "first_contact_resolved", "sla_met")
    )


def latest_full_year(annual: pl.DataFrame) -> str | None:
    """The latest financial year every borough shown has a full year of figures for."""
    full = annual.filter(pl.col("months") == 12)
    if full.is_empty():
        return None
    boroughs = annual.get_column("borough_code").n_unique()
    common = full.group_by("period").agg(pl.col("borough_code").n_unique().alias("n"))
    years = common.filter(pl.col("n") == boroughs).get_column("period").sort()
    return years[-1] if years.len() else None


def contract_status(start: dt.date, end: dt.date, today: dt.date,
                    months: int = ENDING_SOON_MONTHS) -> str:
    """Where a contract stands on ``today``: not started, running, ending soon, or ended.

    'ending soon' means it ends on or after today and within ``months`` months of it: the
    window in which a re-procurement or an exit has to be under way. That flag wins over
    'not started', since a short contract starting soon still needs its exit planned now.
    """
    if end < today:
        return "ended"
    if end <= add_months(today, months):
        return f"ends within {months} months"
    if start > today:
        return "not started"
    return "running"


def with_contract_status(contracts: pl.DataFrame, today: dt.date,
                         months: int = ENDING_SOON_MONTHS) -> pl.DataFrame:
    """Contracts with a ``status`` and an ``ending_soon`` flag as of ``today``."""
    statuses = [
        contract_status(s, e, today, months)
        for s, e in zip(contracts["start_date"].to_list(), contracts["end_date"].to_list(),
                        strict=True)
    ]
    return contracts.with_columns(
        pl.Series("status", statuses, dtype=pl.String),
        pl.Series("ending_soon", [s.startswith("ends within") for s in statuses],
                  dtype=pl.Boolean),
    )


def ending_soon(contracts: pl.DataFrame, today: dt.date,
                months: int = ENDING_SOON_MONTHS) -> pl.DataFrame:
    """Contracts that end on or after ``today`` and within ``months`` months, soonest first.

    A contract that has not started yet but already ends inside the window is included: it
    still needs a decision in that window.
    """
    horizon = add_months(today, months)
    return contracts.filter(
        (pl.col("end_date") >= today) & (pl.col("end_date") <= horizon)
    ).sort("end_date", "contract_id", "borough_code")


def contract_rows(contracts: pl.DataFrame, today: dt.date,
                  months: int = ENDING_SOON_MONTHS) -> pl.DataFrame:
    """Timeline rows: one bar per contract and borough, labelled with vendor and status."""
    short = {c: b.short for c, b in BOROUGH_BY_CODE.items()}
    dated = with_contract_status(contracts, today, months)
    return dated.with_columns(
        (
            pl.col("tower_or_system").replace_strict(LABELS, default=pl.col("tower_or_system"))
            + " · "
            + pl.col("borough_code").replace_strict(short, default=pl.col("borough_code"))
        ).alias("row"),
        pl.col("start_date").alias("start"),
        pl.col("end_date").alias("end"),
        pl.col("borough_code").alias("area_code"),
        pl.col("area_name").alias("series_label"),
        pl.when(pl.col("ending_soon"))
        .then(pl.lit("⚑ ") + pl.col("vendor") + pl.lit(f" (ends within {months} months)"))
        .otherwise(pl.col("vendor") + pl.when(pl.col("shared")).then(pl.lit(" (joint)"))
                   .otherwise(pl.lit("")))
        .alias("text"),
        pl.col("tower_or_system").replace_strict(
            {k: i for i, k in enumerate(TOWERS + PLATFORMS)}, default=99
        ).alias("_t"),
        pl.col("borough_code").replace_strict(
            {c: i for i, c in enumerate(BOROUGH_CODES)}, default=9
        ).alias("_b"),
    ).sort("_t", "_b", "start_date").drop("_t", "_b")


def common_systems(migrations: pl.DataFrame) -> dict[str, set[str]]:
    """Per platform, the systems two or more boroughs moved onto: the common platforms.

    A system only one borough uses is that borough's own, however it is named.
    """
    moved = migrations.filter(pl.col("status").is_in(MOVED_STATUSES))
    counts = moved.group_by("platform", "to_system").agg(
        pl.col("borough_code").n_unique().alias("n")
    )
    out: dict[str, set[str]] = {}
    for row in counts.filter(pl.col("n") >= 2).iter_rows(named=True):
        out.setdefault(row["platform"], set()).add(row["to_system"])
    return out


def platform_periods(migrations: pl.DataFrame, today: dt.date,
                     window_start: dt.date) -> pl.DataFrame:
    """Which system each borough ran for each platform, and when.

    Each migration that went live (or is in progress) starts a period on its ``to_system``
    that lasts until the borough's next move on that platform, or until ``today``. Before
    the first move the borough is on its ``from_system`` from ``window_start``. Planned
    moves show as a six-month period from their go-live date marked 'planned'; rolled-back
    and cancelled moves start nothing (the borough stays where it was). ``common`` says
    whether the system is a common platform; ``ongoing`` whether the borough still runs it.
    """
    common = common_systems(migrations)
    rows: list[dict[str, object]] = []
    keys = migrations.select("borough_code", "platform").unique().sort("platform",
                                                                       "borough_code")
    for key in keys.iter_rows(named=True):
        moves = migrations.filter(
            (pl.col("borough_code") == key["borough_code"])
            & (pl.col("platform") == key["platform"])
        ).sort("go_live_date")
        real = moves.filter(pl.col("status").is_in(MOVED_STATUSES)).to_dicts()
        planned = moves.filter(pl.col("status") == "planned").to_dicts()
        base = {"borough_code": key["borough_code"], "platform": key["platform"]}
        # Until its first real move a borough runs the system that move (or the first move
        # asked about, if none went ahead) replaced; with no real move it still does.
        first = (real or planned or moves.to_dicts())[0]
        if real:
            until = real[0]["go_live_date"]
        elif planned:
            until = planned[0]["go_live_date"]
        else:
            until = today
        if until > window_start:
            rows.append({**base, "system": first["from_system"], "start": window_start,
                         "end": until, "state": "before the move", "ongoing": not real})
        for i, move in enumerate(real):
            last = i + 1 == len(real)
            end = max(today, move["go_live_date"]) if last else real[i + 1]["go_live_date"]
            rows.append({**base, "system": move["to_system"], "start": move["go_live_date"],
                         "end": end, "state": move["status"], "ongoing": last})
        for move in planned:
            rows.append({**base, "system": move["to_system"], "start": move["go_live_date"],
                         "end": add_months(move["go_live_date"], 6), "state": "planned",
                         "ongoing": False})
    schema = {"borough_code": pl.String, "platform": pl.String, "system": pl.String,
              "start": pl.Date, "end": pl.Date, "state": pl.String, "ongoing": pl.Boolean}
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        pl.struct("platform", "system").map_elements(
            lambda r: r["system"] in common.get(r["platform"], set()), return_dtype=pl.Boolean
        ).alias("common")
    ) if not frame.is_empty() else frame.with_columns(pl.lit(False).alias("common"))


def convergence(periods: pl.DataFrame, boroughs: list[str]) -> pl.DataFrame:
    """Per platform and common system: which boroughs ran it, the date from which all of
    ``boroughs`` were on it (when the last one joined), and the date the first one left it.

    Empty dates mean 'not (yet)': not every borough shown joined, or nobody has left.
    """
    rows = []
    live = periods.filter(pl.col("common") & (pl.col("state") != "planned"))
    for platform in PLATFORMS:
        part = live.filter(pl.col("platform") == platform)
        for system in part.get_column("system").unique().sort().to_list():
            on = part.filter(pl.col("system") == system)
            joined = {r["borough_code"]: r["start"] for r in on.iter_rows(named=True)}
            left = on.filter(~pl.col("ongoing")).get_column("end").to_list()
            rows.append({
                "platform": PLATFORM_LABELS.get(platform, platform),
                "common system": system,
                "boroughs on it": ", ".join(
                    BOROUGH_BY_CODE[b].short for b in BOROUGH_CODES if b in joined
                ),
                "all shown on it from": max(joined.values())
                if all(b in joined for b in boroughs) else None,
                "first to leave": min(left) if left else None,
            })
    return pl.DataFrame(rows, schema={
        "platform": pl.String, "common system": pl.String, "boroughs on it": pl.String,
        "all shown on it from": pl.Date, "first to leave": pl.Date,
    })
