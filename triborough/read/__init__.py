"""Read-only access to the warehouse: connections, named queries, the SQL workbench with its guard
and worker processes, the Parquet export and the Spark engine.
"""
