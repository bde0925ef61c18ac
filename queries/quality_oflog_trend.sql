-- title: One Oflog adult social care metric over time, with the London and national medians
-- description: The chosen boroughs' figures for one Oflog adult social care metric by year, with the median of London boroughs and the national median Oflog publishes beside them (Oflog gives no England figure). Every year between the first and last published is listed, so a year with no figure (the carers' survey runs every other year) comes back empty and charts show a gap.
-- param: metric varchar = asc_user_qol | Metric code (an Oflog adult social care metric)
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: series, period
-- columns: series varchar, series_label varchar, series_kind varchar, period varchar, period_end date, value double
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

oflog as (
    select * from oflog_medians
),

metric_facts as (
    select * from facts
    where metric_code = $metric and period_year between $from_year and $to_year
),

-- Every period from the first to the last figure shown, unpublished years included.
periods as (
    select period, period_end from trend_periods
    where metric_code = $metric and period_year between $from_year and $to_year
      and value_before_year >= $from_year and value_after_year <= $to_year
),

chosen as (
    select area_code, area_name from areas where list_contains($areas, area_code)
),

borough_series as (
    select c.area_code as series, c.area_name as series_label, 'area' as series_kind,
           p.period, p.period_end, f.value
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
           'comparator' as series_kind, p.period, p.period_end, l.value
    from periods as p
    left join london_values as l using (period_end)
),

national_median as (
    select 'national_median' as series, 'England median (Oflog)' as series_label,
           'comparator' as series_kind, p.period, p.period_end, o.median as value
    from periods as p
    left join oflog as o on o.metric_code = $metric and o.period = p.period
),

final as (
    select * from borough_series
    union all select * from london_median
    union all select * from national_median
)

select * from final
order by series_kind, series, period_end
