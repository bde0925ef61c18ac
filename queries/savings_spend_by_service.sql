-- title: Net current expenditure on a service, chosen boroughs and comparison groups
-- description: Net current expenditure (£ thousand, cash) on one service line, or the sum of several, for every financial year from the first (2007-08) to the latest published, for the chosen boroughs, every London borough except the City of London, the DfE statistical neighbours of the chosen boroughs (leaving out the three tri-borough councils) and England, each with the residents in the population band per-head figures use. Years nobody published come back as rows with an empty value, so charts show a gap. An area's sum counts only when it reported every line the publisher had that year, so a part-sum never poses as a total.
-- param: services varchar[] = adult_social_care | Service line keys (spend_by_service.service) to add together
-- param: age_band varchar = 18+ | Population band for per-head figures: all_ages, 0-17 or 18+
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: peer_group varchar = dfe_sn_2021 | Neighbour group (neighbours.group_id) for the peer median
-- key: area_code, role, period
-- columns: area_code varchar, area_name varchar, role varchar, period varchar, period_end date, value_gbp_k double, population double
with spend as (
    select * from spend_by_service
),

areas as (
    select * from dim_area
),

residents as (
    select * from population
),

neighbours as (
    select * from neighbours
),

chosen_lines as (
    select area_code, period, period_end, service, net_expenditure_gbp_k
    from spend
    where list_contains($services, service)
),

lines_per_period as (
    select period, count(distinct service) as lines
    from chosen_lines
    group by period
),

summed as (
    select area_code, period, period_end,
           sum(net_expenditure_gbp_k) as value_gbp_k,
           count(distinct service) as lines
    from chosen_lines
    group by area_code, period, period_end
),

complete as (
    select s.area_code, s.period_end, s.value_gbp_k
    from summed as s
    inner join lines_per_period as l using (period)
    where s.lines = l.lines
),

-- Every financial year from the first to the latest the publisher has, whether or not it was
-- published, so an unpublished year is a row with no value (a gap, never a zero).
-- The cast is outside the unnest because Spark cannot cast a generator's output in place.
calendar as (
    select cast(step as date) as period_end
    from (
        select unnest(generate_series((select min(period_end) from spend),
                                      (select max(period_end) from spend),
                                      interval 1 year)) as step
    ) as steps
),

periods as (
    select period_end,
           (year(period_end) - 1)::varchar || '-'
               || lpad((year(period_end) % 100)::varchar, 2, '0') as period
    from calendar
),

peers as (
    select distinct n.neighbour_code as area_code
    from neighbours as n
    where n.group_id = $peer_group and list_contains($areas, n.area_code)
),

roles as (
    select area_code, 'borough' as role from areas where list_contains($areas, area_code)
    union all
    -- The City of London's few thousand residents make its per-head figures unlike any
    -- borough's, so the London median is over the 32 boroughs.
    select area_code, 'london' from areas where is_london and area_code <> 'E09000001'
    union all
    select p.area_code, 'peer'
    from peers as p
    inner join areas as a using (area_code)
    where not a.is_triborough
    union all
    select area_code, 'england' from areas where area_code = 'E92000001'
),

grid as (
    select r.area_code, a.area_name, r.role, p.period, p.period_end
    from roles as r
    inner join areas as a using (area_code)
    cross join periods as p
),

-- Residents for per-head figures: the estimate for the year the financial year starts in,
-- else the nearest year (the rebased ONS series starts at mid-2011, the 0-17 one at mid-2012).
-- The same rule the build uses for the catalogue's per-head metrics.
-- Ranked with a window, not a lateral join: Spark cannot order a subquery by an outer column.
nearest_population as (
    select area_code, period_end, population
    from (
        select g.area_code, g.period_end, r.population::double as population,
               row_number() over (
                   partition by g.area_code, g.period_end
                   order by abs(r.year - (year(g.period_end) - 1)), r.year
               ) as rn
        from (select distinct area_code, period_end from grid) as g
        inner join residents as r
            on r.area_code = g.area_code and r.age_band = $age_band and r.population > 0
    ) as ranked
    where rn = 1
),

with_population as (
    select g.*, c.value_gbp_k, n.population
    from grid as g
    left join complete as c using (area_code, period_end)
    left join nearest_population as n using (area_code, period_end)
),

final as (
    select area_code, area_name, role, period, period_end, value_gbp_k, population
    from with_population
)

select * from final
order by role, area_code, period_end
