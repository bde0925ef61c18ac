-- title: The periods a trend chart lists, with the published figures either side
-- description: Every period of metric_calendar with the year it starts in (a financial year by its first year) and, for choosing the stretch a chart shows between two years, the year of the nearest period at or before it and at or after it that has any row (row_before_year, row_after_year) and any figure (value_before_year, value_after_year). A chart for the years from F to T lists the periods whose period_year lies in F..T, whose *_before_year is at least F and whose *_after_year is at most T: exactly the periods between the first and last figure shown, unpublished years included.
-- table: trend_periods
-- reads: metric_calendar, fact_metric
-- key: metric_code, period_end
-- columns: metric_code varchar, period varchar, period_end date, period_year bigint, row_before_year bigint, row_after_year bigint, value_before_year bigint, value_after_year bigint
with calendar as (
    select * from metric_calendar
),

facts as (
    select * from fact_metric
),

published as (
    select metric_code, period_end, count(value) > 0 as has_value
    from facts
    group by metric_code, period_end
),

marked as (
    select c.metric_code, c.period, c.period_end,
           year(c.period_end - interval 3 month) as period_year,
           p.period_end is not null as has_row, coalesce(p.has_value, false) as has_value
    from calendar as c
    left join published as p using (metric_code, period_end)
),

final as (
    select metric_code, period, period_end, period_year,
           max(case when has_row then period_year end) over before as row_before_year,
           min(case when has_row then period_year end) over after as row_after_year,
           max(case when has_value then period_year end) over before as value_before_year,
           min(case when has_value then period_year end) over after as value_after_year
    from marked
    window
        before as (partition by metric_code order by period_end
                   rows between unbounded preceding and current row),
        after as (partition by metric_code order by period_end
                  rows between current row and unbounded following)
)

select * from final
order by metric_code, period_end
