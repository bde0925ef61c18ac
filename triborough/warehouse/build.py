"""Build the warehouse: load the tidy extracts into a new DuckDB file, check it, swap it in.

The new file is written beside the old one under a temporary name and renamed into place only
after every check passes, so a failed build leaves the previous warehouse byte-for-byte as it
was, and readers never see a half-built file. Given the council-data store, the build replays
every council load kept there, so a rebuild keeps the councils' loads and their history. It
holds the warehouse's writer lock throughout, the same one a load takes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from triborough.model.catalogue import METRICS, SOURCES
from triborough.model.digests import sha256_file
from triborough.model.schema import (
    BUILT_BY_NAME,
    DERIVED_TABLES,
    TABLES,
    Table,
    create_built,
    create_sql,
)
from triborough.warehouse import council_store
from triborough.warehouse.comments import comment_tables
from triborough.warehouse.illustrative import TABLE_DESCRIPTIONS, generate
from triborough.warehouse.ingest import apply_load, loaded_hashes
from triborough.warehouse.locking import atomic_swap, warehouse_lock
from triborough.warehouse.transform import descriptions as transform_descriptions
from triborough.warehouse.transform import refresh

Progress = Callable[[str], None]


class BuildError(RuntimeError):
    """The build failed; ``problems`` lists every check that failed."""

    def __init__(self, problems: list[str]):
        super().__init__("warehouse build failed:\n  - " + "\n  - ".join(problems))
        self.problems = problems


def _create(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    con.execute(create_sql(table.name, table.columns))


def _load_files(
    con: duckdb.DuckDBPyConnection, table: Table, public_dir: Path, loaded: list[dict]
) -> None:
    files = sorted(public_dir.glob(table.files))
    if not files and table.required:
        raise BuildError([f"{table.name}: no input file matching data/public/{table.files}"])
    for path in files:
        try:
            con.execute(
                f"insert into {table.name} select * from read_csv($path, header=true, "
                "columns=$columns, auto_detect=false, quote='\"', escape='\"', "
                "dateformat='%Y-%m-%d', nullstr='')",
                {"path": str(path), "columns": table.columns},
            )
        except duckdb.Error as exc:
            raise BuildError([f"{path.name} -> {table.name}: {exc}"]) from exc
        rows = con.execute(
            "select count(*) from read_csv($path, header=true, columns=$columns, "
            "auto_detect=false, dateformat='%Y-%m-%d', nullstr='')",
            {"path": str(path), "columns": table.columns},
        ).fetchone()[0]
        loaded.append(
            {"table_name": table.name, "file": path.name, "sha256": sha256_file(path), "rows": rows}
        )


def _load_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(create_built("dim_metric"))
    cols = list(BUILT_BY_NAME["dim_metric"].columns)
    rows = [tuple(m.as_row()[c] for c in cols) for m in METRICS]
    con.executemany(f"insert into dim_metric values ({', '.join('?' * len(cols))})", rows)
    con.execute(create_built("dim_source"))
    con.executemany(
        "insert into dim_source values (?, ?, ?, ?, ?)",
        [(k, v["publisher"], v["title"], v["url"], v["licence"]) for k, v in SOURCES.items()],
    )


def _meta(con: duckdb.DuckDBPyConnection, loaded: list[dict], now: dt.datetime,
          until: dt.date) -> None:
    con.execute(create_built("meta_load"))
    con.executemany(
        "insert into meta_load values (?, ?, 'data/public', ?, ?, ?, 'build')",
        [(r["table_name"], r["file"], r["sha256"], r["rows"], now) for r in loaded],
    )
    con.execute(create_built("meta_table"))
    descriptions = ({t.name: t.description for t in TABLES} | DERIVED_TABLES
                    | transform_descriptions() | TABLE_DESCRIPTIONS)
    con.executemany("insert into meta_table values (?, ?)", sorted(descriptions.items()))
    con.execute(create_built("meta_build"))
    con.execute("insert into meta_build values (?, ?, ?)", [now, len(loaded), until])
    missing = comment_tables(con, dict(sorted(descriptions.items())))
    if missing:  # a column added without saying what it holds
        raise BuildError([f"no description for column {c} (comments.COLUMN_NOTES)"
                          for c in missing])


def replay_council_loads(con: duckdb.DuckDBPyConnection, store: Path) -> int:
    """Load every council load kept in ``store`` into a new warehouse, oldest first, as each
    was first loaded (same rows, file, sha256, time and person); returns how many."""
    loads = council_store.stored_loads(store)
    for load in loads:
        apply_load(con, load.table_name, load.read(store), load.file, load.sha256, load.rows,
                   load.loaded_by, load.loaded_at_time)
    tables = sorted({load.table_name for load in loads})
    if tables:
        refresh(con, tables)
    return len(loads)


def check_warehouse(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every problem found in a built warehouse (empty when it is sound)."""
    problems: list[str] = []
    present = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    expected = {t.name for t in TABLES} | set(DERIVED_TABLES) | set(transform_descriptions())
    for name in sorted(expected - present):
        problems.append(f"expected table {name} is missing")
    for table in TABLES:
        if table.name not in present:
            continue
        count = con.execute(f"select count(*) from {table.name}").fetchone()[0]
        if table.required and count == 0:
            problems.append(f"{table.name} has no rows")
        if table.key:
            keys = ", ".join(table.key)
            dupes = con.execute(
                f"select {keys}, count(*) from {table.name} group by all having count(*) > 1 "
                "limit 3"
            ).fetchall()
            if dupes:
                problems.append(f"{table.name}: duplicate key ({keys}), e.g. {dupes[0][:-1]}")
            nulls = " or ".join(f"{k} is null" for k in table.key)
            n_null = con.execute(f"select count(*) from {table.name} where {nulls}").fetchone()[0]
            if n_null:
                problems.append(f"{table.name}: {n_null} row(s) with an empty key column")
        for col in table.area_columns:
            orphans = con.execute(
                f"select distinct {col} from {table.name} where {col} not in "
                "(select area_code from dim_area) limit 3"
            ).fetchall()
            if orphans:
                problems.append(
                    f"{table.name}.{col}: area code(s) not in dim_area, e.g. {orphans[0][0]}"
                )
        for col in table.non_negative:
            neg = con.execute(f"select count(*) from {table.name} where {col} < 0").fetchone()[0]
            if neg:
                problems.append(f"{table.name}.{col}: {neg} negative value(s)")
    if {"fact_metric", "dim_metric"} <= present:
        unknown = con.execute(
            "select distinct metric_code from fact_metric where metric_code not in "
            "(select code from dim_metric) limit 3"
        ).fetchall()
        if unknown:
            problems.append(f"fact_metric: metric code not in the catalogue: {unknown[0][0]}")
        negative = con.execute(
            "select f.metric_code, f.area_code, f.period from fact_metric f "
            "join dim_metric m on m.code = f.metric_code "
            "where m.unit in ('count', 'persons') and (f.value < 0 or f.numerator < 0) limit 3"
        ).fetchall()
        if negative:
            problems.append(f"fact_metric: negative count, e.g. {negative[0]}")
    return problems


def build_warehouse(
    public_dir: Path,
    out_path: Path,
    progress: Progress | None = None,
    events_scale: int | None = None,
    council_dir: Path | None = None,
) -> dict[str, int]:
    """Build ``out_path`` from the extracts in ``public_dir``; returns rows per table.

    With ``council_dir``, every council load kept in that store is replayed into the new
    warehouse. Waits for any load or build of the same warehouse to finish first. Raises
    BuildError (naming every failed check) and leaves any existing file untouched.
    """
    say = progress or (lambda _msg: None)
    if not public_dir.is_dir():
        raise BuildError([f"extracts folder not found: {public_dir}"])
    with warehouse_lock(out_path) as cleaned:
        for path in cleaned:
            say(f"removed {path.name}, left by a build or load that was stopped")
        if council_dir is not None:
            done = council_store.recover(
                council_dir, loaded_hashes(out_path) if out_path.exists() else set())
            for line in done:
                say(f"council-data store: {line}")
        try:
            return _build(public_dir, out_path, say, events_scale, council_dir)
        except (OSError, duckdb.IOException) as exc:  # a full disk, say: words, not a traceback
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise BuildError([f"the new warehouse could not be written: {reason}"]) from exc


def _build(
    public_dir: Path,
    out_path: Path,
    say: Progress,
    events_scale: int | None,
    council_dir: Path | None,
) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    with atomic_swap(out_path, "build") as tmp:
        con = duckdb.connect(str(tmp))
        try:
            loaded: list[dict] = []
            _load_catalogue(con)
            for table in TABLES:
                say(f"loading {table.name}")
                _create(con, table)
                _load_files(con, table, public_dir, loaded)
            # The year a period starts in (a financial year by its first year), for filters.
            con.execute("alter table fact_metric add column period_year integer")
            con.execute("update fact_metric set period_year = year(period_end - interval 3 month)")
            say("generating illustrative council tables")
            generate(con, events_scale, now.date())
            say("running the transforms")
            refresh(con)
            _meta(con, loaded, now, now.date())
            if council_dir is not None:
                say(f"replaying council loads from {council_dir}")
                try:
                    replayed = replay_council_loads(con, council_dir)
                except council_store.StoreError as exc:
                    raise BuildError([f"council-data store: {exc}"]) from exc
                say(f"replayed {replayed} council load(s)")
            say("checking")
            problems = check_warehouse(con)
            if problems:
                raise BuildError(problems)
            counts = {
                name: con.execute(f"select count(*) from {name}").fetchone()[0]
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where not temporary order by 1"
                ).fetchall()
            }
            con.execute("checkpoint")
        finally:
            con.close()
    say(f"wrote {out_path}")
    return counts
