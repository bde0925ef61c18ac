"""The audit log and the commands around it: `triborough audit`, `ingest --as`, `serve --host`."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from triborough.access import audit
from triborough.cli import main
from triborough.read.sqlworker import bare_main
from triborough.settings import PROJECT_ROOT, get_settings

SAMPLES = PROJECT_ROOT / "data" / "samples"


@pytest.fixture
def audit_log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "log" / "audit.sqlite3"
    monkeypatch.setenv("TRIBOROUGH_AUDIT_PATH", str(path))
    get_settings.cache_clear()
    return path


def test_entries_come_back_in_order_with_their_details(audit_log) -> None:
    assert audit.entries() == []
    assert not audit_log.exists(), "reading an absent log created it"
    audit.record("sign-in", "ann@council.test", "ok", role="viewer")
    audit.record("query", "bob@council.test", "ok", sql="select 1", rows=1, ms=2.5)
    [first, second] = audit.entries()
    assert (first.kind, first.actor, first.outcome, first.details) == (
        "sign-in", "ann@council.test", "ok", {"role": "viewer"})
    assert second.details == {"sql": "select 1", "rows": 1, "ms": 2.5}
    assert second.line().endswith('ok  sql="select 1" rows=1 ms=2.5')
    with pytest.raises(ValueError, match="unknown audit kind 'delete'"):
        audit.record("delete", "x", "ok")


def test_log_is_append_only_and_in_wal_mode(audit_log) -> None:
    audit.record("load", "sam", "loaded", file="a.csv")
    con = sqlite3.connect(audit_log)
    try:
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)
        for sql in ("update audit set actor = 'someone else'", "delete from audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert [e.actor for e in audit.entries()] == ["sam"]


def _write_many(path: str, who: str, n: int) -> None:
    for i in range(n):
        audit.record("query", who, "ok", path=Path(path), i=i)


def test_two_processes_writing_at_once_lose_nothing(audit_log) -> None:
    """The app and the CLI write to the same log; every entry of both survives."""
    procs = [multiprocessing.get_context("spawn").Process(
        target=_write_many, args=(str(audit_log), who, 60)) for who in ("app", "cli")]
    with bare_main():  # an AppTest run earlier left a page script as __main__
        for p in procs:
            p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = audit.entries()
    for who in ("app", "cli"):
        assert [e.details["i"] for e in log if e.actor == who] == list(range(60))


def test_since_keeps_later_entries(audit_log) -> None:
    audit.record("sign-in", "ann", "ok")  # creates the log
    con = sqlite3.connect(audit_log)
    try:
        con.execute("insert into audit (at, kind, actor, outcome, details) values "
                    "('2020-01-02T10:00:00Z', 'sign-in', 'old', 'ok', '{}')")
        con.commit()
    finally:
        con.close()
    assert [e.actor for e in audit.entries(dt.date(2021, 1, 1))] == ["ann"]
    assert [e.actor for e in audit.entries(audit.parse_since("2020-01-02T09:00"))] == [
        "ann", "old"]
    with pytest.raises(ValueError, match="'yesterday' is not a date"):
        audit.parse_since("yesterday")


def test_cli_audit_prints_entries_and_refuses_a_bad_date(audit_log, capsys) -> None:
    audit.record("refusal", "vera@council.test", "refused", action="Opening SQL workbench")
    assert main(["audit", "--since", "2000-01-01"]) == 0
    out = capsys.readouterr().out
    assert "refusal  vera@council.test  refused" in out
    assert 'action="Opening SQL workbench"' in out
    assert main(["audit", "--since", "last week"]) == 2
    assert "'last week' is not a date: give YYYY-MM-DD" in capsys.readouterr().err


def test_cli_ingest_records_who_loaded(audit_log, built_warehouse, tmp_path, capsys) -> None:
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes(built_warehouse.read_bytes())
    code = main(["ingest", str(SAMPLES / "caseload_monthly.csv"), "--warehouse", str(warehouse),
                 "--as", "Pat Operator"])
    assert code == 0, capsys.readouterr().err
    [load] = [e for e in audit.entries() if e.kind == "load"]
    assert (load.actor, load.outcome, load.details["file"]) == (
        "Pat Operator", "loaded", "caseload_monthly.csv")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select loaded_by from meta_load where file = 'caseload_monthly.csv'"
                           ).fetchall() == [("Pat Operator",)]
    finally:
        con.close()


def test_shared_mode_without_sign_in_refuses_to_start(tmp_path) -> None:
    """`serve --host 0.0.0.0` with no [auth] and no role map exits at once, naming both."""
    empty = tmp_path / "secrets.toml"
    empty.write_text("# nothing configured\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("TRIBOROUGH_ROLE_MAP", "TRIBOROUGH_HOST")}
    env["STREAMLIT_SECRETS_FILES"] = str(empty)
    done = subprocess.run(
        [sys.executable, "-m", "triborough.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        env=env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0" in done.stderr
    assert ("set redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url "
            "under [auth] in .streamlit/secrets.toml") in done.stderr
    assert "set TRIBOROUGH_ROLE_MAP" in done.stderr
    # The same through the setting rather than the flag.
    env["TRIBOROUGH_HOST"] = "0.0.0.0"
    again = subprocess.run(
        [sys.executable, "-m", "triborough.cli", "serve", "--port", "9"],
        env=env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )
    assert again.returncode == 2 and "refusing to serve on 0.0.0.0" in again.stderr
