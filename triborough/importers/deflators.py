"""HM Treasury GDP deflators and ONS CPIH -> ``gdp_deflator.csv`` and ``cpih.csv``.

The GDP deflator is the usual basis for real-terms public spending. Two copies are in
``deflators/``:

- ``hmt_gdp_deflator_march2026_extract__…csv``: a third party's three-column extract of HM
  Treasury's March 2026 release (2024-25 = 100; outturn to 2024-25, OBR forecast after). This is
  the one used: it is the latest release, its base is the dashboard's latest outturn year, and
  every spend year (2007-08 to 2024-25) is outturn in it, so no year is filled from a forecast.
  The forecast years it carries (2025-26 on) are kept and marked ``forecast``; nothing the
  dashboard shows reaches them.
- ``GDP_Deflators_Qtrly_National_Accounts_December_2023_update.csv``: HM Treasury's own sheet,
  December 2023 release (2022-23 = 100). Not written out; ``read_december_2023`` exists so a
  test can check the two releases agree on growth where ONS has not revised the years since.

CPIH (ONS series L522, 2015 = 100) is written as financial-year averages of the monthly index
(April to March, only years with all twelve months) from the March 2023 release, for readers
who want a consumer-price view; the dashboard deflates with the GDP deflator.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from triborough.importers.common import (
    ImportError_,
    Written,
    fy_end,
    fy_label,
    fy_start_from_label,
    read_csv_rows,
    require_columns,
    write_tidy,
)

SOURCE_ID = "hmt_gdp_deflator"
CPIH_SOURCE_ID = "ons_cpih"
FOLDER = Path("deflators")
MARCH_2026 = "hmt_gdp_deflator_march2026_extract__conradsmewing_home-office-spending-model.csv"
DECEMBER_2023 = "GDP_Deflators_Qtrly_National_Accounts_December_2023_update.csv"
CPIH_FILE = Path("cpih_cwip-app") / "CPIH-2022.csv"
RELEASE = "HM Treasury GDP deflators, March 2026 (2024-25 = 100)"
CPIH_RELEASE = "ONS CPIH all items (L522), release of 22 March 2023 (2015 = 100)"
BASE_PERIOD = "2024-25"

DEFLATOR_COLUMNS = ("period", "period_end", "deflator", "basis", "release")
CPIH_COLUMNS = ("period", "period_end", "cpih", "release")
_FY = re.compile(r"^\d{4}-\d{2}$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def read_march_2026(raw_dir: Path) -> list[dict[str, object]]:
    """One row per financial year: the index (2024-25 = 100), outturn or forecast."""
    path = raw_dir / FOLDER / MARCH_2026
    rows = read_csv_rows(path)
    require_columns(path, rows, ("year", "deflator_index", "source"))
    out: list[dict[str, object]] = []
    for line, row in enumerate(rows, start=2):
        period = row["year"].strip()
        if not _FY.match(period):
            raise ImportError_(f"{path} line {line}: year {period!r} is not like '2024-25'")
        try:
            value = float(row["deflator_index"])
        except ValueError:
            raise ImportError_(
                f"{path} line {line}: deflator {row['deflator_index']!r} is not a number"
            ) from None
        if value <= 0:
            raise ImportError_(f"{path} line {line}: deflator {value} is not positive")
        source = row["source"].casefold()
        basis = "forecast" if "forecast" in source else "outturn" if "outturn" in source else ""
        if not basis:
            raise ImportError_(f"{path} line {line}: source {row['source']!r} says neither "
                               "outturn nor forecast")
        start = fy_start_from_label(period)
        out.append({
            "period": period, "period_end": fy_end(start).isoformat(), "deflator": value,
            "basis": basis, "release": RELEASE,
        })
    base = [r for r in out if r["period"] == BASE_PERIOD]
    if not base or abs(float(base[0]["deflator"]) - 100) > 1e-9:
        raise ImportError_(f"{path}: {BASE_PERIOD} is not 100, so the base is not {BASE_PERIOD}")
    return out


def read_december_2023(raw_dir: Path) -> dict[str, float]:
    """Financial year -> GDP deflator (2022-23 = 100), outturn years only, from HMT's sheet."""
    path = raw_dir / FOLDER / DECEMBER_2023
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    out: dict[str, float] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and _FY.match(row[1].strip()) and row[2].strip() not in ("", "-"):
                out[row[1].strip()] = float(row[2])
    if out.get("2022-23") != 100.0:
        raise ImportError_(f"{path}: no financial-year column with 2022-23 = 100")
    return out


def read_cpih(raw_dir: Path) -> list[dict[str, object]]:
    """Financial-year means of the monthly CPIH index (April to March, whole years only)."""
    path = raw_dir / FOLDER / CPIH_FILE
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    by_year: dict[int, list[float]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) != 2:
                continue
            match = re.fullmatch(r"(\d{4}) ([A-Z]{3})", row[0].strip())
            if not match or match.group(2) not in _MONTHS:
                continue
            year, month = int(match.group(1)), _MONTHS.index(match.group(2)) + 1
            start = year if month >= 4 else year - 1
            by_year.setdefault(start, []).append(float(row[1]))
    if not by_year:
        raise ImportError_(f"{path}: no monthly rows like '2007 APR'")
    return [
        {"period": fy_label(y), "period_end": fy_end(y).isoformat(),
         "cpih": round(sum(v) / 12, 3), "release": CPIH_RELEASE}
        for y, v in sorted(by_year.items())
        if len(v) == 12
    ]


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``gdp_deflator.csv`` and ``cpih.csv``."""
    deflators = read_march_2026(raw_dir)
    cpih = read_cpih(raw_dir)
    n_def = write_tidy(out_dir / "gdp_deflator.csv", deflators, DEFLATOR_COLUMNS)
    n_cpih = write_tidy(out_dir / "cpih.csv", cpih, CPIH_COLUMNS)
    outturn = [str(r["period"]) for r in deflators if r["basis"] == "outturn"]
    forecast = [str(r["period"]) for r in deflators if r["basis"] == "forecast"]
    return [
        Written("gdp_deflator.csv", n_def, SOURCE_ID,
                f"{outturn[0]} to {outturn[-1]} outturn; {forecast[0]} to {forecast[-1]} "
                "OBR forecast" if forecast else f"{outturn[0]} to {outturn[-1]} outturn"),
        Written("cpih.csv", n_cpih, CPIH_SOURCE_ID,
                f"{cpih[0]['period']} to {cpih[-1]['period']} (financial-year means)"),
    ]

