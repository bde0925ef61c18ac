-- title: Illustrative or loaded, by council table and borough
-- description: For each council table and borough, how many rows are illustrative (generated) and how many were loaded from the council's extracts, whether the borough's rows are illustrative, loaded or mixed, and the first and last period held.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: table_name, borough_code
-- columns: table_name varchar, borough_code varchar, area_name varchar, illustrative_rows bigint, loaded_rows bigint, status varchar, first_period varchar, last_period varchar
with status as (
    select * from meta_illustrative
),

areas as (
    select * from dim_area
),

final as (
    select s.table_name, s.borough_code, a.area_name, s.illustrative_rows, s.loaded_rows,
           s.status, s.first_period, s.last_period
    from status as s
    left join areas as a on a.area_code = s.borough_code
    where list_contains($areas, s.borough_code)
)

select * from final
order by table_name, borough_code
