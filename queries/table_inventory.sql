-- title: Tables in the warehouse
-- description: Every table with what it holds, its rows, the files loaded into it (latest first) and, for the council tables, how many rows are illustrative (generated) and how many were loaded from councils' extracts.
-- key: table_name
-- columns: table_name varchar, description varchar, rows bigint, files_loaded bigint, last_file varchar, last_loaded_at timestamp, last_loaded_by varchar, illustrative_rows bigint, loaded_rows bigint, status varchar
-- duckdb_tables is DuckDB's catalogue view; the Spark engine provides one from its export.
with tables as (
    select table_name, estimated_size as rows
    from duckdb_tables
    where not temporary and schema_name = 'main'
),

descriptions as (
    select * from meta_table
),

loads as (
    select * from meta_load
),

-- The latest file by a window with a tie-break on the file name: several files share one
-- load time, and arg_max would pick any of them (differently on each engine).
ranked_loads as (
    select table_name, file, loaded_at, loaded_by,
           count(*) over (partition by table_name) as files_loaded,
           row_number() over (partition by table_name order by loaded_at desc, file desc) as rn
    from loads
),

last_load as (
    select table_name, files_loaded, file as last_file, loaded_at as last_loaded_at,
           loaded_by as last_loaded_by
    from ranked_loads
    where rn = 1
),

council as (
    select table_name,
           sum(illustrative_rows)::bigint as illustrative_rows,
           sum(loaded_rows)::bigint as loaded_rows,
           case when sum(loaded_rows) = 0 then 'illustrative'
                when sum(illustrative_rows) = 0 then 'loaded'
                else 'mixed' end as status
    from meta_illustrative
    group by table_name
),

final as (
    select t.table_name, d.description, t.rows,
           coalesce(l.files_loaded, 0) as files_loaded, l.last_file, l.last_loaded_at,
           l.last_loaded_by, c.illustrative_rows, c.loaded_rows,
           coalesce(c.status, case when l.files_loaded > 0 then 'published extracts'
                                   else 'derived in the build' end) as status
    from tables as t
    left join descriptions as d using (table_name)
    left join last_load as l using (table_name)
    left join council as c using (table_name)
)

select * from final
order by table_name
