-- title: Shared-service arrangement periods
-- description: Which services were shared by which boroughs and when, for shading charts.
-- key: arrangement_id
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
