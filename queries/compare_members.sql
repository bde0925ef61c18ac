-- title: Members of a comparison group, for each borough shown
-- description: For each chosen borough, the areas in the chosen comparison group: every London borough except the City of London, whose few residents make its per-head figures unlike any borough's (london), the borough's ten DfE children's services statistical neighbours from the 2025 model (dfe_sn_2025), its fifteen Oflog nearest neighbours (oflog_nn), or every English council of the same tier as a London borough, that is every council with social care duties: London boroughs, metropolitan districts, unitary authorities and counties (same_tier). Neither the borough itself nor the other two tri-borough councils is ever among its neighbours (the three are not compared with themselves); London and same-tier groups include them.
-- param: comparison varchar = london | Comparison group: london, dfe_sn_2025, oflog_nn or same_tier
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: for_area, member_code
-- columns: for_area varchar, member_code varchar, member_name varchar, member_type varchar
with areas as (
    select * from dim_area
),

neighbours as (
    select * from neighbours
),

chosen as (
    select area_code as for_area from areas where list_contains($areas, area_code)
),

london as (
    select c.for_area, a.area_code as member_code
    from chosen as c
    cross join areas as a
    where $comparison = 'london' and a.is_london and a.area_code <> 'E09000001'
),

same_tier as (
    select c.for_area, a.area_code as member_code
    from chosen as c
    cross join areas as a
    where $comparison = 'same_tier'
      and a.area_type in ('London Borough', 'Metropolitan District', 'Unitary Authority',
                          'County')
),

peers as (
    select n.area_code as for_area, n.neighbour_code as member_code
    from neighbours as n
    inner join areas as a on a.area_code = n.neighbour_code
    where n.group_id = $comparison
      and $comparison in ('dfe_sn_2025', 'oflog_nn')
      and list_contains($areas, n.area_code)
      and n.neighbour_code <> n.area_code
      and not a.is_triborough
),

members as (
    select * from london
    union all select * from same_tier
    union all select * from peers
),

final as (
    select m.for_area, m.member_code, a.area_name as member_name, a.area_type as member_type
    from members as m
    inner join areas as a on a.area_code = m.member_code
)

select * from final
order by for_area, member_code
