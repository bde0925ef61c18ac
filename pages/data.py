"""Data and sources: what the warehouse holds, where every figure comes from, and loading a
council's own extract in place of the illustrative rows."""

import datetime as dt

import polars as pl
import streamlit as st

from triborough import audit, signin
from triborough.auth import AccessDenied, Role
from triborough.boroughs import BOROUGH_CODES
from triborough.contracts import CONTRACT_BY_NAME, CONTRACTS
from triborough.data_views import QUALITY_LEGEND, contract_frame, quality_matrix, status_matrix
from triborough.ingest import IngestError, Upload, WriteFailed, ingest, validate_uploads
from triborough.plain_text import plain
from triborough.scorecard import POLARITY_WORDS
from triborough.settings import get_settings
from triborough.ui import (
    empty_notice,
    illustrative_notice,
    query,
    selected_boroughs,
    selected_years,
    show_table,
    table_block,
)

DETECT = "Work it out from the file's header"


def _meta(what: str, source: str) -> dict[str, str]:
    return {
        "figures": what,
        "source": source,
        "licence": "Catalogue text: Open Government Licence v3.0; see each row for figures",
        "downloaded_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


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
shown = catalogue if domain == "All domains" else catalogue.filter(pl.col("domain") == domain)
illustrative_count = int(shown["is_illustrative"].sum())
st.caption(
    f"{shown.height} metrics; {illustrative_count} of them illustrative (generated until a "
    "council loads its extract). Coverage counts the boroughs chosen in the sidebar."
)
table_block(
    shown.select(
        "name", "domain", "figures", "unit",
        pl.col("polarity").replace_strict(POLARITY_WORDS, default=pl.col("polarity"))
        .alias("better when"),
        "first_period", "last_period", "periods", "definition", "publisher", "licence",
        "source_url", "code",
    ),
    key="data_catalogue",
    meta=_meta("Metric catalogue", "Tri-borough Insight catalogue (dim_metric, fact_metric)"),
    file_stem="metric_catalogue",
    column_config={"source_url": st.column_config.LinkColumn("source")},
)

# --- tables -----------------------------------------------------------------------------------
st.header("Tables in the warehouse")
inventory = query("table_inventory")
table_block(
    inventory,
    key="data_tables",
    meta=_meta("Tables, rows and loads", "Tri-borough Insight warehouse (meta_load)"),
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
    show_table(
        pl.DataFrame(
            [{"at": e.at, "kind": e.kind, "who": e.actor, "outcome": e.outcome,
              "details": " ".join(f"{k}={v}" for k, v in e.details.items())}
             for e in reversed(log[-500:])],
            schema={c: pl.Utf8 for c in ("at", "kind", "who", "outcome", "details")},
        ),
        key="audit_table",
    )
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
    with st.expander(f"What a {CONTRACT_BY_NAME[choice].title.lower()} file must contain"):
        show_table(contract_frame(CONTRACT_BY_NAME[choice]), key="upload_contract_table")
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
        st.error(f"{plain(upload.name)}: {result.total_violations:,} problem(s); nothing was "
                 "loaded.")
        show_table(result.as_frame(), key="upload_errors")
elif load_clicked and upload is not None:
    bar = st.progress(0.0, text="Checking the file")
    try:
        loads = ingest([Upload(upload.name, upload.getvalue())], warehouse, table,
                       progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
                       by=person)
    except IngestError as exc:
        bar.empty()
        result = exc.validations[0]
        st.error(f"{plain(upload.name)}: {result.total_violations:,} problem(s); nothing was "
                 "loaded.")
        show_table(result.as_frame(), key="upload_errors")
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
