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

from collections.abc import Sequence

import duckdb

from triborough.catalogue import SOURCES
from triborough.contracts import CONTRACTS
from triborough.illustrative_cases import add_case_events, add_caseload
from triborough.illustrative_tables import (
    calibrate_savings,
    contract_rows,
    insert_frame,
    kpi_target_rows,
    migration_rows,
    savings_rows,
    service_desk_rows,
)
from triborough.metric_calendar import refresh_calendar

# ---------------------------------------------------------------------------------------------
# Annual facts for the catalogue, the per-table illustrative status, and the entry point.

_FACTS_SQL: dict[str, str] = {
    "savings_ledger": """
        with ledger as (select * from savings_ledger),
        yearly as (
            select borough_code, financial_year,
                make_date(left(financial_year, 4)::integer + 1, 3, 31) as period_end,
                sum(planned_gbp_k) as planned, sum(delivered_gbp_k) as delivered,
                sum(one_off_cost_gbp_k) as one_off
            from ledger group by all
        ),
        final as (
            select borough_code as area_code, m.metric_code, financial_year as period,
                period_end, round(m.v / 1000, 3) as value, null::double as numerator,
                null::double as denominator
            from yearly,
            lateral (values ('savings_planned_gbp_m', planned),
                            ('savings_delivered_gbp_m', delivered),
                            ('savings_one_off_cost_gbp_m', one_off)) m(metric_code, v)
        )
        select * from final
    """,
    "service_desk_monthly": """
        with desk as (
            select *, year(month - interval 3 month) as fy from service_desk_monthly
        ),
        monthly as (
            select borough_code, fy, month, sum(tickets) as tickets,
                sum(first_contact_resolved) as fcr, sum(sla_met) as sla, max(users) as users,
                -- exact decimal sums: a parallel float sum can differ in its last bits from
                -- run to run, and the build must be byte-for-byte repeatable
                sum(cost_gbp::decimal(18, 2)) as cost
            from desk group by all
        ),
        yearly as (
            -- a year with fewer than twelve months of figures is left as a gap
            select borough_code, fy, sum(tickets) as tickets, sum(fcr) as fcr,
                sum(sla) as sla, sum(users) / count(*) as users, sum(cost)::double as cost
            from monthly group by all having count(*) = 12
        ),
        final as (
            select borough_code as area_code, m.metric_code,
                fy || '-' || lpad(((fy + 1) % 100)::varchar, 2, '0') as period,
                make_date(fy + 1, 3, 31) as period_end, m.value, m.numerator, m.denominator
            from yearly,
            lateral (values
                ('sd_first_contact_resolution_pct', round(100 * fcr / nullif(tickets, 0), 1),
                 fcr::double, tickets::double),
                ('sd_sla_met_pct', round(100 * sla / nullif(tickets, 0), 1), sla::double,
                 tickets::double),
                ('sd_cost_per_user_gbp', round(cost / nullif(users, 0), 0), cost, users),
                ('sd_tickets_per_user', round(tickets / nullif(users, 0), 2),
                 tickets::double, users)
            ) m(metric_code, value, numerator, denominator)
        )
        select * from final
    """,
}


def refresh_facts(con: duckdb.DuckDBPyConnection, tables: Sequence[str] | None = None) -> None:
    """Recompute the annual ``fact_metric`` rows fed by council tables (generated or loaded),
    and set each fed metric's illustrative flag from whether generated rows remain."""
    for contract in CONTRACTS:
        if not contract.feeds_metrics or (tables is not None and contract.name not in tables):
            continue
        codes = list(contract.feeds_metrics)
        con.execute("delete from fact_metric where list_contains($codes, metric_code)",
                    {"codes": codes})
        con.execute(
            "insert into fact_metric by name select *, "
            "year(period_end - interval 3 month) as period_year from ("
            + _FACTS_SQL[contract.name] + ")"
        )
        generated = con.execute(
            f"select count(*) from {contract.name} where is_illustrative"
        ).fetchone()[0]
        src = SOURCES["illustrative" if generated else "council_extract"]
        con.execute(
            "update dim_metric set is_illustrative = $flag, source_id = $sid, "
            "publisher = $pub, source_title = $title, source_url = $url, licence = $lic "
            "where list_contains($codes, code)",
            {"flag": generated > 0, "sid": "illustrative" if generated else "council_extract",
             "pub": src["publisher"], "title": src["title"], "url": src["url"],
             "lic": src["licence"], "codes": codes},
        )
    refresh_calendar(con)  # the recomputed facts may cover other periods


_PERIOD_FORMAT = {"month": "%Y-%m", "date": "%Y-%m-%d"}

_STATUS_SQL = """
insert into meta_illustrative
with rows as (
    select borough_code, is_illustrative, {period} as period from {table}
),
counts as (
    select borough_code,
        count(*) filter (where is_illustrative) as illustrative_rows,
        count(*) filter (where not is_illustrative) as loaded_rows,
        min(period) as first_period, max(period) as last_period
    from rows group by borough_code
),
final as (
    select '{table}' as table_name, borough_code, illustrative_rows, loaded_rows,
        case when loaded_rows = 0 then 'illustrative'
             when illustrative_rows = 0 then 'loaded' else 'mixed' end as status,
        {first} as first_period, {last} as last_period
    from counts
)
select * from final
"""


def refresh_status(con: duckdb.DuckDBPyConnection, tables: Sequence[str] | None = None) -> None:
    """Rebuild ``meta_illustrative`` (for ``tables``, or all): per council table and borough,
    generated and loaded rows, whether the borough's rows are illustrative, loaded or mixed,
    and the periods held."""
    con.execute(
        "create table if not exists meta_illustrative (table_name varchar, "
        "borough_code varchar, illustrative_rows bigint, loaded_rows bigint, status varchar, "
        "first_period varchar, last_period varchar)"
    )
    chosen = [c for c in CONTRACTS if tables is None or c.name in tables]
    con.execute("delete from meta_illustrative where list_contains($t, table_name)",
                {"t": [c.name for c in chosen]})
    for c in chosen:
        # tables without a period column report the span of their first date column
        period = c.period or next(col.name for col in c.columns if col.kind == "date")
        fmt = _PERIOD_FORMAT.get(c.column(period).kind)
        first, last = (
            (f"strftime(first_period, '{fmt}')", f"strftime(last_period, '{fmt}')") if fmt
            else ("first_period", "last_period")
        )
        con.execute(_STATUS_SQL.format(table=c.name, period=period, first=first, last=last))


TABLE_DESCRIPTIONS: dict[str, str] = {
    **{c.name: c.description + " Illustrative until a council loads its extract."
       for c in CONTRACTS},
    "meta_illustrative": "Per council table and borough: generated and loaded rows, and "
    "whether the borough's figures are illustrative, loaded or mixed.",
    "illustrative_calibration": "How each illustrative series was calibrated: the published "
    "figure it matches, or that it was held flat, interpolated or assumed.",
}


def add_illustrative(con: duckdb.DuckDBPyConnection, events_scale: int | None = None) -> None:
    """Create every council table in the warehouse being built and fill it with illustrative
    rows, deterministically; add their annual facts to ``fact_metric``.

    Needs ``fact_metric`` (with ``period_year``) and ``dim_metric`` to exist already.
    """
    for contract in CONTRACTS:
        con.execute(contract.create_sql())
    con.execute(
        "create table illustrative_calibration (table_name varchar, borough_code varchar, "
        "series varchar, period varchar, basis varchar, published_value double, "
        "generated_value double)"
    )
    insert_frame(con, "savings_ledger", savings_rows())
    calibrate_savings(con)
    add_caseload(con)
    add_case_events(con, events_scale)
    insert_frame(con, "service_desk_monthly", service_desk_rows())
    insert_frame(con, "contracts", contract_rows())
    insert_frame(con, "system_migrations", migration_rows())
    insert_frame(con, "kpi_targets", kpi_target_rows())
    for tmp in ("_anchor", "_caseload"):
        con.execute(f"drop table if exists {tmp}")
    refresh_facts(con)
    refresh_status(con)
