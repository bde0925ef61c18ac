-- title: One metric over time, with London median and England
-- description: The chosen areas' values for one metric by period, with the London borough median and England beside them. Every year between the first and last period is listed, so a year nobody published (or an area has no figure for) comes back with an empty value and charts show a gap rather than joining across it.
-- param: metric varchar = cla_rate_per_10000 | Metric code
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Area codes shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: series, period
-- columns: series varchar, series_label varchar, series_kind varchar, period varchar, period_end date, value double, numerator double, denominator double
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

metric_facts as (
    select * from facts
    where metric_code = $metric and period_year between $from_year and $to_year
),

-- Every period from the first to the last period shown, unpublished years included.
periods as (
    select period, period_end from trend_periods
    where metric_code = $metric and period_year between $from_year and $to_year
      and row_before_year >= $from_year and row_after_year <= $to_year
),

chosen as (
    select area_code, area_name from areas where list_contains($areas, area_code)
),

borough_series as (
    select c.area_code as series, c.area_name as series_label, 'area' as series_kind,
           p.period, p.period_end, f.value, f.numerator, f.denominator
    from chosen as c
    cross join periods as p
    left join metric_facts as f on f.area_code = c.area_code and f.period_end = p.period_end
),

london_values as (
    select f.period_end, median(f.value) as value
    from metric_facts as f
    inner join areas as a using (area_code)
    where a.is_london and a.area_code <> 'E09000001' and f.value is not null
    group by f.period_end
),

london_median as (
    select 'london_median' as series, 'London median' as series_label,
           'comparator' as series_kind, p.period, p.period_end, l.value,
           null::double as numerator, null::double as denominator
    from periods as p
    left join london_values as l using (period_end)
),

england as (
    select 'E92000001' as series, 'England' as series_label, 'comparator' as series_kind,
           p.period, p.period_end, f.value, f.numerator, f.denominator
    from periods as p
    left join metric_facts as f on f.area_code = 'E92000001' and f.period_end = p.period_end
    -- England is shown only for metrics where it is published.
    where exists (select 1 from metric_facts where area_code = 'E92000001')
),

final as (
    select * from borough_series
    union all select * from london_median
    union all select * from england
)

select * from final
order by series_kind, series, period_end
