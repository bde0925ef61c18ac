"""NHS Digital SALT (ASC-FR and SALT data tables 2021-22) -> ``fact_nhs_salt.csv``.

The adult social care activity series after PSS-EX1 (which ends in 2013-14): table T2 of
``nhs_asc_finance_activity_2014_2022/ASCFR_and_SALT_Data_Tables_2021-22.xlsx`` compares
2019-20, 2020-21 and 2021-22 for every council and England:

- ``asc_requests_new_clients``: requests for support received from new clients, aged 18 to 64
  plus 65 and over;
- ``asc_long_term_support_clients``: clients accessing long-term support during the year, the
  same two age bands added.

The header is three rows (measure, age band, year) with each name written once over its block,
so each column's measure and age band are the nearest names at or left of it. Counts are
rounded to 5 by the publisher; a suppressed ``[c]`` or missing ``[x]`` part leaves the total a
gap (no row), never a part-sum. SALT is not PSS-EX1: the definitions changed in 2014-15, so
these years do not join the 2010-11 to 2013-14 activity lines. SALT for 2014-15 to 2018-19 and
from 2022-23 was not found.
"""

from __future__ import annotations

import re
from pathlib import Path

from triborough.importers import ons
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    fy_end,
    parse_number,
    read_cells,
    restrict_to_areas,
    write_tidy,
)

SOURCE_ID = "nhs_salt"
WORKBOOK = Path("nhs_asc_finance_activity_2014_2022") / "ASCFR_and_SALT_Data_Tables_2021-22.xlsx"
SHEET = "T2"
MEASURES: dict[str, str] = {
    "number of requests for support": "asc_requests_new_clients",
    "long term support during the year": "asc_long_term_support_clients",
}
AGE_BANDS = ("18 to 64", "65 and over")
_YEAR = re.compile(r"^(\d{4})-\d{2}$")


def header_row(path: Path, cells: list[list[str]], sheet: str) -> int:
    """Index of a data table's header row (the one starting 'Geography code')."""
    top = next((i for i, r in enumerate(cells) if r and r[0] == "Geography code"), None)
    if top is None:
        raise ImportError_(f"{path} sheet {sheet}: no header row starting 'Geography code'")
    return top


def area_of(row: list[str]) -> str:
    """A table row's area: its council's GSS code, E92000001 for England, else ''."""
    if row and re.fullmatch(r"E\d{8}", row[0]):
        return row[0]
    if len(row) > 4 and row[3] == "E92000001" and row[4] == "England":
        return "E92000001"
    return ""


def columns(path: Path, cells: list[list[str]]) -> dict[tuple[str, str, str], int]:
    """(metric, age band, financial year) -> column, from the three header rows."""
    top = header_row(path, cells, SHEET)
    if top + 2 >= len(cells):
        raise ImportError_(f"{path} sheet {SHEET}: the header has fewer than three rows")
    out: dict[tuple[str, str, str], int] = {}
    measure = band = ""
    for col, year in enumerate(cells[top + 2]):
        measure = cells[top][col] or measure
        band = cells[top + 1][col] or band
        metric = next((m for k, m in MEASURES.items() if measure.casefold().startswith(k)), None)
        if metric and band in AGE_BANDS and _YEAR.match(year):
            out[(metric, band, year)] = col
    missing = [m for m in MEASURES.values()
               if not any(k[0] == m for k in out)]
    if missing:
        raise ImportError_(f"{path} sheet {SHEET}: no columns for {', '.join(missing)}")
    return out


def read_salt(raw_dir: Path) -> list[dict[str, object]]:
    """Fact rows for every council and England, 2019-20 to 2021-22."""
    path = raw_dir / WORKBOOK
    cells = [[c.strip() for c in row] for row in read_cells(path, SHEET)]
    cols = columns(path, cells)
    years = sorted({y for _, _, y in cols})
    rows: list[dict[str, object]] = []
    for row in cells:
        code = area_of(row)
        if not code:
            continue
        for metric in MEASURES.values():
            for year in years:
                parts = [parse_number(row[cols[(metric, b, year)]]) for b in AGE_BANDS]
                if any(p is None for p in parts):
                    continue
                start = int(year[:4])
                rows.append(fact(code, metric, year, fy_end(start), sum(parts)))
    if not rows:
        raise ImportError_(f"{path} sheet {SHEET}: no council rows")
    return rows


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``fact_nhs_salt.csv``."""
    known = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    rows = restrict_to_areas(read_salt(raw_dir), known, label="fact_nhs_salt.csv")
    n = write_tidy(out_dir / "fact_nhs_salt.csv", rows, FACT_COLUMNS)
    periods = sorted({str(r["period"]) for r in rows})
    return [Written("fact_nhs_salt.csv", n, SOURCE_ID, f"{periods[0]} to {periods[-1]}")]
