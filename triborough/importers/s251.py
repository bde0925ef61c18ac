"""DfE section 251 outturn and LAIT -> ``fact_dfe_s251.csv``: spending on children looked after.

Section 251 returns report children's services spending line by line; every report group ends
in its own "Total ..." line (adding a group's lines would count them twice), so only the
"Total Children Looked After" line is read, its gross "Total Expenditure" column, in £ and
written in £ thousand (metric ``s251_cla_gross``, cash). Years and files:

- 2008-09 to 2013-14: ``dfe_s251_outturn/s251_cyp_outturn_0809.csv`` … ``_1314.csv`` (one
  header per file, named differently each year: "S52 Line Reference", "CYPServiceDescription";
  "TOTAL EXPENDITURE (k)", "TotalExpenditure");
- 2014-15 and 2015-16: the publisher's workbooks ``s251ye2015.xlsx`` and ``s251ye2016.xlsx``
  ("ye2015" is the year ending March 2015), read with polars' calamine engine;
- 2016-17 to 2024-25: DfE's LAIT extract (``dfe_lait/``), measure ``TotalLACFinance`` ("(OT)"
  years are outturn). The s251 workbooks for 2016-17 to 2018-19 equal LAIT to the pound (a
  test checks 2018-19), so LAIT is used for every year it has.

DfE's three-digit LA numbers become GSS codes through ``dfe.old_la_code_map``. The build
derives spending per child looked after at 31 March and per child aged 0-17 from this line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from triborough.importers import dfe
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    fy_end,
    fy_label,
    parse_number,
    read_cells,
    restrict_to_areas,
    write_tidy,
)

SOURCE_ID = "dfe_s251"
FOLDER = Path("dfe_s251_outturn")
LAIT = Path("dfe_lait") / "lait_extract_cla_cin_s251finance.csv"
METRIC = "s251_cla_gross"
# (file, financial year start, workbook sheet or None for a CSV)
FILES: tuple[tuple[str, int, str | None], ...] = (
    ("s251_cyp_outturn_0809.csv", 2008, None),
    ("s251_cyp_outturn_0910.csv", 2009, None),
    ("s251_cyp_outturn_1011.csv", 2010, None),
    ("s251_cyp_outturn_1112.csv", 2011, None),
    ("s251_cyp_outturn_1213.csv", 2012, None),
    ("s251_cyp_outturn_1314.csv", 2013, None),
    ("s251ye2015.xlsx", 2014, "Sheet1"),
    ("s251ye2016.xlsx", 2015, "Table_A1"),
)
# Read only by a test: the s251 workbook for a year LAIT also has.
CHECK_FILE = ("S251ye2019.xlsx", 2018, "Table A1")
_TOTAL_LINE = re.compile(r"^\s*[\d.]*\s*total children looked after\s*$", re.IGNORECASE)
_LAIT_YEAR = re.compile(r"^(\d{4})-\d{2} \(OT\)$")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def read_s251_file(raw_dir: Path, name: str, sheet: str | None) -> dict[str, float]:
    """DfE LA number -> gross expenditure (£) on the 'Total Children Looked After' line."""
    path = raw_dir / FOLDER / name
    # Two of the CSVs carry Windows-1252 characters in line names.
    cells = read_cells(path, sheet, encoding="cp1252")
    if not cells:
        raise ImportError_(f"{path}: empty file")
    keys = [_key(h) for h in cells[0]]
    total = next((i for i, k in enumerate(keys) if k.startswith("totalexpenditure")), None)
    lines = [i for i, k in enumerate(keys)
             if k in ("s52linereference", "cypservicedescription", "description")]
    la = next((i for i, k in enumerate(keys) if k in ("la", "lea", "leanumber")), None)
    if total is None or not lines or la is None:
        raise ImportError_(
            f"{path}: missing column 'Total Expenditure', 'LA' or the line description"
        )
    out: dict[str, float] = {}
    for row in cells[1:]:
        if not any(i < len(row) and _TOTAL_LINE.match(row[i]) for i in lines):
            continue
        value = parse_number(row[total]) if total < len(row) else None
        if value is not None:
            out[row[la].strip()] = value
    if "213" not in out:
        raise ImportError_(f"{path}: no 'Total Children Looked After' line for Westminster (213)")
    return out


def read_lait(raw_dir: Path) -> dict[tuple[str, int], float]:
    """(DfE LA number, financial year start) -> TotalLACFinance (£, gross), outturn years."""
    path = raw_dir / LAIT
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    needed = ("Short Desc", "Years", "Values", "LA Number")
    if not rows or any(c not in rows[0] for c in needed):
        raise ImportError_(f"{path}: missing column(s) {', '.join(needed)}")
    out: dict[tuple[str, int], float] = {}
    for r in rows:
        match = _LAIT_YEAR.match(r["Years"].strip())
        if r["Short Desc"] != "TotalLACFinance" or not match or not r["LA Number"].strip():
            continue
        value = parse_number(r["Values"])
        if value is not None:
            out[(str(int(float(r["LA Number"]))), int(match.group(1)))] = value
    return out


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``fact_dfe_s251.csv``."""
    codes = dfe.old_la_code_map(raw_dir)
    gross: dict[tuple[str, int], float] = {}
    for name, year, sheet in FILES:
        for number, value in read_s251_file(raw_dir, name, sheet).items():
            gross[(number, year)] = value
    gross.update(read_lait(raw_dir))
    rows = [
        fact(codes[number], METRIC, fy_label(year), fy_end(year), round(value / 1000, 5))
        for (number, year), value in gross.items()
        if number in codes
    ]
    from triborough.importers import ons

    known = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    rows = restrict_to_areas(rows, known, label="fact_dfe_s251.csv")
    n = write_tidy(out_dir / "fact_dfe_s251.csv", rows, FACT_COLUMNS)
    years = sorted({y for _, y in gross})
    return [Written("fact_dfe_s251.csv", n, SOURCE_ID,
                    f"{fy_label(years[0])} to {fy_label(years[-1])}")]
