-- title: Savings ledger annual facts
-- description: Planned and delivered savings and one-off costs per borough and financial year, £ million, summed over workstreams from savings_ledger (£ thousand).
-- table: fact_metric
-- reads: savings_ledger
-- metrics: savings_planned_gbp_m, savings_delivered_gbp_m, savings_one_off_cost_gbp_m
-- key: area_code, metric_code, period
-- columns: area_code varchar, metric_code varchar, period varchar, period_end date, value double, numerator double, denominator double
with ledger as (
    select * from savings_ledger
),

yearly as (
    select borough_code, financial_year,
           make_date(left(financial_year, 4)::integer + 1, 3, 31) as period_end,
           sum(planned_gbp_k) as planned, sum(delivered_gbp_k) as delivered,
           sum(one_off_cost_gbp_k) as one_off
    from ledger
    group by all
),

final as (
    select borough_code as area_code, m.metric_code, financial_year as period, period_end,
           round(m.v / 1000, 3) as value, null::double as numerator,
           null::double as denominator
    from yearly,
    lateral (values ('savings_planned_gbp_m', planned),
                    ('savings_delivered_gbp_m', delivered),
                    ('savings_one_off_cost_gbp_m', one_off)) as m (metric_code, v)
)

select * from final
