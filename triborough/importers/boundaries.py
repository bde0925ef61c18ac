"""ONS council boundaries -> ``boundaries_london.geojson`` and ``boundaries_england.geojson``.

Two raw files are in ``boundaries/``:

- ``london_boroughs_lad20_bgc.geojson``: the 33 London authorities, ONS "Local Authority
  Districts (May 2020) Boundaries UK BGC" (generalised to 20 m), properties ``code``, ``name``.
- ``england_lad24_buc.geojson``: the 296 English districts of May 2024, ONS "BUC" (ultra
  generalised, 500 m), properties ``code``, ``name``, ``utla_code``, ``utla_name``.

The maps colour councils with social care duties (upper tier), so the England extract is one
feature per upper-tier authority: a county's districts are kept as the polygons of one
MultiPolygon (drawn together, their inner lines faint) rather than dissolved, which would need a
geometry library for no gain on screen. Both extracts are simplified (Douglas-Peucker) and
rounded to four decimal places (about 10 m), which keeps each file small enough to commit and to
send to a browser; the shapes are for a screen, not for measuring areas.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from triborough.importers.common import ImportError_, Written

SOURCE_ID = "ons_boundaries"
FOLDER = Path("boundaries")
LONDON_RAW = "london_boroughs_lad20_bgc.geojson"
ENGLAND_RAW = "england_lad24_buc.geojson"
LONDON_FILE = "boundaries_london.geojson"
ENGLAND_FILE = "boundaries_england.geojson"
LONDON_AREAS = 33
# Tolerances in degrees (about 30 m and 250 m at London's latitude): below what either map
# shows at its size on screen.
LONDON_TOLERANCE = 0.0003
ENGLAND_TOLERANCE = 0.0025
PLACES = 4

Point = tuple[float, float]


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    """Distance from ``p`` to the line through ``a`` and ``b`` (in degrees: fine at this scale)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    return abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / math.hypot(dx, dy)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: the fewest points within ``tolerance`` of the line (iterative, so a
    long coastline cannot exhaust the recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, 0
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if far > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(ring: Sequence[Sequence[float]], tolerance: float) -> list[list[float]] | None:
    """A closed ring simplified and rounded; None when too little is left to enclose an area."""
    # A closed ring starts and ends at the same point, so split it at its far point first:
    # Douglas-Peucker on a ring whose ends coincide would keep only that one point.
    pts = [(float(x), float(y)) for x, y, *_ in ring]
    if len(pts) < 4:
        return None
    far = max(range(len(pts)), key=lambda i: math.hypot(pts[i][0] - pts[0][0],
                                                        pts[i][1] - pts[0][1]))
    half = simplify(pts[: far + 1], tolerance) + simplify(pts[far:], tolerance)[1:]
    out: list[list[float]] = []
    for x, y in half:
        point = [round(x, PLACES), round(y, PLACES)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def _polygons(geometry: dict, where: str, tolerance: float) -> list[list[list[list[float]]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ImportError_(f"{where}: geometry is {kind!r}, expected Polygon or MultiPolygon")
    out = []
    for polygon in polygons:
        outer = _ring(polygon[0], tolerance)
        if outer is None:
            continue  # an islet smaller than the tolerance
        holes = [r for r in (_ring(h, tolerance) for h in polygon[1:]) if r is not None]
        out.append([outer, *holes])
    if not out:
        raise ImportError_(f"{where}: nothing left of the shape after simplifying")
    return out


def _features(path: Path, required: Sequence[str]) -> list[dict]:
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportError_(f"{path}: not GeoJSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ImportError_(f"{path}: no features (expected a GeoJSON FeatureCollection)")
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        missing = [k for k in required if not props.get(k)]
        if missing:
            raise ImportError_(f"{path}: feature {i + 1} has no {', '.join(missing)}")
    return features


def _collection(name: str, features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "name": name, "features": features}


def _feature(code: str, name: str, polygons: list) -> dict:
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, "name": name},
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }


def london(raw_dir: Path) -> dict:
    """The 33 London authorities, one simplified feature each, in code order."""
    path = raw_dir / FOLDER / LONDON_RAW
    features = _features(path, ("code", "name"))
    codes = sorted(f["properties"]["code"] for f in features)
    if len(codes) != LONDON_AREAS or not all(c.startswith("E09") for c in codes):
        others = ", ".join(c for c in codes if not c.startswith("E09")) or "none other"
        raise ImportError_(f"{path}: expected the {LONDON_AREAS} London codes E09…, found "
                           f"{len(codes)} (not London: {others})")
    out = []
    for feature in sorted(features, key=lambda f: f["properties"]["code"]):
        props = feature["properties"]
        where = f"{path}: {props['code']}"
        out.append(_feature(props["code"], props["name"],
                            _polygons(feature["geometry"], where, LONDON_TOLERANCE)))
    return _collection("London authorities (ONS LAD May 2020 BGC, simplified)", out)


def england(raw_dir: Path) -> dict:
    """One feature per English upper-tier authority: its districts' polygons together."""
    path = raw_dir / FOLDER / ENGLAND_RAW
    features = _features(path, ("code", "name", "utla_code", "utla_name"))
    by_utla: dict[str, tuple[str, list]] = {}
    for feature in features:
        props = feature["properties"]
        where = f"{path}: {props['code']}"
        name, polygons = by_utla.setdefault(props["utla_code"], (props["utla_name"], []))
        if name != props["utla_name"]:
            raise ImportError_(f"{where}: upper-tier code {props['utla_code']} is named both "
                               f"{name!r} and {props['utla_name']!r}")
        polygons.extend(_polygons(feature["geometry"], where, ENGLAND_TOLERANCE))
    out = [_feature(code, name, polygons) for code, (name, polygons) in sorted(by_utla.items())]
    return _collection("English upper-tier authorities (ONS LAD May 2024 BUC, simplified)", out)


def _write_json(path: Path, data: dict) -> None:
    """Write whole or not at all: a temporary file beside the target, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the extract is committed, public data
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write both extracts; both raw files are read and checked before either is written."""
    shapes = {
        LONDON_FILE: (london(raw_dir), "boundaries of May 2020"),
        ENGLAND_FILE: (england(raw_dir), "boundaries of May 2024"),
    }
    written = []
    for name, (data, periods) in shapes.items():
        _write_json(out_dir / name, data)
        written.append(Written(name, len(data["features"]), SOURCE_ID, periods))
    return written
