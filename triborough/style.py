"""One place for colours and number formatting, so a borough looks the same everywhere."""

from __future__ import annotations

import math
import re

import polars as pl

from triborough.units import unit_words

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
ILLUSTRATIVE_LABEL = "Illustrative figures (generated, not published)"
RAG_COLOURS = {"green": "#1b7837", "amber": "#b35806", "red": "#b2182b"}


def unit_label(unit: str) -> str:
    """Plain-words axis label for a catalogue unit (the words: triborough.units)."""
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
