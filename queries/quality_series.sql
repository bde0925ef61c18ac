-- title: Several metrics over time for the chosen boroughs, gaps included
-- description: Every period from each metric's first to its last published figure in the chosen years, for each chosen borough, with the borough's value or an empty value where nothing was published (for sparklines that show gaps as gaps). Annual metrics get every year between their first and last period, so a year nobody published is listed too.
-- param: metrics varchar[] = rereferral_pct,sw_turnover_pct,asc_carer_qol | Metric codes
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: metric_code, area_code, period_end
-- columns: metric_code varchar, area_code varchar, area_name varchar, period varchar, period_end date, value double
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

in_range as (
    select area_code, metric_code, period, period_end, value
    from facts
    where list_contains($metrics, metric_code)
      and period_year between $from_year and $to_year
),

bounds as (
    select metric_code, min(period_end) as first_end, max(period_end) as last_end
    from in_range
    where value is not null
    group by metric_code
),

-- Every period from each metric's first to last figure, unpublished years included.
periods as (
    select c.metric_code, c.period_end, c.period
    from metric_calendar as c
    inner join bounds as b using (metric_code)
    where c.period_end between b.first_end and b.last_end
),

chosen as (
    select area_code, area_name from areas where list_contains($areas, area_code)
),

final as (
    select p.metric_code, c.area_code, c.area_name, p.period, p.period_end, f.value
    from periods as p
    cross join chosen as c
    left join in_range as f
        on f.metric_code = p.metric_code and f.area_code = c.area_code
       and f.period_end = p.period_end
)

select * from final
order by metric_code, area_code, period_end
