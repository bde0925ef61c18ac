-- title: Headline figures: latest value, change and London median
-- description: For each metric and area, the latest value in the chosen years, the value before it (direction of travel), the first value in range (change since), the figures for the base periods in range (a change can be measured from their average), and the London borough median for the same period.
-- param: metrics varchar[] = pop_all_ages,cin_rate_per_10000,cla_rate_per_10000 | Metric codes
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Area codes shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- param: base_periods varchar[] = 2008-09,2009-10,2010-11 | Periods whose average a change can be measured from
-- key: area_code, metric_code
-- columns: area_code varchar, area_name varchar, metric_code varchar, metric_name varchar, domain varchar, unit varchar, polarity varchar, latest_period varchar, latest_value double, previous_period varchar, previous_value double, first_period varchar, first_value double, base_period_list varchar[], base_value_list double[], london_median double, london_areas bigint, publisher varchar, source_title varchar, source_url varchar, licence varchar, is_illustrative boolean
with facts as (
    select * from fact_metric
),

metrics as (
    select * from dim_metric
),

areas as (
    select * from dim_area
),

in_range as (
    select area_code, metric_code, period, period_end, value
    from facts
    where list_contains($metrics, metric_code)
      and period_year between $from_year and $to_year
      and value is not null
),

london as (
    select r.metric_code, r.period,
           median(r.value) as london_median,
           count(*) as london_areas
    from in_range as r
    inner join areas as a using (area_code)
    -- The City of London's few residents make its per-head figures unlike any borough's.
    where a.is_london and a.area_code <> 'E09000001'
    group by r.metric_code, r.period
),

ranked as (
    select *,
        row_number() over (partition by area_code, metric_code order by period_end desc) as rn_desc,
        row_number() over (partition by area_code, metric_code order by period_end) as rn_asc
    from in_range
    where list_contains($areas, area_code)
),

base as (
    select area_code, metric_code,
           list(period order by period_end) as base_period_list,
           list(value order by period_end) as base_value_list
    from ranked
    where list_contains($base_periods, period) and value is not null
    group by area_code, metric_code
),

final as (
    select
        l.area_code,
        a.area_name,
        l.metric_code,
        m.name as metric_name,
        m.domain,
        m.unit,
        m.polarity,
        l.period as latest_period,
        l.value as latest_value,
        p.period as previous_period,
        p.value as previous_value,
        f.period as first_period,
        f.value as first_value,
        b.base_period_list,
        b.base_value_list,
        lo.london_median,
        lo.london_areas,
        m.publisher,
        m.source_title,
        m.source_url,
        m.licence,
        m.is_illustrative
    from ranked as l
    inner join metrics as m on m.code = l.metric_code
    inner join areas as a on a.area_code = l.area_code
    left join ranked as p
        on p.area_code = l.area_code and p.metric_code = l.metric_code and p.rn_desc = 2
    left join ranked as f
        on f.area_code = l.area_code and f.metric_code = l.metric_code and f.rn_asc = 1
    left join london as lo on lo.metric_code = l.metric_code and lo.period = l.period
    left join base as b on b.area_code = l.area_code and b.metric_code = l.metric_code
    where l.rn_desc = 1
)

select * from final
order by metric_code, area_code
