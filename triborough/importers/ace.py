"""Arts Council England libraries activity 2023/24 -> ``fact_ace_libraries.csv``,
``library_activity.csv`` and ``neighbours_ace.csv``.

Source: ``ace_libraries_activity_2023_24/`` (LibrariesHacked's tidy conversion of ACE's return,
keyed by ONS authority code). Not every library service reported: 24 of the 153 services in
``services.csv`` have no figures (their ``Period`` is ``2023-04-01/P1Y`` and the cells are
blank); blanks are gaps, so they get no fact rows, never zeros.

* ``fact_ace_libraries.csv``: ``lib_visits``, ``lib_loans`` and ``lib_active_users`` for
  2023-24 from ``services.csv`` (``Visits``, ``Loans``, ``Users``). Each total is checked against
  the sum of the tidy file it comes from (``visits.csv``, ``loans.csv``, ``users.csv``) and a
  difference stops the import. Active users are therefore the sum of the age groups in the
  tidy ``users.csv`` (Westminster 34,326), *not* ``total_active_members`` in the raw wide return
  (Westminster 38,544), which for some services exceeds the sum of its own age groups.
* ``library_activity.csv``: every row of the tidy monthly / quarterly / annual files as
  (area_code, measure, breakdown, period_start, period_months, value). Measures: ``loans``
  (breakdown "format; content age group"), ``visits`` (location), ``events`` and
  ``event_attendance`` ("event type; age group"), ``active_users`` (age group),
  ``computer_hours``, ``wifi_sessions``, ``click_and_collect`` (breakdown "All").
* Audiobooks in ``loans.csv``: the conversion writes the raw return's *digital* audiobook total
  under ``Physical audiobook`` / ``Unknown``. Checked against the raw wide file: where an
  authority-period has two such rows the first is the physical total and the second the
  digital total (163 of 163 pairs); where it has one row and physical audiobooks also have
  age-group rows, that row is the digital total. Those rows are relabelled ``Eaudio``. A single
  unlabelled row with no physical age split could be either and is written as
  ``Audiobook (physical or digital); Unknown``. Totals are unchanged by the relabelling.
* ``neighbours_ace.csv``: the five nearest neighbours listed in ``services.csv``, in order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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

RAW_FOLDER = Path("ace_libraries_activity_2023_24")
SERVICES_FILE = "services.csv"
FACT_FILE = "fact_ace_libraries.csv"
ACTIVITY_FILE = "library_activity.csv"
NN_OUT_FILE = "neighbours_ace.csv"
NN_GROUP = "ace_nn"
ACTIVITY_COLUMNS = ("area_code", "measure", "breakdown", "period_start", "period_months", "value")
START_YEAR = 2023  # the 2023/24 financial year
ALL = "All"
AMBIGUOUS_AUDIOBOOK = "Audiobook (physical or digital)"

_SERVICE_PERIODS = {"2023/2024", "2023-04-01/P1Y"}
_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})/P(1M|3M|1Y)$")
_MONTHS = {"1M": 1, "3M": 3, "1Y": 12}
# services.csv column -> (metric code, tidy file it must add up to).
_SERVICE_METRICS: dict[str, tuple[str, str]] = {
    "Visits": ("lib_visits", "visits.csv"),
    "Loans": ("lib_loans", "loans.csv"),
    "Users": ("lib_active_users", "users.csv"),
}
_NN_COLUMNS = tuple(f"Nearest neighbour {i}" for i in range(1, 6))


@dataclass(frozen=True)
class TidyFile:
    """One tidy activity file: its measure name and the columns that make its breakdown."""

    name: str
    measure: str
    breakdown: tuple[str, ...]


TIDY_FILES: tuple[TidyFile, ...] = (
    TidyFile("loans.csv", "loans", ("Format", "Content age group")),
    TidyFile("visits.csv", "visits", ("Location",)),
    TidyFile("events.csv", "events", ("Event type", "Age group")),
    TidyFile("event_attendance.csv", "event_attendance", ("Event type", "Age group")),
    TidyFile("users.csv", "active_users", ("Age group",)),
    TidyFile("computers.csv", "computer_hours", ()),
    TidyFile("wifi.csv", "wifi_sessions", ()),
    TidyFile("click_and_collect.csv", "click_and_collect", ()),
)


def _parse_period(path: Path, line: int, text: str) -> tuple[str, int]:
    match = _PERIOD.match(text.strip())
    if not match:
        raise ImportError_(f"{path}: line {line}: Period {text!r} is not like 2023-04-01/P1M")
    return match.group(1), _MONTHS[match.group(2)]


def _relabel_audiobooks(rows: Sequence[dict[str, str]]) -> list[str]:
    """The Format each loans row should carry (see the module docstring on audiobooks)."""
    formats = [r["Format"].strip() for r in rows]
    unknown: dict[tuple[str, str], list[int]] = defaultdict(list)
    aged: set[tuple[str, str]] = set()
    for i, r in enumerate(rows):
        if formats[i] != "Physical audiobook":
            continue
        key = (r["Authority"].strip(), r["Period"].strip())
        if r["Content age group"].strip() == "Unknown":
            unknown[key].append(i)
        else:
            aged.add(key)
    for key, idx in unknown.items():
        if len(idx) == 2:
            formats[idx[1]] = "Eaudio"
        elif len(idx) == 1 and key in aged:
            formats[idx[0]] = "Eaudio"
        elif len(idx) == 1:
            formats[idx[0]] = AMBIGUOUS_AUDIOBOOK
        else:
            raise ImportError_(
                f"loans.csv: {len(idx)} 'Physical audiobook; Unknown' rows for {key}"
            )
    return formats


def read_activity(raw_dir: Path) -> list[dict[str, object]]:
    """Rows of ``library_activity.csv`` from the tidy files (keys checked unique)."""
    out: list[dict[str, object]] = []
    seen: set[tuple[object, ...]] = set()
    for spec in TIDY_FILES:
        path = raw_dir / RAW_FOLDER / spec.name
        rows = read_csv_rows(path)
        require_columns(path, rows, ("Authority", "Period", "Count", *spec.breakdown))
        formats = _relabel_audiobooks(rows) if spec.measure == "loans" else None
        for i, row in enumerate(rows):
            line = i + 2
            value = parse_number(row["Count"])
            if value is None:
                continue
            area = check_code(path, row["Authority"], "Authority")
            start, months = _parse_period(path, line, row["Period"])
            parts = [row[c].strip() for c in spec.breakdown]
            if formats is not None:
                parts[0] = formats[i]
            breakdown = "; ".join(parts) if parts else ALL
            key = (area, spec.measure, breakdown, start, months)
            if key in seen:
                raise ImportError_(f"{path}: line {line}: {key} appears twice")
            seen.add(key)
            out.append({
                "area_code": area, "measure": spec.measure, "breakdown": breakdown,
                "period_start": start, "period_months": months, "value": value,
            })
    return out


def _tidy_totals(raw_dir: Path, file_name: str) -> dict[str, float]:
    path = raw_dir / RAW_FOLDER / file_name
    rows = read_csv_rows(path)
    require_columns(path, rows, ("Authority", "Count"))
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        value = parse_number(row["Count"])
        if value is not None:
            totals[row["Authority"].strip()] += value
    return totals


def read_services(raw_dir: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """2023-24 fact rows and nearest-neighbour rows from ``services.csv``."""
    path = raw_dir / RAW_FOLDER / SERVICES_FILE
    rows = read_csv_rows(path)
    require_columns(path, rows, ("Authority code", "Period", *_SERVICE_METRICS, *_NN_COLUMNS))
    totals = {col: _tidy_totals(raw_dir, f) for col, (_m, f) in _SERVICE_METRICS.items()}
    facts: list[dict[str, object]] = []
    neighbours: list[dict[str, object]] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        area = check_code(path, row["Authority code"], "Authority code")
        if area in seen:
            raise ImportError_(f"{path}: line {line}: {area} appears twice")
        seen.add(area)
        if row["Period"].strip() not in _SERVICE_PERIODS:
            raise ImportError_(f"{path}: line {line}: Period {row['Period']!r} is not 2023/24")
        for column, (metric, tidy_name) in _SERVICE_METRICS.items():
            value = parse_number(row[column])
            if value is None:
                continue
            tidy = totals[column].get(area, 0.0)
            if abs(tidy - value) > 0.5:
                raise ImportError_(
                    f"{path}: line {line}: {area} {column} is {value:.0f} but {tidy_name} "
                    f"adds up to {tidy:.0f}"
                )
            facts.append(fact(area, metric, fy_label(START_YEAR), fy_end(START_YEAR), value))
        neighbours.extend(
            neighbour_rows(path, area, NN_GROUP, [row[c] for c in _NN_COLUMNS], ranked=True)
        )
    return facts, neighbours


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write the ACE library facts, the monthly/quarterly activity table and ACE neighbours."""
    facts, neighbours = read_services(raw_dir)
    activity = read_activity(raw_dir)
    period = fy_label(START_YEAR)
    return [
        Written(FACT_FILE, write_tidy(out_dir / FACT_FILE, facts, FACT_COLUMNS),
                "ace_libraries", period),
        Written(ACTIVITY_FILE, write_tidy(out_dir / ACTIVITY_FILE, activity, ACTIVITY_COLUMNS),
                "ace_libraries", f"{period} (monthly, quarterly or annual)"),
        Written(NN_OUT_FILE, write_tidy(out_dir / NN_OUT_FILE, neighbours, NEIGHBOUR_COLUMNS),
                "ace_libraries", period),
    ]
