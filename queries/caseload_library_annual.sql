-- title: Library visits, loans and active users per 1,000 residents, by year
-- description: Each chosen borough's library visits, loans and active users in a year per 1,000 residents (ONS mid-year estimate for the year the financial year starts, as the visits and loans rates use), beside the median of the London boroughs with a figure (the City of London left out) and how many boroughs that median is over. Arts Council England publishes these for 2023-24 only.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: series, measure, period
-- columns: series varchar, series_label varchar, series_kind varchar, measure varchar, period varchar, period_end date, value double, numerator double, denominator double, london_areas bigint
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

residents as (
    select * from population where age_band = 'all_ages'
),

-- Visits and loans per 1,000 are built in the warehouse; active users are divided here by
-- the same residents.
rates as (
    select f.area_code,
           replace(replace(f.metric_code, 'lib_', ''), '_per_1000', '') as measure,
           f.period, f.period_end, f.value, f.numerator, f.denominator
    from facts as f
    where f.metric_code in ('lib_visits_per_1000', 'lib_loans_per_1000')
      and f.period_year between $from_year and $to_year
    union all
    select f.area_code, 'active_users', f.period, f.period_end,
           round(f.value * 1000 / r.population, 1), f.value, r.population
    from facts as f
    inner join residents as r on r.area_code = f.area_code and r.year = f.period_year
    where f.metric_code = 'lib_active_users' and r.population > 0
      and f.period_year between $from_year and $to_year
),

boroughs as (
    select r.area_code as series, a.area_name as series_label, 'area' as series_kind,
           r.measure, r.period, r.period_end, r.value, r.numerator, r.denominator,
           1::bigint as london_areas
    from rates as r
    inner join areas as a using (area_code)
    where list_contains($areas, r.area_code)
),

london as (
    select 'london_median' as series, 'London median' as series_label,
           'comparator' as series_kind, r.measure, r.period, r.period_end,
           median(r.value) as value, null::double as numerator, null::double as denominator,
           count(*) as london_areas
    from rates as r
    inner join areas as a using (area_code)
    where a.is_london and a.area_code <> 'E09000001' and r.value is not null
    group by r.measure, r.period, r.period_end
),

final as (
    select * from boroughs
    union all
    select * from london
)

select * from final
order by measure, period, series_kind, series
