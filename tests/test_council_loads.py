"""Council loads are never lost, and a load that cannot be written says so plainly.

Rebuilds replay the council-data store; build and ingest started together both land; a load
killed with SIGKILL leaves the warehouse byte-identical and its leftovers go at the next run;
backup and restore carry the store and the audit log; files too big for the csv module, and a
full disk, get a plain message instead of a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

from triborough.access.auth import local_operator
from triborough.cli import main
from triborough.read.connection import connect_readonly
from triborough.settings import PROJECT_ROOT
from triborough.warehouse import council_store
from triborough.warehouse import ingest as ingest_module
from triborough.warehouse.build import BuildError, build_warehouse
from triborough.warehouse.ingest import IngestError, Upload, WriteFailed, ingest
from triborough.warehouse.locking import leftovers

SAMPLES = PROJECT_ROOT / "data" / "samples"
SMALL = 20_000  # illustrative case events: enough for every table, quick to build
HF = "E09000013"
# What a council load changes, compared before and after a rebuild (meta_build and the build's
# own meta_load rows carry the build time, so only the council rows of meta_load are compared).
COUNCIL_STATE = {
    "contracts": "from contracts",
    "kpi_targets": "from kpi_targets",
    "service_desk_monthly": "from service_desk_monthly",
    "meta_illustrative": "from meta_illustrative",
    "dim_metric": "select code, is_illustrative, source_id from dim_metric",
    "fact_metric": "from fact_metric",
    "meta_load": "select * exclude (loaded_at), loaded_at::varchar from meta_load "
                 "where source = 'council extract'",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(path: Path) -> dict[str, list[tuple]]:
    con = connect_readonly(path)
    try:
        return {name: con.execute(f"{sql} order by all").fetchall()
                for name, sql in COUNCIL_STATE.items()}
    finally:
        con.close()


@pytest.fixture
def place(public_dir, tmp_path) -> dict[str, Path]:
    """A freshly built warehouse with its own (empty) council-data store."""
    warehouse, store = tmp_path / "warehouse.duckdb", tmp_path / "council"
    build_warehouse(public_dir, warehouse, events_scale=SMALL, council_dir=store)
    return {"warehouse": warehouse, "store": store, "public": public_dir}


def _load(place: dict[str, Path], *names: str, by: str | None = None) -> list:
    return ingest([Upload.from_path(SAMPLES / n) for n in names], place["warehouse"],
                  by=local_operator(by) if by else None, store=place["store"])


def _rebuild(place: dict[str, Path], **kwargs) -> dict[str, int]:
    return build_warehouse(place["public"], place["warehouse"], events_scale=SMALL,
                           council_dir=place["store"], **kwargs)


# ---------------------------------------------------------------- rebuilds keep the loads


def test_a_rebuild_keeps_every_council_load_and_its_history(place):
    _load(place, "contracts.csv", by="Ann Analyst")
    _load(place, "kpi_targets.csv", "service_desk_monthly.csv", by="Bo Borough")
    loaded = _state(place["warehouse"])
    assert len(loaded["meta_load"]) == 3
    assert sum(1 for r in loaded["contracts"] if r[-1] == "contracts.csv") == 6

    _rebuild(place)
    assert _state(place["warehouse"]) == loaded
    history = connect_readonly(place["warehouse"]).execute(
        "select file, loaded_by from meta_load where source = 'council extract' "
        "order by loaded_at, file").fetchall()
    assert history == [("contracts.csv", "Ann Analyst"), ("kpi_targets.csv", "Bo Borough"),
                       ("service_desk_monthly.csv", "Bo Borough")]


def test_the_store_keeps_rows_and_checksums_and_a_damaged_file_stops_the_build(place):
    _load(place, "kpi_targets.csv")
    [stored] = council_store.stored_loads(place["store"])
    assert (stored.table_name, stored.file, stored.rows) == ("kpi_targets", "kpi_targets.csv", 4)
    assert stored.sha256 == _sha(SAMPLES / "kpi_targets.csv")
    assert stored.read(place["store"]).height == 4
    before = _sha(place["warehouse"])
    parquet = place["store"] / stored.parquet
    parquet.write_bytes(parquet.read_bytes()[:-10])
    with pytest.raises(BuildError, match=f"{stored.parquet}: rows of kpi_targets.csv do not "
                                         "match their checksum"):
        _rebuild(place)
    assert _sha(place["warehouse"]) == before


def test_cli_build_says_how_many_loads_it_replayed(place, monkeypatch, capsys):
    monkeypatch.setenv("TRIBOROUGH_COUNCIL_DIR", str(place["store"]))
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(place["warehouse"]))
    assert main(["ingest", str(SAMPLES / "contracts.csv")]) == 0
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert f"1 council load(s) replayed from {place['store']}" in out
    assert _state(place["warehouse"])["meta_load"][0][1] == "contracts.csv"


# ---------------------------------------------------------------- one writer at a time


@pytest.mark.parametrize("first", ["build", "ingest"])
def test_build_and_ingest_started_together_both_land(place, first):
    started = threading.Event()
    results: dict[str, object] = {}

    def run_build() -> None:
        if first == "ingest":
            started.wait()
        results["build"] = _rebuild(place, progress=lambda _m: started.set())

    def run_ingest() -> None:
        if first == "build":
            started.wait()
        results["ingest"] = ingest(
            [Upload.from_path(SAMPLES / "kpi_targets.csv")], place["warehouse"],
            progress=lambda _f, m: started.set() if m == "copying the warehouse" else None,
            store=place["store"])

    threads = [threading.Thread(target=run_build), threading.Thread(target=run_ingest)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [load] = results["ingest"]
    assert not load.skipped and load.rows == 4
    assert results["build"]["kpi_targets"] > 0
    con = connect_readonly(place["warehouse"])
    assert con.execute("select count(*) from kpi_targets where source = 'kpi_targets.csv'"
                       ).fetchone() == (4,)
    assert con.execute("select count(*) from meta_load where file = 'kpi_targets.csv'"
                       ).fetchone() == (1,)


# ---------------------------------------------------------------- a killed load


def test_a_load_killed_mid_way_changes_nothing_and_its_leftovers_go_next_run(place, tmp_path):
    big = tmp_path / "events.csv"
    pl.DataFrame({"i": range(400_000)}).select(
        case_id=pl.format("K{}", pl.col("i")), borough_code=pl.lit(HF),
        service=pl.lit("children_in_need"), event_type=pl.lit("referral"),
        event_date=pl.lit("2020-06-15"),
    ).write_csv(big)
    before = _sha(place["warehouse"])
    env = {**os.environ, "TRIBOROUGH_COUNCIL_DIR": str(place["store"])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "triborough.cli", "ingest", str(big), "--warehouse",
         str(place["warehouse"])], env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # kill it once it is writing its copy of the warehouse
        if line.startswith("loading events.csv"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _sha(place["warehouse"]) == before
    assert leftovers(place["warehouse"]), "the kill came too late to test anything"

    _load(place, "contracts.csv")  # the next run
    assert leftovers(place["warehouse"]) == []
    assert sorted(p.suffix for p in place["store"].iterdir()) == [".json", ".parquet"]


def test_a_load_killed_around_the_swap_is_resolved_by_the_next_run(place):
    frame = pl.DataFrame(schema={"metric_code": pl.String})
    entry = {"table_name": "kpi_targets", "file": "x.csv", "sha256": "a" * 64, "rows": 0,
             "loaded_at": "2025-01-01T00:00:00", "loaded_by": "test"}
    # killed before the swap: the staged load never reached the warehouse, so it goes
    council_store.stage(place["store"], [(entry, frame)])
    assert council_store.recover(place["store"], set()) == [
        "removed the unfinished load 000001-kpi_targets-aaaaaaaaaaaa"]
    assert list(place["store"].iterdir()) == []
    # killed after the swap: the warehouse has it, so the store keeps it
    council_store.stage(place["store"], [(entry, frame)])
    council_store.recover(place["store"], {("kpi_targets", "a" * 64)})
    assert [s.file for s in council_store.stored_loads(place["store"])] == ["x.csv"]


# ---------------------------------------------------------------- backup and restore


def test_backup_and_restore_carry_the_store_and_a_live_audit_log(place, tmp_path, monkeypatch):
    audit = tmp_path / "audit.sqlite3"
    monkeypatch.setenv("TRIBOROUGH_COUNCIL_DIR", str(place["store"]))
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(place["warehouse"]))
    monkeypatch.setenv("TRIBOROUGH_AUDIT_PATH", str(audit))
    _load(place, "contracts.csv")
    live = sqlite3.connect(audit)  # the app's open log: recent rows only in its -wal file
    live.execute("pragma journal_mode=wal")
    live.execute("pragma wal_autocheckpoint=0")
    live.execute("create table events (what text)")
    live.executemany("insert into events values (?)", [(f"event {i}",) for i in range(50)])
    live.commit()
    assert Path(f"{audit}-wal").stat().st_size > 0

    dest = tmp_path / "backup"
    assert main(["backup", str(dest)]) == 0
    copy = sqlite3.connect(dest / "audit.sqlite3")
    assert copy.execute("select count(*) from events").fetchone() == (50,)
    copy.close()
    assert main(["backup", str(dest)]) == 1  # never into a folder that holds files

    # lose the store and the log, then restore them and rebuild
    for path in place["store"].iterdir():
        path.unlink()
    live.execute("delete from events")
    live.commit()
    assert main(["restore", str(dest)]) == 0
    assert live.execute("select count(*) from events").fetchone() == (50,)
    live.close()
    assert main(["build"]) == 0
    assert _state(place["warehouse"])["meta_load"][0][1] == "contracts.csv"


def test_restore_refuses_a_damaged_backup_and_changes_nothing(place, tmp_path, monkeypatch,
                                                              capsys):
    monkeypatch.setenv("TRIBOROUGH_COUNCIL_DIR", str(place["store"]))
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(place["warehouse"]))
    _load(place, "contracts.csv")
    dest = tmp_path / "backup"
    assert main(["backup", str(dest)]) == 0
    [parquet] = (dest / "council").glob("*.parquet")
    parquet.write_bytes(b"not parquet")
    store_before = {p.name: _sha(p) for p in place["store"].iterdir()}
    assert main(["restore", str(dest)]) == 1
    assert "fail their checksum" in capsys.readouterr().err
    assert {p.name: _sha(p) for p in place["store"].iterdir()} == store_before


# ---------------------------------------------------------------- never a traceback


@pytest.mark.parametrize(("name", "content", "expect"), [
    ("header_200kb.csv",
     lambda: ("x" * 200_000 + ",borough_code\nA,B\n").encode(),
     "header_200kb.csv, line 1: not a CSV file: a header field is longer than 131,072 "
     "characters"),
    ("one_line_50mb.csv",
     lambda: ("y" * 50_000_000).encode(),
     "one_line_50mb.csv, line 1: not a CSV file: a header field is longer than"),
    ("value_50mb.csv",
     lambda: ("contract_id,borough_code,tower_or_system,vendor,start_date,end_date,"
              "annual_value_gbp_k,shared\nRB-1,E09000020,desktop," + "v" * 50_000_000
              + ",2019-04-01,2026-03-31,610,true\n").encode(),
     "value_50mb.csv, line 2, column vendor: too long: at most 500 characters (found 'vvvv"),
])
def test_fields_too_big_for_the_csv_module_are_listed(name, content, expect, place):
    before = _sha(place["warehouse"])
    with pytest.raises(IngestError) as info:
        ingest([Upload(name, content())], place["warehouse"], store=place["store"])
    assert expect in str(info.value)
    assert len(str(info.value)) < 1_000  # the value is summarised, not echoed
    assert _sha(place["warehouse"]) == before


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["copy", "store", "duckdb"])
def test_a_full_disk_gives_a_plain_message_and_an_unchanged_warehouse(place, monkeypatch,
                                                                      where):
    before = _sha(place["warehouse"])
    if where == "copy":
        monkeypatch.setattr(ingest_module.shutil, "copyfile", _disk_full)
    elif where == "store":
        monkeypatch.setattr(pl.DataFrame, "write_parquet", _disk_full)
    else:
        def io_error(*_args, **_kwargs):
            raise duckdb.IOException('Could not write file ".tmp": No space left on device')
        monkeypatch.setattr(ingest_module, "refresh", io_error)
    with pytest.raises(WriteFailed) as info:
        _load(place, "kpi_targets.csv")
    assert str(info.value) == (
        "the load could not be written: the disk is full. Nothing was loaded; the warehouse at "
        "warehouse.duckdb was left unchanged.")
    assert _sha(place["warehouse"]) == before
    assert leftovers(place["warehouse"]) == []
    assert not place["store"].exists() or list(place["store"].iterdir()) == []


def test_the_cli_reports_a_full_disk_in_words(place, monkeypatch, capsys):
    monkeypatch.setattr(ingest_module.shutil, "copyfile", _disk_full)
    code = main(["ingest", str(SAMPLES / "contracts.csv"), "--warehouse",
                 str(place["warehouse"])])
    err = capsys.readouterr().err
    assert code == 1
    assert "ingest failed: the load could not be written: the disk is full." in err
    assert "Traceback" not in err


def test_the_data_page_reports_a_full_disk_in_words(place, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(place["warehouse"]))
    monkeypatch.setenv("TRIBOROUGH_COUNCIL_DIR", str(place["store"]))
    monkeypatch.setattr(ingest_module.shutil, "copyfile", _disk_full)
    before = _sha(place["warehouse"])
    at = AppTest.from_file("../pages/data.py", default_timeout=60)
    at.run(timeout=60)
    data = (SAMPLES / "contracts.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("contracts.csv", data, "text/csv"))
    at.button(key="upload_load").click().run(timeout=60)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "contracts.csv: the load could not be written: the disk is full. Nothing was loaded; "
        "the warehouse at warehouse.duckdb was left unchanged."]
    assert _sha(place["warehouse"]) == before


def test_a_build_on_a_full_disk_says_so_and_keeps_the_warehouse(place, monkeypatch):
    from triborough.warehouse import build as build_module

    def io_error(*_args, **_kwargs):
        raise duckdb.IOException('Could not write file ".tmp": No space left on device')

    monkeypatch.setattr(build_module, "generate", io_error)
    before = _sha(place["warehouse"])
    with pytest.raises(BuildError, match="the new warehouse could not be written: .*No space"):
        _rebuild(place)
    assert _sha(place["warehouse"]) == before
    assert leftovers(place["warehouse"]) == []
