"""Where a view's figures come from, said once for the chart, the table and the download.

A view's provenance is a plain ``dict[str, str]``: the CSV download writes it as its ``# key:
value`` header rows (``exports.to_csv_bytes``), the page shows it as the source line under a
chart or table, and a chart's image carries it inside the picture (``image_lines``), so a
figure pasted into a paper keeps its unit, period, source, licence and date.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence

import polars as pl

from triborough.model.style import ILLUSTRATIVE_LABEL

GENERATED = "yes - generated figures, not published"


def stamp() -> str:
    """When a view's figures were taken from the warehouse, as the download headers say it."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def metadata_for(metrics: pl.DataFrame, period: str = "") -> dict[str, str]:
    """Download header rows from ``dim_metric`` rows: source, licence, unit, illustrative."""
    if metrics.is_empty():
        return {}
    rows = metrics.to_dicts()
    meta = {
        "metrics": "; ".join(f"{r['code']} ({r['name']})" for r in rows),
        "unit": "; ".join(sorted({str(r["unit"]) for r in rows})),
        "source": "; ".join(sorted({f"{r['publisher']}: {r['source_title']}" for r in rows})),
        "source_url": "; ".join(sorted({str(r["source_url"]) for r in rows if r["source_url"]})),
        "licence": "; ".join(sorted({str(r["licence"]) for r in rows})),
        "illustrative": GENERATED
        if any(r["is_illustrative"] for r in rows)
        else "no - published figures",
    }
    if period:
        meta["period"] = period
    meta["downloaded_at"] = stamp()
    return meta


def council_table_meta(
    what: str, unit: str, illustrative_flags: Sequence[bool], period: str = ""
) -> dict[str, str]:
    """Download header rows for figures from a council table (generated or loaded).

    ``illustrative_flags`` are the rows' ``is_illustrative`` values: any generated row makes
    the whole view illustrative, and a mix says so, so a partly loaded table is never passed
    off as published.
    """
    from triborough.model.catalogue import SOURCES

    flags = [bool(f) for f in illustrative_flags]
    generated = sum(flags)
    if flags and generated == len(flags):
        sources, label = [SOURCES["illustrative"]], GENERATED
    elif generated == 0:
        sources, label = [SOURCES["council_extract"]], "no - loaded from council extracts"
    else:
        sources = [SOURCES["illustrative"], SOURCES["council_extract"]]
        label = (f"yes - partly generated: {generated:,} of {len(flags):,} rows are "
                 "illustrative, the rest loaded from council extracts")
    meta = {
        "figures": what,
        "unit": unit,
        "source": "; ".join(f"{s['publisher']}: {s['title']}" for s in sources),
        "licence": "; ".join(s["licence"] for s in sources),
        "illustrative": label,
    }
    if period:
        meta["period"] = period
    meta["downloaded_at"] = stamp()
    return meta


def meta_with(base: Mapping[str, str], **extra: str) -> dict[str, str]:
    """Provenance with page-specific notes added (e.g. rounding, suppression); empty notes are
    left out."""
    out = dict(base)
    out.update({k: v for k, v in extra.items() if v})
    return out


def is_illustrative(meta: Mapping[str, str]) -> bool:
    """Whether the view holds generated figures (wholly or in part)."""
    return meta.get("illustrative", "").startswith("yes")


def source_line(meta: Mapping[str, str]) -> str:
    """One caption line naming source, licence and period; generated figures say so first."""
    bits = [f"**{ILLUSTRATIVE_LABEL}**"] if is_illustrative(meta) else []
    bits.append(f"Source: {meta.get('source', 'unknown')}")
    if meta.get("period"):
        bits.append(f"Period: {meta['period']}")
    if meta.get("prices"):
        bits.append(f"Prices: {meta['prices']}")
    if meta.get("licence"):
        bits.append(f"Licence: {meta['licence']}")
    return " · ".join(bits)


def image_lines(meta: Mapping[str, str], unit: str = "", width: int = 95) -> list[str]:
    """The provenance a chart's image carries, as lines of at most ``width`` characters: unit
    and period, then source, licence and the date the figures were taken (generated figures
    say so first). Plain text: the chart draws it, so no markup."""
    made = meta.get("downloaded_at", stamp())[:10]
    shown_unit = unit or meta.get("unit", "")
    first = [f"Unit: {shown_unit}"] if shown_unit else []
    if meta.get("period"):
        first.append(f"Period: {meta['period']}")
    if meta.get("prices"):
        first.append(f"Prices: {meta['prices']}")
    second = [f"{ILLUSTRATIVE_LABEL}."] if is_illustrative(meta) else []
    second.append(f"Source: {meta.get('source', 'unknown')}")
    if meta.get("licence"):
        second.append(f"Licence: {meta['licence']}")
    second.append(f"Figures as of {made}")
    return _packed(first, width) + _packed(second, width)


def _packed(parts: list[str], width: int) -> list[str]:
    """Parts joined with ' · ' into lines of at most ``width`` characters, broken between
    parts where possible (a part too long for a line is wrapped on its own)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines += textwrap.wrap(part, width, break_on_hyphens=False)
    return lines
