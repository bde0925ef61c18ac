"""Streamlit blocks of the SQL workbench: a saved query's parameter inputs, the history list
and a result with its downloads and chart. The page arranges them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from triborough.read import workbench as wb
from triborough.read.queries import NamedQuery, Param
from triborough.views import workbench_views as views
from triborough.views.exports import refusal, to_csv_bytes, to_parquet_bytes, to_xlsx_bytes
from triborough.views.workbench_catalogue import CatalogueEntry

DOWNLOADS = (("CSV", to_csv_bytes, "csv", "text/csv"),
             ("Parquet", to_parquet_bytes, "parquet", "application/vnd.apache.parquet"),
             ("Excel", to_xlsx_bytes, "xlsx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


def param_input(query: NamedQuery, param: Param) -> object:
    """The input for one parameter of a saved query, typed as its header says."""
    key, label, hint = f"saved_{query.name}_{param.name}", f"{param.name} ({param.type})", \
        param.help or None
    default = param.default
    if param.type in ("integer", "double"):
        value = float(default) if param.type == "double" and default is not None else default
        return st.number_input(label, value=value, step=1 if param.type == "integer" else None,
                               key=key, help=hint)
    if param.type == "date":
        return st.date_input(label, value=default, key=key, help=hint)
    if param.type == "boolean":
        return st.checkbox(label, value=bool(default), key=key, help=hint)
    if param.type == "varchar[]":
        text = ", ".join(default) if isinstance(default, list | tuple) else ""
        raw = st.text_input(label + ", comma-separated", value=text, key=key, help=hint)
        return [v.strip() for v in raw.split(",") if v.strip()]
    return st.text_input(label, value="" if default is None else str(default), key=key,
                         help=hint)



def history(entries: list[wb.HistoryEntry], open_sql: Callable[[str], None],
            run_again: Callable[[str], None]) -> None:
    """This session's queries, latest first, each with Open and Run again."""
    history = entries
    if not history:
        st.caption("Queries you run in this session appear here.")
    for entry in history:
        key = hashlib.sha1(entry.sql.encode("utf-8")).hexdigest()[:12]
        st.code(entry.sql, language="sql")
        st.caption(f"{entry.ran_at} · {views.history_outcome(entry)}")
        bar = st.container(horizontal=True)
        bar.button("Open", key=f"hist_open_{key}", on_click=open_sql, args=(entry.sql,))
        bar.button("Run again", key=f"hist_run_{key}", on_click=run_again, args=(entry.sql,))



def result_view(result: wb.Result, source: str) -> None:
    """A result: its size, why it was cut, the grid, downloads and a chart builder."""
    st.caption(f"{result.row_count:,} rows · {result.elapsed_ms:,.0f} ms")
    if notice := views.cut_notice(result):
        st.warning(notice)
    st.dataframe(result.frame, hide_index=True, key="result_grid")
    metadata, stem = wb.result_metadata(result, source), \
        f"workbench-{result.ran_at[:19].replace(':', '')}"
    bar = st.container(horizontal=True)  # each file is made only when its button is pressed
    for label, make, ext, mime in DOWNLOADS:
        if reason := refusal(result.frame, ext):
            st.caption(f"No {label} download: {reason}")
            continue
        bar.download_button(f"Download {label}", data=lambda make=make: make(
            result.frame, metadata), file_name=f"{stem}.{ext}", mime=mime, key=f"dl_{ext}",
            on_click="ignore")
    frame, numeric = result.frame, views.numeric_columns(result.frame)
    if frame.is_empty() or not frame.columns:
        return
    with st.expander("Chart this result"):
        if not numeric:
            st.caption("A chart needs at least one numeric column.")
            return
        kind = st.radio("Chart", views.CHART_KINDS, horizontal=True, key="chart_kind")
        x = st.selectbox("x", frame.columns, key="chart_x")
        y = st.selectbox("y", numeric, index=len(numeric) - 1, key="chart_y")
        colour = st.selectbox("colour", ["(none)", *frame.columns], key="chart_colour")
        fig, alt = views.result_chart(frame, kind, x, y, None if colour == "(none)" else colour)
        st.plotly_chart(fig, key="chart_figure", alt=alt)
        if result.truncated:
            st.caption(f"Only the first {result.row_count:,} rows are charted.")


def insert_control(entries: list[CatalogueEntry], key: str,
                   insert: Callable[[str], None]) -> None:
    """A choice of entries and an "Insert into query" button (names quoted as needed)."""
    if not entries:
        return
    pick = st.selectbox("Insert", range(len(entries)), key=f"{key}_pick",
                        format_func=lambda i: f"{entries[i].kind} · {entries[i].name}")
    st.button("Insert into query", key=f"{key}_insert", on_click=insert,
              args=(entries[pick or 0].insert,),
              help=f"Adds {entries[pick or 0].insert} to the query at the cursor.")
