-- title: Whether the monthly caseload table is in the warehouse
-- description: For each table name asked about, whether the warehouse holds it; the Caseload page uses this to say why the merged-team view is empty instead of failing when the council tables have not been built or loaded.
-- param: tables varchar[] = caseload_monthly | Table names to look for
-- key: table_name
-- columns: table_name varchar, present boolean
with tables as (
    select table_name from duckdb_tables() where not temporary
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
