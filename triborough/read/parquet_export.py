"""Every warehouse table as Parquet, with a manifest, for engines other than DuckDB (Spark).

Layout of an export folder::

    manifest.json                      tables, columns, partitioning, files, rows, sha256
    dim_area/part-0.parquet            small tables: one file each
    case_events/borough_code=E09000033/event_year=2014/data_0.parquet

Large tables are partitioned (Hive-style folders) so that a cluster reads only the boroughs and
years a query asks for. The export is written to a temporary folder beside ``DIR`` and renamed
into place only when every file and the manifest are written: a failed export leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from triborough.model.digests import sha256_file

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "triborough-parquet/1"


@dataclass(frozen=True)
class Partitioning:
    """How one large table is split into folders: by these columns, some derived on export."""

    columns: tuple[str, ...]
    derived: tuple[tuple[str, str, str], ...] = ()  # (column, DuckDB type, SQL expression)


# Case events are the one table that grows with councils and years (billions of rows
# nationally); dashboards filter them by borough and year, so those are the folders.
PARTITIONED: dict[str, Partitioning] = {
    "case_events": Partitioning(
        ("borough_code", "event_year"),
        (("event_year", "INTEGER", "cast(year(event_date) as integer)"),),
    ),
}

# DuckDB column types and the Spark SQL types that hold the same values.
SPARK_TYPES: dict[str, str] = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
}


class ExportError(RuntimeError):
    """The export could not be written (the message says which table or path and why)."""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    unknown = [(c, t) for c, t in rows if t not in SPARK_TYPES]
    if unknown:
        raise ExportError(
            f"table {table}: column type(s) with no Parquet/Spark mapping: "
            + ", ".join(f"{c} {t}" for c, t in unknown)
        )
    return [(c, t) for c, t in rows]


def _write_table(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], folder: Path
) -> dict:
    part = PARTITIONED.get(table)
    select = ", ".join(_ident(c) for c, _ in columns)
    if part:
        extra = "".join(f", {expr} as {_ident(col)}" for col, _, expr in part.derived)
        by = ", ".join(_ident(c) for c in part.columns)
        con.execute(
            f"copy (select {select}{extra} from {_ident(table)}) to {_literal(str(folder))} "
            f"(format parquet, partition_by ({by}), compression zstd)"
        )
    else:
        folder.mkdir()
        target = folder / "part-0.parquet"
        con.execute(
            f"copy (select {select} from {_ident(table)}) to {_literal(str(target))} "
            "(format parquet, compression zstd)"
        )
    files = []
    for path in sorted(folder.rglob("*.parquet")):
        files.append({
            "path": path.relative_to(folder.parent).as_posix(),
            "rows": pq.read_metadata(path).num_rows,
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
        })
    all_columns = columns + [(c, t) for c, t, _ in (part.derived if part else ())]
    return {
        "name": table,
        "rows": sum(f["rows"] for f in files),
        "columns": [{"name": c, "type": t, "spark_type": SPARK_TYPES[t]} for c, t in all_columns],
        "partition_by": list(part.columns) if part else [],
        "derived_columns": [c for c, _, _ in part.derived] if part else [],
        "files": files,
    }


def export_parquet(
    warehouse: Path, out_dir: str | Path, progress: Callable[[str], None] = lambda _m: None
) -> dict:
    """Write every table of ``warehouse`` as Parquet under ``out_dir`` with ``manifest.json``.

    ``out_dir`` must not exist yet or be empty; nothing is left behind when the export fails.
    Returns the manifest.
    """
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:/", str(out_dir)):
        raise ExportError(
            f"{out_dir}: export writes to a local folder; copy it to object storage "
            "(for example with the cloud provider's sync tool) and point "
            "TRIBOROUGH_SPARK_DATA at the URL"
        )
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"{out_dir}: already exists and is not an empty folder")
    if not Path(warehouse).is_file():
        raise ExportError(f"warehouse not found at {warehouse}: run `triborough build` first")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    con = duckdb.connect(
        str(warehouse),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        entries = []
        for table in tables:
            progress(f"exporting {table}")
            entries.append(_write_table(con, table, _columns(con, table), staging / table))
        manifest = {
            "format": MANIFEST_FORMAT,
            "exported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "warehouse": Path(warehouse).name,
            "tables": entries,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()
    return manifest


def read_manifest(data_dir: str) -> dict:
    """The manifest of an export folder (local path), checked to be one this code wrote."""
    path = Path(data_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ExportError(
            f"no {MANIFEST} in {data_dir}: run `triborough export --format parquet DIR` first"
        ) from exc
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ExportError(f"{path}: not a {MANIFEST_FORMAT} manifest")
    return manifest


def verify_export(data_dir: Path) -> list[str]:
    """Every file the manifest lists whose row count or checksum differs (empty when intact)."""
    manifest = read_manifest(str(data_dir))
    problems = []
    for table in manifest["tables"]:
        for entry in table["files"]:
            path = Path(data_dir) / entry["path"]
            if not path.is_file():
                problems.append(f"{entry['path']}: missing")
            elif sha256_file(path) != entry["sha256"]:
                problems.append(f"{entry['path']}: checksum differs from the manifest")
    return problems
