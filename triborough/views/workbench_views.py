"""Plain shaping for the workbench page: result notices, history lines, the result's chart.

Kept out of the page so each is tested without a running app.
"""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from triborough.model.plain_text import plain
from triborough.model.style import BOROUGH_COLOURS
from triborough.read.workbench import HistoryEntry, Result

CHART_KINDS = ("bar", "line", "scatter")


def cut_notice(result: Result) -> str | None:
    """Why a result shows fewer rows than the query returned, or None when it is whole."""
    if result.cut_by == "bytes":
        return (
            f"Showing the first {result.row_count:,} rows: the result is larger than the "
            f"{result.byte_cap_mb:,} MB the workbench returns. Downloads hold these rows only. "
            "Select fewer or shorter columns, filter or aggregate to see the rest."
        )
    if result.truncated:
        return (
            f"Showing the first {result.row_cap:,} rows: the result has more. Downloads hold "
            "these rows only. Filter, aggregate or add a LIMIT to see the rest."
        )
    return None


def history_outcome(entry: HistoryEntry) -> str:
    """'3 rows, 12 ms', '100 rows (cut), …' or 'error: …' for one history line."""
    if entry.error:
        return plain(f"error: {entry.error.splitlines()[0]}")
    cut = " (cut)" if entry.truncated else ""
    return f"{entry.row_count or 0:,} rows{cut}, {entry.elapsed_ms or 0:,.0f} ms"


def numeric_columns(frame: pl.DataFrame) -> list[str]:
    """Columns a chart can take as its y."""
    return [c for c, t in frame.schema.items() if t.is_numeric()]


def result_chart(frame: pl.DataFrame, kind: str, x: str, y: str,
                 colour: str | None) -> tuple[go.Figure, str]:
    """The result as a bar, line or scatter chart, and its alt text. A colour column whose
    values are all borough codes takes the boroughs' fixed colours."""
    colours = None
    if colour and set(frame[colour].cast(pl.String).unique().to_list()) <= set(BOROUGH_COLOURS):
        colours = BOROUGH_COLOURS  # the same colour for the same borough everywhere
    plot = {"bar": px.bar, "line": px.line, "scatter": px.scatter}[kind]
    title = f"{y} by {x}" + (f" and {colour}" if colour else "")
    fig = plot(frame, x=x, y=y, color=colour, color_discrete_map=colours, title=title)
    alt = f"{kind.capitalize()} chart of {y} by {x}; the same rows are in the result table."
    return fig, alt
