-- title: Active library users by age group, 2023/24
-- description: Arts Council England's count of active library users in 2023/24 for each chosen borough by age group as the service reported it (some services report only a total, as 'Unknown' age).
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: area_code, age_group
-- columns: area_code varchar, area_name varchar, age_group varchar, period varchar, users double
with activity as (
    select * from library_activity
),

areas as (
    select * from dim_area
),

final as (
    select a.area_code, a.area_name, l.breakdown as age_group,
           year(l.period_start)::varchar || '-'
           || lpad(((year(l.period_start) + 1) % 100)::varchar, 2, '0') as period,
           sum(l.value) as users
    from activity as l
    inner join areas as a using (area_code)
    where l.measure = 'active_users' and l.period_months = 12
      and list_contains($areas, l.area_code)
      and year(l.period_start - interval 3 month) between $from_year and $to_year
    group by a.area_code, a.area_name, l.breakdown, l.period_start
)

select * from final
order by area_code, age_group
