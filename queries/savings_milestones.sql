-- title: Programme targets and milestones for chart annotations
-- description: Dated targets (£ million a year) and events of the tri-borough programme as reported publicly: the £33.4m projection, the £40m and £43m targets for 2015/16, the notice of 27 March 2017 and the split of 1 April 2018.
-- key: date, label
-- columns: date date, label varchar, kind varchar, value_gbp_m double, source_url varchar
with milestones as (
    select * from programme_milestones
),

final as (
    select date, label, kind, value_gbp_m, source_url
    from milestones
)

select * from final
order by date, label
