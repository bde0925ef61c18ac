"""Load council extracts into the warehouse: validate every file, then swap in a new file.

All or nothing: every file is checked first (see :mod:`triborough.warehouse.validation`); if any
breaks a rule, nothing is written. Otherwise the warehouse is copied to a temporary file beside it,
the copy is changed (illustrative rows the files cover are replaced, provenance recorded, annual
facts and illustrative flags recomputed), checkpointed, closed and renamed over the original.
Readers that already have the old file open keep their consistent view; new readers see the new
file, and the app's cache key (the file's inode and mtime) changes so it re-reads.

The validated rows of every load are also kept in the council-data store
(:mod:`triborough.warehouse.council_store`), which ``triborough build`` replays into each new
warehouse. Loads and builds take the same lock (:mod:`triborough.warehouse.locking`) and run one
after the other.
"""

from __future__ import annotations

import datetime as dt
import errno
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from triborough.access import audit
from triborough.access.auth import Person, Role, acting, require
from triborough.model.catalogue import METRICS
from triborough.model.contracts import CONTRACT_BY_NAME, Contract
from triborough.read.connection import connect_readonly
from triborough.settings import get_settings
from triborough.warehouse import council_store
from triborough.warehouse.locking import atomic_swap, warehouse_lock
from triborough.warehouse.transform import refresh
from triborough.warehouse.validation import Progress, Validation, limit_to_boroughs, validate_bytes


class IngestError(RuntimeError):
    """Some file broke its contract; ``validations`` holds every file's report."""

    def __init__(self, validations: list[Validation]):
        bad = [v for v in validations if not v.ok]
        total = sum(v.total_violations for v in bad)
        super().__init__(
            f"{total} problem(s) in {len(bad)} file(s); nothing was loaded\n"
            + "\n".join(v.report() for v in bad)
        )
        self.validations = validations


class WriteFailed(RuntimeError):
    """The files were sound but the load could not be written (a full disk, say); nothing was
    loaded and the warehouse is unchanged. The message is plain words, no traceback."""


@dataclass
class FileLoad:
    """What loading one file did."""

    file: str
    table: str
    rows: int
    sha256: str
    skipped: bool = False  # the same bytes were loaded before: nothing changed
    replaced_illustrative: int = 0
    replaced_loaded: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One plain sentence about the file."""
        if self.skipped:
            return (f"{self.file}: already loaded (same sha256 {self.sha256[:12]}...); "
                    "nothing changed.")
        text = (f"{self.file}: {self.rows:,} rows loaded into {self.table}, replacing "
                f"{self.replaced_illustrative:,} illustrative rows")
        if self.replaced_loaded:
            text += f" and {self.replaced_loaded:,} rows from earlier loads with the same keys"
        return text + (f" ({'; '.join(self.notes)})." if self.notes else ".")


@dataclass(frozen=True)
class Upload:
    """A file to load: its name (as recorded) and bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: Path) -> Upload:
        """Read a file from disk."""
        return cls(path.name, path.read_bytes())


def catalogue_codes(warehouse: Path | None) -> set[str]:
    """Metric codes in the warehouse's ``dim_metric`` (the catalogue's when none exists)."""
    if warehouse is None or not warehouse.exists():
        return {m.code for m in METRICS}
    con = connect_readonly(warehouse)
    try:
        return {r[0] for r in con.execute("select code from dim_metric").fetchall()}
    finally:
        con.close()


def loaded_hashes(warehouse: Path) -> set[tuple[str, str]]:
    """(table, sha256) of every file loaded so far."""
    con = connect_readonly(warehouse)
    try:
        return {tuple(r) for r in con.execute(
            "select table_name, sha256 from meta_load where sha256 is not null").fetchall()}
    finally:
        con.close()


def validate_uploads(
    uploads: Sequence[Upload],
    warehouse: Path | None,
    table: str | None = None,
    progress: Progress | None = None,
) -> list[Validation]:
    """Check every upload against its contract (nothing is written)."""
    codes = catalogue_codes(warehouse)
    results = []
    for i, up in enumerate(uploads):
        def scaled(frac: float, msg: str, i: int = i) -> None:
            if progress:
                progress((i + frac) / len(uploads) * 0.5, msg)
        results.append(validate_bytes(up.data, up.name, table, codes, scaled))
    return results


def ingest(
    uploads: Sequence[Upload],
    warehouse: Path,
    table: str | None = None,
    progress: Progress | None = None,
    *,
    by: Person | None = None,
    store: Path | None = None,
) -> list[FileLoad]:
    """Validate every upload and, only if all pass, load them in one atomic swap.

    ``by`` is the person loading (see :func:`triborough.access.auth.acting`): a steward, whose name
    goes into ``meta_load.loaded_by`` and the audit log; a steward limited to some boroughs has
    a file with any other borough's rows refused whole, line by line.
    Raises AccessDenied for anyone else, and IngestError (with every violation) leaving the
    warehouse byte-for-byte unchanged when any file fails; raises WriteFailed, with the
    warehouse unchanged, when the load cannot be written. Files whose sha256 is already in
    ``meta_load`` for the same table are skipped; when every file is skipped the warehouse is
    not touched. The loaded rows are kept in the council-data store ``store`` (default: the
    ``council_dir`` setting), which every build replays.
    """
    person = acting(by)
    require(person, Role.STEWARD, "Loading council extracts")
    say = progress or (lambda _f, _m: None)
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse not found at {warehouse}: run `triborough build`")
    validations = validate_uploads(uploads, warehouse, table, progress)
    limit_to_boroughs(person, validations)
    if not all(v.ok for v in validations):
        _audit(person, validations, "refused")
        raise IngestError(validations)
    store = store or get_settings().council_dir
    with warehouse_lock(warehouse):
        seen = loaded_hashes(warehouse)
        council_store.recover(store, seen)
        results, todo = [], []
        for v in validations:
            load = FileLoad(v.file, v.table or "", v.rows, v.sha256, notes=list(v.notes))
            batch = {(t.table, t.sha256) for t in todo}
            load.skipped = (v.table, v.sha256) in seen or (v.table, v.sha256) in batch
            results.append(load)
            if not load.skipped:
                todo.append(v)
        if not todo:
            say(1.0, "nothing to load: every file was loaded before")
            _audit(person, validations, "already loaded")
            return results
        try:
            _swap_in(warehouse, store, todo, results, person.name, say)
        except (OSError, duckdb.IOException) as exc:
            _audit(person, validations, f"failed: {exc}")
            raise WriteFailed(_write_failure(exc, warehouse)) from exc
        except Exception as exc:
            _audit(person, validations, f"failed: {exc}")
            raise
    _audit(person, validations, "loaded", results)
    return results


def _audit(
    person: Person, validations: list[Validation], outcome: str,
    loads: list[FileLoad] | None = None,
) -> None:
    """One audit entry per file: who, the file, its sha256, rows, boroughs and the outcome."""
    skipped = {(load.file, load.sha256) for load in loads or [] if load.skipped}
    for v in validations:
        boroughs = sorted(v.frame["borough_code"].unique()) if v.frame is not None else None
        audit.record(
            "load", person.name,
            "already loaded" if (v.file, v.sha256) in skipped else outcome,
            file=v.file, table=v.table, sha256=v.sha256, rows=v.rows, boroughs=boroughs,
            problems=v.total_violations,
        )


def _write_failure(exc: BaseException, warehouse: Path) -> str:
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        "no space left" in str(exc).lower())
    why = "the disk is full" if full else (
        exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0])
    return (f"the load could not be written: {why}. Nothing was loaded; the warehouse at "
            f"{warehouse.name} was left unchanged.")


def _swap_in(
    warehouse: Path,
    store: Path,
    todo: list[Validation],
    results: list[FileLoad],
    user: str,
    say: Callable[[float, str], None],
) -> None:
    at = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    staged: list[Path] = []
    try:
        with atomic_swap(warehouse, "ingest") as tmp:
            say(0.55, "copying the warehouse")
            shutil.copyfile(warehouse, tmp)
            con = duckdb.connect(str(tmp))
            try:
                by_file = {r.file: r for r in results}
                for i, v in enumerate(todo):
                    say(0.6 + 0.3 * i / len(todo), f"loading {v.file} into {v.table}")
                    assert v.frame is not None and v.table
                    load = by_file[v.file]
                    load.replaced_illustrative, load.replaced_loaded = apply_load(
                        con, v.table, v.frame, v.file, v.sha256, v.rows, user, at)
                say(0.92, "recomputing annual figures and illustrative flags")
                refresh(con, sorted({v.table for v in todo if v.table}))
                say(0.95, "writing the new warehouse file")
                con.execute("checkpoint")
            finally:
                con.close()
            say(0.97, "keeping the rows in the council-data store")
            staged = council_store.stage(store, [
                ({"table_name": v.table, "file": v.file, "sha256": v.sha256, "rows": v.rows,
                  "loaded_at": at, "loaded_by": user}, v.frame)
                for v in todo if v.frame is not None
            ])
    except BaseException:
        council_store.discard(staged)  # not swapped in: nothing of this load may stay
        raise
    # After the swap a failure to commit leaves the rows staged: the next run commits them.
    council_store.commit(staged)
    say(1.0, f"loaded {len(todo)} file(s) into {warehouse.name}")


def _coverage_sql(contract: Contract) -> tuple[str, str]:
    """(select producing the coverage from ``_incoming``, condition matching a covered row)."""
    scope = list(contract.scope)
    match = " and ".join(f"t.{c} = c.{c}" for c in scope)
    if contract.period is None:
        return f"select distinct {', '.join(scope)} from _incoming", match
    col = contract.column(contract.period)
    lo, hi = f"min({col.name})", f"max({col.name})"
    if col.kind == "date":  # whole months: an extract covers the months it spans
        lo, hi = f"date_trunc('month', {lo})::date", f"last_day({hi})"
    select = (f"select {', '.join(scope)}, {lo} as lo, {hi} as hi from _incoming "
              f"group by {', '.join(scope)}")
    return select, f"{match} and t.{col.name} between c.lo and c.hi"


def apply_load(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    file: str,
    sha256: str,
    rows: int,
    loaded_by: str,
    loaded_at: dt.datetime,
) -> tuple[int, int]:
    """Put one load's validated rows into ``table`` in place of what they cover, and record
    it in ``meta_load``; returns (illustrative rows replaced, earlier loaded rows replaced).

    Used by a load and by the build's replay of the council-data store, so both give the same
    warehouse.
    """
    contract = CONTRACT_BY_NAME[table]
    con.register("_incoming", frame.to_arrow())
    try:
        coverage, covered = _coverage_sql(contract)
        con.execute(f"create or replace temp table _coverage as {coverage}")
        key_match = " and ".join(f"t.{k} = i.{k}" for k in contract.key)
        replaced_illustrative = con.execute(
            f"delete from {contract.name} t using _coverage c "
            f"where t.is_illustrative and {covered}"
        ).fetchone()[0]
        # rows loaded before with the same key are revisions: the newer file wins
        replaced_loaded = con.execute(
            f"delete from {contract.name} t using _incoming i "
            f"where not t.is_illustrative and {key_match}"
        ).fetchone()[0]
        con.execute(
            f"insert into {contract.name} by name "
            "select *, false as is_illustrative, $src as source from _incoming",
            {"src": file},
        )
        con.execute(
            "insert into meta_load (table_name, file, source, sha256, rows, loaded_at, "
            "loaded_by) values ($t, $f, 'council extract', $sha, $rows, $at, $by)",
            {"t": contract.name, "f": file, "sha": sha256, "rows": rows, "at": loaded_at,
             "by": loaded_by},
        )
        con.execute("drop table _coverage")
    finally:
        con.unregister("_incoming")
    return replaced_illustrative, replaced_loaded
