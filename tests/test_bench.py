"""`triborough bench` runs end to end at a tiny scale and writes every figure.

A smoke test only: no timing is asserted. At 20,000 events on a shared CI machine the numbers
mean nothing; the figures that matter come from the full run recorded in docs/performance.md.
"""

from __future__ import annotations

import json

import pytest

from triborough.bench import loadtest
from triborough.bench.common import Figure
from triborough.bench.loading import csv_part, stages
from triborough.bench.pack import chromium_missing
from triborough.bench.pages import discover_pages
from triborough.bench.report import markdown
from triborough.bench.server import unavailable
from triborough.cli import main


def _expected_ids() -> set[str]:
    ids = {"build", "build_csv_part", "build_generated", "peer", "workbench",
           "server_memory", "server_concurrency", "server_concurrency_protocol",
           "load_time", "load_memory", "pack"}
    for page in discover_pages():
        ids |= {f"page_cold:{page['url']}", f"page_warm:{page['url']}", f"growth:{page['url']}"}
    return ids


@pytest.mark.slow
def test_bench_runs_and_writes_every_figure(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    argv = ["bench", "--events", "20000", "--growth-events", "5000", "--repeat", "1",
            "--sessions", "2", "--out", str(out), "--work", str(work)]
    server = not unavailable()  # the server figure needs Chromium, Playwright and psutil
    if not server:
        argv.append("--no-server")

    assert main(argv) == 0

    results = json.loads((out / "bench-20000.json").read_text(encoding="utf-8"))
    figures = {f["id"]: f for f in results["figures"]}
    assert _expected_ids() <= set(figures)
    for fid, fig in figures.items():
        if fid.startswith("server_") and not server:
            assert fig["status"] == "not measured"
            continue
        if fid == "pack" and chromium_missing():
            assert fig["status"] == "not measured"
            continue
        assert fig["status"] == "measured", (fid, fig["note"])
        assert fig["ours"] and fig["against"], fid
        assert fig["ratio"] is not None, fid
    assert results["warehouses"]["big"]["case_events_rows"] > 0
    table = (out / "bench-20000.md").read_text(encoding="utf-8")
    assert "| Figure | Ours | Against | Ratio | Target | Met |" in table
    assert results["command"] in table
    for fig in figures.values():
        assert fig["title"] in table
    assert "| Figure | Ours | Against |" in capsys.readouterr().out  # the table, on stdout


def test_build_stages_are_read_from_progress_messages():
    marks = [(0.5, "loading dim_area"), (0.7, "loading fact_metric"), (1.0, "checking"),
             (1.25, "wrote w.duckdb")]
    assert stages(marks, 1.5) == pytest.approx(
        {"connect and catalogue": 0.5, "load published CSVs": 0.5, "checking": 0.25,
         "rename into place": 0.25}
    )
    assert csv_part(marks) == 1.0


def test_markdown_marks_missed_and_unmeasured_targets():
    met = Figure("a", "Fast thing", "ours", "limit", 1.5, ours=1.0, against=1.0)
    missed = Figure("b", "Slow thing", "ours", "limit", 1.2, ours=3.0, against=1.0)
    absent = Figure("c", "Server", "ours", "limit", 3.0, status="not measured", note="no browser")
    results = {
        "command": "triborough bench --events 10", "started_at": "now", "runtime_s": 60.0,
        "machine": {"cpus": 2, "memory_gib": 1, "python": "3", "duckdb": "2", "streamlit": "1",
                    "polars": "2"},
        "config": {"repeat": 1},
        "warehouses": {"big": {"events_requested": 10, "case_events_rows": 9,
                               "size_bytes": 1e6}},
        "figures": [f.as_dict() for f in (met, missed, absent)],
        "details": {},
    }
    text = markdown(results)
    assert "| Fast thing | " in text and "| 1.00× | ≤ 1.5× | yes |" in text
    assert "| 3.00× | ≤ 1.2× | **no** |" in text
    assert "| not measured |" in text and "no browser" in text


@pytest.mark.slow
@pytest.mark.skipif(bool(loadtest.unavailable()), reason=loadtest.unavailable() or "available")
def test_load_test_runs_the_hostile_query_through_the_running_app(tmp_path, built_warehouse):
    figures, details = loadtest.measure(tmp_path, built_warehouse, 0, sessions=2, repeat=1)
    assert [f.status for f in figures] == ["measured", "measured"], [f.note for f in figures]
    assert all(f.ratio is not None for f in figures)
    # The analyst's session went the page's whole way and was told, in plain words, why.
    assert details["analyst_outcomes"] == [
        "This query needed more than 2 GB and was stopped. Aggregate or filter before building "
        "very large values or lists."
    ]
    assert sum(details["analyst_runs"]) >= 1
