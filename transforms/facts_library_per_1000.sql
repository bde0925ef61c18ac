-- title: Library activity per 1,000 residents
-- description: Library visits and loans in 2023-24 per 1,000 residents, against the mid-2023 estimate of all residents.
-- table: fact_metric
-- reads: fact_metric, population
-- metrics: lib_visits_per_1000, lib_loans_per_1000
-- key: area_code, metric_code, period
-- columns: area_code varchar, metric_code varchar, period varchar, period_end date, value double, numerator double, denominator double
with facts as (
    select * from fact_metric
),

residents as (
    select * from population where age_band = 'all_ages' and year = 2023 and population > 0
),

final as (
    select f.area_code,
           case f.metric_code when 'lib_visits' then 'lib_visits_per_1000'
                              else 'lib_loans_per_1000' end as metric_code,
           f.period, f.period_end, round(f.value * 1000 / p.population, 1) as value,
           f.value as numerator, p.population::double as denominator
    from facts as f
    inner join residents as p using (area_code)
    where f.metric_code in ('lib_visits', 'lib_loans') and f.period = '2023-24'
)

select * from final
