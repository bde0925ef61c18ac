"""NHS PSS-EX1 council activity, 2010-11 to 2013-14 -> ``fact_nhs_pss_ex1.csv``.

Source: ``nhs_pss_ex1_asc_activity_2010_2014/pss_ex1_activity_YYYY_YY.csv`` (HSCIC, one file per
financial year, one row per council with adult social services responsibilities (CASSR) plus a
``TOTAL England`` row; the original 3-4 header rows are joined with `` | ``).

* Columns are found by their published wording, not position or item number: item numbers
  move between years (home care "Total all ages" is A4.17 in 2010-11 and A4.15 later) and the
  header's leading parts are filled in on some years and not others.
* ``asc_reviews`` is "Overall total of existing clients with completed reviews" (A1.1).
* ``asc_assessments`` has no published total: it is the sum of the six client-group columns
  (18-64 physical disability, mental health, learning disability, substance misuse, other
  vulnerable people; all 65+), written only when none of the six is missing.
* ``asc_home_care_clients``, ``asc_day_care_clients``, ``asc_direct_payments_clients`` are the
  "Total all ages" columns for people receiving the service at 31 March. In 2010-11 the direct
  payments column is headed "Existing / new Direct payments and Personal Budgets"; later years
  say "Direct payments".
* From 2012-13 reviews are counted as review *events* and assessments come from a new return
  (RAP A11 instead of A7), so 2012-13 is not strictly comparable with earlier years.
* All counts are rounded to the nearest 5 by the publisher. From 2012-13 the England total
  includes the publisher's estimates for councils' missing items.
* ``..`` (not available) and blanks are gaps: no fact row is written, never a zero.
* ``cassr_code`` is the Department of Health CASSR code, *not* the DfE LA number: here 713 is
  Westminster, 705 Hammersmith and Fulham, 707 Kensington and Chelsea, while 205, 207 and 213
  are Doncaster, Sheffield and Wakefield. Councils are therefore matched to ONS codes by name,
  using the names and codes in DfE's children-in-need file (earliest year each name appears,
  which is the code in use nearest to 2010-14), and the three boroughs are checked.
* Fact rows are kept only for areas in the ONS population tables (the warehouse's
  ``dim_area``): Buckinghamshire, Cumbria, Dorset, Northamptonshire, North Yorkshire and
  Somerset county councils, Bournemouth and Poole, all abolished since, are left out.
* The files have no regional rows, so there are no London figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    read_csv_rows,
    require_columns,
    write_tidy,
)
from triborough.model.boroughs import ENGLAND

RAW_FOLDER = Path("nhs_pss_ex1_asc_activity_2010_2014")
DFE_NAMES_FILE = Path("dfe_childrens_social_care") / "b1_children_in_need_2013_to_2025.csv"
OUT_FILE = "fact_nhs_pss_ex1.csv"
_FILE_NAME = re.compile(r"^pss_ex1_activity_(\d{4})_(\d{2})\.csv$")
_ENGLAND_NAME = "total england"

# Metric -> predicate on a header's descriptive text (the part before the item number).
_SINGLE_COLUMNS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "asc_reviews": (
        "Overall total of existing clients with completed reviews",
        lambda h: "overall total of existing clients with completed reviews" in h,
    ),
    "asc_home_care_clients": (
        "Total all ages, Home care",
        lambda h: "total all ages, home care" in h,
    ),
    "asc_day_care_clients": (
        "Total all ages, Day care",
        lambda h: "total all ages, day care" in h,
    ),
    "asc_direct_payments_clients": (
        "Total all ages, (Existing / new) Direct payments",
        lambda h: re.search(r"total all ages, (existing / new )?direct payments", h) is not None,
    ),
}
# The six client groups whose completed assessments add up to all new clients assessed.
_ASSESSMENT_GROUPS: tuple[str, ...] = (
    "physical disability, 18-64, completed assessments",
    "mental health, 18-64, completed assessments",
    "learning disability, 18-64, completed assessments",
    "substance misuse, 18-64, completed assessments",
    "other vulnerable people, 18-64, completed assessments",
    "all clients aged 65 and over, completed assessments",
)

# PSS-EX1 spellings that no DfE name normalises to.
_NAME_ALIASES: dict[str, str] = {
    "bath and somerset": "bath and north east somerset",
    "medway towns": "medway",
}
# Checked on every run: the boroughs' CASSR codes must land on their ONS codes.
_EXPECTED: dict[str, str] = {"713": "E09000033", "705": "E09000013", "707": "E09000020"}


def normalise_name(name: str) -> str:
    """Council name reduced for matching across publishers ('Stockton-on-Tees UA' ->
    'stockton on tees', 'Bristol, City of' -> 'bristol')."""
    text = name.lower().replace("&", " and ").replace("-", " ").replace(".", "").replace(",", " ")
    text = re.sub(r"\b(ua|council|borough|city of|county of|county|the)\b", " ", text)
    text = " ".join(text.split())
    return _NAME_ALIASES.get(text, text)


def dfe_name_to_code(raw_dir: Path) -> dict[str, str]:
    """Normalised local authority name -> ONS code from DfE's children-in-need file.

    Where a name has had several codes (e.g. Buckinghamshire before and after 2020) the
    earliest year's code wins: the nearest to the PSS-EX1 years.
    """
    path = raw_dir / DFE_NAMES_FILE
    rows = read_csv_rows(path)
    require_columns(path, rows, ("time_period", "geographic_level", "new_la_code", "la_name"))
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        if row["geographic_level"] != "Local authority":
            continue
        key = normalise_name(row["la_name"])
        year = int(row["time_period"])
        if key not in best or year < best[key][0]:
            best[key] = (year, row["new_la_code"].strip())
    return {name: code for name, (_year, code) in best.items()}


def _header_text(header: str) -> str:
    """The header without its trailing item number ('... | A4.15'), lower case."""
    parts = [p.strip() for p in header.split(" | ")]
    if len(parts) > 1 and re.match(r"^[A-Z]\d+(\.\d+)?$", parts[-1]):
        parts = parts[:-1]
    return " | ".join(parts).lower()


def _find_columns(path: Path, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """Locate each metric's column (or, for assessments, the six group columns)."""
    texts = {h: _header_text(h) for h in header}
    single: dict[str, str] = {}
    for metric, (label, matches) in _SINGLE_COLUMNS.items():
        hits = [h for h, t in texts.items() if matches(t)]
        if len(hits) != 1:
            raise ImportError_(
                f"{path}: expected one column headed '{label}', found {len(hits)}"
            )
        single[metric] = hits[0]
    groups: list[str] = []
    for label in _ASSESSMENT_GROUPS:
        hits = [h for h, t in texts.items() if label in t]
        if len(hits) != 1:
            raise ImportError_(f"{path}: expected one column headed '{label}', found {len(hits)}")
        groups.append(hits[0])
    return single, groups


def _year_files(raw_dir: Path) -> list[tuple[int, Path]]:
    folder = raw_dir / RAW_FOLDER
    found: list[tuple[int, Path]] = []
    for path in sorted(folder.glob("pss_ex1_activity_*.csv")):
        match = _FILE_NAME.match(path.name)
        if not match:
            continue
        start = int(match.group(1))
        if (start + 1) % 100 != int(match.group(2)):
            raise ImportError_(f"{path}: file name is not a financial year")
        found.append((start, path))
    if not found:
        raise ImportError_(f"{folder}: no pss_ex1_activity_YYYY_YY.csv files")
    return found


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``fact_nhs_pss_ex1.csv`` (assessments, reviews, clients at 31 March)."""
    names = dfe_name_to_code(raw_dir)
    areas = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    cassr_to_ons: dict[str, str] = {}
    facts: list[dict[str, object]] = []
    years = _year_files(raw_dir)
    for start, path in years:
        rows = read_csv_rows(path)
        require_columns(path, rows, ("cassr_code", "cassr_name"))
        single, groups = _find_columns(path, list(rows[0].keys()))
        for row in rows:
            cassr, name = row["cassr_code"].strip(), row["cassr_name"].strip()
            if cassr:
                code = names.get(normalise_name(name))
                if code is None:
                    raise ImportError_(f"{path}: no ONS code for council {cassr} {name!r}")
                if cassr_to_ons.setdefault(cassr, code) != code:
                    raise ImportError_(
                        f"{path}: CASSR {cassr} {name!r} maps to {code}, earlier to "
                        f"{cassr_to_ons[cassr]}"
                    )
            elif normalise_name(name) == _ENGLAND_NAME:
                code = ENGLAND
            else:
                continue  # footnotes (".. means data not available", copyright)
            if code not in areas:
                continue
            period, end = fy_label(start), fy_end(start)
            for metric, column in single.items():
                value = parse_number(row[column])
                if value is not None:
                    facts.append(fact(code, metric, period, end, value))
            parts = [parse_number(row[c]) for c in groups]
            if all(p is not None for p in parts):
                total = sum(p for p in parts if p is not None)
                facts.append(fact(code, "asc_assessments", period, end, total))
    for cassr, expected in _EXPECTED.items():
        if cassr_to_ons.get(cassr) != expected:
            raise ImportError_(
                f"{raw_dir / RAW_FOLDER}: CASSR {cassr} maps to {cassr_to_ons.get(cassr)}, "
                f"expected {expected}"
            )
    if len(set(cassr_to_ons.values())) != len(cassr_to_ons):
        raise ImportError_(f"{raw_dir / RAW_FOLDER}: two CASSR codes map to one ONS code")
    n = write_tidy(out_dir / OUT_FILE, facts, FACT_COLUMNS)
    coverage = f"{fy_label(years[0][0])} to {fy_label(years[-1][0])}"
    return [Written(OUT_FILE, n, "nhs_pss_ex1", coverage)]

