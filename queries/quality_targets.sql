-- title: Councils' targets for the scorecard measures
-- description: Each borough's target for a measure in each financial year, from the council table kpi_targets: generated (illustrative) targets until a council loads its own. The scorecard judges a borough's latest figure against the target for that same year; a year with no target row has no rating.
-- param: metrics varchar[] = rereferral_pct,placements_3plus_pct | Metric codes
-- param: areas varchar[] = E09000033,E09000013,E09000020 | Boroughs shown
-- key: metric_code, area_code, period
-- columns: metric_code varchar, area_code varchar, period varchar, target double, target_is_published boolean, is_illustrative boolean
with targets as (
    select * from kpi_targets
),

final as (
    select
        metric_code,
        borough_code as area_code,
        financial_year as period,
        target,
        target_is_published,
        is_illustrative
    from targets
    where list_contains($metrics, metric_code)
      and list_contains($areas, borough_code)
      and target is not null
)

select * from final
order by metric_code, area_code, period
