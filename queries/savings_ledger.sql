-- title: Savings ledger for the chosen boroughs
-- description: Planned and delivered annual savings and one-off costs (£ thousand) of the shared-services programme by borough, financial year and workstream, with whether each row is illustrative (generated) or loaded from a council's extract. Cumulative net savings and payback years are worked out from these rows by the page.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: borough_code, financial_year, workstream
-- columns: borough_code varchar, area_name varchar, financial_year varchar, workstream varchar, planned_gbp_k double, delivered_gbp_k double, one_off_cost_gbp_k double, is_illustrative boolean, source varchar
with ledger as (
    select * from savings_ledger
),

areas as (
    select * from dim_area
),

final as (
    select l.borough_code, a.area_name, l.financial_year, l.workstream,
           l.planned_gbp_k, l.delivered_gbp_k, l.one_off_cost_gbp_k,
           l.is_illustrative, l.source
    from ledger as l
    inner join areas as a on a.area_code = l.borough_code
    where list_contains($areas, l.borough_code)
)

select * from final
order by borough_code, financial_year, workstream
