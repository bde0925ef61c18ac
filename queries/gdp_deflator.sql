-- title: GDP deflator by financial year
-- description: HM Treasury's GDP deflator (2024-25 = 100) for every financial year, outturn or forecast, with the release it comes from. Real terms (2024-25 prices) = cash x 100 / deflator; triborough.model.real_terms.deflate is the one place that does it.
-- key: period
-- columns: period varchar, period_end date, deflator double, basis varchar, release varchar
with deflators as (
    select * from gdp_deflator
),

final as (
    select period, period_end, deflator, basis, release
    from deflators
)

select * from final
order by period_end
