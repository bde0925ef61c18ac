"""Adult social care finance (PSS-EX1 2014-15, ASC-FR 2021-22) -> ``fact_nhs_ascfr.csv``.

Two years of council adult social care spending as the social care returns report it (not the
revenue outturn's service line, which is on a different basis: Westminster 2014-15 is £67,857k
here and £68,932k in RS):

- 2014-15: ``nhs_asc_finance_activity_2014_2022/BenGoodair_Raw_data_2015/
  pss-exp-eng-14-15-fin-coun-lev-exp-data.csv`` (Latin-1; one column per council headed
  "713 - Westminster"; the "Non Salt Totals / Adult Social Care / Total" rows);
- 2021-22: table T1 of ``ASCFR_and_SALT_Data_Tables_2021-22.xlsx`` (GSS codes, England row).

Metrics, £ thousand, cash: ``asc_net_total_expenditure`` and ``asc_gross_current_expenditure``
(both years), ``asc_net_current_expenditure`` (2014-15 only; T1 has no such column).
Councils of the 2014-15 file are matched to ONS codes by name through DfE's names, as for
PSS-EX1 (``nhs_pss.dfe_name_to_code``), and the boroughs' CASSR codes are checked. ASC-FR for
2015-16 to 2020-21 in this form was not found.
"""

from __future__ import annotations

import re
from pathlib import Path

from triborough.importers import nhs_pss, ons, salt
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

SOURCE_ID = "nhs_ascfr"
FILE_2014 = (Path("nhs_asc_finance_activity_2014_2022") / "BenGoodair_Raw_data_2015"
             / "pss-exp-eng-14-15-fin-coun-lev-exp-data.csv")
TOTAL_ROW = ("Non Salt Totals", "", "Adult Social Care", "Total")
LINES_2014 = {
    "Net total expenditure": "asc_net_total_expenditure",
    "Net current expenditure": "asc_net_current_expenditure",
    "Gross current expenditure": "asc_gross_current_expenditure",
}
# Table T1 (2021-22): column headings on its header row.
COLUMNS_2021 = {
    "Net Total Expenditure": "asc_net_total_expenditure",
    "Gross Current Expenditure": "asc_gross_current_expenditure",
}
_COUNCIL = re.compile(r"^(\d{3}) - (.+)$")


def read_2014(raw_dir: Path) -> list[dict[str, object]]:
    """2014-15 rows: every council column of the 'Adult Social Care / Total' lines."""
    path = raw_dir / FILE_2014
    cells = read_cells(path, encoding="latin-1")
    if len(cells) < 3:
        raise ImportError_(f"{path}: no data rows")
    header = cells[1]
    names = nhs_pss.dfe_name_to_code(raw_dir)
    councils: dict[int, str] = {}
    for col, text in enumerate(header):
        match = _COUNCIL.match(text.strip())
        if not match:
            continue
        code = names.get(nhs_pss.normalise_name(match.group(2)))
        if code:
            councils[col] = code
        if match.group(1) in nhs_pss._EXPECTED and code != nhs_pss._EXPECTED[match.group(1)]:
            raise ImportError_(f"{path}: {text!r} did not match {nhs_pss._EXPECTED[match[1]]}")
    out: list[dict[str, object]] = []
    for row in cells[2:]:
        if tuple(c.strip() for c in row[:4]) != TOTAL_ROW or row[4].strip() not in LINES_2014:
            continue
        metric = LINES_2014[row[4].strip()]
        for col, code in councils.items():
            value = parse_number(row[col]) if col < len(row) else None
            if value is not None:
                out.append(fact(code, metric, "2014-15", fy_end(2014), value))
    if {r["metric_code"] for r in out} != set(LINES_2014.values()):
        raise ImportError_(f"{path}: no 'Non Salt Totals / Adult Social Care / Total' lines")
    return out


def read_2021(raw_dir: Path) -> list[dict[str, object]]:
    """2021-22 rows from table T1: councils and England."""
    path = raw_dir / salt.WORKBOOK
    cells = [[c.strip() for c in row] for row in read_cells(path, "T1")]
    top = salt.header_row(path, cells, "T1")
    cols = {metric: cells[top].index(name) for name, metric in COLUMNS_2021.items()
            if name in cells[top]}
    if len(cols) != len(COLUMNS_2021):
        raise ImportError_(f"{path} sheet T1: missing column(s) {', '.join(COLUMNS_2021)}")
    out: list[dict[str, object]] = []
    for row in cells[top + 1:]:
        code = salt.area_of(row)
        if not code:
            continue
        for metric, col in cols.items():
            value = parse_number(row[col])
            if value is not None:
                out.append(fact(code, metric, "2021-22", fy_end(2021), value))
    return out


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``fact_nhs_ascfr.csv``."""
    known = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    rows = restrict_to_areas(read_2014(raw_dir) + read_2021(raw_dir), known,
                             label="fact_nhs_ascfr.csv")
    n = write_tidy(out_dir / "fact_nhs_ascfr.csv", rows, FACT_COLUMNS)
    return [Written("fact_nhs_ascfr.csv", n, SOURCE_ID, "2014-15 and 2021-22")]
