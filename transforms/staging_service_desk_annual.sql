-- title: Service desk by borough, tower and financial year
-- description: The monthly service-desk figures summed to financial years, per borough and IT tower and for all towers together (tower 'all'): tickets, tickets resolved at first contact and within the service level, the average number of staff users (counted once a month, not once per tower), cost, and the shares and cost per user. A year with fewer than twelve months of figures keeps its row with empty measures, so a chart shows a gap rather than a part-year that looks like a fall.
-- table: service_desk_annual
-- reads: service_desk_monthly
-- key: borough_code, tower, period
-- columns: borough_code varchar, tower varchar, fy integer, period varchar, period_end date, months bigint, tickets bigint, first_contact_resolved bigint, sla_met bigint, avg_users double, cost_gbp double, first_contact_pct double, sla_met_pct double, cost_per_user_gbp double
with desk as (
    select *, year(month - interval 3 month)::integer as fy from service_desk_monthly
),

towers as (
    select borough_code, fy, month, tower, tickets, first_contact_resolved, sla_met, users,
           cost_gbp
    from desk
    union all
    select borough_code, fy, month, 'all' as tower, tickets, first_contact_resolved, sla_met,
           users, cost_gbp
    from desk
),

monthly as (
    -- Users are the borough's staff, repeated on every tower's row: count them once a month.
    -- Exact decimal sums: a parallel float sum can differ in its last bits from run to run,
    -- and the build must be byte-for-byte repeatable.
    select borough_code, tower, fy, month, sum(tickets) as tickets,
           sum(first_contact_resolved) as first_contact_resolved, sum(sla_met) as sla_met,
           max(users) as users, sum(cost_gbp::decimal(18, 2)) as cost_gbp
    from towers
    group by all
),

yearly as (
    select borough_code, tower, fy, count(*) as months, sum(tickets)::bigint as tickets,
           sum(first_contact_resolved)::bigint as first_contact_resolved,
           sum(sla_met)::bigint as sla_met,
           sum(users) / count(*) as avg_users, sum(cost_gbp)::double as cost_gbp
    from monthly
    group by all
),

final as (
    select borough_code, tower, fy,
           fy || '-' || lpad(((fy + 1) % 100)::varchar, 2, '0') as period,
           make_date(fy + 1, 3, 31) as period_end, months,
           case when months = 12 then tickets end as tickets,
           case when months = 12 then first_contact_resolved end as first_contact_resolved,
           case when months = 12 then sla_met end as sla_met,
           case when months = 12 then avg_users end as avg_users,
           case when months = 12 then cost_gbp end as cost_gbp,
           case when months = 12 then round(100 * first_contact_resolved / nullif(tickets, 0), 1)
           end as first_contact_pct,
           case when months = 12 then round(100 * sla_met / nullif(tickets, 0), 1)
           end as sla_met_pct,
           case when months = 12 then round(cost_gbp / nullif(avg_users, 0), 0)
           end as cost_per_user_gbp
    from yearly
)

select * from final
