-- title: Metric catalogue entries
-- description: Definition, unit, polarity, publisher, licence and period coverage of the chosen metrics.
-- param: metrics varchar[] = pop_all_ages | Metric codes
-- key: code
-- columns: code varchar, name varchar, domain varchar, unit varchar, polarity varchar, definition varchar, source_id varchar, period_type varchar, is_people_count boolean, is_illustrative boolean, target double, target_is_published boolean, publisher varchar, source_title varchar, source_url varchar, licence varchar, first_period varchar, last_period varchar, periods bigint
with metrics as (
    select * from dim_metric
),

coverage as (
    select metric_code,
           min(period) filter (where period_end = first_end) as first_period,
           max(period) filter (where period_end = last_end) as last_period,
           count(distinct period) as periods
    from (
        select *, min(period_end) over (partition by metric_code) as first_end,
                  max(period_end) over (partition by metric_code) as last_end
        from fact_metric
    )
    group by metric_code
),

final as (
    select m.*, c.first_period, c.last_period, coalesce(c.periods, 0) as periods
    from metrics as m
    left join coverage as c on c.metric_code = m.code
    where list_contains($metrics, m.code)
)

select * from final
order by code
