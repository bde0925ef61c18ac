-- title: Every public library in the chosen boroughs, 2010 and 2016
-- description: The DCMS Libraries Taskforce list (July 2016) of the chosen boroughs' public libraries: whether each counted as part of the statutory service in 2010 and in 2016, how it is run in 2016 (LAL local-authority-led, CRL community-run and so on) and the year it closed, if it did.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: library_id
-- columns: area_code varchar, area_name varchar, library_id integer, library_name varchar, postcode varchar, statutory_2010 boolean, statutory_2016 boolean, library_type varchar, closed_year integer
with libraries as (
    select * from libraries_2010_2016
),

areas as (
    select * from dim_area
),

final as (
    select l.area_code, a.area_name, l.library_id, l.library_name, l.postcode,
           l.statutory_2010, l.statutory_2016, l.library_type, l.closed_year
    from libraries as l
    inner join areas as a using (area_code)
    where list_contains($areas, l.area_code)
)

select * from final
order by area_code, library_name
