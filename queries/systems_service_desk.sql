-- title: IT service desk by month and tower
-- description: Tickets, tickets resolved at first contact, tickets resolved within the service level, staff users and cost (£, cash) per borough, month and IT tower (desktop, service desk, data centre, network and telephony), with whether each row is illustrative or loaded from a council's extract.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: borough_code, month, tower
-- columns: borough_code varchar, area_name varchar, month date, tower varchar, tickets bigint, first_contact_resolved bigint, sla_met bigint, users bigint, cost_gbp double, is_illustrative boolean, source varchar
with desk as (
    select * from service_desk_monthly
),

areas as (
    select * from dim_area
),

final as (
    select d.borough_code, a.area_name, d.month, d.tower, d.tickets,
           d.first_contact_resolved, d.sla_met, d.users, d.cost_gbp,
           d.is_illustrative, d.source
    from desk as d
    inner join areas as a on a.area_code = d.borough_code
    where list_contains($areas, d.borough_code)
)

select * from final
order by borough_code, month, tower
