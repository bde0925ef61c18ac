"""Illustrative data: council tables no publisher releases, generated until councils load theirs.

Everything here is deterministic (no clock, no random state: pseudo-randomness comes from
hashing fixed keys) and calibrated to published figures:

* savings_ledger: the three boroughs' delivered savings reach the reported £43m a year in
  2015-16; planned savings follow the £7.7m (2012-13), £33.4m (2014-15) and £40m (2015-16)
  figures; Hammersmith & Fulham's 2016-17 saving is the reported £13m.
* caseload_monthly: looked-after children and children in need at the end of each March equal
  DfE's published counts at 31 March (read from ``fact_metric``); months between two published
  Marches are interpolated; a missing year is held flat at the last published figure and the
  ``illustrative_calibration`` table says so for every March.
* case_events: built from the monthly caseload so that the cases open at each month end are
  exactly ``open_cases`` (each open case occupies a "slot"; a slot changes hands when a case
  closes and the next opens in the same month).

Every generated row carries ``is_illustrative = true`` and ``source = 'illustrative'``.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from triborough.model.contracts import CONTRACTS
from triborough.model.schema import create_built
from triborough.warehouse.illustrative_cases import add_case_events, add_caseload
from triborough.warehouse.illustrative_tables import (
    calibrate_savings,
    contract_rows,
    insert_frame,
    kpi_target_rows,
    migration_rows,
    savings_rows,
    service_desk_rows,
)
from triborough.warehouse.transform import refresh

TABLE_DESCRIPTIONS: dict[str, str] = {
    c.name: c.description + " Illustrative until a council loads its extract."
    for c in CONTRACTS
}


def generate(con: duckdb.DuckDBPyConnection, events_scale: int | None = None,
             until: dt.date | None = None) -> None:
    """Create every council table in the warehouse being built and fill it with illustrative
    rows, deterministically (their annual facts come from
    :func:`triborough.warehouse.transform.refresh`).

    Contracts run up to ``until``: the build date (by default today, UTC, as the build dates
    itself), so the same day gives the same rows.
    Needs ``fact_metric`` (with ``period_year``) and ``dim_metric`` to exist already.
    """
    for contract in CONTRACTS:
        con.execute(contract.create_sql())
    con.execute(create_built("illustrative_calibration"))
    insert_frame(con, "savings_ledger", savings_rows())
    calibrate_savings(con)
    add_caseload(con)
    add_case_events(con, events_scale)
    insert_frame(con, "service_desk_monthly", service_desk_rows())
    insert_frame(con, "contracts", contract_rows(until or dt.datetime.now(dt.UTC).date()))
    insert_frame(con, "system_migrations", migration_rows())
    insert_frame(con, "kpi_targets", kpi_target_rows())
    for tmp in ("_anchor", "_caseload"):
        con.execute(f"drop table if exists {tmp}")


def add_illustrative(con: duckdb.DuckDBPyConnection, events_scale: int | None = None,
                     until: dt.date | None = None) -> None:
    """Generate every council table (:func:`generate`) and recompute what they feed: annual
    facts, the metric calendar and the illustrative status."""
    generate(con, events_scale, until)
    refresh(con, [c.name for c in CONTRACTS])
