"""Streamlit helpers every page shares: cached warehouse access, filters, chart blocks.

Pages stay thin: they pick a named query, shape it with package functions and hand the result
to ``chart_block`` / ``table_block``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from triborough.figures.chart_export import export_config, summary_from_figure, with_provenance
from triborough.figures.kept import kept
from triborough.model.boroughs import BOROUGH_BY_CODE, BOROUGH_CODES
from triborough.model.periods import YEAR_RANGE
from triborough.model.style import ILLUSTRATIVE_LABEL, unit_label
from triborough.read.connection import (
    WarehouseMissing,
    connect_readonly,
    run_named,
    warehouse_version,
)
from triborough.settings import get_settings
from triborough.ui.clipboard import copy_button
from triborough.ui.url_state import IN_URL
from triborough.views.exports import refusal, to_csv_bytes
from triborough.views.metric_views import trend_view
from triborough.views.page_pieces import View, borough_label
from triborough.views.provenance import (  # provenance lives there; pages take it from here too
    council_table_meta,  # noqa: F401
    image_lines,
    metadata_for,  # noqa: F401
    source_line,
)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, version: str):  # noqa: ANN202 - duckdb connection
    """One read-only connection per warehouse version; each query takes its own cursor."""
    return connect_readonly(Path(path))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, params: tuple, path: str, version: str) -> pl.DataFrame:
    return run_named(_connection(path, version), name, dict(params))


def current_version() -> str:
    """The warehouse's version, or stop the page with instructions when it is missing."""
    try:
        return warehouse_version(get_settings().warehouse_path)
    except WarehouseMissing as exc:
        st.error(f"{exc}. From the project folder run: `.venv/bin/triborough build`.")
        st.stop()
        raise  # unreachable; st.stop raises


def query(name: str, **params: object) -> pl.DataFrame:
    """Run a named query with parameters, cached until the warehouse is rebuilt or reloaded."""
    version = current_version()
    frozen = tuple(
        sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in params.items())
    )
    thawed = tuple((k, list(v) if isinstance(v, tuple) else v) for k, v in frozen)
    return _cached(name, thawed, str(get_settings().warehouse_path), version)


def selected_boroughs() -> list[str]:
    """Borough codes chosen in the sidebar (all three by default), in the fixed order."""
    chosen = st.session_state.get("boroughs") or list(BOROUGH_CODES)
    return [c for c in BOROUGH_CODES if c in chosen]


def selected_years() -> tuple[int, int]:
    """First and last year chosen in the sidebar (financial years by their first year)."""
    years = st.session_state.get("period") or YEAR_RANGE
    return int(years[0]), int(years[1])


def page_scope() -> tuple[list[str], int, int]:
    """The boroughs and first and last years chosen in the sidebar. With no borough chosen the
    page says so and stops, so a page never draws empty charts."""
    areas = selected_boroughs()
    if not areas:
        empty_notice("Choose at least one borough in the sidebar to see figures.")
        st.stop()
    return (areas, *selected_years())


def sidebar_filters() -> None:
    """Borough and period filters, shared by every page through session state."""
    st.sidebar.multiselect(
        "Boroughs shown",
        options=list(BOROUGH_CODES),
        default=list(BOROUGH_CODES),
        format_func=lambda c: BOROUGH_BY_CODE[c].name,
        key="boroughs",
        bind=IN_URL,
        help="The display group. Comparators (London, England, peers) are always shown.",
    )
    st.sidebar.slider(
        "Years",
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
        value=YEAR_RANGE,
        key="period",
        bind=IN_URL,
        help="Financial years by their first year (2010 = 2010-11); other periods by year.",
    )


def illustrative_notice(what: str = "") -> None:
    """The banner that opens a section of generated figures, saying what was generated and
    why. Each chart and table in it carries the label again in its source line."""
    st.warning(f"**{ILLUSTRATIVE_LABEL}.** {what}".strip(), icon="⚠️")


MISSING = "—"


def show_table(
    table: object,
    *,
    key: str,
    column_config: Mapping[str, object] | None = None,
    height: int | str = "auto",
) -> None:
    """A read-only grid with a dash for a missing value and words for column names
    (``first_period`` reads 'first period'); ``column_config`` overrides either."""
    columns = list(getattr(table, "columns", []))
    if hasattr(table, "data"):  # a pandas Styler: its frame's columns
        columns = list(table.data.columns)
    config: dict[str, object] = {
        c: c.replace("_", " ") for c in columns if isinstance(c, str) and "_" in c
    }
    # Thousands separated (55,721, not 55721) in the reader's locale; a year stays 2024.
    config.update({
        c: st.column_config.NumberColumn(str(config.get(c, c)), format="localized")
        for c in number_columns(table)
    })
    config.update(column_config or {})
    st.dataframe(table, hide_index=True, key=key, column_config=config, height=height,
                 placeholder=MISSING)


_NOT_QUANTITIES = {"year", "years", "period", "code", "id", "urn"}


def number_columns(table: object) -> list[str]:
    """The columns of a polars or pandas frame that hold quantities: numbers, but not years,
    codes or identifiers (a pandas Styler formats its own)."""
    if isinstance(table, pl.DataFrame):
        numeric = [n for n, t in table.schema.items() if t.is_numeric()]
    elif hasattr(table, "select_dtypes"):
        numeric = [str(n) for n in table.select_dtypes("number").columns]
    else:
        return []
    return [n for n in numeric if not set(re.split(r"[\W_]+", n.lower())) & _NOT_QUANTITIES]


# Every rerun offers every view's CSV again: the same rows under the same header lines. Small
# ones are kept (a chart's table); a large table is written afresh, so that the kept results
# (``kept``: 512 at most) stay within about 130 MB.
_KEEP_CSV_BYTES = 256_000
_kept_csv = kept(to_csv_bytes)


def csv_bytes(table: pl.DataFrame, meta: dict[str, str]) -> bytes:
    """The CSV a view's download offers (``exports.to_csv_bytes``), kept when small."""
    small = table.estimated_size() <= _KEEP_CSV_BYTES
    return (_kept_csv if small else to_csv_bytes)(table, meta)


def download_block(
    table: pl.DataFrame, *, key: str, meta: Mapping[str, str], file_stem: str
) -> None:
    """The CSV download every view offers: the rows shown, under '# ' lines giving source,
    licence, unit and whether the figures are illustrative (or, over the download budget, the
    reason there is none)."""
    reason = refusal(table, "csv")
    if reason:
        st.caption(reason)
        return
    st.download_button(
        "Download CSV (with source notes)",
        data=csv_bytes(table, dict(meta)),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"{key}_download",
        on_click="ignore",
    )


def chart_block(
    fig: go.Figure,
    table: pl.DataFrame,
    *,
    key: str,
    meta: Mapping[str, str],
    alt: str,
    file_stem: str,
    summary: str = "",
) -> None:
    """A chart, its source line, a 'show as table' alternative, a CSV download and a button
    that copies its summary.

    The chart carries its unit, period, source, licence and date inside it, so the image its
    camera button saves (at print resolution) keeps them. ``summary`` is the page's sentence
    on the chart; without one, the summary is the chart's latest figures. Generated figures
    are labelled in the source line under the chart (and in its download); the section's
    banner (``illustrative_notice``) says what was generated, once.
    """
    with_provenance(fig, image_lines(meta, chart_unit(fig, meta)))
    st.plotly_chart(fig, key=f"{key}_chart", alt=alt,
                    config=export_config(file_stem, fig.layout.height))
    st.caption(source_line(meta))
    show = st.toggle("Show as table", key=f"{key}_as_table")
    if show:
        show_table(table, key=f"{key}_table")
    with st.container(horizontal=True, vertical_alignment="center"):
        download_block(table, key=key, meta=meta, file_stem=file_stem)
        copy_button("Copy the summary", key=f"{key}_summary",
                    text=chart_summary(fig, meta, summary))


def chart_unit(fig: go.Figure, meta: Mapping[str, str]) -> str:
    """The unit a chart's image names: the measure's, in words, or where a view mixes several
    measures (the metadata lists them all) the chart's own axis title."""
    unit = meta.get("unit", "")
    axis = str(fig.layout.yaxis.title.text or "")
    return axis if axis and (";" in unit or not unit) else unit_label(unit)


def chart_summary(fig: go.Figure, meta: Mapping[str, str], summary: str = "") -> str:
    """What 'Copy the summary' copies: the page's sentence (or the chart's latest figures),
    then where the figures come from, so a pasted sentence keeps its source."""
    title = str(fig.layout.title.text or "")
    words = summary.strip() or summary_from_figure(fig, title, meta.get("unit", ""))
    return f"{words} {source_line(meta).replace('**', '')}."


def empty_notice(why: str) -> None:
    """Say why a view has nothing to show, instead of an empty chart."""
    st.info(why)


def table_block(
    table: pl.DataFrame,
    *,
    key: str,
    meta: Mapping[str, str],
    file_stem: str,
    column_config: Mapping[str, object] | None = None,
    height: int | str = "auto",
    style: Callable[[object], object] | None = None,
) -> None:
    """A table that is the view itself (no chart): source line and CSV download with metadata.

    Illustrative figures are labelled in the source line, as in ``chart_block``. ``style``
    turns the pandas frame into a pandas Styler for on-screen colour (e.g. red/amber/green
    cells, which must also carry words); the download stays plain.
    """
    show_table(style(table.to_pandas()) if style else table, key=f"{key}_table",
               column_config=column_config, height=height)
    st.caption(source_line(meta))
    download_block(table, key=key, meta=meta, file_stem=file_stem)


def basis_choice(key: str, label: str = "Money in") -> str:
    """The Cash / Real terms switch every page with money across years shows (real terms by
    default); returns 'real' or 'cash' for ``real_terms``."""
    from triborough.model.real_terms import BASES, DEFAULT_BASIS

    return st.segmented_control(
        label,
        options=list(BASES),
        default=DEFAULT_BASIS,
        format_func=BASES.get,
        key=key,
        bind=IN_URL,
        required=True,
        help="Real terms: every year in 2024-25 prices with HM Treasury's GDP deflator, so "
        "years compare. Cash: as the councils reported it; each year's own figure is its cash.",
    )


def in_brief(groups: Sequence[tuple[str, Sequence[str]]]) -> None:
    """The figures in words (from ``narrative``): each heading in bold over its sentences."""
    st.markdown("\n\n".join(
        (f"**{heading}**\n\n" if heading else "") + "\n".join(f"- {s}" for s in sentences)
        for heading, sentences in groups if sentences
    ).replace("$", "\\$"))


def base_choice(
    key: str,
    options: Mapping[str, tuple[str, ...]],
    label: str = "Before sharing: the base for changes and the index",
) -> tuple[str, ...]:
    """The base a page measures changes and its index from, the first of ``options`` (from
    ``before_sharing.base_options``) by default; returns its periods.

    When the default changes (another measure or service), or a base picked earlier is not on
    offer, the choice goes back to the default: a year on offer for two measures must not pass
    for the new one's default.
    """
    default, default_seen = next(iter(options)), f"{key}_default"
    if st.session_state.get(default_seen) != default or st.session_state.get(key) not in options:
        st.session_state[key] = default  # set, not dropped: the browser shows it too
        st.session_state[default_seen] = default
    picked = st.selectbox(
        label,
        options=list(options),
        key=key,
        bind=IN_URL,
        help="The default is the average of the three years before sharing began, where "
        "there is a figure for each of them, so one unusual year does not set the base.",
    )
    return options[picked]


def published_trend(
    metric: Mapping[str, object], trend: pl.DataFrame, *, key: str, threshold: int,
    **options: Any,
) -> bool:
    """Draw one metric's trend through ``chart_block``; ``options`` are ``trend_view``'s
    (arrangements, shared, kind, title, y_title, extra_meta). Returns False (after saying why)
    when the boroughs have no figures to show."""
    view = trend_view(metric, trend, threshold=threshold, **options)
    if view is None:
        empty_notice(
            f"No published figures for {str(metric['name']).lower()} for the boroughs and "
            f"years chosen (published {metric.get('first_period') or '?'} to "
            f"{metric.get('last_period') or '?'})."
        )
        return False
    chart_block(view.fig, view.table, key=key, meta=view.meta, alt=view.alt,
                file_stem=f"triborough_{metric['code']}")
    words_block(view.words)
    return True


def words_block(words: Mapping[str, str]) -> None:
    """A chart's comparison in words, one line per borough after its marker."""
    if words:
        st.markdown("  \n".join(
            f"{borough_label(code) if code in BOROUGH_BY_CODE else code}: {text}"
            for code, text in words.items()).replace("$", "\\$"), unsafe_allow_html=True)


def view_block(view: View, key: str, *, words: bool = True) -> None:
    """A view's chart with its source line, table alternative and downloads, then (unless the
    page says them its own way) what it says in words."""
    chart_block(view.fig, view.table, key=key, meta=view.meta, alt=view.alt,
                file_stem=view.file_stem)
    if words:
        words_block(view.words)
