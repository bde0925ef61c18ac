"""What the AppTest page tests share: run a page with sidebar state, read the words on it, list
its chart titles, and make an altered copy of the test warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from triborough.settings import get_settings


def run_page(
    page: str, *, address: dict[str, str | list[str]] | None = None, **state: object
) -> AppTest:
    """Run ``page`` (a path from the tests folder) opened at an address with the query
    parameters ``address`` and with ``state`` in session state, and fail on any exception the
    page raised."""
    at = AppTest.from_file(page, default_timeout=60)
    for key, value in (address or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    """Every sentence a reader sees: markdown, headers, captions, notices and warnings."""
    parts = [m.value for m in at.markdown] + [h.value for h in at.header]
    parts += [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning]
    return "\n".join(parts)


def chart_titles(at: AppTest) -> list[str]:
    """The title of every chart on the page, in order."""
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def altered_warehouse(
    built: Path, folder: Path, monkeypatch: pytest.MonkeyPatch,
    *changes: tuple[str, dict[str, object]],
) -> Path:
    """A copy of the test warehouse with ``changes`` (SQL, parameters) applied, which the app's
    settings then point at."""
    path = folder / "warehouse.duckdb"
    shutil.copy(built, path)
    con = duckdb.connect(str(path))
    try:
        for sql, params in changes:
            con.execute(sql, params)
    finally:
        con.close()
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(path))
    get_settings.cache_clear()
    return path
