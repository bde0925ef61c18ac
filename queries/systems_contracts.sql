-- title: IT and systems contracts by borough
-- description: Each borough's IT tower and shared-system contracts with vendor, start and end dates, its annual share of the value (£ thousand) and whether the contract is let jointly, with whether each row is illustrative or loaded from a council's register.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: contract_id, borough_code
-- columns: contract_id varchar, borough_code varchar, area_name varchar, tower_or_system varchar, vendor varchar, start_date date, end_date date, annual_value_gbp_k double, shared boolean, is_illustrative boolean, source varchar
with contracts as (
    select * from contracts
),

areas as (
    select * from dim_area
),

final as (
    select c.contract_id, c.borough_code, a.area_name, c.tower_or_system, c.vendor,
           c.start_date, c.end_date, c.annual_value_gbp_k, c.shared,
           c.is_illustrative, c.source
    from contracts as c
    inner join areas as a on a.area_code = c.borough_code
    where list_contains($areas, c.borough_code)
)

select * from final
order by tower_or_system, start_date, contract_id, borough_code
