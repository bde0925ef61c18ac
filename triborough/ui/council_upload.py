"""The Data page's form for a steward's council extract: choose the table (or let the header say),
see what its file must contain and download a template, check the file, then check and load it.

Every refusal names the file, line, column and rule; nothing is loaded unless every row passes.
"""

from __future__ import annotations

import streamlit as st

from triborough.access.auth import AccessDenied, Person
from triborough.model.contracts import CONTRACT_BY_NAME, CONTRACTS
from triborough.model.plain_text import plain
from triborough.settings import get_settings
from triborough.ui.blocks import show_table
from triborough.views.data_views import contract_frame, expected_header, header_help, template_csv
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


def upload_form(person: Person) -> None:
    """The upload form and the outcome of its last load, for ``person`` (a steward)."""
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
        return
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
