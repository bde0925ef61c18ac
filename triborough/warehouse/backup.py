"""``triborough backup DIR`` and ``triborough restore DIR``: the council-data store and the
audit log, copied consistently.

The store is copied while holding the warehouse's writer lock, so no load is half-written into
it, and every file is checked against its sha256 on the way out and on the way back. The audit
log is a SQLite file that the app may be writing: it is copied with SQLite's online backup API,
which gives a consistent copy even with a live ``-wal`` file beside it. A restore keeps what it
replaces beside it (``<name>.before-restore-<time>``): nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

from triborough.model.digests import sha256_file
from triborough.warehouse import council_store
from triborough.warehouse.ingest import loaded_hashes
from triborough.warehouse.locking import warehouse_lock

STORE_FOLDER = "council"
AUDIT_FILE = "audit.sqlite3"
MANIFEST = "backup.json"


class BackupError(RuntimeError):
    """A backup or restore was refused; the message says why in plain words."""


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API (consistent under live writers)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _checked_loads(store: Path) -> list[council_store.StoredLoad]:
    loads = council_store.stored_loads(store)
    for load in loads:
        path = store / load.parquet
        if not path.is_file() or sha256_file(path) != load.parquet_sha256:
            raise BackupError(f"{path}: rows of {load.file} are missing or fail their checksum")
    return loads


def _copy_loads(loads: list[council_store.StoredLoad], source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for load in loads:
        for name in (load.parquet, Path(load.parquet).with_suffix(".json").name):
            shutil.copy2(source / name, target / name)


def backup(dest: Path, warehouse: Path, store: Path, audit: Path) -> list[str]:
    """Copy the council-data store and (when there is one) the audit log into ``dest``, a new
    or empty folder; returns what was copied, in words."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: name a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    with warehouse_lock(warehouse):
        council_store.recover(store, loaded_hashes(warehouse) if warehouse.exists() else set())
        loads = _checked_loads(store)
        _copy_loads(loads, store, dest / STORE_FOLDER)
    done = [f"{len(loads)} council load(s) copied to {dest / STORE_FOLDER}"]
    manifest: dict[str, object] = {
        "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "loads": [load.parquet for load in loads],
        "audit_sha256": None,
    }
    if audit.is_file():
        _sqlite_copy(audit, dest / AUDIT_FILE)
        manifest["audit_sha256"] = sha256_file(dest / AUDIT_FILE)
        done.append(f"audit log copied to {dest / AUDIT_FILE}")
    else:
        done.append(f"no audit log at {audit}: none copied")
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return done


def _set_aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    os.replace(path, aside)
    return aside


def restore(source: Path, warehouse: Path, store: Path, audit: Path) -> list[str]:
    """Put back the store and audit log of a backup made by :func:`backup`, after checking
    every file; what they replace is kept beside them. Returns what was done, in words."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a backup made by `triborough backup` "
                          f"(no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    loads = _checked_loads(source / STORE_FOLDER)
    if sorted(load.parquet for load in loads) != sorted(manifest["loads"]):
        raise BackupError(f"{source / STORE_FOLDER} does not hold the loads its manifest lists")
    backup_audit = source / AUDIT_FILE
    if manifest["audit_sha256"] and (
        not backup_audit.is_file()
        or sha256_file(backup_audit) != manifest["audit_sha256"]
    ):
        raise BackupError(f"{backup_audit} is missing or fails its checksum")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    done = []
    with warehouse_lock(warehouse):
        staging = store.with_name(f".{store.name}.restore-{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        _copy_loads(loads, source / STORE_FOLDER, staging)
        aside = _set_aside(store, stamp)
        os.replace(staging, store)
        done.append(f"{len(loads)} council load(s) restored to {store}"
                    + (f"; the store it replaced is kept at {aside}" if aside else ""))
        if manifest["audit_sha256"]:
            kept = audit.with_name(f"{audit.name}.before-restore-{stamp}")
            if audit.is_file():
                _sqlite_copy(audit, kept)
            audit.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(backup_audit, audit)  # writes into the live file, under SQLite's lock
            done.append(f"audit log restored to {audit}"
                        + (f"; the one it replaced is kept at {kept}" if kept.exists() else ""))
    return done
