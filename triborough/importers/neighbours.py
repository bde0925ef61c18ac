"""Nearest-neighbour list of English upper-tier authorities -> ``neighbours_la.csv``.

Source: ``reference/la_nearest_neighbours_england.csv`` (LibrariesHacked; the model behind it and
its publisher are not documented, so it is a convenience peer list only). Each row ranks every
other upper-tier authority by similarity; only the first :data:`KEEP` are kept. ``closeness`` is
left empty because the file gives ranks, not distances.

Also holds the shared pieces the other neighbour extracts (Oflog, ACE) use.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from triborough.importers.common import ImportError_, Written, write_tidy

NEIGHBOUR_COLUMNS: tuple[str, ...] = (
    "area_code", "group_id", "neighbour_code", "rank", "closeness",
)
GSS_CODE = re.compile(r"^E\d{8}$")

RAW_FILE = Path("reference") / "la_nearest_neighbours_england.csv"
OUT_FILE = "neighbours_la.csv"
GROUP_ID = "la_nn"
KEEP = 15
_CODE_COL = "Upper tier local authority code"


def check_code(path: Path, code: str, what: str) -> str:
    """Return ``code`` stripped, or fail naming the file when it is not an English GSS code."""
    code = code.strip()
    if not GSS_CODE.match(code):
        raise ImportError_(f"{path}: {what} {code!r} is not an English GSS code (E + 8 digits)")
    return code


def neighbour_rows(
    path: Path, area_code: str, group_id: str, neighbours: Iterable[str], ranked: bool
) -> list[dict[str, object]]:
    """Rows for one area's neighbours, in the given order, skipping itself and repeats.

    ``ranked`` False leaves ``rank`` empty: for lists whose order carries no meaning.
    """
    rows: list[dict[str, object]] = []
    seen = {area_code}
    for raw in neighbours:
        if not raw.strip():
            continue
        code = check_code(path, raw, "neighbour code")
        if code in seen:
            continue
        seen.add(code)
        rows.append({
            "area_code": area_code,
            "group_id": group_id,
            "neighbour_code": code,
            "rank": len(rows) + 1 if ranked else None,
            "closeness": None,
        })
    return rows


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write ``neighbours_la.csv`` (each authority's 15 nearest upper-tier authorities)."""
    path = raw_dir / RAW_FILE
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        body = list(reader)
    if not header or not body:
        raise ImportError_(f"{path}: no data rows")
    if _CODE_COL not in header:
        raise ImportError_(f"{path}: missing column(s) {_CODE_COL}")
    wanted = [f"Neighbour {i}" for i in range(1, KEEP + 1)]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ImportError_(f"{path}: missing column(s) {', '.join(missing)}")
    code_at = header.index(_CODE_COL)
    # Read every neighbour column in rank order so that dropping self still leaves 15.
    numbered = ((re.match(r"Neighbour (\d+)$", h), i) for i, h in enumerate(header))
    rank_cols = sorted((int(m.group(1)), i) for m, i in numbered if m)
    rows: list[dict[str, object]] = []
    seen_areas: set[str] = set()
    for line in body:
        if not any(cell.strip() for cell in line):
            continue
        area = check_code(path, line[code_at], "authority code")
        if area in seen_areas:
            raise ImportError_(f"{path}: authority {area} appears twice")
        seen_areas.add(area)
        ordered = [line[i] for _, i in rank_cols if i < len(line)]
        rows.extend(neighbour_rows(path, area, GROUP_ID, ordered, ranked=True)[:KEEP])
    n = write_tidy(out_dir / OUT_FILE, rows, NEIGHBOUR_COLUMNS)
    return [Written(OUT_FILE, n, "la_nearest_neighbours", "n/a (undated peer list)")]
