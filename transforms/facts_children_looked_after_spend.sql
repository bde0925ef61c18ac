-- title: Section 251 spending on children looked after, per child
-- description: Gross spending on children looked after (Section 251, £ thousand) per child looked after at 31 March of the same financial year and per child aged 0-17 (the estimate for the year's start year, else the nearest year), £ cash.
-- table: fact_metric
-- reads: fact_metric, population
-- metrics: s251_cla_per_looked_after_child, s251_cla_per_child
-- key: area_code, metric_code, period
-- columns: area_code varchar, metric_code varchar, period varchar, period_end date, value double, numerator double, denominator double
with facts as (
    select * from fact_metric
),

children as (
    select * from population where age_band = '0-17' and population > 0
),

gross as (
    select * from facts where metric_code = 's251_cla_gross'
),

per_looked_after_child as (
    select s.area_code, 's251_cla_per_looked_after_child' as metric_code, s.period,
           s.period_end, round(s.value * 1000 / c.value, 2) as value,
           s.value * 1000 as numerator, c.value as denominator
    from gross as s
    inner join facts as c
        on c.area_code = s.area_code and c.period = s.period
       and c.metric_code = 'cla_at_31_march' and c.value > 0
),

per_child as (
    select s.area_code, 's251_cla_per_child' as metric_code, s.period, s.period_end,
           round(s.value * 1000 / p.population, 2) as value, s.value * 1000 as numerator,
           p.population::double as denominator
    from gross as s,
    lateral (
        select population from children as p
        where p.area_code = s.area_code
        order by abs(p.year - (year(s.period_end) - 1)), p.year
        limit 1
    ) as p
),

final as (
    select * from per_looked_after_child
    union all
    select * from per_child
)

select * from final
