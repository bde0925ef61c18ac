"""Illustrative council tables that need no published input: savings ledger, service desk,
contracts, system migrations and KPI targets, plus the helpers every generator shares.

Deterministic: pseudo-random numbers come from hashing fixed keys (``_u``), never from a clock
or random state. Savings are calibrated to the reported programme figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import duckdb
import polars as pl

from triborough.model.arrangement import SPLIT  # H&F's services sovereign from here
from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.contracts import CONTRACT_BY_NAME, TOWERS
from triborough.model.periods import fy_label

WCC, HF, RBKC = BOROUGH_CODES
SOURCE = "illustrative"
SEED = 20110601  # part of every hashed key: change it and every generated figure changes
FIRST_MONTH = dt.date(2011, 4, 1)
LAST_MONTH = dt.date(2025, 3, 1)
LAST_DAY = dt.date(2025, 3, 31)

# Reported programme figures (see data/public/programme_reported.csv for the pages quoted).
REPORTED_TARGET_2015_16_GBP_K = 43_000  # "on track to save £43million a year by 2015/16"
REPORTED_HF_2016_17_GBP_K = 13_000  # "saves ... an estimated £13 million a year in H&F"
FINANCIAL_YEARS = tuple(fy_label(y) for y in range(2011, 2019))
# Annual savings across the three boroughs, £ thousand. Delivered ramps up to the £43m
# reported for 2015-16 and falls back after the 2018 split; planned follows the published
# £7.7m (2012-13), £33.4m projection (2014-15) and £40m target (2015-16).
DELIVERED_TOTAL_K = dict(zip(FINANCIAL_YEARS, (
    2_900, 8_100, 21_500, 34_600, REPORTED_TARGET_2015_16_GBP_K, 44_200, 43_600, 29_500,
), strict=True))
PLANNED_TOTAL_K = dict(zip(FINANCIAL_YEARS, (
    3_000, 7_700, 20_000, 33_400, 40_000, 43_000, 43_000, 30_000,
), strict=True))
ONE_OFF_TOTAL_K = dict(zip(FINANCIAL_YEARS, (
    9_000, 6_200, 4_100, 5_600, 4_400, 1_600, 2_700, 6_300,
), strict=True))
BOROUGH_SHARE = {WCC: 0.37, HF: 0.30, RBKC: 0.33}
BOROUGH_SHARE_AFTER_SPLIT = {WCC: 0.46, HF: 0.12, RBKC: 0.42}
# Share of each year's savings by workstream (2011-12 .. 2018-19): management delayering
# first, then merged front-line teams; ERP and IT towers only once those contracts went live.
WORKSTREAM_WEIGHTS: dict[str, tuple[float, ...]] = {
    "shared_management": (0.70, 0.50, 0.35, 0.28, 0.25, 0.24, 0.24, 0.25),
    "front_line_merger": (0.20, 0.30, 0.35, 0.35, 0.33, 0.33, 0.33, 0.30),
    "procurement": (0.10, 0.15, 0.15, 0.14, 0.14, 0.14, 0.14, 0.16),
    "erp_back_office": (0.00, 0.00, 0.05, 0.12, 0.15, 0.16, 0.16, 0.16),
    "it_towers": (0.00, 0.05, 0.10, 0.11, 0.13, 0.13, 0.13, 0.13),
}


def _u(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) from a key (same key, same number)."""
    digest = hashlib.blake2b(repr((SEED, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer total in proportion to weights, exactly (largest remainder)."""
    wsum = sum(weights)
    if total == 0 or wsum == 0:
        return [0] * len(weights)
    raw = [total * w / wsum for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _borough_totals(year: str, total: int, pin_hf: int | None) -> dict[str, int]:
    shares = BOROUGH_SHARE_AFTER_SPLIT if year >= "2018-19" else BOROUGH_SHARE
    if pin_hf is None:
        return dict(zip(BOROUGH_CODES, _allocate(total, [shares[b] for b in BOROUGH_CODES]),
                        strict=True))
    rest = _allocate(total - pin_hf, [shares[WCC], shares[RBKC]])
    return {WCC: rest[0], HF: pin_hf, RBKC: rest[1]}


def savings_rows() -> pl.DataFrame:
    """The savings ledger: borough x financial year x workstream, calibrated to the totals."""
    rows: list[dict[str, object]] = []
    for yi, year in enumerate(FINANCIAL_YEARS):
        pin = REPORTED_HF_2016_17_GBP_K if year == "2016-17" else None
        per_measure = {
            "planned_gbp_k": _borough_totals(year, PLANNED_TOTAL_K[year], None),
            "delivered_gbp_k": _borough_totals(year, DELIVERED_TOTAL_K[year], pin),
            "one_off_cost_gbp_k": _borough_totals(year, ONE_OFF_TOTAL_K[year], None),
        }
        split: dict[str, dict[str, list[int]]] = {}
        for measure, by_borough in per_measure.items():
            for borough, amount in by_borough.items():
                weights = []
                for ws, ys in WORKSTREAM_WEIGHTS.items():
                    w = ys[yi] * (0.85 + 0.3 * _u("savings", measure, borough, year, ws))
                    if borough == HF and year >= "2018-19" and ws in (
                        "shared_management", "front_line_merger"
                    ):
                        w *= 0.1  # H&F left the merged teams; little of that saving remains
                    weights.append(w)
                split.setdefault(borough, {})[measure] = _allocate(amount, weights)
        for borough in BOROUGH_CODES:
            for wi, ws in enumerate(WORKSTREAM_WEIGHTS):
                rows.append({
                    "borough_code": borough, "financial_year": year, "workstream": ws,
                    **{m: float(split[borough][m][wi]) for m in per_measure},
                })
    return pl.DataFrame(rows)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def service_desk_rows() -> pl.DataFrame:
    """Monthly service-desk figures per borough and IT tower, 2012-13 onwards.

    The towers went live in April 2014: service levels dip through the transition year and
    recover; cost per user falls; H&F's figures move to its own arrangements after the split.
    """
    staff = {WCC: 4300, HF: 3700, RBKC: 3500}
    per_user = {"service_desk": 0.42, "desktop": 0.22, "network_telephony": 0.07,
                "data_centre": 0.03}
    fcr_base = {"service_desk": 0.72, "desktop": 0.55, "network_telephony": 0.35,
                "data_centre": 0.20}
    cost_share = {"service_desk": 0.22, "desktop": 0.38, "network_telephony": 0.22,
                  "data_centre": 0.18}
    towers_live = dt.date(2014, 4, 1)
    rows = []
    for month in months_between(dt.date(2012, 4, 1), LAST_MONTH):
        years = (month - dt.date(2012, 4, 1)).days / 365.25
        for borough in BOROUGH_CODES:
            users = round(staff[borough] * (1 - 0.012 * years)
                          * (0.99 + 0.02 * _u("users", borough, month)))
            transition = towers_live <= month < dt.date(2015, 4, 1)
            sovereign = borough == HF and month >= SPLIT
            cost_per_user = 46.0 if month < towers_live else 39.0
            if sovereign:
                cost_per_user = 42.0
            for tower in TOWERS:
                key = (borough, month, tower)
                tickets = round(users * per_user[tower] * (0.85 + 0.3 * _u("tickets", *key)))
                fcr = fcr_base[tower] + (0.04 if month >= dt.date(2016, 4, 1) else 0.0)
                sla = 0.91 - (0.10 if transition else 0.0) + (0.03 if years > 4 else 0.0)
                if sovereign:
                    sla -= 0.02
                fcr_n = round(tickets * min(0.98, fcr + 0.06 * (_u("fcr", *key) - 0.5)))
                sla_n = round(tickets * min(0.99, sla + 0.04 * (_u("sla", *key) - 0.5)))
                cost = users * cost_per_user * cost_share[tower] * (
                    0.95 + 0.1 * _u("cost", *key))
                rows.append({
                    "borough_code": borough, "month": month, "tower": tower,
                    "tickets": tickets, "first_contact_resolved": fcr_n, "sla_met": sla_n,
                    "users": users, "cost_gbp": round(cost, 2),
                })
    return pl.DataFrame(rows)


# (contract_id, tower_or_system, vendor, start, end, annual value £k for all three, shared,
#  boroughs). Vendors are deliberately neutral: these rows are illustrative.
_CONTRACT_SPECS: tuple[tuple, ...] = (
    *(
        (f"PRE-{t[:3].upper()}-{b[-2:]}", t, v, "2009-04-01", "2014-03-31", val, False, (b,))
        for t, val in (("desktop", 900), ("service_desk", 520), ("data_centre", 610),
                       ("network_telephony", 700))
        for b, v in ((WCC, "Vendor K"), (HF, "Vendor L"), (RBKC, "Vendor M"))
    ),
    ("TB-IT-DSK", "desktop", "Vendor A", "2014-04-01", "2019-03-31", 2400, True, BOROUGH_CODES),
    ("TB-IT-SDK", "service_desk", "Vendor A", "2014-04-01", "2019-03-31", 1350, True,
     BOROUGH_CODES),
    ("TB-IT-DC", "data_centre", "Vendor B", "2014-04-01", "2021-03-31", 1600, True,
     BOROUGH_CODES),
    ("TB-IT-NET", "network_telephony", "Vendor C", "2014-04-01", "2021-03-31", 1850, True,
     BOROUGH_CODES),
    ("TB-ERP", "erp_managed_service", "Vendor D", "2015-04-01", "2020-03-31", 4800, True,
     BOROUGH_CODES),
    ("TB-LMS", "library_management", "Vendor E", "2013-04-01", "2023-03-31", 330, True,
     BOROUGH_CODES),
    ("TB-SC", "social_care", "Vendor F", "2015-10-01", "2022-09-30", 1500, True, BOROUGH_CODES),
    ("TB-BI", "bi_platform", "Vendor G", "2016-07-01", "2021-06-30", 240, True, BOROUGH_CODES),
    ("BB-IT-EUC", "desktop", "Vendor H", "2019-04-01", "2026-03-31", 1900, True, (WCC, RBKC)),
    ("BB-IT-SDK", "service_desk", "Vendor H", "2019-04-01", "2026-03-31", 900, True,
     (WCC, RBKC)),
    ("BB-ERP", "erp_managed_service", "Vendor J", "2020-04-01", "2027-03-31", 3300, True,
     (WCC, RBKC)),
    ("HF-IT-EUC", "desktop", "Vendor N", "2019-04-01", "2024-03-31", 950, False, (HF,)),
    ("HF-IT-SDK", "service_desk", "Vendor N", "2019-04-01", "2024-03-31", 480, False, (HF,)),
    ("HF-ERP", "erp_managed_service", "Vendor P", "2020-04-01", "2027-03-31", 1500, False,
     (HF,)),
    ("HF-SC", "social_care", "Vendor F", "2018-11-01", "2025-10-31", 560, False, (HF,)),
)


RENEWAL_YEARS = 5  # term of a generated re-procurement
VENDORS = tuple(f"Vendor {c}" for c in "ABCDEFGHJKLMNPQRSTUVWXYZ")


def _renewals(until: dt.date) -> list[tuple]:
    """Re-procurements, term after term until one runs past ``until``, of every contract for
    the boroughs no later contract took over: a tri-borough contract ending after the split is
    renewed twice, for Westminster and Kensington and Chelsea together and for Hammersmith
    and Fulham alone."""
    specs = []
    for cid, what, _vendor, began, end, value, _shared, boroughs in _CONTRACT_SPECS:
        # the boroughs no later contract for the same tower or system took over
        left = tuple(b for b in boroughs if not any(
            other[1] == what and other[3] > began and b in other[7]
            for other in _CONTRACT_SPECS))
        if not left:
            continue
        share = sum(BOROUGH_SHARE[b] for b in left) / sum(BOROUGH_SHARE[b] for b in boroughs)
        lines = [(cid, round(value * share), left, len(left) > 1)]
        if len(left) == 3 and dt.date.fromisoformat(end) >= SPLIT:
            both = BOROUGH_SHARE[WCC] + BOROUGH_SHARE[RBKC]
            lines = [(f"{cid}-BB", round(value * both), (WCC, RBKC), True),
                     (f"{cid}-HF", round(value * BOROUGH_SHARE[HF]), (HF,), False)]
        for line_id, line_value, line_boroughs, shared in lines:
            term_end, term = dt.date.fromisoformat(end), 1
            while term_end < until:
                start = term_end + dt.timedelta(days=1)
                next_start = dt.date(start.year + RENEWAL_YEARS, start.month, 1)
                term_end = next_start - dt.timedelta(days=1)
                vendor = VENDORS[int(_u("renewal", line_id, term) * len(VENDORS))]
                grown = round(line_value * (1 + 0.15 * _u("renewal value", line_id, term)))
                specs.append((f"{line_id}-R{term}", what, vendor, start.isoformat(),
                              term_end.isoformat(), grown, shared, line_boroughs))
                term += 1
    return specs


def contract_rows(until: dt.date) -> pl.DataFrame:
    """IT tower and system contracts: per-borough before 2014, shared towers, then the split,
    and re-procurements so that every tower and system has a contract running at ``until``
    (the build date: deterministic given it)."""
    rows = []
    for cid, what, vendor, start, end, value, shared, boroughs in (
            *_CONTRACT_SPECS, *_renewals(until)):
        shares = _allocate(value, [BOROUGH_SHARE[b] for b in boroughs])
        for borough, share in zip(boroughs, shares, strict=True):
            rows.append({
                "contract_id": cid, "borough_code": borough, "tower_or_system": what,
                "vendor": vendor, "start_date": dt.date.fromisoformat(start),
                "end_date": dt.date.fromisoformat(end), "annual_value_gbp_k": float(share),
                "shared": shared,
            })
    return pl.DataFrame(rows)


def migration_rows() -> pl.DataFrame:
    """System migrations onto the shared platforms, 2012-2018, and H&F's move after the split."""
    specs = (
        ("library_management", "Legacy library system ({b})", "Shared library system",
         {WCC: "2013-06-10", HF: "2013-06-10", RBKC: "2013-06-10"}, "live"),
        ("erp_managed_service", "Legacy finance and HR system ({b})", "Managed ERP service",
         {WCC: "2015-04-01", HF: "2015-04-01", RBKC: "2015-04-01"}, "live"),
        ("social_care", "Legacy social care system ({b})", "Shared social care system",
         {WCC: "2016-02-01", HF: "2015-10-05", RBKC: "2016-02-01"}, "live"),
        ("bi_platform", "Departmental reporting tools ({b})", "Shared BI platform",
         {WCC: "2016-09-05", HF: "2016-09-05", RBKC: "2016-09-05"}, "live"),
    )
    short = {WCC: "WCC", HF: "H&F", RBKC: "RBKC"}
    rows = [
        {"borough_code": b, "platform": platform, "from_system": src.format(b=short[b]),
         "to_system": dst, "go_live_date": dt.date.fromisoformat(dates[b]), "status": status}
        for platform, src, dst, dates, status in specs
        for b in BOROUGH_CODES
    ]
    rows.append({"borough_code": HF, "platform": "social_care",
                 "from_system": "Shared social care system",
                 "to_system": "H&F social care system", "go_live_date": dt.date(2018, 11, 5),
                 "status": "live"})
    return pl.DataFrame(rows)


def kpi_target_rows() -> pl.DataFrame:
    """Targets for a few catalogue metrics; none published, so every row says so."""
    specs = {
        "sd_sla_met_pct": (95.0, range(2014, 2025), "service level in the tower contracts"),
        "sd_first_contact_resolution_pct": (70.0, range(2014, 2025), "tower contract target"),
        "rereferral_pct": (18.0, range(2012, 2025), "local improvement target"),
        "placements_3plus_pct": (10.0, range(2012, 2025), "local improvement target"),
    }
    rows = []
    for metric, (target, years, note) in specs.items():
        for y in years:
            for b in BOROUGH_CODES:
                rows.append({
                    "metric_code": metric, "borough_code": b, "financial_year":
                    fy_label(y), "target": target,
                    "target_is_published": False, "note": f"Illustrative: {note}.",
                })
    planned = savings_rows().group_by("borough_code", "financial_year").agg(
        pl.col("planned_gbp_k").sum()
    )
    for r in planned.sort("borough_code", "financial_year").iter_rows(named=True):
        rows.append({
            "metric_code": "savings_delivered_gbp_m", "borough_code": r["borough_code"],
            "financial_year": r["financial_year"], "target": r["planned_gbp_k"] / 1000,
            "target_is_published": False,
            "note": "Illustrative: the borough's share of the published programme target.",
        })
    return pl.DataFrame(rows)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append generated rows to a council table, marked illustrative."""
    contract = CONTRACT_BY_NAME[table]
    frame = frame.select(contract.column_names).with_columns(
        pl.lit(True).alias("is_illustrative"), pl.lit(SOURCE).alias("source")
    )
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


def calibrate_savings(con: duckdb.DuckDBPyConnection) -> None:
    """Record how the generated ledger matches each reported programme figure."""
    rows = [
        ("delivered_gbp_k", None, "2015-16", REPORTED_TARGET_2015_16_GBP_K,
         "published: £43m a year by 2015/16 (revised target, LBHF)"),
        ("delivered_gbp_k", HF, "2016-17", REPORTED_HF_2016_17_GBP_K,
         "published: H&F's estimated saving of £13m a year (2017)"),
        ("planned_gbp_k", None, "2012-13", 7_700,
         "published: £7.7m of savings in 2012/13 (LBHF, June 2012)"),
        ("planned_gbp_k", None, "2014-15", 33_400,
         "published: £33.4m a year projected in the original proposals (2011)"),
        ("planned_gbp_k", None, "2015-16", 40_000,
         "published: £40m a year target by 2015/16 (LBHF, June 2012)"),
    ]
    for measure, borough, year, value, basis in rows:
        generated = con.execute(
            f"select sum({measure}) from savings_ledger where financial_year = $y "
            "and ($b::varchar is null or borough_code = $b)",
            {"y": year, "b": borough},
        ).fetchone()[0]
        con.execute(
            "insert into illustrative_calibration values ('savings_ledger', $b, $m, $y, "
            "$basis, $v, $g)",
            {"b": borough or "all three", "m": measure, "y": year, "basis": basis,
             "v": float(value), "g": float(generated)},
        )
