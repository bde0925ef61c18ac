-- title: Residents by year and age band
-- description: ONS mid-year estimates as one row per area, year and age band (all ages, 0-17, and 18+ as all ages less 0-17 where both exist for the same mid-year), the denominators of every per-head figure.
-- table: population
-- reads: fact_metric
-- key: area_code, year, age_band
-- columns: area_code varchar, year bigint, age_band varchar, population bigint
with facts as (
    select * from fact_metric
),

all_ages as (
    select area_code, year(period_end) as year, value from facts
    where metric_code = 'pop_all_ages'
),

children as (
    select area_code, year(period_end) as year, value from facts
    where metric_code = 'pop_0_17'
),

bands as (
    select area_code, year, 'all_ages' as age_band, value from all_ages
    union all
    select area_code, year, '0-17' as age_band, value from children
    union all
    select a.area_code, a.year, '18+' as age_band, a.value - c.value as value
    from all_ages as a
    inner join children as c using (area_code, year)
),

final as (
    select area_code, year, age_band, value::bigint as population from bands
)

select * from final
