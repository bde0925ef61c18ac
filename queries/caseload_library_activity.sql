-- title: Library loans or visits by month or quarter, boroughs and London median
-- description: Arts Council England's 2023/24 library activity for the chosen boroughs, added up across the parts each service reports (locations for visits; formats and ages for loans), by month or by quarter, with the median of London boroughs beside them. A figure counts only when it covers everything the service reported for that measure: monthly figures only for services that reported the measure wholly by month, quarterly figures for services whose every part is by quarter or by complete months. Every month or quarter of the year is listed for the boroughs, so a missing one comes back empty.
-- param: measure varchar = visits | Activity measure: visits or loans
-- param: grain varchar = month | month or quarter
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- param: from_year integer = 2010 | First year (financial years by their first year)
-- param: to_year integer = 2025 | Last year
-- key: series, period_start
-- columns: series varchar, series_label varchar, series_kind varchar, period varchar, period_start date, value double, areas bigint
with activity as (
    select * from library_activity
),

areas as (
    select * from dim_area
),

rows_in_range as (
    select *
    from activity
    where measure = $measure
      and year(period_start - interval 3 month) between $from_year and $to_year
),

-- A service is summable by month only when every row of the measure is monthly, and by
-- quarter only when no part is annual and no part is reported at two granularities.
-- Granularities per part are counted by a group by, not count(distinct) over a window:
-- Spark has no distinct window aggregates.
grains as (
    select area_code, breakdown, count(distinct period_months) as grains
    from rows_in_range
    group by area_code, breakdown
),

shape as (
    select r.area_code,
        bool_and(r.period_months = 1) as all_monthly,
        bool_and(r.period_months in (1, 3)) as no_annual,
        max(g.grains) = 1 as one_grain_per_part
    from rows_in_range as r
    inner join grains as g
        on g.area_code = r.area_code and g.breakdown is not distinct from r.breakdown
    group by r.area_code
),

by_month as (
    select r.area_code, r.period_start, sum(r.value) as value
    from rows_in_range as r
    inner join shape as s using (area_code)
    where s.all_monthly
    group by r.area_code, r.period_start
),

quarter_parts as (
    select r.area_code, r.breakdown, date_trunc('quarter', r.period_start)::date as period_start,
           max(r.period_months) as period_months, count(distinct r.period_start) as starts,
           sum(r.value) as value
    from rows_in_range as r
    inner join shape as s using (area_code)
    where s.no_annual and s.one_grain_per_part
    group by r.area_code, r.breakdown, date_trunc('quarter', r.period_start)
),

by_quarter as (
    select area_code, period_start, sum(value) as value
    from quarter_parts
    group by area_code, period_start
    -- a quarter built from months needs all three of them
    having bool_and(period_months = 3 or starts = 3)
),

chosen_grain as (
    select * from by_month where $grain = 'month'
    union all
    select * from by_quarter where $grain = 'quarter'
),

calendar as (
    select distinct period_start from chosen_grain
),

labelled as (
    select period_start,
        case when $grain = 'month' then strftime(period_start, '%b %Y')
             else 'Q' || ((month(period_start) + 8) % 12 // 3 + 1)::varchar || ' '
                  || (year(period_start - interval 3 month))::varchar || '-'
                  || lpad(((year(period_start - interval 3 month) + 1) % 100)::varchar, 2, '0')
        end as period
    from calendar
),

chosen as (
    select area_code, area_name from areas where list_contains($areas, area_code)
),

borough_series as (
    select c.area_code as series, c.area_name as series_label, 'area' as series_kind,
           l.period, l.period_start, g.value, 1::bigint as areas
    from chosen as c
    cross join labelled as l
    left join chosen_grain as g on g.area_code = c.area_code and g.period_start = l.period_start
),

london as (
    select 'london_median' as series, 'London median' as series_label,
           'comparator' as series_kind, l.period, l.period_start,
           median(g.value) as value, count(g.value) as areas
    from labelled as l
    left join chosen_grain as g
        on g.period_start = l.period_start
       and g.area_code in (select area_code from areas where is_london)
    group by l.period, l.period_start
),

final as (
    select * from borough_series
    union all select * from london
)

select * from final
order by series_kind, series, period_start
