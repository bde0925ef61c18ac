-- title: Moves onto the common platforms, by borough
-- description: Each borough's system migrations for the four common platforms (ERP managed service, library management, social care, BI): from which system to which, go-live date (actual or planned) and status, with whether each row is illustrative or loaded from a council's extract.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: borough_code, platform, go_live_date
-- columns: borough_code varchar, area_name varchar, platform varchar, from_system varchar, to_system varchar, go_live_date date, status varchar, is_illustrative boolean, source varchar
with migrations as (
    select * from system_migrations
),

areas as (
    select * from dim_area
),

final as (
    select m.borough_code, a.area_name, m.platform, m.from_system, m.to_system,
           m.go_live_date, m.status, m.is_illustrative, m.source
    from migrations as m
    inner join areas as a on a.area_code = m.borough_code
    where list_contains($areas, m.borough_code)
)

select * from final
order by platform, borough_code, go_live_date
