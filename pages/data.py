"""Data and sources: what the warehouse holds, where every figure comes from, and loading a
council's own extract in place of the illustrative rows."""

import polars as pl
import streamlit as st

from triborough.access import audit
from triborough.access.auth import AccessDenied, Role
from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.contracts import CONTRACT_BY_NAME, CONTRACTS
from triborough.model.plain_text import plain
from triborough.settings import get_settings
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
from triborough.views.data_views import (
    QUALITY_LEGEND,
    audit_table,
    catalogue_table,
    contract_frame,
    expected_header,
    header_help,
    page_meta,
    quality_matrix,
    status_matrix,
    template_csv,
)
from triborough.warehouse.ingest import IngestError, Upload, WriteFailed, ingest, validate_uploads
from triborough.warehouse.validation import Validation

DETECT = "Work it out from the file's header"


def problems(name: str, result: Validation, chosen: str | None) -> None:
    """A failed file's problems, and the header its table expects when that was the trouble."""
    st.error(f"{plain(name)}: {result.total_violations:,} problem(s); nothing was loaded.")
    show_table(result.as_frame(), key="upload_errors")
    expected = header_help(result, chosen)
    if expected is not None:
        st.markdown("**The header the file must start with** (columns in this order; the "
                    "template for each table has them, with every rule):")
        show_table(expected, key="upload_expected_header")


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
st.markdown(
    "Upload a CSV extract for one of the council tables. The whole file is checked first and "
    "every problem is listed with its line, column and rule; nothing is loaded unless every "
    "row passes. Loading the same file twice changes nothing."
)
names = [c.name for c in CONTRACTS]
choice = st.selectbox("Table", [DETECT, *names], key="upload_table",
                      format_func=lambda n: n if n == DETECT else CONTRACT_BY_NAME[n].title)
if choice != DETECT:
    contract = CONTRACT_BY_NAME[choice]
    with st.expander(f"What a {contract.title.lower()} file must contain"):
        st.markdown(f"Header: `{expected_header(contract)}`")
        show_table(contract_frame(contract), key="upload_contract_table")
    st.download_button(
        f"Download a template for {contract.title.lower()} (CSV)", template_csv(contract),
        file_name=f"{contract.name}_template.csv", mime="text/csv", key="upload_template",
        on_click="ignore",
        help="The header row the loader expects, with each column's rule on a # line above "
        "it; delete the # lines before loading.")
limit_mb = get_settings().max_upload_mb
upload = st.file_uploader("CSV extract", type=["csv", "txt"], key="upload_file",
                          max_upload_size=limit_mb)
if upload is not None and upload.size > limit_mb * 1024 * 1024:  # the widget's limit, again
    st.error(f"{plain(upload.name)} is {upload.size:,} bytes, over the limit of {limit_mb} MB "
             "(TRIBOROUGH_MAX_UPLOAD_MB); nothing was checked or loaded.")
    st.stop()
left, right = st.columns(2)
check_clicked = left.button("Check the file", key="upload_validate")
load_clicked = right.button("Check and load", key="upload_load", type="primary")
table = None if choice == DETECT else choice
warehouse = get_settings().warehouse_path

if (check_clicked or load_clicked) and upload is None:
    st.info("Choose a file to upload first.")
elif check_clicked and upload is not None:
    result = validate_uploads([Upload(upload.name, upload.getvalue())], warehouse, table)[0]
    for note in result.notes:
        st.caption(f"Note: {plain(note)}.")
    if result.ok:
        st.success(f"{plain(upload.name)}: {result.rows:,} rows pass every check for "
                   f"{result.table}. Press **Check and load** to load them.")
    else:
        problems(upload.name, result, table)
elif load_clicked and upload is not None:
    bar = st.progress(0.0, text="Checking the file")
    try:
        loads = ingest([Upload(upload.name, upload.getvalue())], warehouse, table,
                       progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                       by=person)
    except IngestError as exc:
        bar.empty()
        problems(upload.name, exc.validations[0], table)
    except AccessDenied as exc:
        bar.empty()
        st.error(plain(exc))
    except WriteFailed as exc:
        bar.empty()
        st.error(f"{plain(upload.name)}: {plain(exc)}")
    else:
        # Rerun so every view above reads the new warehouse (its cache key has changed).
        st.session_state["upload_outcome"] = [load.summary() for load in loads]
        st.rerun()

outcome = st.session_state.pop("upload_outcome", None)
if outcome:
    st.success("Load finished. " + plain(" ".join(outcome))
               + " Every page now shows the new figures; no restart needed.")
