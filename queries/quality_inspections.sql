-- title: Ofsted children's services inspections, every judgement
-- description: Every Ofsted judgement for the chosen boroughs' children's services published in the chosen years: the 2009-12 safeguarding and looked-after children inspections (SLAC), child protection inspections (CPI), the single inspection framework (SIF, including the joint tri-borough inspection published 29 March 2016) and the inspections of local authority children's services (ILACS), with each judgement area's grade in words and as a score (4 Outstanding to 1 Inadequate).
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2009 | First year of publication
-- param: to_year integer = 2025 | Last year of publication
-- key: area_code, framework, publication_date, judgement_area
-- columns: area_code varchar, area_name varchar, framework varchar, inspection_date date, publication_date date, judgement_area varchar, judgement varchar, judgement_score integer
with inspections as (
    select * from inspections
),

areas as (
    select * from dim_area
),

-- Names from dim_area, so a borough reads the same here as on every other page.
final as (
    select i.area_code, a.area_name, i.framework, i.inspection_date, i.publication_date,
           i.judgement_area, i.judgement, i.judgement_score
    from inspections as i
    inner join areas as a using (area_code)
    where list_contains($areas, i.area_code)
      and year(i.publication_date) between $from_year and $to_year
)

select * from final
order by area_code, publication_date, framework, judgement_area
