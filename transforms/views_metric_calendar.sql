-- title: The periods each metric's charts list
-- description: Annual series get every year between their first and last period, so a year nobody published is a gap in a line rather than a join across it; irregular ones (period type 'year': inspection dates) only their own dates. Unpublished periods are labelled in the metric's own style (mid-2015, Sep 2015, 2015-16).
-- table: metric_calendar
-- reads: fact_metric, dim_metric
-- key: metric_code, period_end
-- columns: metric_code varchar, period_end date, period varchar
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
),

final as (
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
)

select * from final
order by metric_code, period_end
