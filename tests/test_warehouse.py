"""Warehouse access: read-only, locked down, and a rebuild is seen without a restart."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from triborough.read.connection import (
    WarehouseMissing,
    connect_readonly,
    run_named,
    warehouse_version,
)


def test_connection_refuses_writes_files_and_setting_changes(built_warehouse):
    con = connect_readonly(built_warehouse)
    cur = con.cursor()
    for sql in (
        "create table x (a int)",
        "delete from dim_area",
        "select * from read_csv('/etc/hostname')",
        "set enable_external_access = true",
        "attach '/tmp/other.duckdb' as other",
    ):
        with pytest.raises(duckdb.Error):
            cur.execute(sql)
    assert cur.execute("select count(*) from dim_area").fetchone()[0] == 333


def test_missing_warehouse_says_how_to_build_it(tmp_path):
    with pytest.raises(WarehouseMissing, match="triborough build"):
        connect_readonly(tmp_path / "nope.duckdb")


def test_rebuilt_file_is_seen_by_new_connections_while_old_ones_stay_consistent(
    built_warehouse, tmp_path
):
    path = tmp_path / "w.duckdb"
    shutil.copy(built_warehouse, path)
    old_version = warehouse_version(path)
    old = connect_readonly(path)
    before = old.execute("select count(*) from dim_area").fetchone()[0]

    # A rebuild: a new file renamed over the old one, as build and ingest do.
    staged = tmp_path / "staged.duckdb"
    shutil.copy(built_warehouse, staged)
    with duckdb.connect(str(staged)) as w:
        w.execute("delete from dim_area where area_code = 'E09000001'")
    os.replace(staged, path)

    assert warehouse_version(path) != old_version
    new = connect_readonly(path)
    assert new.execute("select count(*) from dim_area").fetchone()[0] == before - 1
    assert old.execute("select count(*) from dim_area").fetchone()[0] == before


def test_named_query_binds_parameters_not_strings(built_warehouse):
    con = connect_readonly(built_warehouse)
    hostile = "E09000033') or 1=1 --"
    df = run_named(con, "ofsted_latest", {"areas": [hostile]})
    assert df.is_empty()
