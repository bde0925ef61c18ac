"""Query results in the types their header declares, whichever engine produced them.

DuckDB and Spark hand back the same values in slightly different Arrow types (Spark's counts
and DuckDB's sums can differ in width); casting both to the ``-- columns:`` contract means a
page, a download or a comparison sees one set of types.
"""

from __future__ import annotations

import polars as pl

from triborough.read.queries import NamedQuery

# Declared DuckDB result types (query headers) as polars types.
POLARS_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "bigint": pl.Int64(),
    "integer": pl.Int32(),
    "double": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us"),
    "double[]": pl.List(pl.Float64()),
    "varchar[]": pl.List(pl.String()),
}


def conform(query: NamedQuery, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a result to the types the query's header declares (columns the header does not
    name are left as they are)."""
    casts = {
        name: POLARS_TYPES[kind]
        for name, kind in query.columns
        if name in frame.columns and kind in POLARS_TYPES
    }
    return frame.with_columns(pl.col(n).cast(t) for n, t in casts.items())
