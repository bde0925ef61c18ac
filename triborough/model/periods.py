"""Financial years (April to March), the one way the project names and counts them.

A financial year is named by its label ('2015-16'), counted by the calendar year it starts in
(2015) and ends on 31 March of the next year. The SQL side uses the same rule:
``year(period_end - interval 3 month)`` is the start year of the period ending on that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def fy_label(start_year: int) -> str:
    """Financial year label, e.g. 2010 -> '2010-11'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_start(label: str) -> int:
    """The calendar year a financial year label starts in: '2010-11', '2010/11' or
    '2023/2024' -> 2010, 2010, 2023."""
    return int(label.strip()[:4])


def fy_end(start_year: int) -> dt.date:
    """Last day of the financial year that starts in April of ``start_year``."""
    return dt.date(start_year + 1, 3, 31)


def fy_start_of(day: dt.date) -> int:
    """The first calendar year of the financial year a date falls in."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label_of(day: dt.date) -> str:
    """The financial year a date falls in, as a label like '2015-16'."""
    return fy_label(fy_start_of(day))


# From 2007: the outturn years before sharing and the 31 March 2010 looked-after baseline.
YEAR_RANGE: tuple[int, int] = (2007, 2025)


def period_span(periods: Sequence[str]) -> str:
    """'2011-12 to 2024-25' from a list of period labels."""
    labels = [p for p in periods if p]
    if not labels:
        return ""
    return labels[0] if len(set(labels)) == 1 else f"{labels[0]} to {labels[-1]}"
