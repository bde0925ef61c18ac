"""Illustrative caseload and case events, generated in DuckDB SQL.

* ``caseload_monthly``: looked-after children and children in need at the end of each March
  equal DfE's published counts at 31 March (read from ``fact_metric``); months between two
  published Marches are interpolated; a missing year is held flat at the last published figure,
  and ``illustrative_calibration`` says so for every March.
* ``case_events``: built from the monthly caseload so that the cases open at each month end are
  exactly ``open_cases``. Each open case occupies a "slot"; a slot changes hands when one case
  closes and the next opens in the same month. Short cases that open and close within a month
  scale the table to the size asked for without changing month-end counts. Pseudo-randomness
  is ``hash()`` of fixed keys, so 10M+ rows generate in seconds and every build is identical.
"""

from __future__ import annotations

import duckdb

from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.contracts import SERVICES
from triborough.warehouse.illustrative_tables import (
    FIRST_MONTH,
    HF,
    LAST_DAY,
    LAST_MONTH,
    SEED,
    SOURCE,
    SPLIT,
)

# Caseload: where no DfE count exists, the series is anchored on a related published figure.
CASELOAD_DEFAULTS = {  # open cases assumed when a borough has no published anchor at all
    "children_in_need": 1400, "child_protection": 120, "looked_after": 180,
    "adult_long_term_support": 2000,
}
# Mean months a case stays open (sets how often a slot changes hands, so the default size).
MEAN_CASE_MONTHS = {
    "children_in_need": 9.0, "child_protection": 9.0, "looked_after": 24.0,
    "adult_long_term_support": 36.0,
}
EVENTS_PER_CASE = 5.0  # a closed case has about five events (referral .. closure)
MAX_SLOTS = 1 << 14  # case-id arithmetic assumes fewer open cases than this per service


# ---------------------------------------------------------------------------------------------
# Monthly caseload, calibrated to DfE counts at 31 March.

_ANCHORS_SQL = """
create or replace temp table _anchor as
with facts as (
    select area_code as borough_code, metric_code, period_end, value
    from fact_metric
    where area_code in (select unnest($boroughs)) and value is not null
      and month(period_end) = 3 and day(period_end) = 31
),
published as (
    select borough_code, 'looked_after' as service, period_end, value,
           'published: DfE children looked after at 31 March' as basis
    from facts where metric_code = 'cla_at_31_march'
    union all
    select borough_code, 'children_in_need', period_end, value,
           'published: DfE children in need at 31 March'
    from facts where metric_code = 'cin_at_31_march'
    union all
    select borough_code, 'child_protection', period_end, round(value * 0.8),
           'derived: 0.8 x child protection plans starting in the year (DfE)'
    from facts where metric_code = 'cpp_starts'
    union all
    select borough_code, 'adult_long_term_support', period_end, sum(value),
           'derived: home care + day care + direct payments clients at 31 March (PSS-EX1)'
    from facts
    where metric_code in ('asc_home_care_clients', 'asc_day_care_clients',
                          'asc_direct_payments_clients')
    group by borough_code, period_end
    having count(*) = 3
),
final as (
    select borough_code, service, date_trunc('month', period_end)::date as month,
           value, basis
    from published
)
select * from final
"""

_CASELOAD_SQL = """
create or replace temp table _caseload as
with months as (
    select unnest(generate_series($first::date, $last::date, interval 1 month))::date as month
),
grid as (
    select b.borough_code, s.service, m.month
    from (select unnest($boroughs) as borough_code) b
    cross join (select unnest($services) as service) s
    cross join months m
),
prev as (
    select g.*, a.month as prev_month, a.value as prev_value
    from grid g asof left join _anchor a
      on a.borough_code = g.borough_code and a.service = g.service and a.month <= g.month
),
both_sides as (
    select p.*, a.month as next_month, a.value as next_value
    from prev p asof left join _anchor a
      on a.borough_code = p.borough_code and a.service = p.service and p.month <= a.month
),
level as (
    select *,
        case
            when prev_month is null and next_month is null then
                map_extract(map($default_keys, $default_values), service)[1]
            when prev_month is null then next_value
            when next_month is null or prev_month = month then prev_value
            -- hold the last published figure over missing years, then interpolate over the
            -- final twelve months into the next published March
            when month <= next_month - interval 12 month then prev_value
            else prev_value + (next_value - prev_value)
                 * datediff('month', greatest(prev_month, next_month - interval 12 month),
                            month) / 12.0
        end as level
    from both_sides
),
final as (
    select borough_code, month, service,
        case when borough_code = $hf and month >= $split then 'sovereign' else 'shared' end
            as team_model,
        -- every March is exactly the published (or held) figure; other months vary a little
        greatest(0, round(case when month(month) = 3 then level
            else level * (0.98 + 0.04 * ((hash($seed, borough_code, service, month) % 1000000)
                                         / 1000000.0)) end))::bigint as open_cases
    from level
)
select * from final
"""

_CALIBRATION_SQL = """
insert into illustrative_calibration
with marches as (
    select c.borough_code, c.service, c.month, c.open_cases
    from _caseload c where month(c.month) = 3
),
final as (
    select 'caseload_monthly' as table_name, m.borough_code, m.service as series,
        strftime(m.month, '%Y-%m') as period,
        case
            when a.value is not null then a.basis
            when exists (select 1 from _anchor x where x.borough_code = m.borough_code
                         and x.service = m.service and x.month < m.month)
                 and exists (select 1 from _anchor x where x.borough_code = m.borough_code
                             and x.service = m.service and x.month > m.month)
                then 'held flat: no published figure for 31 March ' || year(m.month)
                     || '; last published figure kept'
            when exists (select 1 from _anchor x where x.borough_code = m.borough_code
                         and x.service = m.service)
                then 'held flat: outside the published years; nearest published figure kept'
            else 'assumed: no published figure for this borough'
        end as basis,
        a.value as published_value, m.open_cases::double as generated_value
    from marches m
    left join _anchor a on a.borough_code = m.borough_code and a.service = m.service
                       and a.month = m.month
)
select * from final
"""


def add_caseload(con: duckdb.DuckDBPyConnection) -> None:
    """Generate ``caseload_monthly`` and record the basis of every March figure."""
    params = {"boroughs": list(BOROUGH_CODES)}
    con.execute(_ANCHORS_SQL, params)
    con.execute(
        _CASELOAD_SQL,
        {
            "boroughs": list(BOROUGH_CODES), "services": list(SERVICES),
            "first": FIRST_MONTH, "last": LAST_MONTH, "hf": HF, "split": SPLIT, "seed": SEED,
            "default_keys": list(CASELOAD_DEFAULTS),
            "default_values": [float(v) for v in CASELOAD_DEFAULTS.values()],
        },
    )
    con.execute(
        "insert into caseload_monthly by name "
        "select *, true as is_illustrative, $src as source from _caseload",
        {"src": SOURCE},
    )
    con.execute(_CALIBRATION_SQL)


# ---------------------------------------------------------------------------------------------
# Case events, consistent with the monthly caseload.

_SLOTS_SQL = """
create or replace temp table _slots as
with cl as (
    select c.*, datediff('month', $first::date, c.month)::integer as m,
        list_position($boroughs, c.borough_code) - 1 as b_idx,
        list_position($services, c.service) - 1 as s_idx
    from caseload_monthly c
    where c.is_illustrative
),
with_neighbours as (
    select c.*, coalesce(p.open_cases, 0) as prev_open, coalesce(n.open_cases, 0) as next_open
    from cl c
    left join cl p on p.borough_code = c.borough_code and p.service = c.service
                  and p.m = c.m - 1
    left join cl n on n.borough_code = c.borough_code and n.service = c.service
                  and n.m = c.m + 1
),
final as (
    select borough_code, service, b_idx, s_idx, month, m, prev_open, next_open,
           unnest(range(open_cases)) as k
    from with_neighbours
)
select * from final
"""

# One long case per run of months a slot holds the same case; short cases open and close within
# a month (they scale the table to the size asked for without changing month-end counts).
_EVENTS_SQL = """
insert into case_events by name
with slots as (
    select s.*,
        (s.m = 0 or s.k >= s.prev_open
         or hash($seed, 'turn', s.b_idx, s.s_idx, s.k, s.m) % 1000000
            < t.p * 1000000) as is_start,
        s.k >= s.next_open as is_run_end
    from _slots s
    join _turnover t using (service)
),
starts as (
    select borough_code, service, b_idx, s_idx, k, m as start_m from slots where is_start
),
run_ends as (
    select b_idx, s_idx, k, m as run_end_m from slots where is_run_end
),
cases as (
    -- a case lasts until the slot's next case starts or the slot's run of months ends
    select st.*, least(
            coalesce(lead(st.start_m) over (partition by st.b_idx, st.s_idx, st.k
                                            order by st.start_m) - 1, re.run_end_m),
            re.run_end_m) as end_m
    from starts st
    asof join run_ends re
      on re.b_idx = st.b_idx and re.s_idx = st.s_idx and re.k = st.k
     and st.start_m <= re.run_end_m
),
dated as (
    select *,
        case when start_m = 0 then date '2011-04-01'
                 - (1 + hash($seed, 'carry', b_idx, s_idx, k) % 900)::integer
             else (($first::date + to_months(start_m))::date
                   + (hash($seed, 'ref', b_idx, s_idx, k, start_m) % 28)::integer)
        end as referral,
        case when end_m < $last_m then (($first::date + to_months(end_m + 1))::date
                   + (hash($seed, 'close', b_idx, s_idx, k, start_m) % 28)::integer)
        end as closure,
        hash($seed, 'plan', b_idx, s_idx, k, start_m) % 10 < 6 as has_plan,
        -- pseudonymous ids: an odd multiplier is a bijection modulo 2^40, so ids stay unique
        'C' || ((((s_idx * 4 + b_idx) * $max_slots + k) * 256 + start_m) * 1024
                * 33554393 % 1099511627776)::varchar as case_id
    from cases
),
long_events as (
    select d.case_id, d.borough_code, d.service, t.event_type,
        case when t.at_close then d.closure
             else d.referral + floor(t.frac * datediff('day', d.referral,
                                                       coalesce(d.closure, $last_day)))::integer
        end as event_date
    from dated d
    join _event_template t on t.service = d.service
    where (not t.at_close or d.closure is not null)
      and (not t.optional or d.has_plan)
),
short_slots as (
    select borough_code, service, b_idx, s_idx, k, m, month,
        unnest(range((select n_whole from _shorts) + case when
            hash($seed, 'short', b_idx, s_idx, k, m) % 1000000
            < (select n_frac from _shorts) * 1000000 then 1 else 0 end)) as j
    from _slots
),
short_cases as (
    select *,
        'C' || (((((s_idx * 4 + b_idx) * $max_slots + k) * 256 + m) * 1024 + 1 + j)
                * 33554393 % 1099511627776)::varchar as case_id
    from short_slots
),
short_events as (
    select c.case_id, c.borough_code, c.service, e.event_type,
        c.month + (hash($seed, 'sref', c.b_idx, c.s_idx, c.k, c.m, c.j) % 26)::integer
            + e.offset_days as event_date
    from short_cases c
    cross join (values ('referral', 0), ('assessment', 1), ('closure', 2))
        e(event_type, offset_days)
),
all_events as (
    select * from long_events
    union all
    select * from short_events
),
final as (
    select case_id, borough_code, service, event_type, event_date, true as is_illustrative,
        $src as source
    from all_events
)
select * from final
"""

_TEMPLATE_ROWS = (
    # service, event_type, fraction of the case's span, at closure, only when a plan exists
    *((s, "referral", 0.0, False, False) for s in SERVICES),
    *((s, "assessment", 0.05, False, False) for s in SERVICES),
    ("children_in_need", "plan_start", 0.15, False, True),
    ("children_in_need", "plan_end", 0.9, False, True),
    ("child_protection", "plan_start", 0.1, False, False),
    ("child_protection", "plan_end", 0.9, False, False),
    ("looked_after", "placement_start", 0.1, False, False),
    ("looked_after", "placement_end", 0.9, False, False),
    ("adult_long_term_support", "plan_start", 0.1, False, False),
    ("adult_long_term_support", "plan_end", 0.9, False, False),
    *((s, "closure", 1.0, True, False) for s in SERVICES),
)


def _turnover(con: duckdb.DuckDBPyConnection, events_scale: int | None) -> tuple[dict, float]:
    """Per-service monthly turnover probability, and short cases per slot-month, for a size."""
    stats = con.execute(
        "select service, count(*) as slot_months, "
        "count(*) filter (where m = 0 or k >= prev_open) as forced from _slots group by 1"
    ).fetchall()
    p0 = {s: 1 / MEAN_CASE_MONTHS[s] for s in SERVICES}
    by = {s: (sm, forced) for s, sm, forced in stats}
    free = {s: max(sm - forced, 0) for s, (sm, forced) in by.items()}
    forced_total = sum(f for _, f in by.values())
    default_cases = forced_total + sum(p0[s] * free[s] for s in free)
    if events_scale is None:
        return p0, 0.0
    factor = max(events_scale / EVENTS_PER_CASE - forced_total, 0) / max(
        default_cases - forced_total, 1
    )
    p = {s: min(1.0, p0[s] * factor) for s in SERVICES}
    long_events = EVENTS_PER_CASE * (forced_total + sum(p[s] * free[s] for s in free))
    slot_months = sum(sm for sm, _ in by.values())
    shorts = max(events_scale - long_events, 0) / 3 / max(slot_months, 1)
    return p, min(shorts, 1000.0)


def add_case_events(con: duckdb.DuckDBPyConnection, events_scale: int | None = None) -> None:
    """Generate ``case_events`` from the illustrative monthly caseload.

    ``events_scale`` asks for about that many rows (None: a realistic few hundred thousand).
    At every month end the cases open (referred, not yet closed) equal ``open_cases``.
    """
    max_open = con.execute("select max(open_cases) from caseload_monthly").fetchone()[0] or 0
    if max_open >= MAX_SLOTS:
        raise ValueError(f"caseload of {max_open} is too large for the case-id scheme")
    con.execute(_SLOTS_SQL, {"first": FIRST_MONTH, "boroughs": list(BOROUGH_CODES),
                             "services": list(SERVICES)})
    p, shorts = _turnover(con, events_scale)
    con.execute("create or replace temp table _turnover (service varchar, p double)")
    con.executemany("insert into _turnover values (?, ?)", sorted(p.items()))
    con.execute("create or replace temp table _shorts as select $w::bigint as n_whole, "
                "$f::double as n_frac", {"w": int(shorts), "f": shorts - int(shorts)})
    con.execute("create or replace temp table _event_template (service varchar, "
                "event_type varchar, frac double, at_close boolean, optional boolean)")
    con.executemany("insert into _event_template values (?, ?, ?, ?, ?)", _TEMPLATE_ROWS)
    last_m = (LAST_MONTH.year - FIRST_MONTH.year) * 12 + LAST_MONTH.month - FIRST_MONTH.month
    con.execute(_EVENTS_SQL, {
        "seed": SEED, "first": FIRST_MONTH, "last_m": last_m, "last_day": LAST_DAY,
        "max_slots": MAX_SLOTS, "src": SOURCE,
    })
    for tmp in ("_slots", "_turnover", "_shorts", "_event_template"):
        con.execute(f"drop table if exists {tmp}")
