-- title: How many London boroughs have a figure, by period
-- description: For one metric, the number of London boroughs (the City of London left out, as in every London median) with a published figure in each period: the size of the group a chart's London median is taken over, which the words under the chart name.
-- param: metric varchar = cla_rate_per_10000 | Metric code
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: period
-- columns: period varchar, london_areas bigint
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

final as (
    select f.period, count(*) as london_areas
    from facts as f
    inner join areas as a using (area_code)
    where f.metric_code = $metric and f.period_year between $from_year and $to_year
      and a.is_london and a.area_code <> 'E09000001' and f.value is not null
    group by f.period
)

select * from final
order by period
