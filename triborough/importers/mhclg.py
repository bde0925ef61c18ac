"""MHCLG revenue outturn (RS, RSX) -> ``spend_by_service.csv`` and ``fact_mhclg_outturn.csv``.

Reads the publisher sheets in ``mhclg_revenue_outturn/`` (not the derived long file there; a
test checks the output equals it, which validates the column mapping below):

- RS, Revenue Outturn Summary: 2010-11 to 2014-15 and 2017-18. 2010-11 has one combined
  "Social care" line; children's and adult social care are split from 2011-12; public health
  from 2013-14. 2017-18 headers carry RO line numbers ("330: Children Social Care"). 2010-11
  repeats the service headers in a second block further right (a different basis): the first
  occurrence of each header is the net current expenditure line.
- RSX, service expenditure summary: 2023-24 and 2024-25, seven columns per service; only
  "Net Current Expenditure (C7 = C3 - C6)" is read.
- Council tax requirement and the level of unallocated financial reserves are read from the RS
  years only (2017-18: the estimated level at 1 April).

The years those sheets lack come from the RS workbooks in ``mhclg_rs_all_years/``: 2007-08,
2008-09 and 2009-10 (the publisher's .xls, sheet "Net current expenditure (col 1)" or "RS LA
Data 2009-10 (1)", read with polars' calamine engine) and 2015-16, 2016-17 and 2018-19 to
2022-23 (the data sheets saved as CSV, title rows above the header kept). Those workbooks hold
every year 2007-08 to 2023-24, so seven years exist twice; the sheets above are kept for those
(they are the vintages the committed extracts were first built from, and a test checks the two
copies agree for the three boroughs), and the second folder only fills the years they lack.
Before 2011-12 councils reported one "Social care" line; 2007-08 calls two lines "Highways,
roads and transport services" and "Environmental services", read as the later highways and
environmental and regulatory lines. Council tax and reserves are read only from the first
folder. Values are £ thousand, cash.

Area codes. RS 2014-15, RS 2017-18 and RSX carry an ONS code beside the e-code; 2010-11 to
2013-14 carry e-codes only. Each row takes its own ONS code where it has one, otherwise the
ONS code that the same e-code carries in the later files, otherwise the ``ecode`` ->
``gss-code`` pair in ``reference/uk_local_authorities_mysociety.csv`` (CC BY 4.0). A row is
kept only when that code is an area in the ONS population tables (``ons.read_areas``), because
every warehouse area code must resolve to ``dim_area``. Rows left out, counted by
``read_outturn``:

- bodies with no ONS code (112 authority-years: police authorities 2010-11 and 2011-12,
  passenger/integrated transport authorities to 2013-14, the Dorset, Wiltshire and Greater
  Manchester fire authorities to 2014-15, Lee Valley Regional Park);
- the Greater London Authority, whose ONS code in these files is London's region code
  (E12000007): if kept, the GLA's own budget would pass for a London total;
- bodies whose code is not an ONS population area: police, fire, national park, waste and
  combined authorities, and councils abolished in reorganisations since 2019 (Bournemouth,
  Poole; the county councils of Buckinghamshire, Cumbria, Dorset, Northamptonshire, North
  Yorkshire and Somerset; 39 districts), whose areas the rebased ONS series does not carry.

The RSX files include an England row (E92000001): the total over every authority that returned
the form, including the GLA, police and fire, so "total service expenditure" for England is not
like-for-like with a London borough's. A figure the publisher left blank or marked (``[x]``,
``…``) leaves no row: a gap is the absence of a row, never a zero.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from triborough.importers import ons
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    fy_end,
    fy_label,
    parse_number,
    read_cells,
    read_csv_rows,
    require_columns,
    write_tidy,
)
from triborough.model.catalogue import SPEND_SERVICES

SOURCE_ID = "mhclg_ro"
FOLDER = Path("mhclg_revenue_outturn")
ALL_YEARS_FOLDER = Path("mhclg_rs_all_years")
MYSOCIETY = Path("reference") / "uk_local_authorities_mysociety.csv"
GLA_CODE = "E12000007"
# RS 2017-18 gives North Yorkshire County Council (E2721) the code E10000022; every other sheet
# and ONS's register give E10000023.
CODE_CORRECTIONS: dict[str, str] = {"E10000022": "E10000023"}
_GSS = re.compile(r"^E\d{8}$")
# A data row's first cell: an e-code (E5022) or, from 2021-22, "Eng" for England. Title, note
# and total rows around the table are not data.
_ECODE = re.compile(r"^(E\d{4}|Eng)$")

SPEND_COLUMNS = ("area_code", "period", "period_end", "service", "net_expenditure_gbp_k")

# Header text (normalised: no RO line number, no "(total of lines ...)", lower case) of each
# service's net current expenditure line; RSX puts the same text before " - Net Current ...".
SERVICE_LABELS: dict[str, str] = {
    "education": "education services",
    "highways_transport": "highways and transport services",
    "social_care_combined": "social care",
    "childrens_social_care": "children social care",
    "adult_social_care": "adult social care",
    "public_health": "public health",
    "housing_gfra": "housing services (gfra only)",
    "cultural_related": "cultural and related services",
    "environmental_regulatory": "environmental and regulatory services",
    "planning_development": "planning and development services",
    "central_services": "central services",
    "other_services": "other services",
    "total_service_expenditure": "total service expenditure",
}
# Earlier names of the same lines (RS 2007-08).
LABEL_ALIASES: dict[str, str] = {
    "highways roads and transport services": "highways and transport services",
    "environmental services": "environmental and regulatory services",
}
COUNCIL_TAX_LABEL = "council tax requirement"
RESERVES_LABELS = (
    "unallocated financial reserves level",
    "estimated unallocated financial reserves level at 1 april",
)

_COMMON = (
    "education", "highways_transport", "housing_gfra", "cultural_related",
    "environmental_regulatory", "planning_development", "central_services", "other_services",
    "total_service_expenditure",
)
_SPLIT_CARE = ("childrens_social_care", "adult_social_care")


@dataclass(frozen=True)
class OutturnFile:
    """One publisher sheet: its file name, financial year, layout and service lines."""

    name: str
    start_year: int
    layout: str  # "rs" or "rsx"
    services: tuple[str, ...]
    folder: Path = FOLDER
    sheet: str | None = None  # a workbook's sheet; None for a CSV
    rs_extras: bool = True  # read council tax and reserves (RS sheets of the first folder)
    fills_gaps: bool = False  # a later copy of a year: used only for councils blank in the first


FILES: tuple[OutturnFile, ...] = (
    OutturnFile("rs_revenue_outturn_summary_2010_11.csv", 2010, "rs",
                (*_COMMON, "social_care_combined")),
    OutturnFile("rs_revenue_outturn_summary_2011_12.csv", 2011, "rs", (*_COMMON, *_SPLIT_CARE)),
    OutturnFile("rs_revenue_outturn_summary_2012_13.csv", 2012, "rs", (*_COMMON, *_SPLIT_CARE)),
    OutturnFile("rs_revenue_outturn_summary_2013_14.csv", 2013, "rs",
                (*_COMMON, *_SPLIT_CARE, "public_health")),
    OutturnFile("rs_revenue_outturn_summary_2014_15.csv", 2014, "rs",
                (*_COMMON, *_SPLIT_CARE, "public_health")),
    OutturnFile("rs_revenue_outturn_summary_2017_18.csv", 2017, "rs",
                (*_COMMON, *_SPLIT_CARE, "public_health")),
    OutturnFile("rsx_service_expenditure_summary_2023_24.csv", 2023, "rsx",
                (*_COMMON, *_SPLIT_CARE, "public_health")),
    OutturnFile("rsx_service_expenditure_summary_2024_25.csv", 2024, "rsx",
                (*_COMMON, *_SPLIT_CARE, "public_health")),
)


def _filler(
    name: str, year: int, services: tuple[str, ...], sheet: str | None = None,
    fills_gaps: bool = False,
) -> OutturnFile:
    return OutturnFile(name, year, "rs", services, ALL_YEARS_FOLDER, sheet, False, fills_gaps)


_WITH_HEALTH = (*_COMMON, *_SPLIT_CARE, "public_health")
# The years the first folder lacks, from the all-years RS workbooks. For 2021-22 and 2022-23
# RSX copies exist too (mhclg_rsx_2021_22_2022_23/); RS is kept: it is the later vintage, has
# the late returns and its 2021-22 sheet names every column. A test checks the overlap.
FILLERS: tuple[OutturnFile, ...] = (
    _filler("rs2007_08.xls", 2007, (*_COMMON, "social_care_combined"),
            "Net current expenditure (col 1)"),
    _filler("rs2008_09.xls", 2008, (*_COMMON, "social_care_combined"),
            "Net current expenditure (col 1)"),
    _filler("rs2009_10.xls", 2009, (*_COMMON, "social_care_combined"), "RS LA Data 2009-10 (1)"),
    _filler("rs2015_16__RS_LA_Data_2015-16.csv", 2015, _WITH_HEALTH),
    _filler("rs2016_17__RS_LA_Data_2016-17.csv", 2016, _WITH_HEALTH),
    _filler("rs2018_19__RS_LA_Data_2018-19.csv", 2018, _WITH_HEALTH),
    _filler("rs2019_20__RS_LA_Data_2019-20.csv", 2019, _WITH_HEALTH),
    _filler("rs2020_21__RS_LA_Data_2020-21.csv", 2020, _WITH_HEALTH),
    _filler("rs2021_22__RS_LA_Data_2021-22.csv", 2021, _WITH_HEALTH),
    _filler("rs2022_23__RS_LA_Data_2022-23.csv", 2022, _WITH_HEALTH),
)
# Later copies of years the first folder has. RSX 2023-24 was saved before some councils
# returned ("[x]": Barking and Dagenham, Redbridge and 23 more); RS 2023-24 of 12 December 2024
# has them, so it fills exactly those council-years, whole, never line by line. A test checks
# both copies agree wherever both have a figure for the three boroughs.
SECOND_COPIES: tuple[OutturnFile, ...] = (
    _filler("rs2017_18__RS_LA_Data_2017-18.csv", 2017, _WITH_HEALTH, fills_gaps=True),
    _filler("rs2023_24__RS_LA_Data_2023-24.csv", 2023, _WITH_HEALTH, fills_gaps=True),
)


@dataclass
class Outturn:
    """Everything read from the sheets: kept values and what was left out, and why."""

    # (ons_code, start_year, item) -> £ thousand; item is a service key, or
    # "council_tax_requirement" / "unallocated_reserves".
    values: dict[tuple[str, int, str], float] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> authority-years
    # (ons_code, start_year) -> the second copy that filled a year the kept sheet left blank
    filled: dict[tuple[str, int], str] = field(default_factory=dict)


def _norm(header: str) -> str:
    text = re.sub(r"^\s*\d+:\s*", "", header)
    text = re.sub(r"\s*\(total of lines[^)]*\)\s*$", "", text, flags=re.IGNORECASE)
    text = " ".join(text.replace(",", " ").split()).casefold()
    return LABEL_ALIASES.get(text, text)


_RSX_NCE = re.compile(r"^(?P<label>.+?)\s*-\s*net current expenditure \(c7\b")


def _read_sheet(path: Path, sheet: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The header row (the first starting 'E-code') and the data rows below it."""
    cells = read_cells(path, sheet)
    at = next((i for i, r in enumerate(cells) if r and r[0].strip() == "E-code"), None)
    if at is None:
        raise ImportError_(f"{path}: no header row starting 'E-code'"
                           + (f" in sheet {sheet!r}" if sheet else ""))
    rows = [r for r in cells[at + 1:] if r and _ECODE.match(r[0].strip())]
    if not rows:
        raise ImportError_(f"{path}: no data rows")
    return cells[at], rows


def _first_index(header: list[str], key: Callable[[str], str | None]) -> dict[str, int]:
    """Normalised label -> first column index (later duplicates are other bases)."""
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        label = key(h)
        if label is not None:
            out.setdefault(label, i)
    return out


def _rsx_label(header: str) -> str | None:
    match = _RSX_NCE.match(" ".join(header.split()).casefold())
    return match.group("label") if match else None


def _column_map(spec: OutturnFile, path: Path, header: list[str]) -> dict[str, int]:
    """Item -> column index for one sheet; a missing expected column names file and column."""
    index = _first_index(header, _rsx_label if spec.layout == "rsx" else _norm)
    columns: dict[str, int] = {}
    for service in spec.services:
        label = SERVICE_LABELS[service]
        if label not in index:
            raise ImportError_(
                f"{path}: missing column for {service}: expected a header like {label!r}"
                + (" - Net Current Expenditure (C7 = C3 - C6)" if spec.layout == "rsx" else "")
            )
        columns[service] = index[label]
    if spec.layout == "rs" and spec.rs_extras:
        if COUNCIL_TAX_LABEL not in index:
            raise ImportError_(f"{path}: missing column {COUNCIL_TAX_LABEL!r}")
        columns["council_tax_requirement"] = index[COUNCIL_TAX_LABEL]
        found = [index[label] for label in RESERVES_LABELS if label in index]
        if not found:
            raise ImportError_(f"{path}: missing column {RESERVES_LABELS[0]!r}")
        columns["unallocated_reserves"] = found[0]
    return columns


def _id_index(path: Path, header: list[str], name: str, required: bool = True) -> int | None:
    stripped = [h.strip() for h in header]
    if name in stripped:
        return stripped.index(name)
    if required:
        raise ImportError_(f"{path}: missing column {name!r}")
    return None


def _mysociety_ecodes(raw_dir: Path) -> dict[str, str]:
    path = raw_dir / MYSOCIETY
    rows = read_csv_rows(path)
    require_columns(path, rows, ("ecode", "gss-code"))
    return {
        r["ecode"].strip(): r["gss-code"].strip()
        for r in rows
        if r["ecode"].strip() and _GSS.match(r["gss-code"].strip())
    }


def _own_code(row: list[str], col: int | None) -> str:
    """The ONS code a row carries, or '' (the 2014-15 sheet writes 'n/a' for none)."""
    code = row[col].strip() if col is not None and col < len(row) else ""
    code = CODE_CORRECTIONS.get(code, code)
    return code if _GSS.match(code) else ""


def ecode_map(raw_dir: Path) -> dict[str, str]:
    """E-code -> ONS code from the sheets that carry both (later sheets win on a clash)."""
    mapping: dict[str, str] = {}
    for spec in FILES:
        path = raw_dir / FOLDER / spec.name
        header, rows = _read_sheet(path)
        e_col = _id_index(path, header, "E-code")
        ons_col = _id_index(path, header, "ONS Code", required=False)
        if ons_col is None:
            continue
        for row in rows:
            e_code, ons_code = row[e_col].strip(), _own_code(row, ons_col)
            if e_code and ons_code:
                mapping[e_code] = ons_code
    return mapping


def read_outturn(
    raw_dir: Path, files: tuple[OutturnFile, ...] = FILES + FILLERS + SECOND_COPIES
) -> Outturn:
    """Net current expenditure by service (and RS council tax, reserves) for ONS areas."""
    areas = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    by_later_sheets = ecode_map(raw_dir)
    by_register = _mysociety_ecodes(raw_dir)
    out = Outturn()
    reported: set[tuple[str, int]] = set()  # (area, year) with a figure in a sheet read already
    for spec in files:
        path = raw_dir / spec.folder / spec.name
        header, rows = _read_sheet(path, spec.sheet)
        columns = _column_map(spec, path, header)
        e_col = _id_index(path, header, "E-code")
        ons_col = _id_index(path, header, "ONS Code",
                            required=spec.start_year >= 2014 and spec.sheet is None)
        for row in rows:
            e_code = row[e_col].strip()
            code = (
                _own_code(row, ons_col)
                or by_later_sheets.get(e_code)
                or by_register.get(e_code, "")
            )
            if not code:
                out.skipped["no ONS code"] += 1
                continue
            if code == GLA_CODE:
                out.skipped["Greater London Authority (code is London's region code)"] += 1
                continue
            if code not in areas:
                out.skipped["ONS code not an ONS population area"] += 1
                continue
            if spec.fills_gaps and (code, spec.start_year) in reported:
                continue
            for item, col in columns.items():
                value = parse_number(row[col]) if col < len(row) else None
                if value is None:
                    continue
                key = (code, spec.start_year, item)
                if key in out.values:
                    raise ImportError_(f"{path}: {code} appears twice")
                out.values[key] = value
                if spec.fills_gaps:
                    out.filled[(code, spec.start_year)] = spec.name
        reported.update((code, year) for code, year, _ in out.values)
    return out


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``spend_by_service.csv`` and ``fact_mhclg_outturn.csv``."""
    outturn = read_outturn(raw_dir)
    spend: list[dict[str, object]] = []
    facts: list[dict[str, object]] = []
    for (code, year, item), value in outturn.values.items():
        period, period_end = fy_label(year), fy_end(year)
        if item in SPEND_SERVICES:
            spend.append({
                "area_code": code, "period": period, "period_end": period_end.isoformat(),
                "service": item, "net_expenditure_gbp_k": value,
            })
            facts.append(fact(code, f"nce_{item}", period, period_end, value))
        else:
            facts.append(fact(code, item, period, period_end, value))
    years = sorted({y for _, y, _ in outturn.values})
    periods = ", ".join(fy_label(y) for y in years)
    n_spend = write_tidy(out_dir / "spend_by_service.csv", spend, SPEND_COLUMNS)
    n_facts = write_tidy(out_dir / "fact_mhclg_outturn.csv", facts, FACT_COLUMNS)
    return [
        Written("spend_by_service.csv", n_spend, SOURCE_ID, periods),
        Written("fact_mhclg_outturn.csv", n_facts, SOURCE_ID, periods),
    ]
