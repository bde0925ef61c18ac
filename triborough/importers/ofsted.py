"""Ofsted inspections of local authority children's services -> tidy judgements and a score.

Publisher: Ofsted. Raw files, all in ``ofsted_childrens_services_inspections/`` (copied from
dfe-analytical-services/CSC_outcomes_and_enablers ``data-raw/``; see SOURCES.md section 3):

* ``la_childrens_services_inspections_2009_2023.csv`` - every LA inspection 2009-2023 (SLAC,
  SLAC re-inspections, CPI, CPRI, TLAC, SIF, SIF re-inspections, first/second ILACS), one row
  per LA, keyed by LA name only and giving publication dates only.
* ``ilacs_inspection_history_2018_2025.csv`` - every ILACS inspection 2018-2025 with GSS code,
  inspection and publication dates.
* ``ilacs_judgements_as_at_31_march_2025.csv`` - the latest ILACS judgement per LA.

Writes ``inspections.csv`` (every judgement; inspection_date is empty for pre-ILACS
frameworks because Ofsted's table gives only the publication date) and ``fact_ofsted.csv``
(metric ``ofsted_overall``), both attributed to source ``ofsted``.

Rules:

* Names in the 2009-2023 file are matched to GSS codes through the two ILACS files, after
  lower-casing, reading '&' as 'and' and dropping punctuation. ``NAME_ALIASES`` holds the one
  name that still differs ('Bedford Borough' is 'Bedford' in the ILACS files). Any other
  unmatched name stops the import. Councils reorganised since take the code Ofsted's ILACS
  files use for the same name (e.g. Dorset and North Yorkshire get their post-reorganisation
  codes for their 2009-2018 inspections).
* ILACS inspections appear in both the 2009-2023 file and the ILACS history; the history is
  used (it has inspection dates and the care-leavers judgement) and every ILACS entry in the
  2009-2023 file must match a history row for the same council with the same overall
  judgement, published within 92 days, or the import stops. Two known differences are
  accepted this way: Nottingham's second ILACS is dated 05/11/2022 in the 2009-2023 file but
  05/09/2022 in the history, and Merton's May 2022 inspection is 'Standard' in one and 'Short'
  in the other (the history is kept). The as-at-31-March-2025 file must agree exactly with
  the history.
* judgement_score: Outstanding 4, Good 3, Requires improvement (to be good) 2, Inadequate 1.
  The SLAC/CPI grade 'Adequate' (third of four grades) scores 2; Ofsted's own 2009-2023 table
  already shows it as 'Requires improvement to be good'. A blank or '-' (not judged) is not a
  judgement and gives no row; any other text stops the import.
* judgement_area keys: overall, safeguarding, looked_after_children, child_protection,
  help_and_protection, looked_after_and_permanence, adoption, care_leavers, leadership, lscb,
  children_in_care. Only SIF and ILACS give an overall effectiveness judgement of children's
  services as a whole, so only those ('overall') feed ``ofsted_overall``; the SLAC, CPI and
  TLAC judgements are about one part of the service and stay in inspections.csv only.
* ofsted_overall: one row per council per publication year (the later one when two were
  published in the same year), period 'YYYY', period_end the publication date.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from triborough.importers import ons
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    read_csv_rows,
    require_columns,
    restrict_to_areas,
    write_tidy,
)

log = logging.getLogger(__name__)

SUBDIR = "ofsted_childrens_services_inspections"
HISTORY_FILE = "ilacs_inspection_history_2018_2025.csv"
LATEST_FILE = "ilacs_judgements_as_at_31_march_2025.csv"
OLD_FILE = "la_childrens_services_inspections_2009_2023.csv"

BOROUGHS: dict[str, str] = {
    "E09000033": "Westminster",
    "E09000013": "Hammersmith and Fulham",
    "E09000020": "Kensington and Chelsea",
}
GSS = re.compile(r"^E\d{8}$")

INSPECTION_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "framework", "inspection_date", "publication_date",
    "judgement_area", "judgement", "judgement_score",
)

SCORES: dict[str, int] = {
    "outstanding": 4,
    "good": 3,
    "requires improvement to be good": 2,
    "requires improvement": 2,
    "adequate": 2,
    "inadequate": 1,
}
NOT_JUDGED = frozenset({"", "-"})

# Names in the 2009-2023 file that differ from the ILACS files even after normalising.
NAME_ALIASES: dict[str, str] = {"bedford borough": "bedford"}

# 2009-2023 file: (framework, publication-date column, {judgement_area: judgement column}).
OLD_FRAMEWORKS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("SLAC", "Safeguarding & Looked After Children (SLAC) Inspection publication date", {
        "safeguarding": "SLAC Safeguarding Overall effectiveness (OE)",
        "looked_after_children": "SLAC Looked After Children Overall Effectiveness (OE)",
    }),
    ("SLAC re-inspection", "SLAC re-inspection of Safeguarding publication date", {
        "safeguarding": "SLAC re-inspection Safeguarding OE",
    }),
    ("SLAC re-inspection",
     "SLAC re-inspection of services for Children Looked After publication date", {
         "looked_after_children": "SLAC re-inspection of services Children Looked After OE",
     }),
    ("CPI", "Child Protection Inspections (CPI) publication date", {
        "child_protection": "CPI Overall Effectiveness (OE)",
    }),
    ("CPI re-inspection", "Child Protection Re-Inspection (CPRI) publication date", {
        "child_protection": "CPRI Overall Effectiveness (OE)",
    }),
    ("TLAC", "Targeted Looked After Children (TLAC) inspection publication date", {
        "looked_after_children": "TLAC Overall Effectiveness (OE)",
    }),
    ("SIF", "Single Inspection of LA Children's Services (SIF) First SIF publication date", {
        "overall": "First SIF Overall Judgement (OE)",
        "help_and_protection": "First SIF children who need help and protection",
        "looked_after_and_permanence": "First SIF children looked after and achieving permanence",
        "adoption": "First SIF CLA Sub: Adoption Performance",
        "care_leavers": "First SIF CLA Sub: Experiences and progress of care leavers",
        "leadership": "First SIF leadership, management and governance",
        "lscb": "LSCB Overall Effectiveness",
    }),
    ("SIF re-inspection",
     "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date", {
         "overall": "SIF Re-inspection Overall Judgement (OE)",
         "help_and_protection": "SIF Re-inspection children who need help and protection",
         "looked_after_and_permanence":
             "SIF Re-inspection children looked after and achieving permanence",
         "adoption": "SIF Re-inspection CLA Sub: Adoption Performance",
         "care_leavers": "SIF Re-inspection CLA Sub: Experiences and progress of care leavers",
         "leadership": "SIF Re-inspection leadership, management and governance",
     }),
)
# ILACS entries in the 2009-2023 file, only checked against the ILACS history.
OLD_ILACS: tuple[tuple[str, str], ...] = tuple(
    (f"{n} ILACS framework publication date", f"{n} ILACS framework overall effectiveness")
    for n in ("First", "Second")
)
ILACS_MATCH_DAYS = 92

ILACS_TYPES: dict[str, str] = {
    "ILACS Standard Inspection": "ILACS standard",
    "ILACS Short Inspection": "ILACS short",
}
ILACS_AREAS: dict[str, str] = {
    "overall": "Overall effectiveness",
    "leadership": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
}
CODE_COL = "Local authority area code"
NAME_COL = "Local authority name"

Row = dict[str, object]


def normalise_name(name: str) -> str:
    """LA name to a matching key: lower case, '&' as 'and', punctuation dropped."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def judgement_score(path: Path, text: str) -> int | None:
    """Score of a judgement (4 best); None when not judged; unknown text is an error."""
    key = " ".join(text.split()).lower()
    if key in NOT_JUDGED:
        return None
    if key not in SCORES:
        raise ImportError_(f"{path}: unknown judgement {text!r}")
    return SCORES[key]


def iso_date(path: Path, text: str) -> str:
    """dd/mm/yyyy to yyyy-mm-dd."""
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        raise ImportError_(f"{path}: date {text!r} is not dd/mm/yyyy") from None


def _judgement(code: str, name: str, framework: str, inspected: str, published: str,
               area: str, score: int, text: str) -> Row:
    return {"area_code": code, "area_name": name, "framework": framework,
            "inspection_date": inspected, "publication_date": published,
            "judgement_area": area, "judgement": " ".join(text.split()),
            "judgement_score": score}


def _ilacs_rows(raw_dir: Path) -> tuple[Path, list[dict[str, str]], Path, list[dict[str, str]]]:
    history_path = raw_dir / SUBDIR / HISTORY_FILE
    history = read_csv_rows(history_path)
    require_columns(history_path, history, (CODE_COL, NAME_COL, "Inspection date",
                                            "Publication date", "Inspection type",
                                            *ILACS_AREAS.values()))
    latest_path = raw_dir / SUBDIR / LATEST_FILE
    latest = read_csv_rows(latest_path)
    require_columns(latest_path, latest, (CODE_COL, NAME_COL, "Inspection date",
                                          "Publication date", *ILACS_AREAS.values()))
    return history_path, history, latest_path, latest


def name_code_map(raw_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({normalised name: GSS code}, {GSS code: display name}) from the two ILACS files.

    The display name is the one in the as-at-2025 file, else the latest in the history.
    """
    history_path, history, latest_path, latest = _ilacs_rows(raw_dir)
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for path, rows in ((history_path, history), (latest_path, latest)):
        for r in rows:
            code, name = r[CODE_COL].strip(), " ".join(r[NAME_COL].split())
            if not GSS.match(code):
                continue
            key = normalise_name(name)
            if codes.setdefault(key, code) != code:
                raise ImportError_(f"{path}: name {name!r} has codes {codes[key]} and {code}")
            names[code] = name  # later rows and the as-at file overwrite earlier names
    return codes, names


def inspection_rows(raw_dir: Path) -> list[Row]:
    """Every judgement 2009-2025, one row per inspection and judgement area."""
    history_path, history, latest_path, latest = _ilacs_rows(raw_dir)
    codes, names = name_code_map(raw_dir)
    out: list[Row] = []

    skipped = 0
    history_index: dict[str, list[tuple[dt.date, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for r in history:
        code = r[CODE_COL].strip()
        if not GSS.match(code):
            skipped += 1
            continue
        framework = ILACS_TYPES.get(r["Inspection type"].strip())
        if framework is None:
            raise ImportError_(f"{history_path}: unknown inspection type "
                               f"{r['Inspection type']!r}")
        inspected = iso_date(history_path, r["Inspection date"])
        published = iso_date(history_path, r["Publication date"])
        if (code, published) in seen:
            raise ImportError_(f"{history_path}: {code} has two inspections published "
                               f"{published}")
        seen.add((code, published))
        history_index.setdefault(code, []).append(
            (dt.date.fromisoformat(published), " ".join(r["Overall effectiveness"].split())))
        for area, column in ILACS_AREAS.items():
            score = judgement_score(history_path, r[column])
            if score is not None:
                out.append(_judgement(code, names[code], framework, inspected, published, area,
                                      score, r[column]))
    if skipped:
        log.warning("%s: skipped %d row(s) with no GSS code", history_path.name, skipped)

    # The as-at file is a view of the history: any disagreement means the files are out of step.
    by_key = {(r[CODE_COL].strip(), r["Publication date"].strip()): r for r in history}
    for r in latest:
        h = by_key.get((r[CODE_COL].strip(), r["Publication date"].strip()))
        same = h is not None and all(
            " ".join(h[c].split()) == " ".join(r[c].split())
            for c in ("Inspection date", *ILACS_AREAS.values()))
        if not same:
            raise ImportError_(f"{latest_path}: {r[NAME_COL]} published {r['Publication date']} "
                               f"does not match {HISTORY_FILE}")

    old_path = raw_dir / SUBDIR / OLD_FILE
    old = read_csv_rows(old_path)
    needed = ["Local authority name"]
    for _, date_col, areas in OLD_FRAMEWORKS:
        needed += [date_col, *areas.values()]
    for date_col, overall_col in OLD_ILACS:
        needed += [date_col, overall_col]
    require_columns(old_path, old, needed)
    for r in old:
        name = r["Local authority name"]
        key = normalise_name(name)
        code = codes.get(NAME_ALIASES.get(key, key))
        if code is None:
            raise ImportError_(f"{old_path}: LA name {name!r} matches no council in "
                               f"{HISTORY_FILE} or {LATEST_FILE}")
        for framework, date_col, areas in OLD_FRAMEWORKS:
            judged = [(a, r[c]) for a, c in areas.items() if r[c].strip() not in NOT_JUDGED]
            if not judged:
                continue
            if not r[date_col].strip():
                raise ImportError_(f"{old_path}: {name} has a {framework} judgement but no "
                                   f"date in {date_col!r}")
            published = iso_date(old_path, r[date_col])
            for area, text in judged:
                score = judgement_score(old_path, text)
                if score is not None:
                    out.append(_judgement(code, names[code], framework, "", published, area,
                                          score, text))
        for date_col, overall_col in OLD_ILACS:
            if not r[date_col].strip():
                continue
            published_date = dt.date.fromisoformat(iso_date(old_path, r[date_col]))
            overall = " ".join(r[overall_col].split())
            if not any(abs((d - published_date).days) <= ILACS_MATCH_DAYS and o == overall
                       for d, o in history_index.get(code, [])):
                raise ImportError_(f"{old_path}: {name} ILACS published {r[date_col]} "
                                   f"({overall}) has no match in {HISTORY_FILE}")

    _require_boroughs("inspections.csv", (r["area_code"] for r in out))
    return out


def overall_facts(inspections: Sequence[Mapping[str, object]]) -> list[Row]:
    """ofsted_overall: latest overall judgement published in each year, per council."""
    latest: dict[tuple[str, str], Mapping[str, object]] = {}
    for r in inspections:
        if r["judgement_area"] != "overall":
            continue
        key = (str(r["area_code"]), str(r["publication_date"])[:4])
        if key not in latest or str(r["publication_date"]) > str(latest[key]["publication_date"]):
            latest[key] = r
    return [
        fact(code, "ofsted_overall", year, dt.date.fromisoformat(str(r["publication_date"])),
             float(r["judgement_score"]))  # type: ignore[arg-type]
        for (code, year), r in latest.items()
    ]


def _require_boroughs(label: str, codes: Iterable[object]) -> None:
    missing = sorted(set(BOROUGHS) - {str(c) for c in codes})
    if missing:
        names = ", ".join(f"{BOROUGHS[c]} ({c})" for c in missing)
        raise ImportError_(f"{label}: no rows for {names}")


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write inspections.csv and fact_ofsted.csv."""
    known = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}
    inspections = restrict_to_areas(inspection_rows(raw_dir), known, label="inspections.csv")
    facts = overall_facts(inspections)
    _require_boroughs("fact_ofsted.csv", (r["area_code"] for r in facts))
    years = sorted(str(r["period"]) for r in facts)
    dates = sorted(str(r["publication_date"]) for r in inspections)
    n_insp = write_tidy(out_dir / "inspections.csv", inspections, INSPECTION_COLUMNS)
    n_fact = write_tidy(out_dir / "fact_ofsted.csv", facts, FACT_COLUMNS)
    return [
        Written("inspections.csv", n_insp, "ofsted", f"{dates[0][:4]} to {dates[-1][:4]}"),
        Written("fact_ofsted.csv", n_fact, "ofsted", f"{years[0]} to {years[-1]}"),
    ]
