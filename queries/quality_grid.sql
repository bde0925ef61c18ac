-- title: Which years each metric has
-- description: For every metric and year (financial years by their first year), how many of the chosen areas have a figure, and whether that year is complete, partly covered, a gap inside the metric's span, or outside it. A gap is never filled in.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Areas to check
-- param: from_year integer = 2010 | First year
-- param: to_year integer = 2024 | Last year
-- key: code, year
-- columns: code varchar, name varchar, domain varchar, is_illustrative boolean, year bigint, n_areas bigint, status varchar
with metrics as (
    select * from dim_metric
),

facts as (
    select * from fact_metric
),

years as (
    select unnest(generate_series($from_year::bigint, $to_year::bigint)) as year
),

with_figures as (
    select metric_code, period_year::bigint as year, count(distinct area_code) as n_areas
    from facts
    where list_contains($areas, area_code) and value is not null
    group by all
),

span as (
    select metric_code, min(year) as first_year, max(year) as last_year
    from with_figures
    group by metric_code
),

grid as (
    select m.code, m.name, m.domain, m.is_illustrative, y.year
    from metrics as m
    cross join years as y
),

final as (
    select g.code, g.name, g.domain, g.is_illustrative, g.year,
           coalesce(f.n_areas, 0) as n_areas,
           case
               when f.n_areas >= array_length(list_distinct($areas)) then 'complete'
               when f.n_areas > 0 then 'partial'
               when s.first_year is null then 'no figures'
               when g.year between s.first_year and s.last_year then 'gap'
               else 'outside span'
           end as status
    from grid as g
    left join with_figures as f on f.metric_code = g.code and f.year = g.year
    left join span as s on s.metric_code = g.code
)

select * from final
order by domain, code, year
