"""The one writer lock for a warehouse, shared by ``triborough build`` and ``ingest``.

Both take it for their whole run, so a build and a load started together run one after the
other instead of one silently overwriting the other's swap. Every writer creates its temporary
files only while holding the lock, so whatever temporary file is found by the next holder was
left by a run that was killed: it is removed there and then.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(warehouse: Path) -> Path:
    """The lock file beside a warehouse (kept; only its lock matters)."""
    return warehouse.with_name(f".{warehouse.name}.lock")


def temp_path(warehouse: Path, kind: str, pid: int) -> Path:
    """Where a writer builds the next warehouse before renaming it into place."""
    return warehouse.with_name(f".{warehouse.name}.{kind}-{pid}.tmp")


def leftovers(warehouse: Path) -> list[Path]:
    """Temporary files (and DuckDB's ``.wal`` and spill folders beside them) of earlier runs."""
    return sorted(warehouse.parent.glob(f".{warehouse.name}.*.tmp*"))


def clean_leftovers(warehouse: Path) -> list[Path]:
    """Remove what a killed build or load left beside the warehouse; returns what went.

    Call only while holding :func:`warehouse_lock` (then no live run owns these files).
    """
    removed = leftovers(warehouse)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[list[Path]]:
    """Hold the warehouse's writer lock, waiting for any other build or load to finish.

    Yields the leftovers of killed runs that were cleaned on the way in.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(warehouse).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield clean_leftovers(warehouse)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def atomic_swap(warehouse: Path, kind: str) -> Iterator[Path]:
    """A temporary file beside ``warehouse`` to write the next warehouse into; renamed over
    it when the block finishes without an error, removed (with its ``.wal``) either way.

    Hold :func:`warehouse_lock` around it. Readers never see a half-written file: they keep
    the old one open, or open the new one whole.
    """
    tmp = temp_path(warehouse, kind, os.getpid())
    try:
        yield tmp
        os.replace(tmp, warehouse)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
