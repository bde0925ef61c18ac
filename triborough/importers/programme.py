"""Reported tri-borough targets and milestones -> ``programme_reported.csv``,
``arrangements.csv`` and ``programme_milestones.csv``.

Reads ``triborough_programme/reported_savings_and_milestones.csv``: figures hand-transcribed
from councils' press releases and press reports, each with its web page. They are reported
claims and targets, not audited outturns.

- ``programme_reported.csv``: every row as published; ``value`` is a number, or empty where the
  row has none (an event).
- ``arrangements.csv``: which services the boroughs shared, and when. Built only from dates in
  that file and in the project's design notes (``DESIGN.md``): tri-borough sharing of children's
  services, adult social care and libraries began in 2011 (the sources give the year only: the
  start is recorded as 1 June 2011 and the description says so); Westminster and K&C served
  notice on 27 March 2017; the split took effect on 1 April 2018, after which Westminster and
  K&C carried on as a bi-borough. ``end_date`` is the last day an arrangement applied; empty
  means the sources give no end. ``confirmed_until`` is the last day a source confirms the
  arrangement was in place: its end where it has one, else the date of the latest report that
  names it as shared (libraries: the 'One Year On' report of 18 June 2012; the bi-borough: the
  split itself). Charts shade only up to that day and say where the sources stop.
  No end date for shared libraries was found, and public health
  (named in the 2017 notice) has no start date in the sources, so it has no arrangement row.
- ``programme_milestones.csv``: annotations for charts. A target is dated at the end of the
  financial year it is for ("£40m a year by 2015/16" -> 2016-03-31), which needs no guessed
  publication date (the £43m revision is undated); events carry the day they happened.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from triborough.importers.common import (
    ImportError_,
    Written,
    parse_number,
    read_csv_rows,
    require_columns,
    write_tidy,
)
from triborough.model.arrangement import SHARING_START
from triborough.model.boroughs import BOROUGH_CODES

SOURCE_ID = "programme_reports"
REPORTED = Path("triborough_programme") / "reported_savings_and_milestones.csv"

REPORTED_COLUMNS = (
    "date_published", "scope", "measure", "value", "unit", "period_referred_to",
    "source_publisher", "source_url", "quote_or_note",
)
ARRANGEMENT_COLUMNS = (
    "arrangement_id", "service", "borough_codes", "start_date", "end_date", "confirmed_until",
    "description", "source_url",
)
MILESTONE_COLUMNS = ("date", "label", "kind", "value_gbp_m", "source_url")

WESTMINSTER, HAMMERSMITH_FULHAM, KENSINGTON_CHELSEA = BOROUGH_CODES
TRI = ";".join(BOROUGH_CODES)
BI = ";".join((WESTMINSTER, KENSINGTON_CHELSEA))

# DESIGN.md and the reports give only the year sharing began (2011); the "One Year On" report
# of June 2012 is consistent with mid-2011. The month is an assumption, said wherever shown.
TRI_START = SHARING_START
TRI_START_NOTE = (
    "Start: the sources give only the year 2011; 1 June 2011 is assumed (LBHF's 'One Year On' "
    "progress report was published on 18 June 2012)."
)

# (measure in the file, label shown on charts): targets, dated at the end of their target year.
TARGETS: tuple[tuple[str, str], ...] = (
    ("projected annual saving in original proposals",
     "£33.4m a year projected by 2014/15 (original proposals, Feb 2011)"),
    ("savings to be made in the financial year",
     "£7.7m of savings planned in 2012/13 (reported June 2012)"),
    ("target annual saving", "£40m a year target by 2015/16 (reported June 2012)"),
    ("target annual saving (revised)", "£43m a year revised target by 2015/16 (undated, c.2013)"),
)


def read_reported(raw_dir: Path) -> list[dict[str, object]]:
    """Every row of the reported-figures file, ``value`` as a number or None."""
    path = raw_dir / REPORTED
    rows = read_csv_rows(path)
    require_columns(path, rows, REPORTED_COLUMNS)
    out: list[dict[str, object]] = []
    for row in rows:
        record: dict[str, object] = {c: row[c].strip() for c in REPORTED_COLUMNS}
        record["value"] = parse_number(row["value"])
        out.append(record)
    return out


def _long(day: dt.date) -> str:
    """'1 April 2018' (strftime's unpadded day is not portable)."""
    return f"{day.day} {day:%B %Y}"


def _one(path: Path, rows: list[dict[str, object]], measure: str) -> dict[str, object]:
    found = [r for r in rows if r["measure"] == measure]
    if len(found) != 1:
        raise ImportError_(f"{path}: expected one row with measure {measure!r}, found {len(found)}")
    return found[0]


def _notice(path: Path, rows: list[dict[str, object]]) -> tuple[dt.date, dt.date, str]:
    """Date notice was served, date the split took effect, and the source page."""
    found = [r for r in rows if str(r["measure"]).startswith("notice served")]
    if len(found) != 1:
        raise ImportError_(f"{path}: expected one 'notice served' row, found {len(found)}")
    row = found[0]
    effective = re.search(r"effective (\d{4}-\d{2}-\d{2})", str(row["period_referred_to"]))
    try:
        served = dt.date.fromisoformat(str(row["date_published"]))
    except ValueError:
        raise ImportError_(f"{path}: notice row date_published is not a date") from None
    if not effective:
        raise ImportError_(f"{path}: notice row period_referred_to has no 'effective <date>'")
    return served, dt.date.fromisoformat(effective.group(1)), str(row["source_url"])


def _one_year_on_url(path: Path, rows: list[dict[str, object]]) -> str:
    return str(_one(path, rows, "target annual saving")["source_url"])


def build_arrangements(raw_dir: Path) -> list[dict[str, object]]:
    """Shared-service periods from the dates the sources state."""
    path = raw_dir / REPORTED
    rows = read_reported(raw_dir)
    served, split, split_url = _notice(path, rows)
    tri_end = split - dt.timedelta(days=1)
    ending = (
        f"Ended when the split took effect on {_long(split)}, after RBKC and Westminster "
        f"served notice on {_long(served)}; end_date is the last day it applied."
    )
    carrying_on = (
        f"Westminster and Kensington and Chelsea carried on together as a bi-borough from "
        f"{_long(split)} (RBKC press release); the sources give no end date."
    )
    libraries_named = max(
        (dt.date.fromisoformat(str(r["date_published"])) for r in rows
         if "librar" in str(r["scope"]).casefold()
         and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r["date_published"]))),
        default=None,
    )
    if libraries_named is None:
        raise ImportError_(f"{path}: no dated report names the libraries as shared")
    out = [
        {"arrangement_id": "triborough_childrens_services", "service": "childrens_social_care",
         "borough_codes": TRI, "start_date": TRI_START.isoformat(),
         "end_date": tri_end.isoformat(),
         "description": f"Tri-borough children's services shared by all three councils. "
                        f"{TRI_START_NOTE} {ending}",
         "source_url": split_url},
        {"arrangement_id": "triborough_adult_social_care", "service": "adult_social_care",
         "borough_codes": TRI, "start_date": TRI_START.isoformat(),
         "end_date": tri_end.isoformat(),
         "description": f"Tri-borough adult social care shared by all three councils. "
                        f"{TRI_START_NOTE} {ending}",
         "source_url": split_url},
        {"arrangement_id": "triborough_libraries", "service": "libraries",
         "borough_codes": TRI, "start_date": TRI_START.isoformat(), "end_date": None,
         "description": f"Tri-borough library service shared by all three councils. "
                        f"{TRI_START_NOTE} The sources give no end date (the 2017 notice "
                        "named adults', children's services and public health), so none is "
                        "recorded; this does not confirm it is still shared.",
         "source_url": _one_year_on_url(path, rows)},
        {"arrangement_id": "biborough_childrens_services", "service": "childrens_social_care",
         "borough_codes": BI, "start_date": split.isoformat(), "end_date": None,
         "description": f"Bi-borough children's services. {carrying_on}",
         "source_url": split_url},
        {"arrangement_id": "biborough_adult_social_care", "service": "adult_social_care",
         "borough_codes": BI, "start_date": split.isoformat(), "end_date": None,
         "description": f"Bi-borough adult social care. {carrying_on}",
         "source_url": split_url},
    ]
    for arrangement in out:
        if arrangement["end_date"]:
            arrangement["confirmed_until"] = arrangement["end_date"]
        elif arrangement["arrangement_id"] == "triborough_libraries":
            arrangement["confirmed_until"] = libraries_named.isoformat()
            arrangement["description"] += (
                f" The latest report naming the libraries as shared is of "
                f"{_long(libraries_named)}: later years are neither confirmed nor ruled out."
            )
        else:
            arrangement["confirmed_until"] = arrangement["start_date"]
    return out


def _target_year_end(path: Path, row: dict[str, object]) -> dt.date:
    """'by 2015/16' or '2012/13' -> 31 March at the end of that financial year."""
    match = re.search(r"(\d{4})/(\d{2})", str(row["period_referred_to"]))
    if not match:
        raise ImportError_(f"{path}: no financial year in {row['period_referred_to']!r}")
    return dt.date(int(match.group(1)) + 1, 3, 31)


def build_milestones(raw_dir: Path) -> list[dict[str, object]]:
    """Targets (end of their target year) and events (the day they happened) for charts."""
    path = raw_dir / REPORTED
    rows = read_reported(raw_dir)
    out: list[dict[str, object]] = []
    for measure, label in TARGETS:
        row = _one(path, rows, measure)
        if not str(row["unit"]).startswith("GBP million") or row["value"] is None:
            raise ImportError_(f"{path}: {measure!r} is not a £ million figure")
        out.append({
            "date": _target_year_end(path, row).isoformat(), "label": label, "kind": "target",
            "value_gbp_m": row["value"], "source_url": row["source_url"],
        })
    served, split, split_url = _notice(path, rows)
    out += [
        {"date": TRI_START.isoformat(),
         "label": "Tri-borough sharing of children's services, adult social care and libraries "
                  "begins (2011; month assumed)",
         "kind": "event", "value_gbp_m": None, "source_url": _one_year_on_url(path, rows)},
        {"date": served.isoformat(),
         "label": "RBKC and Westminster serve notice to end tri-borough sharing of adults', "
                  "children's services and public health",
         "kind": "event", "value_gbp_m": None, "source_url": split_url},
        {"date": split.isoformat(),
         "label": "Tri-borough split takes effect; Westminster and K&C continue as bi-borough",
         "kind": "event", "value_gbp_m": None, "source_url": split_url},
    ]
    return out


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write the reported figures, the arrangement periods and the chart milestones."""
    reported = read_reported(raw_dir)
    arrangements = build_arrangements(raw_dir)
    milestones = build_milestones(raw_dir)
    n_rep = write_tidy(out_dir / "programme_reported.csv", reported, REPORTED_COLUMNS)
    n_arr = write_tidy(out_dir / "arrangements.csv", arrangements, ARRANGEMENT_COLUMNS)
    n_mil = write_tidy(out_dir / "programme_milestones.csv", milestones, MILESTONE_COLUMNS)
    dates = sorted(str(m["date"]) for m in milestones)
    span = f"{dates[0][:4]} to {dates[-1][:4]}"
    return [
        Written("programme_reported.csv", n_rep, SOURCE_ID, span),
        Written("arrangements.csv", n_arr, SOURCE_ID, span),
        Written("programme_milestones.csv", n_mil, SOURCE_ID, span),
    ]
