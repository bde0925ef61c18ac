-- title: Shared-service arrangement periods
-- description: Which services were shared by which boroughs and when, for shading charts: shaded_until is the arrangement's end, or where the sources give none, the last day a source confirms it (confirmed_until), so shading never runs past what the sources say.
-- key: arrangement_id
-- columns: arrangement_id varchar, service varchar, borough_codes varchar, start_date date, shaded_until date, end_date date, confirmed_until date, description varchar, source_url varchar
with arrangements as (
    select * from arrangements
),

final as (
    select arrangement_id, service, borough_codes, start_date,
           coalesce(end_date, confirmed_until) as shaded_until,
           end_date, confirmed_until, description, source_url
    from arrangements
)

select * from final
order by start_date, arrangement_id
