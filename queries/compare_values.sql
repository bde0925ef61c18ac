-- title: One metric for the boroughs shown and a comparison group, with populations
-- description: Figures for one metric in the chosen years: for each borough shown (role 'display') every period from the metric's first to last published, with an empty value where nothing was published so charts show gaps; for each comparison-group member (role 'member') its published figures. Each row carries the population of the chosen age band (ONS mid-year estimates, rebased after Census 2021) for the year the period mostly falls in, or the nearest year with an estimate, so pages can show figures per head.
-- param: metric varchar = cla_at_31_march | Metric code
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: members varchar[] = E09000001,E09000007,E09000019,E09000022 | Comparison group members
-- param: age_band varchar = 0-17 | Population band for per-head figures: all_ages, 0-17 or 18+
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: area_code, role, period
-- columns: area_code varchar, area_name varchar, role varchar, period varchar, period_end date, value double, population double, population_year bigint
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

population as (
    select * from population
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

display as (
    select a.area_code, a.area_name, 'display' as role, p.period, p.period_end, f.value
    from areas as a
    cross join periods as p
    left join metric_facts as f on f.area_code = a.area_code and f.period_end = p.period_end
    where list_contains($areas, a.area_code)
),

member_rows as (
    select f.area_code, a.area_name, 'member' as role, f.period, f.period_end, f.value
    from metric_facts as f
    inner join areas as a using (area_code)
    where list_contains($members, f.area_code) and f.value is not null
),

wanted as (
    select * from display
    union all select * from member_rows
),

-- The estimate for the year the period mostly falls in (six months before its end: mid-year
-- of a financial year's start, the March before a September count); else the nearest year,
-- the earlier on a tie, because the rebased series starts at mid-2011 (0-17: mid-2012).
matched as (
    select w.area_code, w.role, w.period,
           arg_min(p.population, abs(p.year - year(w.period_end - interval 6 month)) * 10000
                   + p.year) as population,
           arg_min(p.year, abs(p.year - year(w.period_end - interval 6 month)) * 10000
                   + p.year) as population_year
    from wanted as w
    inner join population as p
        on p.area_code = w.area_code and p.age_band = $age_band and p.population > 0
    group by w.area_code, w.role, w.period
),

final as (
    select w.area_code, w.area_name, w.role, w.period, w.period_end, w.value,
           m.population::double as population, m.population_year::bigint as population_year
    from wanted as w
    left join matched as m using (area_code, role, period)
)

select * from final
order by role, area_code, period_end
