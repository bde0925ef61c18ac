-- title: Shared-service arrangement periods
-- description: Which services were shared by which boroughs and when, for shading charts.
-- key: arrangement_id
-- columns: arrangement_id varchar, service varchar, borough_codes varchar, start_date date, end_date_or_today date, end_date date, description varchar, source_url varchar
with arrangements as (
    select * from arrangements
),

final as (
    select arrangement_id, service, borough_codes, start_date,
           coalesce(end_date, current_date) as end_date_or_today,
           end_date, description, source_url
    from arrangements
)

select * from final
order by start_date, arrangement_id
