"""The council-data store: every validated council load, kept durably outside the warehouse.

A warehouse is rebuilt from the published extracts at any time; the council's own loads must
survive that. Each load is kept as two files in the store folder (``council_dir``), named by a
sequence number, the table and the start of the upload's sha256:

- ``000003-kpi_targets-1a2b3c4d5e6f.parquet``: the validated rows, typed as the contract says;
- ``000003-kpi_targets-1a2b3c4d5e6f.json``: its ``meta_load`` entry and the Parquet file's
  sha256, checked whenever the rows are read back.

Writing is staged: the Parquet file and a ``.pending`` marker are written (to a temporary name,
flushed to disk, renamed) before the warehouse swap, and the marker becomes ``.json`` after it.
The warehouse swap is the commit point. A run killed in between leaves a pending marker, which
the next run resolves against the warehouse's ``meta_load``: kept if the swap happened,
removed with its rows if it did not (:func:`recover`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from triborough.model.digests import sha256_file

_NAME = re.compile(r"^(\d{6})-([a-z_]+)-([0-9a-f]{12})\.(json|pending)$")


class StoreError(RuntimeError):
    """The store holds a file that is missing or does not match its checksum."""


@dataclass(frozen=True)
class StoredLoad:
    """One council load as kept in the store: its ``meta_load`` entry and where its rows are."""

    seq: int
    table_name: str
    file: str
    sha256: str
    rows: int
    loaded_at: str  # ISO time, UTC, as meta_load records it
    loaded_by: str
    parquet: str
    parquet_sha256: str

    @property
    def loaded_at_time(self) -> dt.datetime:
        """``loaded_at`` as a timestamp."""
        return dt.datetime.fromisoformat(self.loaded_at)

    def read(self, store: Path) -> pl.DataFrame:
        """The load's validated rows, after checking the Parquet file's sha256."""
        path = store / self.parquet
        if not path.is_file():
            raise StoreError(f"{path.name}: rows of {self.file} are missing from the store")
        if sha256_file(path) != self.parquet_sha256:
            raise StoreError(f"{path.name}: rows of {self.file} do not match their checksum")
        return pl.read_parquet(path)



def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, write: object) -> None:
    """Write through a temporary name, flush it to disk, then rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            write(fh)  # type: ignore[operator]
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _markers(store: Path, state: str) -> list[tuple[int, Path]]:
    if not store.is_dir():
        return []
    found = []
    for path in store.iterdir():
        match = _NAME.match(path.name)
        if match and match.group(4) == state:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _read_marker(path: Path) -> StoredLoad:
    try:
        return StoredLoad(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{path.name}: not a readable load entry ({exc})") from exc


def stored_loads(store: Path) -> list[StoredLoad]:
    """Every committed load, oldest first (the order to replay them in)."""
    return [_read_marker(path) for _, path in _markers(store, "json")]


def stage(
    store: Path,
    loads: Iterable[tuple[dict[str, object], pl.DataFrame]],
) -> list[Path]:
    """Write each load's rows and a pending marker; returns the markers for :func:`commit`.

    ``loads`` are (meta_load entry: table_name, file, sha256, rows, loaded_at, loaded_by;
    validated rows). On any failure (a full disk) nothing staged is left behind.
    """
    store.mkdir(parents=True, exist_ok=True)
    seq = max([n for n, _ in _markers(store, "json") + _markers(store, "pending")], default=0)
    staged: list[Path] = []
    try:
        for entry, frame in loads:
            seq += 1
            stem = f"{seq:06d}-{entry['table_name']}-{str(entry['sha256'])[:12]}"
            parquet = store / f"{stem}.parquet"
            staged.append(parquet)
            _write_durably(parquet, lambda fh, frame=frame: frame.write_parquet(fh))
            loaded_at = entry["loaded_at"]
            record = StoredLoad(
                seq=seq, table_name=str(entry["table_name"]), file=str(entry["file"]),
                sha256=str(entry["sha256"]), rows=int(entry["rows"]),  # type: ignore[arg-type]
                loaded_at=loaded_at.isoformat() if isinstance(loaded_at, dt.datetime)
                else str(loaded_at),
                loaded_by=str(entry["loaded_by"]), parquet=parquet.name,
                parquet_sha256=sha256_file(parquet),
            )
            marker = store / f"{stem}.pending"
            staged.append(marker)
            text = json.dumps(asdict(record), indent=1).encode("utf-8")
            _write_durably(marker, lambda fh, text=text: fh.write(text))
        _fsync_dir(store)
    except BaseException:
        discard(staged)
        raise
    return [p for p in staged if p.suffix == ".pending"]


def commit(pending: list[Path]) -> None:
    """Make staged loads part of the store (after the warehouse swap succeeded)."""
    for marker in pending:
        os.replace(marker, marker.with_suffix(".json"))
    if pending:
        _fsync_dir(pending[0].parent)


def discard(staged: Iterable[Path]) -> None:
    """Remove staged files (markers and their rows) of a load that did not happen."""
    for path in staged:
        if path.suffix == ".pending":
            path.with_suffix(".parquet").unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def recover(store: Path, in_warehouse: set[tuple[str, str]]) -> list[str]:
    """Resolve what a killed run left in the store; returns what was done, in words.

    ``in_warehouse`` holds the (table, sha256) of every load in the warehouse's ``meta_load``.
    A pending load whose swap happened is committed; one whose swap did not is removed, as are
    temporary files and rows without an entry. Call holding the warehouse lock.
    """
    done: list[str] = []
    if not store.is_dir():
        return done
    for _, marker in _markers(store, "pending"):
        try:
            load = _read_marker(marker)
        except StoreError:
            load = None
        if load is not None and (load.table_name, load.sha256) in in_warehouse:
            commit([marker])
            done.append(f"kept {load.file} (its load had reached the warehouse)")
        else:
            discard([marker])
            done.append(f"removed the unfinished load {marker.stem}")
    entries = {p.with_suffix(".parquet").name for _, p in _markers(store, "json")}
    for path in sorted(store.iterdir()):
        if path.name.endswith(".tmp") or (path.suffix == ".parquet" and path.name not in entries):
            path.unlink(missing_ok=True)
            done.append(f"removed the leftover {path.name}")
    return done
