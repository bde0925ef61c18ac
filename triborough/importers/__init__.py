"""Importers: one module per publisher format, each turning raw files into tidy CSVs.

Each module exposes ``run(raw_dir, out_dir) -> list[Written]``. ``run_all`` runs them in order
and writes ``sources.csv`` (publisher, title, licence, files, periods) beside the extracts.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from triborough.importers.common import Written, write_tidy

# Module names under triborough.importers, run in this order.
IMPORTERS: tuple[str, ...] = (
    "ons",
    "dfe",
    "s251",
    "ofsted",
    "mhclg",
    "ro5_libraries",
    "oflog",
    "nhs_pss",
    "salt",
    "ascfr",
    "ace",
    "dcms_libraries",
    "neighbours",
    "programme",
    "deflators",
    "boundaries",
)

SOURCES_COLUMNS = ("file", "rows", "source_id", "publisher", "title", "url", "licence", "periods")


def run_all(raw_dir: Path, out_dir: Path, only: tuple[str, ...] = ()) -> list[Written]:
    """Run every importer (or those named in ``only``) and rewrite ``sources.csv``."""
    from triborough.model.catalogue import SOURCES

    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {raw_dir}")
    written: list[Written] = []
    for name in IMPORTERS:
        if only and name not in only:
            continue
        module = importlib.import_module(f"triborough.importers.{name}")
        written.extend(module.run(raw_dir, out_dir))
    # sources.csv describes every committed extract, not just the ones re-run now.
    previous = _read_sources(out_dir / "sources.csv")
    for w in written:
        src = SOURCES[w.source_id]
        previous[w.file] = {
            "file": w.file, "rows": w.rows, "source_id": w.source_id,
            "publisher": src["publisher"], "title": src["title"], "url": src["url"],
            "licence": src["licence"], "periods": w.periods,
        }
    write_tidy(out_dir / "sources.csv", list(previous.values()), SOURCES_COLUMNS)
    return written


def _read_sources(path: Path) -> dict[str, dict[str, object]]:
    import csv

    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: dict(row) for row in csv.DictReader(fh)}
