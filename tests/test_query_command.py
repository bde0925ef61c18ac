"""``triborough query`` and ``triborough export`` on DuckDB (the Spark side is in
test_spark_engine.py)."""

from __future__ import annotations

import hashlib
import io
import json
import os

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from triborough.cli import main
from triborough.read.parquet_export import ExportError, export_parquet, verify_export
from triborough.read.query_command import query_command


def _run(name, params=(), fmt="csv", out=None):
    stdout, stderr = io.StringIO(), io.StringIO()
    code = query_command(name, list(params), "duckdb", fmt, out, stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def test_query_prints_csv_with_the_parameters_applied(app_env):
    code, out, err = _run(
        "caseload_monthly",
        ["areas=E09000013", "service=children_in_need", "from_year=2020", "to_year=2020"],
    )
    assert code == 0, err
    df = pl.read_csv(io.StringIO(out))
    assert df.height == 12  # April 2020 to March 2021
    assert set(df["borough_code"]) == {"E09000013"}
    assert set(df["service"]) == {"children_in_need"}
    assert df["month"].min() == "2020-04-01" and df["month"].max() == "2021-03-01"


def test_query_json_and_parquet_hold_the_same_rows(app_env, tmp_path):
    code, out, err = _run("ofsted_latest", fmt="json")
    assert code == 0, err
    rows = json.loads(out)
    assert sorted(r["area_code"] for r in rows) == ["E09000013", "E09000020", "E09000033"]
    target = tmp_path / "ofsted.parquet"
    assert _run("ofsted_latest", fmt="parquet", out=target)[0] == 0
    assert pl.read_parquet(target).to_dicts() == pl.DataFrame(rows).with_columns(
        pl.col("inspection_date", "publication_date").str.to_date()
    ).to_dicts()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_query"], "no named query 'no_such_query'; known queries: "),
        (["ofsted_latest", "--param", "borough=E09000033"],
         "query ofsted_latest has no parameter borough; its parameters: areas (varchar[])"),
        (["caseload_monthly", "--param", "from_year=twenty"],
         "parameter from_year: 'twenty' is not a valid integer"),
        (["caseload_monthly", "--param", "from_year"], "--param 'from_year': expected KEY=VALUE"),
        (["caseload_monthly", "--param", "to_year=1", "--param", "to_year=2"],
         "--param to_year: given more than once"),
        (["ofsted_latest", "--format", "parquet"], "--format parquet needs --out FILE"),
    ],
)
def test_bad_requests_exit_2_naming_what_is_wrong(app_env, capsys, args, message):
    assert main(["query", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_query_without_a_warehouse_exits_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(tmp_path / "none.duckdb"))
    assert main(["query", "ofsted_latest", "--engine", "duckdb"]) == 1
    assert "run `triborough build` first" in capsys.readouterr().err


def test_export_writes_every_table_with_counts_and_checksums(built_warehouse, parquet_export):
    manifest = json.loads((parquet_export / "manifest.json").read_text())
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        tables = {
            r[0]: con.execute(f'select count(*) from "{r[0]}"').fetchone()[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == tables
    for table in manifest["tables"]:
        assert sum(f["rows"] for f in table["files"]) == table["rows"]
        for entry in table["files"]:
            path = parquet_export / entry["path"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
            assert pq.read_metadata(path).num_rows == entry["rows"]
    assert verify_export(parquet_export) == []


def test_case_events_are_partitioned_by_borough_and_year(parquet_export, built_warehouse):
    listed = json.loads((parquet_export / "manifest.json").read_text())["tables"]
    manifest = {t["name"]: t for t in listed}
    events = manifest["case_events"]
    assert events["partition_by"] == ["borough_code", "event_year"]
    boroughs = {p.name for p in (parquet_export / "case_events").iterdir()}
    assert boroughs == {f"borough_code={c}" for c in ("E09000013", "E09000020", "E09000033")}
    folder = parquet_export / "case_events" / "borough_code=E09000033" / "event_year=2015"
    on_disk = pq.read_table(folder).num_rows
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        expected = con.execute(
            "select count(*) from case_events "
            "where borough_code = 'E09000033' and year(event_date) = 2015"
        ).fetchone()[0]
    finally:
        con.close()
    assert on_disk == expected > 0
    assert manifest["dim_area"]["partition_by"] == []
    assert len(manifest["dim_area"]["files"]) == 1


def test_a_changed_file_fails_verification(parquet_export, tmp_path):
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(parquet_export, copy)
    victim = copy / "dim_area" / "part-0.parquet"
    victim.write_bytes(victim.read_bytes()[:-10] + b"0123456789")
    assert verify_export(copy) == ["dim_area/part-0.parquet: checksum differs from the manifest"]


def test_export_refuses_a_folder_with_files_and_leaves_it_alone(built_warehouse, app_env, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="already exists and is not an empty folder"):
        export_parquet(built_warehouse, target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert main(["export", "--format", "parquet", str(target)]) == 2


def test_export_refuses_an_object_store_url(built_warehouse, app_env):
    with pytest.raises(ExportError, match="writes to a local folder"):
        export_parquet(built_warehouse, "s3://bucket/triborough")
    assert main(["export", "--format", "parquet", "abfss://lake@acct.dfs.core.windows.net/t"]) == 2


def test_a_failed_export_leaves_nothing_behind(built_warehouse, tmp_path, monkeypatch):
    import triborough.read.parquet_export as pe

    def broken(*_args, **_kwargs):
        raise ExportError("disk full")

    monkeypatch.setattr(pe, "_write_table", broken)
    with pytest.raises(ExportError, match="disk full"):
        export_parquet(built_warehouse, tmp_path / "out")
    assert os.listdir(tmp_path) == []
