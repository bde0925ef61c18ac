"""The README stays true: configuration table, quick start, and the CI script agree with code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from triborough.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _config_rows() -> dict[str, tuple[str, str]]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for match in re.finditer(r"^\| `(TRIBOROUGH_\w+)` \| `([^`]*)` \| (.+?) \|$", section, re.M):
        rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def _default_text(value: object) -> str:
    if isinstance(value, Path):
        try:
            return str(value.relative_to(PROJECT_ROOT))
        except ValueError:
            return "../" + str(value.relative_to(PROJECT_ROOT.parent))
    return str(value)


def test_every_setting_is_documented_with_its_default_and_description():
    rows = _config_rows()
    fields = {f"TRIBOROUGH_{n.upper()}": f for n, f in Settings.model_fields.items()}
    assert set(rows) == set(fields), "README configuration table and Settings disagree"
    for env, field in fields.items():
        assert field.description, f"{env} has no description"
        default, meaning = rows[env]
        assert default == _default_text(field.default), env
        assert meaning == field.description, env


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    commands = [line for line in blocks[0].splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("triborough serve")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    assert '"$rc" -eq 5' in ci, "pytest's 'no tests' exit code must fail CI"


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIBOROUGH_ROW_CAP", "42")
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))
    s = Settings()
    assert s.row_cap == 42
    assert s.warehouse_path == tmp_path / "w.duckdb"


def test_bad_setting_is_refused_with_its_name(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("TRIBOROUGH_ROW_CAP", "lots")
    with pytest.raises(ValidationError, match="row_cap"):
        Settings()


def test_code_is_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "triborough", "pages", "tests", "app.py"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
