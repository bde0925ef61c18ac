-- title: Latest Ofsted overall judgement
-- description: Each chosen area's most recent overall effectiveness judgement for children's services, with the framework and publication date.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Area codes shown
-- key: area_code
-- columns: area_code varchar, area_name varchar, framework varchar, inspection_date date, publication_date date, judgement varchar, judgement_score integer
with inspections as (
    select * from inspections
),

overall as (
    select *,
        row_number() over (partition by area_code order by publication_date desc) as rn
    from inspections
    where judgement_area = 'overall' and list_contains($areas, area_code)
),

final as (
    select area_code, area_name, framework, inspection_date, publication_date, judgement,
           judgement_score
    from overall
    where rn = 1
)

select * from final
order by area_code
