-- title: Panel of one outcome for the treated councils and a comparison group
-- description: One outcome per area and period for the treated councils (role 'treated') and the untreated donors they are compared with (role 'donor'): every London borough except the City of London (london), the DfE statistical neighbours of the treated councils from the 2021 model (neighbours), or the tri-borough partners not treated (partners). The outcome is one metric, or the sum of several service lines where an area reported every line published that period (so 2010-11's single social care line continues as children's plus adults' from 2011-12), divided by the residents of an age band when one is given and multiplied by a scale (1000 turns £ thousand into £ per head, 10000 a count into a rate per 10,000), using the ONS mid-year estimate for the year the period starts, else the nearest year, the earlier on a tie. Only published figures: a period nobody published has no rows.
-- param: metrics varchar[] = nce_social_care_combined,nce_childrens_social_care,nce_adult_social_care | Metric codes added together
-- param: age_band varchar = all_ages | Population band to divide by (all_ages, 0-17, 18+), or none
-- param: scale double = 1000 | Multiplier applied with the population division (1000: £ thousand to £ per head)
-- param: comparison varchar = london | Donors: london, neighbours or partners
-- param: treated varchar[] = E09000033,E09000013,E09000020 | Treated councils
-- key: area_code, period
-- columns: area_code varchar, area_name varchar, role varchar, period varchar, period_end date, value double
with facts as (
    select * from fact_metric
),

areas as (
    select * from dim_area
),

neighbours as (
    select * from neighbours
),

residents as (
    select * from population
),

chosen as (
    select area_code, metric_code, period, period_end, value
    from facts
    where list_contains($metrics, metric_code) and value is not null
),

lines_per_period as (
    select period, count(distinct metric_code) as lines
    from chosen
    group by period
),

-- A sum counts only when the area reported every line published that period.
summed as (
    select c.area_code, c.period, c.period_end, sum(c.value) as value
    from chosen as c
    inner join lines_per_period as l using (period)
    group by c.area_code, c.period, c.period_end, l.lines
    having count(distinct c.metric_code) = l.lines
),

donors as (
    select area_code from areas
    where $comparison = 'london' and is_london and area_code <> 'E09000001'
    union
    select n.neighbour_code from neighbours as n
    where $comparison = 'neighbours' and n.group_id = 'dfe_sn_2021'
      and list_contains($treated, n.area_code)
    union
    select area_code from areas where $comparison = 'partners' and is_triborough
),

roles as (
    select area_code, 'treated' as role from areas where list_contains($treated, area_code)
    union all
    select d.area_code, 'donor'
    from donors as d
    inner join areas as a using (area_code)
    where not list_contains($treated, d.area_code)
      and (not a.is_triborough or $comparison = 'partners')
),

-- The population estimate nearest each period's mid-year (ties to the earlier year). A ranked
-- join rather than a lateral subquery, because Spark cannot order a subquery by an outer column.
population_candidates as (
    select s.area_code, s.period, s.period_end, s.value,
           r.population::double as population,
           row_number() over (
               partition by s.area_code, s.period
               order by abs(r.year - (year(s.period_end) - 1)), r.year
           ) as nearness
    from summed as s
    left join residents as r
        on r.area_code = s.area_code and r.age_band = $age_band and r.population > 0
),

with_population as (
    select area_code, period, period_end, value, population
    from population_candidates
    where nearness = 1
),

final as (
    select r.area_code, a.area_name, r.role, w.period, w.period_end,
           case when $age_band = 'none' then w.value
                else w.value * $scale / w.population end as value
    from roles as r
    inner join areas as a using (area_code)
    inner join with_population as w using (area_code)
    where $age_band = 'none' or w.population is not null
)

select * from final
order by role desc, area_code, period
