"""Data and sources: what the warehouse holds, where every figure comes from, and loading a
council's own extract in place of the illustrative rows."""

import polars as pl
import streamlit as st

from triborough.access import audit
from triborough.access.auth import Role
from triborough.model.boroughs import BOROUGH_CODES
from triborough.ui import signin
from triborough.ui.blocks import (
    empty_notice,
    illustrative_notice,
    query,
    selected_boroughs,
    selected_years,
    show_table,
    table_block,
)
from triborough.ui.council_upload import upload_form
from triborough.views.data_views import (
    QUALITY_LEGEND,
    audit_table,
    catalogue_table,
    page_meta,
    quality_matrix,
    status_matrix,
)

st.title("Data and sources")
st.markdown(
    "Where every figure comes from, which years each series has, and which tables hold "
    "**illustrative** figures (generated, not published) until a council loads its own "
    "extract. Loading an extract below replaces the illustrative rows it covers; the rest of "
    "the dashboard shows the new figures straight away."
)

areas = selected_boroughs() or list(BOROUGH_CODES)
first_year, last_year = selected_years()

# --- the metric catalogue ---------------------------------------------------------------------
st.header("Metric catalogue")
catalogue = query("catalogue_coverage", areas=areas)
domains = sorted(catalogue["domain"].unique().to_list())
domain = st.selectbox("Domain", ["All domains", *domains], key="data_domain", bind="query-params")
shown, caption = catalogue_table(catalogue, None if domain == "All domains" else domain)
st.caption(caption)
table_block(
    shown,
    key="data_catalogue",
    meta=page_meta("Metric catalogue",
                   "Tri-borough Insight catalogue (dim_metric, fact_metric)"),
    file_stem="metric_catalogue",
    column_config={"source_url": st.column_config.LinkColumn("source")},
)

# --- tables -----------------------------------------------------------------------------------
st.header("Tables in the warehouse")
inventory = query("table_inventory")
table_block(
    inventory,
    key="data_tables",
    meta=page_meta("Tables, rows and loads", "Tri-borough Insight warehouse (meta_load)"),
    file_stem="warehouse_tables",
)
with st.expander("Every file loaded, latest first"):
    loads = query("load_history").select(
        "file", "table_name", "rows", "loaded_at", "loaded_by", "source", "sha256")
    show_table(loads, key="data_loads_table")
st.subheader("Council tables: illustrative or loaded, by borough")
status = query("illustrative_status", areas=areas)
if status.is_empty():
    empty_notice("This warehouse has no council tables yet: rebuild it with `triborough build`.")
else:
    if (status["status"] != "loaded").any():
        illustrative_notice(
            "Until a council loads its extract, these tables hold generated rows, calibrated "
            "to published totals; every chart built on them says so."
        )
    show_table(status_matrix(status), key="data_status_table")
    st.caption(
        "illustrative: every row generated · loaded: every row from the council's extracts · "
        "mixed: the council's rows for the periods its files cover, generated rows elsewhere."
    )

# --- data quality -----------------------------------------------------------------------------
st.header("Which years each metric has")
quality_domain = st.selectbox("Domain", ["All domains", *domains], key="quality_domain",
                              bind="query-params")
grid = query("quality_grid", areas=areas, from_year=first_year, to_year=last_year)
if quality_domain != "All domains":
    grid = grid.filter(pl.col("domain") == quality_domain)
matrix = quality_matrix(grid)
if matrix.is_empty():
    empty_notice("No metrics in this domain.")
else:
    # The metric stays in view while the years scroll past; domain and code go last.
    show_table(
        matrix.select("metric", pl.exclude("metric", "domain", "code"), "domain", "code"),
        key="data_quality_table",
        column_config={"metric": st.column_config.Column(pinned=True)},
    )
    st.caption(QUALITY_LEGEND + ". Years are financial years by their first year (2015 = "
               "2015-16); other periods by calendar year.")

with st.expander("How the illustrative figures were calibrated"):
    notes = query("calibration_notes").select(
        "series", "borough_code", "period", "basis", "published_value", "generated_value",
        "table_name",
    )
    show_table(notes, key="data_calibration_table")
    st.caption(
        "Monthly caseload matches DfE's published count at each 31 March; months between are "
        "interpolated, and a year with no published figure is held at the last one (said "
        "row by row above). Savings reach the reported £43m a year in 2015-16."
    )

# --- loading an extract (stewards) -------------------------------------------------------------
st.header("Load a council extract")
person = signin.page_person()
if not signin.require_section(person, Role.STEWARD, "Loading council extracts"):
    st.stop()  # the rest of the page is the stewards' own

with st.expander("Audit log: sign-ins, refusals, workbench queries and loads"):
    log = audit.entries()
    show_table(audit_table(log), key="audit_table")
    st.caption(f"Latest first; {min(len(log), 500):,} of {len(log):,} entries. "
               "`triborough audit` prints them all.")
upload_form(person)
