"""Figure 1, the build: our way from CSV files to a warehouse against DuckDB's bare
``CREATE TABLE AS SELECT * FROM read_csv(...)`` of the same files.

``build_warehouse`` reads the published extracts but generates the council tables (case events
among them); council CSVs reach the warehouse through ``ingest`` (validate, then swap in). So
the scaled council tables are exported to CSV once (contract columns only, as a council would
send them) and three comparisons are made, each against a bare CTAS of the same files:

* ``build``: ``build_warehouse`` (default illustrative size) then ``ingest`` of every council
  CSV, i.e. the project's whole path from CSV files to the warehouse at this scale;
* ``build_csv_part``: the part of ``build_warehouse`` that loads CSVs (from its start until its
  first stage that is not "loading ...") against a bare CTAS of the published extracts alone;
* ``build_generated``: ``build_warehouse(events_scale=N)``, which generates the same tables
  instead of reading them (no target: it reads no council CSV).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from triborough.bench.common import Figure, in_worker, median
from triborough.model.contracts import CONTRACT_BY_NAME, CONTRACTS
from triborough.model.schema import TABLES

COUNCIL_TABLES: tuple[str, ...] = tuple(c.name for c in CONTRACTS)


def _build_worker(public_dir: str, out_path: str, events: int | None) -> dict[str, Any]:
    """Run the project's build; return its time and when each progress message came."""
    from triborough.warehouse.build import build_warehouse

    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    counts = build_warehouse(
        Path(public_dir),
        Path(out_path),
        progress=lambda msg: marks.append((time.perf_counter() - started, msg)),
        events_scale=events,
    )
    return {"total": time.perf_counter() - started, "marks": marks, "counts": counts}


def _bare_worker(sources: list[tuple[str, str, bool]], out_path: str) -> dict[str, Any]:
    """Bare DuckDB: one CTAS per table straight from its CSV files, then checkpoint."""
    out = Path(out_path)
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(out_path)
    public = 0.0
    for table, pattern, is_public in sources:
        con.execute(f'create table "{table}" as select * from read_csv($p)', {"p": pattern})
        if is_public:
            public = time.perf_counter() - started  # public files come first
    con.execute("checkpoint")
    con.close()
    total = time.perf_counter() - started
    out.unlink(missing_ok=True)
    return {"total": total, "public": public}


def _build_ingest_worker(public_dir: str, out_path: str, files: list[str]) -> dict[str, Any]:
    """The project's path from CSV files: build from the published extracts, then ingest."""
    from triborough.access.auth import local_operator
    from triborough.warehouse.build import build_warehouse
    from triborough.warehouse.ingest import Upload, ingest

    out = Path(out_path)
    store = out.with_name(f"{out.name}.council")  # never the project's own council-data store
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    try:
        build_warehouse(Path(public_dir), out, council_dir=store)
        built = time.perf_counter() - started
        ingest(
            [Upload.from_path(Path(f)) for f in files],
            out,
            progress=lambda _frac, msg: marks.append((time.perf_counter() - started, msg)),
            by=local_operator("bench"),
            store=store,
        )
        total = time.perf_counter() - started
    finally:
        out.unlink(missing_ok=True)
        out.with_name(f".{out.name}.lock").unlink(missing_ok=True)
        shutil.rmtree(store, ignore_errors=True)
    return {"total": total, "build": built, "ingest": total - built, "marks": marks}


def _export_worker(warehouse: str, folder: str, tables: tuple[str, ...]) -> dict[str, int]:
    """Write each council table's contract columns to ``folder/<table>.csv``; rows per table."""
    con = duckdb.connect(warehouse, read_only=True)
    rows: dict[str, int] = {}
    try:
        for table in tables:
            path = str(Path(folder) / f"{table}.csv").replace("'", "''")
            cols = ", ".join(f'"{c}"' for c in CONTRACT_BY_NAME[table].column_names)
            con.execute(f"copy (select {cols} from \"{table}\") to '{path}' (header)")
            rows[table] = con.execute(f'select count(*) from "{table}"').fetchone()[0]
    finally:
        con.close()
    return rows


def build(work: Path, public_dir: Path, out_path: Path, events: int | None) -> dict[str, Any]:
    """Build one warehouse with the project's build (in a fresh process)."""
    return in_worker(work / "logs", _build_worker, str(public_dir), str(out_path), events)


def export_council_csvs(work: Path, warehouse: Path) -> tuple[Path, dict[str, int]]:
    """Export the council tables (case events among them) of ``warehouse`` to CSV, once."""
    folder = work / "csv"
    folder.mkdir(parents=True, exist_ok=True)
    rows = in_worker(work / "logs", _export_worker, str(warehouse), str(folder), COUNCIL_TABLES)
    return folder, rows


def stages(
    marks: list[tuple[float, str]],
    total: float,
    start: float = 0.0,
    first: str = "connect and catalogue",
    group_loads: bool = True,
) -> dict[str, float]:
    """Seconds per stage, from the times the progress messages arrived (a message starts a
    stage; ``group_loads`` sums the build's per-table "loading ..." stages into one)."""
    out: dict[str, float] = {}
    previous, label = start, first
    for at, msg in [*marks, (total, "")]:
        name = label
        if group_loads and label.startswith("loading "):
            name = "load published CSVs"
        elif label.startswith(("wrote ", "loaded ")):
            name = "rename into place"
        out[name] = out.get(name, 0.0) + at - previous
        previous, label = at, msg
    return out


def csv_part(marks: list[tuple[float, str]]) -> float:
    """Seconds from the start of the build to the first stage that is not a CSV load."""
    return next((at for at, msg in marks if not msg.startswith("loading ")), marks[-1][0])


def measure(
    work: Path, public_dir: Path, csv_dir: Path, events: int, repeat: int
) -> tuple[list[Figure], dict[str, Any]]:
    """Time our paths and the bare CTAS ``repeat`` times each, interleaved."""
    council = [str(csv_dir / f"{t}.csv") for t in COUNCIL_TABLES]
    sources = [(t.name, str(public_dir / t.files), True) for t in TABLES]
    sources += [(t, f, False) for t, f in zip(COUNCIL_TABLES, council, strict=True)]
    samples: dict[str, list[float]] = {
        "ingest": [], "generated": [], "csv_part": [], "bare": [], "bare_public": []
    }
    runs: list[dict[str, Any]] = []
    scratch = work / "build-timing.duckdb"
    logs = work / "logs"
    for _ in range(repeat):
        b = in_worker(logs, _bare_worker, sources, str(work / "bare-timing.duckdb"))
        samples["bare"].append(b["total"])
        samples["bare_public"].append(b["public"])
        i = in_worker(logs, _build_ingest_worker, str(public_dir), str(scratch), council)
        samples["ingest"].append(i["total"])
        g = build(work, public_dir, scratch, events)
        scratch.unlink(missing_ok=True)
        samples["generated"].append(g["total"])
        samples["csv_part"].append(csv_part(g["marks"]))
        runs.append({
            "build_then_ingest": {"build": i["build"], "ingest": i["ingest"],
                                  "ingest_stages": stages(i["marks"], i["total"], i["build"],
                                                         "ingest start", group_loads=False)},
            "build_generated": stages(g["marks"], g["total"]),
        })
    bare = median(samples["bare"])
    figures = [
        Figure(
            "build", "Build from CSV at this scale",
            "`build_warehouse` + `ingest` of the council CSVs",
            "bare `CREATE TABLE AS read_csv` of the same files", 1.5,
            ours=median(samples["ingest"]), against=bare,
            samples={"ours": samples["ingest"], "against": samples["bare"]},
            note="The build generates council tables; council CSVs (case events among them) "
            "load through `ingest`, which validates every row before an atomic swap.",
        ),
        Figure(
            "build_csv_part", "Build, published-extract loading only",
            "`build_warehouse` from its start to its first non-load stage",
            "bare `CREATE TABLE AS read_csv` of the published extracts", 1.5,
            ours=median(samples["csv_part"]), against=median(samples["bare_public"]),
            samples={"ours": samples["csv_part"], "against": samples["bare_public"]},
            note="Includes the metric catalogue the build writes before its first CSV.",
        ),
        Figure(
            "build_generated", f"Build generating {events:,} events (no CSV)",
            "`build_warehouse(events_scale=N)`",
            "bare `CREATE TABLE AS read_csv` of the same data as CSV", None,
            ours=median(samples["generated"]), against=bare,
            samples={"ours": samples["generated"], "against": samples["bare"]},
            note="Context only: this path reads no council CSV, so it has no target.",
        ),
    ]
    size = sum(os.path.getsize(f) for f in council)
    return figures, {"runs": runs, "council_csv_bytes": size, "samples": samples}
