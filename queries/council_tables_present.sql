-- title: Which council tables the warehouse holds
-- description: For each table name asked about, whether the warehouse has it. Pages use this to say why a view is empty (the council tables arrive with the illustrative build or a council's load) instead of failing.
-- param: tables varchar[] = savings_ledger,service_desk_monthly,contracts,system_migrations | Table names to look for
-- key: table_name
-- columns: table_name varchar, present boolean
-- duckdb_tables is DuckDB's catalogue view; the Spark engine provides one from its export.
with tables as (
    select table_name from duckdb_tables where not temporary
),

asked as (
    select unnest($tables) as table_name
),

final as (
    select a.table_name, a.table_name in (select table_name from tables) as present
    from asked as a
)

select * from final
order by table_name
