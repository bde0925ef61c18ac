"""Choropleth maps of one measure in one year: London's 33 areas, or England's upper-tier
councils, with the three boroughs outlined.

The shapes are the simplified ONS extracts in the public folder (``importers/boundaries.py``).
The map is drawn from those shapes alone, on plain axes: no map tiles and no base layers, so
nothing is fetched from the internet. An area with no figure (the City of London, for most
measures) is drawn in a neutral grey that is not on the colour scale and says "no figure".
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import (
    INK,
    MAP_BORDER,
    MAP_NO_FIGURE,
    MAP_OUTLINE,
    MAP_SCALE,
    PAPER,
    format_value,
    unit_label,
)
from triborough.settings import get_settings

LONDON = "london"
ENGLAND = "england"
FILES = {LONDON: "boundaries_london.geojson", ENGLAND: "boundaries_england.geojson"}
EXTENT_WORDS = {
    LONDON: "the 33 London areas (32 boroughs and the City of London)",
    ENGLAND: "England's councils with social care duties (upper tier)",
}
# The wording ONS asks for with its boundaries, and the year of their Ordnance Survey data.
ATTRIBUTION = {
    LONDON: "Boundaries: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right 2020.",
    ENGLAND: "Boundaries: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right 2024.",
}
NO_FIGURE = "no figure"


@functools.cache
def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def boundaries(extent: str, public_dir: Path | None = None) -> dict:
    """The GeoJSON FeatureCollection for ``extent`` (``LONDON`` or ``ENGLAND``), read once."""
    if extent not in FILES:
        raise ValueError(f"unknown map extent {extent!r}: expected one of {', '.join(FILES)}")
    folder = public_dir or get_settings().public_dir
    return _read(Path(folder) / FILES[extent])


def area_codes(geojson: dict) -> list[str]:
    """Every area the map draws, in the file's order."""
    return [f["properties"]["code"] for f in geojson["features"]]


def map_table(
    figures: pl.DataFrame, geojson: dict, *, unit: str, suppressed_note: str
) -> pl.DataFrame:
    """One row per area on the map: area, its figure (empty where there is none), and a note.

    ``figures``: area_code, value, suppressed (one period). An area missing from ``figures``
    or with an empty value reads "no figure"; a suppressed one says so.
    """
    shapes = pl.DataFrame(
        [(f["properties"]["code"], f["properties"]["name"]) for f in geojson["features"]],
        schema={"area_code": pl.String, "area": pl.String}, orient="row",
    )
    joined = shapes.join(figures.select("area_code", "value", "suppressed"), on="area_code",
                         how="left")
    return joined.with_columns(
        pl.when(pl.col("suppressed").fill_null(False)).then(None)
        .otherwise(pl.col("value")).alias("value"),
    ).with_columns(
        pl.when(pl.col("suppressed").fill_null(False)).then(pl.lit(suppressed_note))
        .when(pl.col("value").is_null()).then(pl.lit(NO_FIGURE))
        .otherwise(pl.col("value").map_elements(lambda v: format_value(v, unit),
                                                return_dtype=pl.String))
        .alias("note"),
        pl.col("area_code").is_in(list(BOROUGH_BY_CODE)).alias("tri_borough"),
    ).drop("suppressed").sort("area")


def classes(values: list[float]) -> list[tuple[float, float]]:
    """Equal steps from the lowest figure to the highest, one per colour of the scale (fewer
    when there are fewer distinct figures)."""
    lo, hi = min(values), max(values)
    n = min(len(MAP_SCALE), len(set(values)))
    if n <= 1:
        return [(lo, hi)]
    step = (hi - lo) / n
    return [(lo + i * step, hi if i == n - 1 else lo + (i + 1) * step) for i in range(n)]


def _class_of(value: float, bounds: list[tuple[float, float]]) -> int:
    for i, (_, upper) in enumerate(bounds):
        if value <= upper:
            return i
    return len(bounds) - 1


def _outline(geometry: dict) -> tuple[list[float | None], list[float | None]]:
    """Every ring of a MultiPolygon as one x/y path, rings parted by gaps (None)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in geometry["coordinates"]:
        for ring in polygon:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
    return xs, ys


def choropleth(table: pl.DataFrame, geojson: dict, *, title: str, unit: str) -> go.Figure:
    """The map: areas shaded by ``value`` in equal steps of the sequential scale, areas without
    a figure in grey, and the three boroughs outlined. ``table`` is ``map_table``'s frame.

    Drawn as filled outlines on plain axes (longitude across, latitude up, scaled for London's
    latitude) rather than a Plotly ``geo`` map, whose base layers are fetched from the internet
    even when hidden.
    """
    rows = {r["area_code"]: r for r in table.to_dicts()}
    known = [r["value"] for r in rows.values() if r["value"] is not None]
    bounds = classes(known) if known else []
    keys = [f"{format_value(a, unit)} to {format_value(b, unit)}" for a, b in bounds]
    # Plain dicts, built into a figure without Plotly's validation: a trace per area, and
    # validating each cost about 30 ms (a second for London) on every rerun.
    traces: list[dict] = []
    # The legend first: one square per step, then "no figure", then the outline.
    for key, colour in zip(keys, MAP_SCALE, strict=False):
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=key,
                           marker=dict(symbol="square", size=14, color=colour,
                                       line=dict(color=INK, width=0.5)),
                           meta={"role": "key"}))
    if any(r["value"] is None for r in rows.values()):
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers",
                           name="No figure",
                           marker=dict(symbol="square", size=14, color=MAP_NO_FIGURE),
                           meta={"role": "key"}))
    ours_x: list[float | None] = []
    ours_y: list[float | None] = []
    for feature in geojson["features"]:
        code = feature["properties"]["code"]
        row = rows.get(code)
        if row is None:
            continue
        xs, ys = _outline(feature["geometry"])
        value = row["value"]
        colour = MAP_NO_FIGURE if value is None else MAP_SCALE[_class_of(value, bounds)]
        traces.append(dict(
            type="scatter", x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour,
            line=dict(color=MAP_BORDER, width=0.6), hoveron="fills",
            name=f"{row['area']}: {row['note']}", showlegend=False,
            meta={"role": "area", "area": code},
        ))
        if code in BOROUGH_BY_CODE:
            ours_x += xs
            ours_y += ys
    if ours_x:
        # Drawn last, over every neighbour's border.
        traces.append(dict(
            type="scatter", x=ours_x, y=ours_y, mode="lines",
            line=dict(color=MAP_OUTLINE, width=3), hoverinfo="skip",
            name="The tri-borough councils (outlined)", meta={"role": "outline"},
        ))
    fig = go.Figure(dict(data=traces, layout={}), skip_invalid=False, _validate=False)
    fig.update_xaxes(visible=False, fixedrange=True)
    # A degree of longitude is shorter than one of latitude: about 0.62 of it at 51.5°N.
    fig.update_yaxes(visible=False, fixedrange=True, scaleanchor="x", scaleratio=1.6)
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17)),
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=14, color=INK),
        paper_bgcolor=PAPER, plot_bgcolor=PAPER, margin=dict(l=0, r=0, t=60, b=0),
        height=560, hovermode="closest", showlegend=True,
        legend=dict(orientation="h", yanchor="top", y=0, x=0,
                    title_text=unit_label(unit) + ":"),
    )
    return fig
