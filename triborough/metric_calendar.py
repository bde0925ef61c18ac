"""The periods each metric's charts list, kept beside ``fact_metric``.

Annual series get every year between their first and last period, so a year nobody published
is a gap in a line rather than a join across it; irregular ones (period type 'year': inspection
dates) only their own dates. Queries take the stretch between the first and last figures they
show, with no calendar logic of their own.
"""

from __future__ import annotations

import duckdb

_CALENDAR_SQL = """
create or replace table metric_calendar as
with published as (
    select metric_code, period_end, min(period) as period
    from fact_metric
    group by metric_code, period_end
),
bounds as (
    select p.metric_code, m.period_type, min(p.period_end) as first_end,
           max(p.period_end) as last_end
    from published as p
    inner join dim_metric as m on m.code = p.metric_code
    group by p.metric_code, m.period_type
),
calendar as (
    select metric_code, period_type,
           unnest(generate_series(first_end, last_end, interval 1 year))::date as period_end
    from bounds
    where period_type <> 'year'
    union
    select p.metric_code, b.period_type, p.period_end
    from published as p
    inner join bounds as b using (metric_code)
)
select
    c.metric_code,
    c.period_end,
    coalesce(p.period, case c.period_type
        when 'mid_year' then 'mid-' || year(c.period_end)
        when 'at_30_september' then 'Sep ' || year(c.period_end)
        when 'year' then year(c.period_end)::varchar
        else (year(c.period_end) - 1)::varchar || '-'
             || lpad((year(c.period_end) % 100)::varchar, 2, '0')
    end) as period
from calendar as c
left join published as p using (metric_code, period_end)
order by c.metric_code, c.period_end
"""


def refresh_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build ``metric_calendar`` from ``fact_metric`` and ``dim_metric``: after the build
    and whenever facts fed by council tables are recomputed."""
    con.execute(_CALENDAR_SQL)
