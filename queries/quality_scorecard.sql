-- title: Service quality scorecard: latest figure, the one before, London and England
-- description: For each chosen metric and borough, the latest published figure in the chosen years and the one before it (direction of travel), every London borough's figure for that same period (so the page can place the borough in a quarter of London) with their median, England's figure where the publisher gives one, and the Oflog national median for adult social care metrics. metric_latest_period is the latest period any council has a figure for the metric in the years chosen; is_stale marks a borough whose latest figure is older than that. A borough with no figure in the years chosen has no row.
-- param: metrics varchar[] = rereferral_pct,sw_turnover_pct,asc_user_qol | Metric codes
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: metric_code, area_code
-- columns: metric_code varchar, metric_name varchar, domain varchar, unit varchar, polarity varchar, target double, target_is_published boolean, is_illustrative boolean, is_people_count boolean, area_code varchar, area_name varchar, latest_period varchar, latest_value double, metric_latest_period varchar, is_stale boolean, previous_period varchar, previous_value double, london_values double[], london_median double, london_areas bigint, england_value double, national_median double, publisher varchar, source_title varchar, source_url varchar, licence varchar
with facts as (
    select * from fact_metric
),

metrics as (
    select * from dim_metric
),

areas as (
    select * from dim_area
),

oflog as (
    select * from oflog_medians
),

in_range as (
    select area_code, metric_code, period, period_end, value
    from facts
    where list_contains($metrics, metric_code)
      and period_year between $from_year and $to_year
      and value is not null
),

ranked as (
    select *,
        row_number() over (partition by area_code, metric_code order by period_end desc) as rn
    from in_range
    where list_contains($areas, area_code)
),

london as (
    select r.metric_code, r.period,
           list_sort(list(r.value)) as london_values,  -- Spark has no ordered list()
           median(r.value) as london_median,
           count(*) as london_areas
    from in_range as r
    inner join areas as a using (area_code)
    -- The City of London's few residents make its per-head figures unlike any borough's.
    where a.is_london and a.area_code <> 'E09000001'
    group by r.metric_code, r.period
),

england as (
    select metric_code, period, value as england_value
    from in_range
    where area_code = 'E92000001'
),

-- The latest period the measure is published for (any council): a borough whose own latest
-- figure is older is marked stale rather than set beside current figures.
metric_latest as (
    select metric_code, max(period_end) as latest_end, arg_max(period, period_end) as period
    from in_range
    group by metric_code
),

final as (
    select
        l.metric_code,
        m.name as metric_name,
        m.domain,
        m.unit,
        m.polarity,
        m.target,
        m.target_is_published,
        m.is_illustrative,
        m.is_people_count,
        l.area_code,
        a.area_name,
        l.period as latest_period,
        l.value as latest_value,
        ml.period as metric_latest_period,
        l.period_end < ml.latest_end as is_stale,
        p.period as previous_period,
        p.value as previous_value,
        lo.london_values,
        lo.london_median,
        lo.london_areas,
        e.england_value,
        o.median as national_median,
        m.publisher,
        m.source_title,
        m.source_url,
        m.licence
    from ranked as l
    inner join metrics as m on m.code = l.metric_code
    inner join areas as a on a.area_code = l.area_code
    left join ranked as p
        on p.area_code = l.area_code and p.metric_code = l.metric_code and p.rn = 2
    left join london as lo on lo.metric_code = l.metric_code and lo.period = l.period
    left join england as e on e.metric_code = l.metric_code and e.period = l.period
    left join oflog as o on o.metric_code = l.metric_code and o.period = l.period
    inner join metric_latest as ml on ml.metric_code = l.metric_code
    where l.rn = 1
)

select * from final
order by metric_code, area_code
