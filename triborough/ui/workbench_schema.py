"""The workbench's Schema and Find and insert tabs: what the warehouse holds, in the words of its
table and column comments, with each name insertable into the query at the cursor.

The catalogue reads run on the schema browser's own read-only connection, cached per warehouse
build; what an analyst types runs in the worker processes.
"""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from triborough.read import workbench as wb
from triborough.ui import workbench_blocks as blocks
from triborough.ui.sql_editor import TEXT, cursor, set_sql
from triborough.views import workbench_catalogue as cat


@st.cache_data(show_spinner=False, max_entries=4)
def known(path: str, version: str, _con: duckdb.DuckDBPyConnection) -> tuple[
        pl.DataFrame, pl.DataFrame, frozenset[str]]:
    """The warehouse's tables and columns with their descriptions, the metric catalogue and
    DuckDB's reserved words, once per warehouse build."""
    return cat.described(wb.schema_overview(_con)), wb.metric_catalogue(_con), \
        cat.reserved_words(_con)


@st.cache_data(show_spinner=False, max_entries=64)
def _distinct(path: str, version: str, table: str, columns: dict[str, str],
              _con: duckdb.DuckDBPyConnection) -> dict[str, list[object]]:
    return cat.distinct_values(_con, table, columns)


def _insert(text: str) -> None:
    set_sql(cat.insert_at(str(st.session_state[TEXT]), text, cursor()))


def schema_browser(con: duckdb.DuckDBPyConnection, path: str, version: str) -> None:
    """Every table with its rows and description; the chosen table's columns with their types,
    descriptions and (for few) values, each insertable into the query."""
    overview, metrics, _ = known(path, version, con)
    if overview.is_empty():
        st.caption("The warehouse has no tables.")
        return
    tables = overview.unique("table_name", keep="first", maintain_order=True)
    st.dataframe(tables.select("table_name", "kind", "row_count", "table_description")
                 .to_arrow(), hide_index=True, key="schema_tables")
    chosen = st.selectbox("Columns of", tables["table_name"].to_list(), key="schema_table")
    columns = overview.filter(pl.col("table_name") == chosen)
    values = _distinct(path, version, chosen, dict(columns.select("column_name", "column_type")
                                                   .iter_rows()), con)
    st.dataframe(columns.select(
        "column_name", "column_type", "column_description",
        pl.col("column_name").replace_strict({c: cat.values_text(v) for c, v in values.items()},
                                             default="", return_dtype=pl.String)
        .alias("values (when few)")).to_arrow(), hide_index=True, key="schema_columns")
    st.caption(f"Values are listed for text and yes/no columns with at most "
               f"{cat.DISTINCT_LIMIT} distinct values.")
    blocks.insert_control(cat.table_entries(chosen, columns, values), "schema", _insert)
    if not metrics.is_empty():
        with st.expander(f"Metric catalogue (dim_metric) · {metrics.height:,} metrics"):
            st.dataframe(metrics.to_arrow(), hide_index=True, key="schema_metric_catalogue")


def find_and_insert(con: duckdb.DuckDBPyConnection, path: str, version: str) -> None:
    """A search over tables, columns and metrics, each found name insertable into the query."""
    overview, metrics, reserved = known(path, version, con)
    entries = cat.catalogue_entries(overview, metrics, reserved)
    text = st.text_input("Search tables, columns and metrics", key="catalogue_search",
                         placeholder="for example: looked after, area_type, dim_area")
    found = cat.search(entries, text)[:50]
    st.caption(f"{len(found):,} shown" + (" (the first 50)" if len(found) == 50 else "")
               + f" of {len(entries):,} tables, columns and metrics.")
    st.dataframe(pl.DataFrame([vars(e) for e in found], schema={
        "kind": pl.String, "name": pl.String, "detail": pl.String, "insert": pl.String})
        .to_arrow(), hide_index=True, key="catalogue_found")
    blocks.insert_control(found, "catalogue", _insert)
