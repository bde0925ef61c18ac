-- title: Open cases each month, by borough, for one service
-- description: Cases open at the end of each month in the chosen boroughs for one service (children in need, child protection, looked after, adults' long-term support), with whether the team serving the borough was shared or the council's own (sovereign), and whether each row is illustrative (generated until a council loads its extract) or loaded from a council's extract.
-- param: service varchar = looked_after | Service: children_in_need, child_protection, looked_after or adult_long_term_support
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: borough_code, month
-- columns: borough_code varchar, area_name varchar, month date, service varchar, team_model varchar, open_cases bigint, is_illustrative boolean, source varchar
with caseload as (
    select * from caseload_monthly
),

areas as (
    select * from dim_area
),

final as (
    select c.borough_code, a.area_name, c.month, c.service, c.team_model, c.open_cases,
           c.is_illustrative, c.source
    from caseload as c
    inner join areas as a on a.area_code = c.borough_code
    where c.service = $service
      and list_contains($areas, c.borough_code)
      and year(c.month - interval 3 month) between $from_year and $to_year
)

select * from final
order by borough_code, month
