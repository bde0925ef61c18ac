"""MHCLG Revenue Outturn RO5 -> ``spend_by_service_ro5.csv``: the library service line.

RS has one "cultural and related services" line; RO5 splits it, and its "Library service"
block carries the net current expenditure (C7 = C3 - C6) on libraries alone, £ thousand, cash.
Files in ``mhclg_ro5_cultural_and_libraries/``: the publisher's workbooks for 2008-09 to
2011-12 and 2014-15 (read with polars' calamine engine; the net figure is on the sheet whose
header has it: "(2)" for 2008-09, "(3)" after) and the data sheets saved as CSV for 2015-16 to
2020-21. 2012-13 and 2013-14 were not found and stay a gap (no rows).

The headers are spread over several rows: a row naming the service over its block (repeated
in 2008-09, once per block later), then one or more rows naming the column ("NET / CURRENT /
(Col 3-6)" in 2008-09, "Net Current Expenditure (C7 = C3 - C6)" later). Each column's service
is the nearest service name at or left of it; its label is its header cells joined. Areas are
matched as in ``mhclg``: the row's own ONS code, else its e-code through the RS sheets and the
register; the GLA and bodies outside the ONS area list are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from triborough.importers import mhclg, ons
from triborough.importers.common import (
    ImportError_,
    Written,
    fy_end,
    fy_label,
    parse_number,
    read_cells,
    write_tidy,
)

SOURCE_ID = "mhclg_ro"
FOLDER = Path("mhclg_ro5_cultural_and_libraries")
SERVICE = "library_service"
_NET = re.compile(r"net\s+current", re.IGNORECASE)
_LIBRARY = re.compile(r"^\s*library service", re.IGNORECASE)


@dataclass(frozen=True)
class Ro5File:
    """One RO5 file: its name, financial year, and the workbook sheets to look in."""

    name: str
    start_year: int
    sheets: tuple[str, ...] = ()  # empty for a CSV


FILES: tuple[Ro5File, ...] = (
    Ro5File("2008-09__Revenue_Outturn__RO5__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls", 2008,
            ("RO5 LA Data 2008-09 (2)",)),
    Ro5File("2009-10__RO5.xls", 2009, ("RO5 LA Data 2009-10 (3)",)),
    Ro5File("2010-11__Revenue_Outturn__RO5__data_2010-11_by_LA_-_27-Nov-2012-v2.xls", 2010,
            ("RO5 LA Data 2010-11 (3)",)),
    Ro5File("2011-12__Revenue_Outturn__RO5__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls", 2011,
            ("RO5 LA Data 2011-12 (3)",)),
    Ro5File("2014-15__Revenue_Outturn__RO5__data_2014-15_by_LA_-_02-Feb-2016.xls", 2014,
            ("RO5 LA Data 2014-15 (3)",)),
    Ro5File("2015-16__RO5_2015-16_data_by_LA_-_Revision__RO5_LA_Data_2015-16.csv", 2015),
    Ro5File("2016-17__RO5_2016-17_data_by_LA__RO5_LA_Data_2016-17.csv", 2016),
    Ro5File("2017-18__RO5_2017-18_data_by_LA_-_revised__RO5_LA_Data_2017-18.csv", 2017),
    Ro5File("2018-19__RO5_2018-19_data_by_LA__RO5_LA_Data_2018-19.csv", 2018),
    Ro5File("2019-20__RO5_2019-20_data_by_LA__RO5_LA_Data_2019-20.csv", 2019),
    Ro5File("2020-21__RO5_2020-21_data_by_LA__RO5_LA_Data_2020-21.csv", 2020),
)


def library_column(path: Path, cells: list[list[str]]) -> tuple[int, int]:
    """(header row, column) of the library service's net current expenditure."""
    header = next((i for i, r in enumerate(cells) if r and r[0].strip() == "E-code"), None)
    if header is None:
        raise ImportError_(f"{path}: no header row starting 'E-code'")
    group = next(
        (k for k in range(header + 1) if any(_LIBRARY.match(c) for c in cells[k])), None
    )
    if group is None:
        raise ImportError_(f"{path}: no 'Library service' block above the header")
    service = ""
    for col in range(len(cells[header])):
        name = cells[group][col].strip() if col < len(cells[group]) else ""
        service = name or service
        label = " ".join(
            cells[k][col] for k in range(group + 1, header + 1) if col < len(cells[k])
        )
        if _LIBRARY.match(service) and _NET.search(label):
            return header, col
    raise ImportError_(
        f"{path}: no 'Net Current Expenditure' column in the 'Library service' block"
    )


def read_library_spend(raw_dir: Path) -> dict[tuple[str, int], float]:
    """(ONS code, financial year start) -> library service net current expenditure, £k."""
    areas = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    by_sheets = mhclg.ecode_map(raw_dir)
    by_register = mhclg._mysociety_ecodes(raw_dir)
    out: dict[tuple[str, int], float] = {}
    for spec in FILES:
        path = raw_dir / FOLDER / spec.name
        cells = read_cells(path, spec.sheets[0] if spec.sheets else None)
        header, col = library_column(path, cells)
        stripped = [h.strip() for h in cells[header]]
        ons_col = stripped.index("ONS Code") if "ONS Code" in stripped else None
        for row in cells[header + 1:]:
            e_code = row[0].strip() if row else ""
            if not re.fullmatch(r"E\d{4}", e_code):
                continue
            code = (mhclg._own_code(row, ons_col) or by_sheets.get(e_code)
                    or by_register.get(e_code, ""))
            if not code or code == mhclg.GLA_CODE or code not in areas:
                continue
            value = parse_number(row[col]) if col < len(row) else None
            if value is None:
                continue
            if (code, spec.start_year) in out:
                raise ImportError_(f"{path}: {code} appears twice")
            out[(code, spec.start_year)] = value
    return out


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``spend_by_service_ro5.csv`` (service ``library_service``)."""
    spend = read_library_spend(raw_dir)
    rows = [
        {"area_code": code, "period": fy_label(year), "period_end": fy_end(year).isoformat(),
         "service": SERVICE, "net_expenditure_gbp_k": value}
        for (code, year), value in spend.items()
    ]
    n = write_tidy(out_dir / "spend_by_service_ro5.csv", rows, mhclg.SPEND_COLUMNS)
    years = sorted({y for _, y in spend})
    return [Written("spend_by_service_ro5.csv", n, SOURCE_ID,
                    ", ".join(fy_label(y) for y in years) + " (2012-13 and 2013-14 not found)")]
