"""The OWASP CSV-injection payloads, and a check that a CSV holds none of them live."""

from __future__ import annotations

import csv
import io
import re

# OWASP "CSV Injection": cells a spreadsheet runs as formulas (=, +, -, @, tab, carriage return),
# the DDE and hyperlink classics, and quote and separator tricks that try to open a new cell.
PAYLOADS = (
    '=HYPERLINK("http://x","click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "'=already has an apostrophe",
    "-",
)
_LIVE = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def cells(data: bytes) -> list[list[str]]:
    """The header and data cells of a project CSV (its '# ' metadata lines skipped), as a
    spreadsheet splits them."""
    lines = data.decode("utf-8").splitlines(keepends=True)
    used = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return list(csv.reader(io.StringIO("".join(lines[used:]), newline="")))


def live_cells(data: bytes) -> list[str]:
    """Every cell a spreadsheet would run as a formula (plain numbers are not formulas)."""
    return [c for row in cells(data) for c in row if _LIVE.match(c) and not _NUMBER.match(c)]
