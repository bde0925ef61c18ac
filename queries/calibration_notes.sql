-- title: How the illustrative figures were calibrated
-- description: For each illustrative series, the published figure it was calibrated to (or that it was held flat, derived or assumed because no figure was published) and the generated value, by borough and period.
-- param: table_name varchar = all | Only this table ('all' for every table)
-- key: table_name, borough_code, series, period
-- columns: table_name varchar, borough_code varchar, series varchar, period varchar, basis varchar, published_value double, generated_value double
with notes as (
    select * from illustrative_calibration
),

final as (
    select table_name, borough_code, series, period, basis, published_value, generated_value
    from notes
    where $table_name = 'all' or table_name = $table_name
)

select * from final
order by table_name, borough_code, series, period
