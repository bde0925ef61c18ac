"""Formatting in plain words: gaps are never zeros, small scores keep their precision."""

from __future__ import annotations

import math

import pytest

from triborough.style import format_change, format_value
from triborough.travel import direction


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "count", "no figure"),
        (math.nan, "percent", "no figure"),
        (0, "count", "0"),
        (209996, "persons", "209,996"),
        (105421.24, "gbp_thousand", "£105.4m"),
        (585.15, "gbp", "£585"),
        (12.9, "percent", "12.9%"),
        (0.376, "score", "0.376"),  # ASCOF adjusted quality of life (Oflog, K&C 2022-23)
        (7.1, "score", "7.1"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_format_change_signs_and_points():
    assert format_change(-2.5, "percent") == "−2.5 pts"
    assert format_change(114.0, "gbp") == "+£114"


@pytest.mark.parametrize(
    ("previous", "latest", "polarity", "word"),
    [
        (15.3, 12.9, "lower_better", "improving"),
        (12.9, 15.3, "lower_better", "worsening"),
        (40.0, 43.1, "higher_better", "improving"),
        (211508, 209996, "neither", "decreasing"),
        (None, 5.0, "higher_better", "no earlier figure"),
        (5.0, 5.0, "lower_better", "no change"),
    ],
)
def test_direction_follows_polarity(previous, latest, polarity, word):
    assert direction(previous, latest, polarity)[0] == word


def test_periods_on_screen_never_break_inside():
    from triborough.style import unbroken

    # A narrow tablet cell broke '2023-24' after its hyphen and 'Sep 2024' at its space.
    assert unbroken("▲ worsening since 2023-24") == "▲ worsening since\u00a02023\u201124"
    assert unbroken("Sep 2024") == "Sep\u00a02024"
    # Words with hyphens and figures are left alone.
    assert unbroken("mid-2023") == "mid-2023"
    assert unbroken("£1,858 (second-best quarter)") == "£1,858 (second-best quarter)"


def test_colours_are_named_in_style_and_nowhere_else():
    """Every colour a chart, map or page draws in is a named colour in style.py (issue 17):
    changing one is an edit to one line there."""
    import re

    from triborough.settings import PROJECT_ROOT

    literal = re.compile(r"""["'](#[0-9a-fA-F]{3,8}|rgba?\([^)]*\)|white|black|gr[ae]y)["']"""
                         r"""|(?<![\w&])#[0-9a-fA-F]{6}\b|rgba?\(\d""")
    files = [PROJECT_ROOT / "app.py", *sorted((PROJECT_ROOT / "pages").glob("*.py"))]
    files += [PROJECT_ROOT / "triborough" / f for f in (
        "charts.py", "line_charts.py", "bar_charts.py", "timeline_charts.py", "chart_export.py",
        "maps.py", "compare_view.py", "comparison_words.py")]
    found = [f"{path.name}:{n}: {line.strip()}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if literal.search(line)]
    assert found == []
