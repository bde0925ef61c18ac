-- title: Reported tri-borough savings claims and targets
-- description: Every savings figure, target and milestone about the tri-borough programme found in public reporting (press releases and press coverage), each with the page that published it. These are reported claims, not audited outturns.
-- key: date_published, measure
-- columns: date_published varchar, scope varchar, measure varchar, value double, unit varchar, period_referred_to varchar, source_publisher varchar, source_url varchar, quote_or_note varchar
with reported as (
    select * from programme_reported
),

final as (
    select date_published, scope, measure, value, unit, period_referred_to,
           source_publisher, source_url, quote_or_note
    from reported
)

select * from final
order by date_published, measure
