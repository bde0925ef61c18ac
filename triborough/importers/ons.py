"""ONS mid-year population estimates -> ``fact_ons_population.csv`` and ``areas.csv``.

Reads the publisher tables, not the derived long file beside them:

- ``ons_mid_year_estimates/mye4_population_mid2011_to_mid2023_ew.csv`` (MYE4, wide: one column
  per mid-year, mid-2011 to mid-2023, post-Census-2021 rebased series);
- ``ons_mid_year_estimates/mye24_mid2024_by_single_year_of_age_ew.csv`` (MYE2 persons, mid-2024;
  the ``All ages`` column is the total).

Outputs:

- ``fact_ons_population.csv``: metric ``pop_all_ages`` for every English (``E...``) code in the
  files: England, regions, counties, metropolitan counties, unitary authorities, London boroughs,
  metropolitan and non-metropolitan districts; period ``mid-YYYY``, period end 30 June. A blank
  or suppressed estimate would leave no row (a gap is the absence of a row, never a zero); the
  current files have none.
- ``areas.csv``: one row per English area in those files. Names and area types are ONS's own
  (MYE4 prints England and the regions in capitals; they are given their official names).
  Regions for local authorities come from open sources, in this order:

  1. London boroughs (``E09``) are in London (``E12000007``);
  2. upper-tier authorities: DfE children in need file ``b1_children_in_need_2013_to_2025.csv``
     (``region_code``/``region_name`` per ``new_la_code``; OGL v3.0);
  3. districts: mySociety's register ``reference/uk_local_authorities_mysociety.csv``
     (``gss-code`` -> ``region`` name; CC BY 4.0);
  4. metropolitan counties (not councils, so in neither list): the ONS region heading they sit
     under in MYE4 itself.

  Every region found by 1-3 is also checked against the MYE4 heading the area sits under; a
  disagreement stops the import. England and the regions have no region.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    parse_number,
    read_csv_rows,
    require_columns,
    write_tidy,
)
from triborough.model.boroughs import BOROUGH_CODES, LONDON

SOURCE_ID = "ons_mye"
MYE4 = Path("ons_mid_year_estimates") / "mye4_population_mid2011_to_mid2023_ew.csv"
MYE2_2024 = Path("ons_mid_year_estimates") / "mye24_mid2024_by_single_year_of_age_ew.csv"
DFE_CIN = Path("dfe_childrens_social_care") / "b1_children_in_need_2013_to_2025.csv"
MYSOCIETY = Path("reference") / "uk_local_authorities_mysociety.csv"

FIRST_YEAR = 2011
MYE4_LAST_YEAR = 2023
MYE2_YEAR = 2024

AREA_COLUMNS = (
    "area_code", "area_name", "area_type", "region_code", "region_name", "is_london",
    "is_triborough",
)

# MYE4 prints England and the regions in capitals; these are their ONS register names
# (title-casing alone would give "East" and "Yorkshire And The Humber").
OFFICIAL_NAMES: dict[str, str] = {
    "E92000001": "England",
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}

_ENGLISH_CODE = re.compile(r"^E\d{8}$")


def mid_year(year: int) -> tuple[str, dt.date]:
    """Period label and end date of a mid-year estimate, e.g. 2011 -> ('mid-2011', 2011-06-30)."""
    return f"mid-{year}", dt.date(year, 6, 30)


def _is_english(code: str) -> bool:
    return bool(_ENGLISH_CODE.match(code))


def area_name(code: str, raw_name: str) -> str:
    """ONS name as shown to users: capitalised headings get their official name."""
    name = raw_name.strip()
    if name.isupper():
        return OFFICIAL_NAMES.get(code, name.title())
    return name


def read_population(raw_dir: Path) -> list[dict[str, object]]:
    """``pop_all_ages`` facts for every English code, mid-2011 to mid-2024 (gaps omitted)."""
    mye4_path = raw_dir / MYE4
    mye4 = read_csv_rows(mye4_path)
    year_cols = [f"Mid-{y}" for y in range(FIRST_YEAR, MYE4_LAST_YEAR + 1)]
    require_columns(mye4_path, mye4, ("Code", "Name", "Geography", *year_cols))
    mye2_path = raw_dir / MYE2_2024
    mye2 = read_csv_rows(mye2_path)
    require_columns(mye2_path, mye2, ("Code", "Name", "Geography", "All ages"))

    facts: list[dict[str, object]] = []
    for row in mye4:
        code = row["Code"].strip()
        if not _is_english(code):
            continue
        for year in range(FIRST_YEAR, MYE4_LAST_YEAR + 1):
            value = parse_number(row[f"Mid-{year}"])
            if value is not None:
                facts.append(fact(code, "pop_all_ages", *mid_year(year), value))
    for row in mye2:
        code = row["Code"].strip()
        value = parse_number(row["All ages"])
        if _is_english(code) and value is not None:
            facts.append(fact(code, "pop_all_ages", *mid_year(MYE2_YEAR), value))
    return facts


def _upper_tier_regions(raw_dir: Path) -> dict[str, str]:
    """GSS code -> region code from DfE's local-authority rows."""
    path = raw_dir / DFE_CIN
    rows = read_csv_rows(path)
    require_columns(path, rows, ("geographic_level", "new_la_code", "region_code"))
    return {
        r["new_la_code"].strip(): r["region_code"].strip()
        for r in rows
        if r["geographic_level"] == "Local authority" and r["new_la_code"].strip()
    }


def _district_regions(raw_dir: Path, region_by_name: dict[str, str]) -> dict[str, str]:
    """GSS code -> region code from mySociety's register (which gives region names)."""
    path = raw_dir / MYSOCIETY
    rows = read_csv_rows(path)
    require_columns(path, rows, ("gss-code", "region"))
    out: dict[str, str] = {}
    for r in rows:
        code = r["gss-code"].strip()
        region = region_by_name.get(r["region"].strip())
        if _is_english(code) and region:
            out[code] = region
    return out


def read_areas(raw_dir: Path) -> list[dict[str, object]]:
    """One row per English area in MYE4 and the mid-2024 table, with its region."""
    mye4_path = raw_dir / MYE4
    mye4 = read_csv_rows(mye4_path)
    require_columns(mye4_path, mye4, ("Code", "Name", "Geography"))
    mye2_path = raw_dir / MYE2_2024
    mye2 = read_csv_rows(mye2_path)
    require_columns(mye2_path, mye2, ("Code", "Name", "Geography"))

    # MYE4 lists each region's areas under the region's own row: the ONS hierarchy.
    heading: dict[str, str] = {}
    current: str | None = None
    areas: dict[str, dict[str, object]] = {}
    for row in [*mye4, *mye2]:
        code = row["Code"].strip()
        geography = row["Geography"].strip()
        if geography in ("Region", "Country"):
            current = code if geography == "Region" else None
        if not _is_english(code) or code in areas:
            continue
        if current and geography not in ("Region", "Country"):
            heading[code] = current
        areas[code] = {
            "area_code": code,
            "area_name": area_name(code, row["Name"]),
            "area_type": geography,
        }

    region_names = {
        code: str(a["area_name"]) for code, a in areas.items() if a["area_type"] == "Region"
    }
    upper = _upper_tier_regions(raw_dir)
    districts = _district_regions(raw_dir, {n: c for c, n in region_names.items()})

    for code, area in areas.items():
        region: str | None = None
        if area["area_type"] not in ("Region", "Country"):
            # DfE files put boroughs in Inner/Outer London (E13), not the region.
            region = LONDON if code.startswith("E09") else upper.get(code) or districts.get(code)
            if region is None and area["area_type"] == "Metropolitan County":
                region = heading.get(code)
            if region is None:
                raise ImportError_(
                    f"{raw_dir / MYE4}: no region found for {code} {area['area_name']}"
                )
            if heading.get(code) not in (None, region):
                raise ImportError_(
                    f"{raw_dir / MYE4}: {code} sits under {heading[code]} but the region "
                    f"sources say {region}"
                )
        area["region_code"] = region
        area["region_name"] = region_names.get(region) if region else None
        area["is_london"] = "true" if code.startswith("E09") else "false"
        area["is_triborough"] = "true" if code in BOROUGH_CODES else "false"
    return list(areas.values())


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``fact_ons_population.csv`` and ``areas.csv`` from the ONS tables."""
    facts = read_population(raw_dir)
    n_facts = write_tidy(out_dir / "fact_ons_population.csv", facts, FACT_COLUMNS)
    n_areas = write_tidy(out_dir / "areas.csv", read_areas(raw_dir), AREA_COLUMNS)
    periods = f"mid-{FIRST_YEAR} to mid-{MYE2_YEAR}"
    return [
        Written("fact_ons_population.csv", n_facts, SOURCE_ID, periods),
        Written("areas.csv", n_areas, SOURCE_ID, periods),
    ]
