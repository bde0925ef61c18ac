-- title: Service-desk annual facts
-- description: The catalogue's four service-desk measures per borough and full financial year, all towers together, from service_desk_annual: first-contact resolution and tickets within the service level as shares of all tickets, cost per staff user and tickets per user.
-- table: fact_metric
-- reads: service_desk_annual
-- metrics: sd_first_contact_resolution_pct, sd_sla_met_pct, sd_cost_per_user_gbp, sd_tickets_per_user
-- key: area_code, metric_code, period
-- columns: area_code varchar, metric_code varchar, period varchar, period_end date, value double, numerator double, denominator double
with annual as (
    select * from service_desk_annual
),

full_years as (
    select * from annual where tower = 'all' and months = 12
),

final as (
    select borough_code as area_code, m.metric_code, period, period_end, m.value,
           m.numerator, m.denominator
    from full_years,
    lateral (values
        ('sd_first_contact_resolution_pct', first_contact_pct, first_contact_resolved::double,
         tickets::double),
        ('sd_sla_met_pct', sla_met_pct, sla_met::double, tickets::double),
        ('sd_cost_per_user_gbp', cost_per_user_gbp, cost_gbp, avg_users),
        ('sd_tickets_per_user', round(tickets / nullif(avg_users, 0), 2), tickets::double,
         avg_users)
    ) as m (metric_code, value, numerator, denominator)
)

select * from final
