-- title: Files loaded into the warehouse
-- description: Every file loaded, latest first: the table it went into, its sha256, rows, when and by whom (the build records the published extracts; council extracts carry the OS user who loaded them).
-- param: table_name varchar = all | Only this table ('all' for every table)
-- key: table_name, sha256
-- columns: table_name varchar, file varchar, source varchar, sha256 varchar, rows bigint, loaded_at timestamp, loaded_by varchar
with loads as (
    select * from meta_load
),

final as (
    select table_name, file, source, sha256, rows, loaded_at, loaded_by
    from loads
    where $table_name = 'all' or table_name = $table_name
)

select * from final
order by loaded_at desc, table_name, file
