-- title: Case events each year, by borough, service and kind of event
-- description: How many case events (referrals, openings, closures and the rest) each chosen borough recorded in each calendar year for each service, and how many distinct cases they touched, with whether any of the rows are illustrative (generated until a council loads its case-level extract). The query that reads every case event, so the one the scale measurements time.
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First calendar year
-- param: to_year integer = 2025 | Last calendar year
-- key: borough_code, year, service, event_type
-- columns: borough_code varchar, area_name varchar, year integer, service varchar, event_type varchar, events bigint, cases bigint, is_illustrative boolean
with events as (
    select * from case_events
),

areas as (
    select * from dim_area
),

counted as (
    select borough_code, cast(year(event_date) as integer) as year, service, event_type,
           count(*) as events,
           count(distinct case_id) as cases,
           bool_or(is_illustrative) as is_illustrative
    from events
    -- A date range, not year(event_date): engines skip Parquet row groups (and Spark whole
    -- year partitions' files) whose dates fall outside it; borough_code prunes folders.
    where list_contains($areas, borough_code)
      and event_date >= make_date($from_year, 1, 1)
      and event_date < make_date($to_year + 1, 1, 1)
    group by borough_code, cast(year(event_date) as integer), service, event_type
),

final as (
    select c.borough_code, a.area_name, c.year, c.service, c.event_type, c.events, c.cases,
           c.is_illustrative
    from counted as c
    inner join areas as a on a.area_code = c.borough_code
)

select * from final
order by borough_code, year, service, event_type
