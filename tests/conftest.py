"""Shared fixtures: the raw publisher folder, a clean settings cache, a built warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from triborough.settings import PROJECT_ROOT, get_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are cached per process; tests that change the environment get a fresh read."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw publisher files; tests that read them skip (saying why) when they are absent."""
    path = get_settings().raw_dir
    if not path.is_dir():
        pytest.skip(f"raw publisher files not found at {path} (set TRIBOROUGH_RAW_DIR)")
    return path


@pytest.fixture(scope="session")
def public_dir() -> Path:
    """The committed tidy extracts."""
    return PROJECT_ROOT / "data" / "public"
