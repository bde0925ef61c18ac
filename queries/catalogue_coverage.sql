-- title: Metric catalogue with coverage
-- description: Every metric in the catalogue with its definition, unit, polarity, publisher and licence, the first and last period that has a figure for the chosen areas, how many periods that is, and whether the figures are published, derived, loaded from council extracts or illustrative (generated).
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Areas whose figures count towards coverage
-- key: code
-- columns: code varchar, name varchar, domain varchar, unit varchar, polarity varchar, definition varchar, publisher varchar, source_title varchar, source_url varchar, licence varchar, period_type varchar, is_illustrative boolean, figures varchar, first_period varchar, last_period varchar, periods bigint
with metrics as (
    select * from dim_metric
),

facts as (
    select * from fact_metric
),

with_figures as (
    select metric_code, period, period_end
    from facts
    where list_contains($areas, area_code) and value is not null
),

coverage as (
    select metric_code,
           arg_min(period, period_end) as first_period,
           arg_max(period, period_end) as last_period,
           count(distinct period) as periods
    from with_figures
    group by metric_code
),

final as (
    select m.code, m.name, m.domain, m.unit, m.polarity, m.definition, m.publisher,
           m.source_title, m.source_url, m.licence, m.period_type, m.is_illustrative,
           case
               when m.is_illustrative then 'illustrative'
               when m.source_id = 'council_extract' then 'loaded from council extracts'
               when m.source_id = 'derived' then 'derived from published figures'
               else 'published'
           end as figures,
           c.first_period, c.last_period, coalesce(c.periods, 0) as periods
    from metrics as m
    left join coverage as c on c.metric_code = m.code
)

select * from final
order by domain, code
