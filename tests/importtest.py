"""What the importer tests share: one run of an importer per test module, and its output read
back as rows or as published values by area, metric and period."""

from __future__ import annotations

import csv
from pathlib import Path
from types import ModuleType

import pytest


def run_once(importer: ModuleType, name: str):  # noqa: ANN201 - a pytest fixture
    """A module-scoped fixture: the folder one fresh run of ``importer`` wrote into."""

    @pytest.fixture(scope="module")
    def out(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
        folder = tmp_path_factory.mktemp(name)
        importer.run(raw_dir, folder)
        return folder

    return out


def read_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """A CSV's rows as dicts. Tidy extracts are plain UTF-8 (a byte-order mark would show in
    the first column's name); pass 'utf-8-sig' for a publisher's raw file that starts with one."""
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def values_by_key(path: Path) -> dict[tuple[str, str, str], str]:
    """A fact extract's values by (area code, metric code, period), as written."""
    return {(r["area_code"], r["metric_code"], r["period"]): r["value"] for r in read_rows(path)}
