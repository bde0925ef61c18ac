-- title: IT service desk by financial year
-- description: The service-desk figures per borough and financial year, for one IT tower or all towers together ('all'), summed once in the warehouse (service_desk_annual): tickets, resolved at first contact and within the service level (% of all tickets in the year, not an average of monthly shares), average staff users and cost per user (£ a year, cash). A year with fewer than twelve months of figures has empty measures, so a chart shows a gap.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: tower varchar = all | IT tower (desktop, service_desk, data_centre, network_telephony) or all
-- key: borough_code, period
-- columns: borough_code varchar, area_name varchar, fy integer, period varchar, period_end date, months bigint, tickets bigint, avg_users double, first_contact_pct double, sla_met_pct double, cost_per_user_gbp double
with annual as (
    select * from service_desk_annual
),

areas as (
    select * from dim_area
),

final as (
    select d.borough_code, a.area_name, d.fy, d.period, d.period_end, d.months, d.tickets,
           d.avg_users, d.first_contact_pct, d.sla_met_pct, d.cost_per_user_gbp
    from annual as d
    inner join areas as a on a.area_code = d.borough_code
    where list_contains($areas, d.borough_code) and d.tower = $tower
)

select * from final
order by borough_code, fy
