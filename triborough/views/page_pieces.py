"""The pieces every page repeats, in one place: a borough's label with its chart marker, the
shaded years of sharing, the April 2018 split marker, the illustrative suffix, and the shape
a page's view comes back in (figure, table, title, download metadata, alt text, words).

No Streamlit here: page-building functions return a ``View`` and the page only lays it out,
so each can be tested without running a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import BOROUGH_COLOURS, BOROUGH_SYMBOLS
from triborough.views.disclosure import SPLIT_DATE, shading

SYMBOL_GLYPH = {"circle": "●", "square": "■", "diamond": "◆"}
ILLUSTRATIVE_SUFFIX = " (illustrative)"
SPLIT_EVENT: list[tuple[dt.date, str]] = [(SPLIT_DATE, "Apr 2018: H&F leaves")]
CHILDREN_SHARED = ("triborough_childrens_services",)
ADULTS_SHARED = ("triborough_adult_social_care",)


def borough_label(code: str) -> str:
    """Borough name (markdown, bold) after its chart marker in its colour, so the text matches
    the lines without relying on colour; the marker is hidden from screen readers."""
    glyph = SYMBOL_GLYPH[BOROUGH_SYMBOLS[code]]
    return (
        f"<span style='color:{BOROUGH_COLOURS[code]}' aria-hidden='true'>{glyph}</span> "
        f"**{BOROUGH_BY_CODE[code].name}**"
    )


def illustrative_suffix(flags: Iterable[bool]) -> str:
    """' (illustrative)' when any row is generated, else nothing: for titles and headings."""
    return ILLUSTRATIVE_SUFFIX if any(flags) else ""


def sharing_shading(
    arrangements: pl.DataFrame, ids: Iterable[str] = CHILDREN_SHARED,
    within: tuple[dt.date, dt.date] | None = None,
) -> list[tuple[dt.date, dt.date, str]]:
    """The shaded band of the years all three councils shared (``shared_periods`` rows),
    clipped to ``within`` when given."""
    return shading(arrangements, ids, within)


def split_marker(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]] | None:
    """The April 2018 split, only when a chart's dates reach it: a line out on its own would
    stretch the axis over years with no figures."""
    return SPLIT_EVENT if first <= SPLIT_DATE <= last else None


@dataclass(frozen=True)
class View:
    """One chart or table as a page lays it out: the figure (None where the page draws it from
    ``frame``), its table alternative, title, download metadata, alt text, the file name's stem,
    what it says in words (borough code -> sentences), the notes under it, and named facts the
    page places beside it (the latest year, the unit)."""

    fig: go.Figure | None
    table: pl.DataFrame
    title: str
    meta: dict[str, str]
    alt: str
    file_stem: str
    words: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    frame: pl.DataFrame | None = None
    facts: dict[str, str] = field(default_factory=dict)
