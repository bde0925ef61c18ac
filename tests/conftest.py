"""Shared fixtures: the raw publisher folder, a clean settings cache, a built warehouse."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from triborough.settings import PROJECT_ROOT, get_settings


@pytest.fixture(autouse=True, scope="session")
def _own_audit_log(tmp_path_factory):
    """Tests (and the servers they start) write their audit entries to a log of the session's
    own, never to the project's."""
    import os

    os.environ["TRIBOROUGH_AUDIT_PATH"] = str(tmp_path_factory.mktemp("audit") / "audit.sqlite3")
    get_settings.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are cached per process; tests that change the environment get a fresh read."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _private_council_store(tmp_path_factory, monkeypatch):
    """Loads made by a test keep their rows in a store of the test's own, never the project's
    ``data/council``."""
    monkeypatch.setenv("TRIBOROUGH_COUNCIL_DIR", str(tmp_path_factory.mktemp("council")))
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


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """A warehouse built once per test session from the committed extracts."""
    from triborough.warehouse.build import build_warehouse

    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    build_warehouse(PROJECT_ROOT / "data" / "public", path)
    return path


@pytest.fixture
def app_env(built_warehouse, monkeypatch) -> Path:
    """Point the app's settings at the session's warehouse (pages read settings at run time)."""
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(built_warehouse))
    get_settings.cache_clear()
    return built_warehouse


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[dict, pl.DataFrame]]:
    """Every CSV a page offers, as (metadata, frame), recorded as the page builds it (the
    bytes offered are unchanged)."""
    import triborough.ui.blocks as ui

    seen: list[tuple[dict, pl.DataFrame]] = []
    real = ui.csv_bytes  # what every download button is given (small CSVs kept)

    def spy(df: pl.DataFrame, meta: dict) -> bytes:
        seen.append((dict(meta), df))
        return real(df, meta)

    monkeypatch.setattr(ui, "csv_bytes", spy)
    return seen


@pytest.fixture
def offered_files(monkeypatch) -> dict[str, bytes]:
    """Every file a page offers for download, by the button's key, as a person clicking it
    would receive it (a file made only on click is made here)."""
    import streamlit as st
    from streamlit.elements.widgets.button import ButtonMixin

    seen: dict[str, bytes] = {}
    real = ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        content = data() if callable(data) else data
        seen[str(kwargs.get("key"))] = content if isinstance(content, bytes) else content.encode()
        return real(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", spy)
    # st.download_button was bound to the main container when streamlit was imported
    monkeypatch.setattr(st, "download_button", spy.__get__(st._main))
    return seen


@pytest.fixture(scope="session")
def parquet_export(built_warehouse, tmp_path_factory) -> Path:
    """The session's warehouse exported once as Parquet (what the Spark engine reads)."""
    from triborough.read.parquet_export import export_parquet

    out = tmp_path_factory.mktemp("export") / "parquet"
    export_parquet(built_warehouse, out)
    return out


def _spark_missing(reason: str) -> None:
    """Skip on a developer's machine, fail in CI, when Spark cannot run here."""
    import os

    if os.environ.get("CI", "").lower() == "true" or os.environ.get(
        "TRIBOROUGH_REQUIRE_SPARK", ""
    ) == "1":
        pytest.fail(f"{reason} (CI or TRIBOROUGH_REQUIRE_SPARK=1, so this is a failure)")
    pytest.skip(f'{reason}; pip install -e ".[spark]" and Java 17 (openjdk-17-jre-headless)')


@pytest.fixture(scope="session")
def spark(parquet_export):
    """The one Spark session of the test run (local[2], localhost only, no UI) with every
    table of the session's warehouse registered as a view over its Parquet export."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        _spark_missing("pyspark or sqlglot is not installed")
    if shutil.which("java") is None:
        _spark_missing("no java on PATH")
    from triborough.read.spark_engine import SparkUnavailable, get_session, register_views

    try:
        session = get_session()
    except SparkUnavailable as exc:
        _spark_missing(str(exc))
    register_views(session, str(parquet_export))
    return session
