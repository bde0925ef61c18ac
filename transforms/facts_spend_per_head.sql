-- title: Net spend per head
-- description: Net current expenditure per resident the service is for (children's services per child aged 0-17, adults' per adult, others per resident), £ cash, against the population estimate for the financial year's start year, else the nearest year (the rebased ONS series starts at mid-2011, DfE's 0-17 series at mid-2012). The band of each spend line comes from the catalogue ($spend_codes, $spend_bands).
-- table: fact_metric
-- reads: fact_metric, population
-- metrics: spend_ph_adult_social_care, spend_ph_childrens_social_care, spend_ph_cultural_related, spend_ph_central_services, spend_ph_total
-- param: spend_codes varchar[] | Spend metric codes with a population band of their own
-- param: spend_bands varchar[] | The band of each of those codes, in the same order
-- key: area_code, metric_code, period
-- columns: area_code varchar, metric_code varchar, period varchar, period_end date, value double, numerator double, denominator double
with facts as (
    select * from fact_metric
),

residents as (
    select * from population where population > 0
),

spend as (
    select area_code, metric_code, period, period_end, value,
           year(period_end) - 1 as start_year,
           coalesce($spend_bands[list_position($spend_codes, metric_code)], 'all_ages')
               as age_band,
           case metric_code
               when 'nce_adult_social_care' then 'spend_ph_adult_social_care'
               when 'nce_childrens_social_care' then 'spend_ph_childrens_social_care'
               when 'nce_cultural_related' then 'spend_ph_cultural_related'
               when 'nce_central_services' then 'spend_ph_central_services'
               else 'spend_ph_total' end as out_code
    from facts
    where metric_code in ('nce_adult_social_care', 'nce_childrens_social_care',
                          'nce_cultural_related', 'nce_central_services',
                          'nce_total_service_expenditure')
),

matched as (
    select s.*, p.population as pop
    from spend as s,
    lateral (
        select population from residents as p
        where p.area_code = s.area_code and p.age_band = s.age_band
        order by abs(p.year - s.start_year), p.year
        limit 1
    ) as p
),

final as (
    select area_code, out_code as metric_code, period, period_end,
           round(value * 1000 / pop, 2) as value, value * 1000 as numerator,
           pop::double as denominator
    from matched
)

select * from final
