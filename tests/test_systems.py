"""Systems logic: full-year service-desk figures, contract end dates, platform convergence."""

from __future__ import annotations

import datetime as dt

import polars as pl

from triborough.model.contracts import PLATFORMS, TOWERS
from triborough.views.systems import (
    PLATFORM_LABELS,
    TOWER_LABELS,
    add_months,
    annual_desk,
    common_systems,
    contract_rows,
    contract_status,
    convergence,
    ending_soon,
    latest_full_year,
    platform_periods,
)

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
TODAY = dt.date(2026, 11, 28)


def test_labels_cover_every_tower_and_platform():
    assert set(TOWER_LABELS) == set(TOWERS)
    assert set(PLATFORM_LABELS) == set(PLATFORMS)


def test_add_months_holds_to_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(TODAY, 12) == dt.date(2027, 11, 28)


def test_contract_status_around_the_twelve_month_window():
    start = dt.date(2020, 4, 1)
    assert contract_status(start, dt.date(2026, 11, 27), TODAY) == "ended"
    assert contract_status(start, TODAY, TODAY) == "ends within 12 months"  # ends today
    assert contract_status(start, dt.date(2027, 11, 28), TODAY) == "ends within 12 months"
    assert contract_status(start, dt.date(2027, 11, 29), TODAY) == "running"
    assert contract_status(dt.date(2027, 1, 1), dt.date(2030, 1, 1), TODAY) == "not started"
    assert contract_status(start, dt.date(2027, 3, 31), TODAY, months=3) == "running"


def _contracts() -> pl.DataFrame:
    rows = [
        ("C-OLD", WCC, "desktop", "Vendor A", "2014-04-01", "2019-03-31", True),
        ("C-SOON", WCC, "erp_managed_service", "Vendor J", "2020-04-01", "2027-03-31", True),
        ("C-SOON", RBKC, "erp_managed_service", "Vendor J", "2020-04-01", "2027-03-31", True),
        ("C-EDGE", HF, "service_desk", "Vendor N", "2024-04-01", "2027-11-28", False),
        ("C-LATER", HF, "desktop", "Vendor N", "2024-04-01", "2029-03-31", False),
        ("C-NEW", HF, "bi_platform", "Vendor Q", "2027-01-01", "2027-06-30", False),
    ]
    return pl.DataFrame(
        [{"contract_id": c, "borough_code": b, "area_name": b, "tower_or_system": t,
          "vendor": v, "start_date": dt.date.fromisoformat(s),
          "end_date": dt.date.fromisoformat(e), "annual_value_gbp_k": 100.0, "shared": sh,
          "is_illustrative": True, "source": "illustrative"}
         for c, b, t, v, s, e, sh in rows]
    )


def test_contracts_ending_soon():
    soon = ending_soon(_contracts(), TODAY)
    assert soon.select("contract_id", "borough_code").rows() == [
        ("C-SOON", RBKC), ("C-SOON", WCC), ("C-NEW", HF), ("C-EDGE", HF)]


def test_contract_rows_flag_ending_soon_in_words_not_only_colour():
    rows = contract_rows(_contracts(), TODAY)
    flagged = rows.filter(pl.col("ending_soon"))
    assert flagged.height == 4
    assert all(t.startswith("⚑ ") and "ends within 12 months" in t for t in flagged["text"])
    assert rows.filter(pl.col("contract_id") == "C-OLD")["text"].to_list() == [
        "Vendor A (joint)"]
    # Towers first, then platforms; the row label names the borough.
    assert rows["row"][0] == "Desktop · WCC"
    assert rows.filter(pl.col("contract_id") == "C-OLD")["status"].to_list() == ["ended"]


def _desk(months: list[dt.date], borough: str = WCC) -> pl.DataFrame:
    rows = []
    for m in months:
        for tower, tickets, fcr, cost in (("desktop", 100, 50, 1000.0),
                                          ("service_desk", 300, 240, 3000.0)):
            rows.append({"borough_code": borough, "month": m, "tower": tower,
                         "tickets": tickets, "first_contact_resolved": fcr, "sla_met": tickets,
                         "users": 40, "cost_gbp": cost})
    return pl.DataFrame(rows)


def _year(start: int, months: int = 12) -> list[dt.date]:
    return [add_months(dt.date(start, 4, 1), i) for i in range(months)]


def test_annual_desk_counts_users_once_and_leaves_part_years_as_gaps():
    desk = pl.concat([_desk(_year(2015)), _desk(_year(2016, 7))])
    annual = annual_desk(desk)
    full = annual.filter(pl.col("period") == "2015-16").row(0, named=True)
    assert full["tickets"] == 4800
    assert full["first_contact_pct"] == 72.5  # 290 of 400 a month, not a mean of two towers
    assert full["sla_met_pct"] == 100.0
    assert full["cost_per_user_gbp"] == 1200.0  # £48,000 over 40 users (not 80)
    part = annual.filter(pl.col("period") == "2016-17").row(0, named=True)
    assert part["months"] == 7
    assert part["tickets"] is None and part["first_contact_pct"] is None
    one_tower = annual_desk(desk, ["desktop"]).filter(pl.col("period") == "2015-16")
    assert one_tower["first_contact_pct"].to_list() == [50.0]
    assert one_tower["cost_per_user_gbp"].to_list() == [300.0]


def test_latest_full_year_needs_every_borough():
    desk = pl.concat([_desk(_year(2015)), _desk(_year(2016)), _desk(_year(2015), HF),
                      _desk(_year(2016, 11), HF)])
    assert latest_full_year(annual_desk(desk)) == "2015-16"
    assert latest_full_year(annual_desk(_desk(_year(2016, 3)))) is None


def _migrations() -> pl.DataFrame:
    rows = [
        (WCC, "social_care", "Legacy (WCC)", "Shared SC", "2016-02-01", "live"),
        (HF, "social_care", "Legacy (H&F)", "Shared SC", "2015-10-05", "live"),
        (HF, "social_care", "Shared SC", "H&F SC", "2018-11-05", "live"),
        (RBKC, "social_care", "Legacy (RBKC)", "Shared SC", "2016-03-01", "live"),
        (WCC, "bi_platform", "Reports (WCC)", "Shared BI", "2016-09-05", "live"),
        (RBKC, "bi_platform", "Reports (RBKC)", "Shared BI", "2027-04-01", "planned"),
        (HF, "bi_platform", "Reports (H&F)", "Other BI", "2017-01-01", "cancelled"),
    ]
    return pl.DataFrame(
        [{"borough_code": b, "area_name": b, "platform": p, "from_system": f, "to_system": t,
          "go_live_date": dt.date.fromisoformat(d), "status": s}
         for b, p, f, t, d, s in rows]
    )


def test_common_systems_need_two_boroughs_that_moved():
    common = common_systems(_migrations())
    assert common == {"social_care": {"Shared SC"}}  # Shared BI: one live, one only planned


def test_platform_periods_follow_each_move():
    periods = platform_periods(_migrations(), TODAY, dt.date(2010, 4, 1))
    hf = periods.filter((pl.col("borough_code") == HF) & (pl.col("platform") == "social_care"))
    assert hf.select("system", "start", "end", "ongoing", "common").rows() == [
        ("Legacy (H&F)", dt.date(2010, 4, 1), dt.date(2015, 10, 5), False, False),
        ("Shared SC", dt.date(2015, 10, 5), dt.date(2018, 11, 5), False, True),
        ("H&F SC", dt.date(2018, 11, 5), TODAY, True, False),
    ]
    planned = periods.filter((pl.col("borough_code") == RBKC)
                             & (pl.col("platform") == "bi_platform"))
    assert planned.select("system", "state").rows() == [
        ("Reports (RBKC)", "before the move"), ("Shared BI", "planned")]
    # A cancelled move starts nothing: H&F stays on its own reports.
    cancelled = periods.filter((pl.col("borough_code") == HF)
                               & (pl.col("platform") == "bi_platform"))
    assert cancelled.select("system", "state").rows() == [("Reports (H&F)", "before the move")]


def test_convergence_dates():
    periods = platform_periods(_migrations(), TODAY, dt.date(2010, 4, 1))
    summary = convergence(periods, [WCC, HF, RBKC]).row(0, named=True)
    assert summary == {
        "platform": "Social care", "common system": "Shared SC",
        "boroughs on it": "WCC, H&F, RBKC",
        "all shown on it from": dt.date(2016, 3, 1),  # the last to join
        "first to leave": dt.date(2018, 11, 5),
    }
    two = convergence(periods, [WCC, RBKC]).row(0, named=True)
    assert two["all shown on it from"] == dt.date(2016, 3, 1)
