"""DCMS Libraries Taskforce list of public libraries, 2010-2016 -> ``libraries_2010_2016.csv``
and ``fact_dcms_libraries.csv``.

Source: ``libraries_taskforce_2016/libraries_england_2010_2016.csv`` (3,238 static libraries,
validated by all 151 English library services) joined on ``authority_id`` to
``library_authorities.csv`` for the authority's ONS code.

* ``libraries_2010_2016.csv``: one row per library: area_code, library_id, library_name,
  postcode (as published), statutory_2010 / statutory_2016 (``t``/``f`` -> true/false),
  library_type (LAL local-authority-led, CL commissioned, CRL community-run, ICL independent
  community; blank for libraries closed by 2016), closed_year. Catchment deprivation scores,
  coordinates, hours and contact details are not carried. Area codes are the 2016 authorities',
  including ones abolished since (e.g. E10000002 Buckinghamshire County Council).
* ``fact_dcms_libraries.csv``: ``lib_statutory_libraries``, the number of libraries each
  authority counted as part of its statutory service, for periods ``2010`` and ``2016``. The
  dataset counts libraries open "as at 1 April 2010" and "as at 1 July 2016" (DCMS and Arts
  Council England's description of the basic dataset), so those are the period ends. Because
  the list is complete for England, England (E92000001) and London (E12000007, the E09
  authorities) are sums over it. Authority rows are kept only for areas in the ONS population
  tables (the warehouse's ``dim_area``): the 2016 authorities abolished since (Buckinghamshire,
  Cumbria, Dorset, Northamptonshire, North Yorkshire and Somerset county councils, Bournemouth,
  Poole) have no fact row, though their libraries count in England's total.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from triborough.importers import ons
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    read_csv_rows,
    require_columns,
    write_tidy,
)
from triborough.importers.neighbours import check_code
from triborough.model.boroughs import ENGLAND, LONDON

RAW_FOLDER = Path("libraries_taskforce_2016")
LIBRARIES_FILE = "libraries_england_2010_2016.csv"
AUTHORITIES_FILE = "library_authorities.csv"
LIST_FILE = "libraries_2010_2016.csv"
FACT_FILE = "fact_dcms_libraries.csv"
LIST_COLUMNS = (
    "area_code", "library_id", "library_name", "postcode", "statutory_2010", "statutory_2016",
    "library_type", "closed_year",
)
METRIC = "lib_statutory_libraries"
# Snapshot dates the dataset describes: libraries open at 1 April 2010 and at 1 July 2016.
SNAPSHOTS: dict[str, tuple[str, dt.date]] = {
    "statutory2010": ("2010", dt.date(2010, 4, 1)),
    "statutory2016": ("2016", dt.date(2016, 7, 1)),
}
_FLAGS = {"t": "true", "f": "false"}


def _flag(path: Path, line: int, column: str, text: str) -> str:
    try:
        return _FLAGS[text.strip()]
    except KeyError:
        raise ImportError_(f"{path}: line {line}: {column} is {text!r}, expected t or f") from None


def _authority_codes(raw_dir: Path) -> dict[str, str]:
    path = raw_dir / RAW_FOLDER / AUTHORITIES_FILE
    rows = read_csv_rows(path)
    require_columns(path, rows, ("authority_id", "code"))
    codes: dict[str, str] = {}
    for row in rows:
        aid = row["authority_id"].strip()
        if aid in codes:
            raise ImportError_(f"{path}: authority_id {aid} appears twice")
        codes[aid] = check_code(path, row["code"], "code")
    return codes


def read_libraries(raw_dir: Path) -> list[dict[str, object]]:
    """One row per library with its authority's ONS code and its 2010/2016 status."""
    codes = _authority_codes(raw_dir)
    path = raw_dir / RAW_FOLDER / LIBRARIES_FILE
    rows = read_csv_rows(path)
    require_columns(
        path, rows,
        ("id", "name", "authority_id", "postcode", "statutory2010", "statutory2016", "type",
         "closed_year"),
    )
    out: list[dict[str, object]] = []
    seen: set[int] = set()
    for line, row in enumerate(rows, start=2):
        aid = row["authority_id"].strip()
        if aid not in codes:
            raise ImportError_(
                f"{path}: line {line}: authority_id {aid!r} not in {AUTHORITIES_FILE}"
            )
        try:
            library_id = int(row["id"])
            closed = int(row["closed_year"]) if row["closed_year"].strip() else None
        except ValueError as exc:
            raise ImportError_(
                f"{path}: line {line}: id or closed_year is not a whole number"
            ) from exc
        if library_id in seen:
            raise ImportError_(f"{path}: line {line}: library id {library_id} appears twice")
        seen.add(library_id)
        out.append({
            "area_code": codes[aid],
            "library_id": library_id,
            "library_name": row["name"].strip(),
            "postcode": row["postcode"].strip() or None,
            "statutory_2010": _flag(path, line, "statutory2010", row["statutory2010"]),
            "statutory_2016": _flag(path, line, "statutory2016", row["statutory2016"]),
            "library_type": row["type"].strip() or None,
            "closed_year": closed,
        })
    return out


def statutory_counts(
    libraries: list[dict[str, object]], areas: set[str]
) -> list[dict[str, object]]:
    """``lib_statutory_libraries`` per authority in ``areas``, London and England, 2010 and 2016."""
    authorities = sorted({str(lib["area_code"]) for lib in libraries})
    facts: list[dict[str, object]] = []
    for raw_col, (period, end) in SNAPSHOTS.items():
        column = "statutory_" + raw_col[-4:]
        counts = Counter(str(lib["area_code"]) for lib in libraries if lib[column] == "true")
        for area in authorities:
            if area in areas:
                facts.append(fact(area, METRIC, period, end, float(counts[area])))
        london = sum(n for area, n in counts.items() if area.startswith("E09"))
        facts.append(fact(LONDON, METRIC, period, end, float(london)))
        facts.append(fact(ENGLAND, METRIC, period, end, float(sum(counts.values()))))
    return facts


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write the library list and the statutory-library counts for 2010 and 2016."""
    libraries = read_libraries(raw_dir)
    areas = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    facts = statutory_counts(libraries, areas)
    return [
        Written(LIST_FILE, write_tidy(out_dir / LIST_FILE, libraries, LIST_COLUMNS),
                "dcms_libraries", "2010 to 2016"),
        Written(FACT_FILE, write_tidy(out_dir / FACT_FILE, facts, FACT_COLUMNS),
                "dcms_libraries", "2010 and 2016"),
    ]
