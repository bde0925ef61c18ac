"""Shared pieces for the publisher importers: missing-value markers, code maps, tidy writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from triborough.model.periods import fy_end, fy_label, fy_start  # noqa: F401 - importers read them here

# Every marker a publisher uses for "no figure". They become missing values, never zero.
MISSING_MARKERS: frozenset[str] = frozenset(
    {"", "x", "c", "z", "u", "k", "[x]", "[c]", "[z]", "[u]", "..", "...", "…", ":", "-",
     "not available", "n/a", "na", "low", "*"}
)

FACT_COLUMNS: tuple[str, ...] = (
    "area_code", "metric_code", "period", "period_end", "value", "numerator", "denominator",
)


@dataclass(frozen=True)
class Written:
    """One tidy file an importer wrote."""

    file: str  # name inside data/public/
    rows: int
    source_id: str  # key into catalogue.SOURCES
    periods: str  # human-readable coverage, e.g. "2010-11 to 2024-25"


class ImportError_(Exception):
    """A raw file is not in the shape its importer expects (names file and what is wrong)."""


def parse_number(raw: str | None) -> float | None:
    """Publisher text to a number; suppression markers and blanks become None (a gap)."""
    if raw is None:
        return None
    text = raw.strip().replace(",", "").replace("£", "")
    if text.lower() in MISSING_MARKERS:
        return None
    if text.endswith("%"):
        text = text[:-1]
    try:
        return float(text)
    except ValueError:
        return None


fy_start_from_label = fy_start  # the importers' name for it


def march31_period(year: int) -> tuple[str, dt.date]:
    """A DfE 'year ending 31 March' time_period as (financial-year label, period end)."""
    return fy_label(year - 1), dt.date(year, 3, 31)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a publisher CSV as dicts (UTF-8, BOM tolerated)."""
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_cells(
    path: Path, sheet: str | None = None, encoding: str = "utf-8-sig"
) -> list[list[str]]:
    """Every row of a CSV, or of one workbook sheet (xls, xlsx, ods through polars' calamine
    engine), as text: '' for an empty cell. A missing file or sheet names file and sheet."""
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    if sheet is None:
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            return list(csv.reader(fh))
    import polars as pl

    try:
        frame = pl.read_excel(path, sheet_name=sheet, engine="calamine", has_header=False,
                              infer_schema_length=0)
    except Exception as exc:  # calamine raises its own types for a missing sheet or bad file
        raise ImportError_(f"{path}: cannot read sheet {sheet!r}: {exc}") from None
    return [["" if c is None else str(c) for c in row] for row in frame.iter_rows()]


def require_columns(path: Path, rows: Sequence[Mapping[str, str]], columns: Iterable[str]) -> None:
    """Fail with a message naming the file and the missing columns."""
    if not rows:
        raise ImportError_(f"{path}: no data rows")
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise ImportError_(f"{path}: missing column(s) {', '.join(missing)}")


def fact(
    area_code: str,
    metric_code: str,
    period: str,
    period_end: dt.date,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
) -> dict[str, object]:
    """One row of the long fact table."""
    return {
        "area_code": area_code,
        "metric_code": metric_code,
        "period": period,
        "period_end": period_end.isoformat(),
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_tidy(path: Path, rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> int:
    """Write rows sorted and stable (same input, same bytes), atomically; returns row count."""
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n")
    writer.writerow(columns)
    lines = sorted([_fmt(r.get(c)) for c in columns] for r in rows)
    writer.writerows(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(body.getvalue())
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; extracts are ordinary readable files
    os.replace(tmp, path)
    return len(lines)


# GSS codes that changed while the area stayed the same: publishers use either; the warehouse
# uses the code in the ONS population series, so one area keeps one series.
CODE_SUCCESSORS: dict[str, str] = {
    "E06000048": "E06000057",  # Northumberland (2009 code -> 2020 code)
    "E08000020": "E08000037",  # Gateshead
    "E08000038": "E08000016",  # Barnsley (DfE workforce 2025 uses the 2025 code)
    "E08000039": "E08000019",  # Sheffield
}


def restrict_to_areas(
    rows: Sequence[dict[str, object]],
    known: set[str],
    columns: Sequence[str] = ("area_code",),
    label: str = "",
) -> list[dict[str, object]]:
    """Map changed codes to current ones; keep rows whose areas are in the ONS area list.

    Rows for abolished councils (e.g. Bournemouth, Poole, former county councils) and
    aggregates ONS does not publish (Inner/Outer London) are left out, and counted on stderr,
    because the warehouse only holds areas it can name and give a population.
    """
    import sys

    kept: list[dict[str, object]] = []
    dropped: dict[str, int] = {}
    for row in rows:
        fixed = dict(row)
        for col in columns:
            code = str(fixed[col])
            fixed[col] = CODE_SUCCESSORS.get(code, code)
        missing = [str(fixed[c]) for c in columns if str(fixed[c]) not in known]
        if missing:
            for code in missing:
                dropped[code] = dropped.get(code, 0) + 1
            continue
        kept.append(fixed)
    if dropped:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(dropped.items()))
        print(f"{label}: left out rows for areas not in the ONS list: {listed}", file=sys.stderr)
    return kept
