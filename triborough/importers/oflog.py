"""Oflog adult social care metrics -> ``fact_oflog_asc.csv``, ``oflog_medians.csv`` and
``neighbours_oflog.csv``.

Source: ``oflog_asc/oflog_asc_outcomes_all_english_las.csv`` (the Local Authority Data Explorer's
data, one row per local authority x financial year x measure, all English social care
authorities, 2015-16 to 2022-23 depending on the measure) and ``oflog_nearest_neighbours.json``.

* Measures are identified by their ``Code`` (ASC1-ASC7) and the ``Measure`` text is checked too,
  so a re-coded release fails instead of landing under the wrong metric.
* A value may appear once per ``Grouping``; identical repeats collapse to one row and differing
  repeats stop the import (this release has one grouping, ``LA_Raw``, and no repeats).
* Blank ``Value`` cells (298 rows, e.g. Westminster workforce turnover 2016-17) are gaps: no fact
  row is written, never a zero.
* ``MEDIAN`` is the national median the explorer shows; it must be the same on every row of a
  measure and year, and is written once to ``oflog_medians.csv``.
* The neighbours file lists each authority with 15 others (itself included) in code order, not
  by closeness, so ``rank`` is left empty; repeats in a list (E07000112 appears twice in some)
  are dropped, and so is the authority itself.
* Fact rows are kept only for areas in the ONS population tables (the warehouse's
  ``dim_area``). That leaves out authorities abolished since (Buckinghamshire, Cumbria, Dorset,
  Northamptonshire, North Yorkshire and Somerset county councils, Bournemouth, Poole) in the
  years before their reorganisation; the medians, computed by Oflog over every authority, still
  include them.
"""

from __future__ import annotations

import json
import re
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
from triborough.importers.neighbours import NEIGHBOUR_COLUMNS, check_code, neighbour_rows

RAW_FOLDER = Path("oflog_asc")
DATA_FILE = "oflog_asc_outcomes_all_english_las.csv"
NN_FILE = "oflog_nearest_neighbours.json"
FACT_FILE = "fact_oflog_asc.csv"
MEDIANS_FILE = "oflog_medians.csv"
NN_OUT_FILE = "neighbours_oflog.csv"
NN_GROUP = "oflog_nn"
MEDIAN_COLUMNS = ("metric_code", "period", "median")

# Oflog code -> (Measure text as published, catalogue metric code).
MEASURES: dict[str, tuple[str, str]] = {
    "ASC1": ("Outcome, ASC Carer Quality of Life", "asc_carer_qol"),
    "ASC2": ("Outcome, ASC Quality of Life", "asc_user_qol"),
    "ASC3": (
        "Outcome, Ease of finding information about services : service users",
        "asc_info_users_pct",
    ),
    "ASC4": ("Outcome, Ease of finding information about support : carers", "asc_info_carers_pct"),
    "ASC5": (
        "Outcome, Outcome of short-term services: sequel to service",
        "asc_short_term_outcome_pct",
    ),
    "ASC6": ("Outcome, Requests resulting in a service", "asc_requests_service_rate"),
    "ASC7": ("Outcome, Workforce turnover rate", "asc_workforce_turnover_pct"),
}

_COLUMNS = (
    "Financial year", "Local authority code", "Grouping", "Measure", "Code", "Value", "MEDIAN",
)
_FY = re.compile(r"^(\d{4})-(\d{2})$")


def _fy_start(path: Path, label: str) -> int:
    match = _FY.match(label.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ImportError_(f"{path}: 'Financial year' {label!r} is not like '2016-17'")
    return int(match.group(1))


def _read_measures(
    path: Path, areas: set[str]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Fact rows (for ``areas`` only) and median rows from the Oflog measures file."""
    rows = read_csv_rows(path)
    require_columns(path, rows, _COLUMNS)
    values: dict[tuple[str, str, int], tuple[float, str]] = {}
    medians: dict[tuple[str, int], float] = {}
    for line, row in enumerate(rows, start=2):
        code = row["Code"].strip()
        if code not in MEASURES:
            raise ImportError_(f"{path}: line {line}: unknown measure code {code!r}")
        measure, metric = MEASURES[code]
        if row["Measure"].strip() != measure:
            raise ImportError_(
                f"{path}: line {line}: code {code} is {row['Measure']!r}, expected {measure!r}"
            )
        start = _fy_start(path, row["Financial year"])
        area = check_code(path, row["Local authority code"], "'Local authority code'")

        median = parse_number(row["MEDIAN"])
        if median is not None:
            previous = medians.setdefault((metric, start), median)
            if previous != median:
                raise ImportError_(
                    f"{path}: line {line}: MEDIAN for {code} {fy_label(start)} is {median}, "
                    f"earlier rows say {previous}"
                )

        value = parse_number(row["Value"])
        if value is None:
            continue  # a gap stays a gap
        key = (area, metric, start)
        if key in values and values[key][0] != value:
            raise ImportError_(
                f"{path}: line {line}: {area} {code} {fy_label(start)} is {value} in grouping "
                f"{row['Grouping']!r} but {values[key][0]} in {values[key][1]!r}"
            )
        values.setdefault(key, (value, row["Grouping"]))

    facts = [
        fact(area, metric, fy_label(start), fy_end(start), value)
        for (area, metric, start), (value, _grouping) in values.items()
        if area in areas
    ]
    median_rows = [
        {"metric_code": metric, "period": fy_label(start), "median": median}
        for (metric, start), median in medians.items()
    ]
    return facts, median_rows


def _read_neighbours(path: Path) -> list[dict[str, object]]:
    """Neighbour rows from the Oflog JSON map (area code -> list of codes including itself)."""
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(groups, dict) or not groups:
        raise ImportError_(f"{path}: expected a non-empty object of area code -> code list")
    rows: list[dict[str, object]] = []
    for area_raw, members in groups.items():
        area = check_code(path, area_raw, "area code")
        if not isinstance(members, list):
            raise ImportError_(f"{path}: {area}: expected a list of codes")
        rows.extend(neighbour_rows(path, area, NN_GROUP, [str(m) for m in members], ranked=False))
    return rows


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write the Oflog fact file, the national medians and the Oflog neighbour list."""
    areas = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    facts, medians = _read_measures(raw_dir / RAW_FOLDER / DATA_FILE, areas)
    neighbours = _read_neighbours(raw_dir / RAW_FOLDER / NN_FILE)
    periods = sorted({str(f["period"]) for f in facts})
    coverage = f"{periods[0]} to {periods[-1]}" if periods else ""
    return [
        Written(FACT_FILE, write_tidy(out_dir / FACT_FILE, facts, FACT_COLUMNS), "oflog_asc",
                coverage),
        Written(MEDIANS_FILE, write_tidy(out_dir / MEDIANS_FILE, medians, MEDIAN_COLUMNS),
                "oflog_asc", coverage),
        Written(NN_OUT_FILE, write_tidy(out_dir / NN_OUT_FILE, neighbours, NEIGHBOUR_COLUMNS),
                "oflog_nn", "n/a (undated peer list)"),
    ]
