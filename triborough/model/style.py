"""One place for colours and number formatting, so a borough looks the same everywhere."""

from __future__ import annotations

import math
import re

import polars as pl

from triborough.model.units import unit_words

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies, and each
# passes 3:1 contrast against white for chart marks.
BOROUGH_COLOURS: dict[str, str] = {
    "E09000033": "#0072B2",  # Westminster: blue
    "E09000013": "#D55E00",  # Hammersmith and Fulham: vermilion
    "E09000020": "#009E73",  # Kensington and Chelsea: bluish green
}
# Comparators are greys/black so they never compete with the boroughs.
COMPARATOR_COLOURS: dict[str, str] = {
    "London median": "#555555",
    "England": "#000000",
    "Peer median": "#888888",
}
# Line dashes back up colour so that no chart relies on colour alone.
BOROUGH_DASHES: dict[str, str] = {
    "E09000033": "solid",
    "E09000013": "dash",
    "E09000020": "dot",
}
BOROUGH_SYMBOLS: dict[str, str] = {
    "E09000033": "circle",
    "E09000013": "square",
    "E09000020": "diamond",
}
SHARED_PERIOD_FILL = "rgba(120,120,120,0.12)"
# Everything else a chart, map or page draws in, by what it is for.
PAPER = "#ffffff"  # chart and map background, and patterns drawn over a colour
INK = "#1a1a1a"  # text, and reference lines that must read as strongly as text
INK_SOFT = "#333333"  # small labels on a chart
INK_MUTED = "#444444"  # dotted event lines, and the source lines inside a chart image
BLACK = "#000000"  # the observed value on an effect chart, flagged bar outlines
GRID = "#e5e5e5"  # value-axis gridlines
GRID_LIGHT = "#f0f0f0"  # time-axis gridlines
ZERO_LINE = "#999999"  # the zero line, and a zero reference drawn by hand
REFERENCE_GREY = "#555555"  # a dotted start line, histogram outlines
FALLBACK_SERIES = "#777777"  # a series with no colour of its own (never a borough)
FALLBACK_BOROUGH = "#333333"  # a borough line whose code has no colour (a new borough)
MUTED_BAR = "#bdbdbd"  # bars that are context, not the subject
HISTOGRAM_FILL = "#bbbbbb"  # placebo distribution bars
BAND_FILL = "rgba(85,85,85,0.16)"  # a comparison group's middle half
LABEL_BACKGROUND = "rgba(255,255,255,0.9)"  # behind a label drawn over lines
SHARED_TEAM = "#4d4d4d"  # caseload by team: shared teams
SOVEREIGN_TEAM = "#a6a6a6"  # caseload by team: a council's own teams
FOCUS_OUTLINE = "#0b4f8a"  # keyboard focus ring
# Maps: ColorBrewer YlGnBu (five classes), which ColorBrewer marks safe for colour-blind
# readers; light is low, dark is high. An area with no figure is a neutral grey that is not on
# the scale, and says "no figure" in the legend, on hover and in the table.
MAP_SCALE: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
MAP_NO_FIGURE = "#d9d9d9"
MAP_BORDER = PAPER  # thin lines between areas
MAP_OUTLINE = INK  # the three boroughs, drawn over the map
ILLUSTRATIVE_LABEL = "Illustrative figures (generated, not published)"
RAG_COLOURS = {"green": "#1b7837", "amber": "#b35806", "red": "#b2182b"}
# The committee pack's print CSS: text and headings, the notice border, table rules and fills.
PACK_COLOURS: dict[str, str] = {
    "text": INK,
    "heading": "#0b3a5e",
    "caption": INK_SOFT,
    "footer": INK_MUTED,
    "notice": RAG_COLOURS["amber"],
    "rule": "#bbbbbb",
    "header_fill": "#eef2f6",
    "measure_fill": "#dde5ee",
}
# The workbench's SQL editor: each token kind at 4.5:1 or more on white (WCAG AA text), and
# the box's edge at 3:1 or more (non-text contrast), so highlighting never costs legibility.
SQL_EDITOR_COLOURS: dict[str, str] = {
    "keyword": "#0b4f9c",
    "string": "#a31515",
    "numeric": "#116644",
    "comment": "#5f6368",
    "function": "#6a1b9a",
    "text": "#1a1a1a",
    "edge": "#767676",
    "focus": "#0b4f9c",
}


def sql_editor_css() -> str:
    """CSS for the SQL editor's frame: token colours and the box's edge (see above)."""
    c = SQL_EDITOR_COLOURS
    tokens = {"keyword": ".ace_keyword", "string": ".ace_string", "numeric": ".ace_constant",
              "comment": ".ace_comment", "function": ".ace_support.ace_function"}
    rules = [f".ace-tm {sel} {{ color: {c[kind]} !important; }}" for kind, sel in tokens.items()]
    rules += [
        f".ace-tm {{ color: {c['text']}; border: 1px solid {c['edge']}; border-radius: 6px; }}",
        f".ace-tm.ace_focus {{ outline: 2px solid {c['focus']}; outline-offset: -2px; }}",
        ".ace-tm .ace_comment { font-style: italic; }",
    ]
    return "\n".join(rules)


def unit_label(unit: str) -> str:
    """Plain-words axis label for a catalogue unit (the words: triborough.model.units)."""
    return unit_words(unit)


def is_missing(value: float | int | None) -> bool:
    """True for None and NaN: a gap in a published series."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | int | None, unit: str) -> str:
    """Format a value for display in its unit; a gap reads 'no figure', never 0."""
    if is_missing(value):
        return "no figure"
    v = float(value)  # type: ignore[arg-type]
    if unit in ("gbp_thousand",):
        return f"£{v / 1000:,.1f}m" if abs(v) >= 1000 else f"£{v:,.0f}k"
    if unit == "gbp_million":
        return f"£{v:,.1f}m"
    if unit == "gbp":
        return f"£{v:,.0f}"
    if unit == "percent":
        return f"{v:,.1f}%"
    if unit == "score":
        # Scores run from under 1 (ASCOF adjusted quality of life, e.g. 0.376) to 12 (carers):
        # three significant figures keep the small ones from all reading 0.4.
        return f"{v:,.3g}"
    if unit in ("rate_per_10000", "rate_per_1000", "cases_per_fte", "rate"):
        return f"{v:,.1f}"
    if unit == "fte":
        return f"{v:,.1f}"
    if unit == "persons":
        # Residents are whole people: a median of an even number of councils can end in .5
        return f"{round(v):,}"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}"


def format_change(change: float | None, unit: str) -> str:
    """Signed change in a unit, e.g. '+£12' or '-3.4 points' for percentages."""
    if is_missing(change):
        return "no comparison"
    sign = "+" if change >= 0 else "−"  # type: ignore[operator]
    mag = abs(change)  # type: ignore[arg-type]
    if unit == "percent":
        return f"{sign}{mag:,.1f} pts"
    return sign + format_value(mag, unit)


# Where a period may break across lines, and what holds it together: the hyphen in '2023-24'
# (a non-breaking hyphen) and the space in 'Sep 2024' (a non-breaking space).
_PERIOD_BREAKS = ((r"(\d)-(\d)", "\u2011"), (r"([A-Za-z]) (\d{4})\b", "\u00a0"))


def unbroken(text: str) -> str:
    """Periods that never break across lines in a narrow table cell: '2023-24' takes a
    non-breaking hyphen and 'Sep 2024' a non-breaking space. For on-screen text only;
    downloads keep plain characters."""
    for pattern, glue in _PERIOD_BREAKS:
        text = re.sub(pattern, rf"\g<1>{glue}\g<2>", text)
    return text


def unbroken_column(name: str) -> pl.Expr:
    """``unbroken`` over a text column, done by polars (no Python call per cell)."""
    expr = pl.col(name)
    for pattern, glue in _PERIOD_BREAKS:
        expr = expr.str.replace_all(pattern, f"${{1}}{glue}${{2}}")
    return expr
