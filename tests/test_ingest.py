"""Loading council extracts: whole-file validation, all-or-nothing, atomic, repeatable."""

from __future__ import annotations

import getpass
import hashlib
import json
import shutil
import threading
from pathlib import Path

import polars as pl
import pytest

from triborough.cli import main
from triborough.model.contracts import CONTRACTS
from triborough.read.connection import connect_readonly
from triborough.settings import PROJECT_ROOT
from triborough.warehouse import ingest as ingest_module
from triborough.warehouse.ingest import IngestError, Upload, ingest
from triborough.warehouse.validation import MAX_LISTED

MALFORMED = Path(__file__).parent / "malformed"
EXPECTED: dict[str, dict] = json.loads((MALFORMED / "expected.json").read_text())
SAMPLES = PROJECT_ROOT / "data" / "samples"
HF = "E09000013"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(built_warehouse, tmp_path) -> Path:
    """A private copy of the session's warehouse: loads never touch the shared one."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, copy)
    return copy


def _query(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = connect_readonly(path)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def test_the_corpus_has_at_least_25_malformed_files():
    files = sorted(p.name for p in MALFORMED.glob("*.csv"))
    assert len(files) >= 25
    assert files == sorted(EXPECTED), "every corpus file needs an expected message"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_refused_and_the_warehouse_is_unchanged(name, warehouse):
    before = _sha(warehouse)
    case = EXPECTED[name]
    with pytest.raises(IngestError) as info:
        ingest([Upload.from_path(MALFORMED / name)], warehouse, table=case.get("table"))
    # e.g. "negative_count.csv, line 2, column open_cases: negative value"
    assert case["expect"] in str(info.value)
    assert "nothing was loaded" in str(info.value)
    assert _sha(warehouse) == before
    assert not list(warehouse.parent.glob(".*.tmp"))


def test_every_problem_is_reported_not_just_the_first(warehouse):
    with pytest.raises(IngestError) as info:
        ingest([Upload.from_path(MALFORMED / "many_problems.csv")], warehouse)
    result = info.value.validations[0]
    # 300 negative counts; the months after March 2025 are also out of range.
    assert result.total_violations > 300
    assert len(result.violations) == MAX_LISTED
    lines = [v.line for v in result.violations]
    assert lines == sorted(lines) and lines[0] == 2
    assert f"and {result.total_violations - MAX_LISTED} more" in result.report()


def test_a_bad_file_stops_the_good_ones_in_the_same_command(warehouse):
    before = _sha(warehouse)
    good = Upload.from_path(SAMPLES / "savings_ledger.csv")
    bad = Upload.from_path(MALFORMED / "negative_count.csv")
    with pytest.raises(IngestError, match="negative_count.csv, line 2"):
        ingest([good, bad], warehouse)
    assert _sha(warehouse) == before


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_each_sample_loads_in_place_of_illustrative_rows(contract, warehouse):
    path = SAMPLES / f"{contract.name}.csv"
    rows = pl.read_csv(path).height
    before = _query(warehouse, f"select count(*) from {contract.name}")[0][0]
    [load] = ingest([Upload.from_path(path)], warehouse)
    assert (load.table, load.rows, load.skipped) == (contract.name, rows, False)
    loaded = _query(
        warehouse,
        f"select count(*), count(distinct source), bool_or(is_illustrative) "
        f"from {contract.name} where source = $f",
        {"f": path.name},
    )[0]
    assert loaded == (rows, 1, False)
    after = _query(warehouse, f"select count(*) from {contract.name}")[0][0]
    assert after == before - load.replaced_illustrative + rows
    key = ", ".join(contract.key)
    dupes = _query(warehouse, f"select count(*) - count(distinct ({key})) from {contract.name}")
    assert dupes[0][0] == 0
    provenance = _query(
        warehouse,
        "select file, sha256, rows, loaded_by, loaded_at is not null from meta_load "
        "where table_name = $t and source = 'council extract'",
        {"t": contract.name},
    )
    assert provenance == [(path.name, _sha(path), rows, getpass.getuser(), True)]
    status = _query(
        warehouse,
        "select distinct status from meta_illustrative where table_name = $t and loaded_rows > 0",
        {"t": contract.name},
    )
    assert status and status[0][0] in ("mixed", "loaded")


def test_a_loaded_file_replaces_only_what_it_covers(warehouse):
    ingest([Upload.from_path(SAMPLES / "caseload_monthly.csv")], warehouse)
    rows = _query(
        warehouse,
        "select month, open_cases, is_illustrative from caseload_monthly "
        "where borough_code = $b and service = 'looked_after' "
        "and month between date '2024-03-01' and date '2025-03-01' order by month",
        {"b": HF},
    )
    assert rows[0][2] is True  # March 2024 is outside the file: still illustrative
    assert all(not r[2] for r in rows[1:])
    assert [r[1] for r in rows[1:4]] == [204, 203, 206]
    other = _query(
        warehouse,
        "select bool_and(is_illustrative) from caseload_monthly "
        "where not (borough_code = $b and service = 'looked_after')",
        {"b": HF},
    )
    assert other == [(True,)]


def test_loading_the_same_file_twice_changes_nothing(warehouse):
    path = SAMPLES / "service_desk_monthly.csv"
    ingest([Upload.from_path(path)], warehouse)
    after_first = _sha(warehouse)
    [again] = ingest([Upload.from_path(path)], warehouse)
    assert again.skipped and "already loaded" in again.summary()
    assert _sha(warehouse) == after_first


def test_a_revised_file_replaces_the_earlier_load_without_duplicates(warehouse, tmp_path):
    first = SAMPLES / "kpi_targets.csv"
    ingest([Upload.from_path(first)], warehouse)
    revised = tmp_path / "kpi_targets_v2.csv"
    revised.write_text(first.read_text().replace(",17,true,", ",15,true,"))
    [load] = ingest([Upload.from_path(revised)], warehouse)
    assert load.replaced_loaded == 4
    rows = _query(
        warehouse,
        "select target, source from kpi_targets where metric_code = 'rereferral_pct' "
        "and borough_code = 'E09000033' and financial_year = '2023-24'",
    )
    assert rows == [(15.0, "kpi_targets_v2.csv")]


def test_a_spreadsheet_export_loads(warehouse, tmp_path):
    """Windows-1252, CRLF, UK dates, thousands separators, quoted fields, trailing blanks."""
    text = (
        "Borough Code,Month,Tower,Tickets,First Contact Resolved,SLA Met,Users,Cost GBP\r\n"
        'E09000020,01/04/2023,Service Desk,"1,234","1,001","1,200","3,410","£31,250.50"\r\n'
        'E09000020,01/05/2023,Desktop,812,455,739,"3,405","52,100"\r\n'
        "e09000020,2023-06-01,network-telephony,240,80,221,3400,30120.75\r\n"
        "\r\n,,,,,,,\r\n\r\n"
    )
    path = tmp_path / "Service desk – RBKC.csv"
    path.write_bytes(text.encode("cp1252"))
    [load] = ingest([Upload.from_path(path)], warehouse)
    assert load.rows == 3
    assert "converted from Windows-1252 to UTF-8" in load.summary()
    rows = _query(
        warehouse,
        "select month, tower, tickets, first_contact_resolved, users, cost_gbp "
        "from service_desk_monthly where source = $f order by month",
        {"f": path.name},
    )
    assert rows[0][1:] == ("service_desk", 1234, 1001, 3410, 31250.5)
    assert [str(r[0]) for r in rows] == ["2023-04-01", "2023-05-01", "2023-06-01"]
    assert rows[2][1] == "network_telephony"


def test_a_utf8_file_with_bom_and_quoted_notes_loads(warehouse, tmp_path):
    text = (
        "metric_code,borough_code,financial_year,target,target_is_published,note\n"
        'sd_sla_met_pct,E09000013,2022/23,95,Yes,"Cabinet report, March 2022 — ""95%"""\n'
    )
    path = tmp_path / "targets.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [load] = ingest([Upload.from_path(path)], warehouse)
    assert load.rows == 1
    assert _query(warehouse, "select financial_year, target_is_published, note from kpi_targets "
                             "where source = 'targets.csv'") == [
        ("2022-23", True, 'Cabinet report, March 2022 — "95%"')
    ]


def test_a_fully_loaded_table_makes_its_metrics_real(warehouse, tmp_path):
    ledger = pl.DataFrame(
        _query(warehouse, "select borough_code, financial_year, workstream, planned_gbp_k, "
                          "delivered_gbp_k + 10, one_off_cost_gbp_k from savings_ledger"),
        schema=["borough_code", "financial_year", "workstream", "planned_gbp_k",
                "delivered_gbp_k", "one_off_cost_gbp_k"],
        orient="row",
    )
    path = tmp_path / "ledger_all.csv"
    ledger.write_csv(path)
    part = tmp_path / "ledger_hf.csv"
    ledger.filter(pl.col("borough_code") == HF).write_csv(part)

    ingest([Upload.from_path(part)], warehouse)
    flag = ("select is_illustrative, source_id from dim_metric "
            "where code = 'savings_delivered_gbp_m'")
    assert _query(warehouse, flag) == [(True, "illustrative")]  # other boroughs still generated

    ingest([Upload.from_path(path)], warehouse)
    assert _query(warehouse, flag) == [(False, "council_extract")]
    total = _query(
        warehouse,
        "select sum(value) from fact_metric where metric_code = 'savings_delivered_gbp_m' "
        "and period = '2015-16'",
    )[0][0]
    assert total == pytest.approx(43.0 + 3 * 5 * 10 / 1000)  # the facts follow the new rows
    untouched = "select is_illustrative from dim_metric where code = 'sd_sla_met_pct'"
    assert _query(warehouse, untouched) == [(True,)]


def test_readers_never_see_a_partial_load(warehouse, tmp_path):
    """A reader opening a fresh connection in a loop sees the old state or the new, never a
    mix and never an error, while a large load is swapped in."""
    events = pl.DataFrame({
        "case_id": [f"X{i}" for i in range(200_000)],
        "borough_code": HF,
        "service": "children_in_need",
        "event_type": "referral",
        "event_date": "2020-06-15",
    })
    path = tmp_path / "events.csv"
    events.write_csv(path)
    probe = ("select (select count(*) from case_events where source = 'events.csv'), "
             "(select count(*) from meta_load where file = 'events.csv')")
    seen: set[tuple] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            try:
                seen.add(tuple(_query(warehouse, probe)[0]))
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)
                return

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        ingest([Upload.from_path(path)], warehouse)
        final = tuple(_query(warehouse, probe)[0])
        for _ in range(3):  # let the reader see the new file too
            seen.add(tuple(_query(warehouse, probe)[0]))
    finally:
        stop.set()
        reader.join(timeout=60)
    assert not errors, errors[:1]
    assert final == (200_000, 1)
    assert seen <= {(0, 0), final}
    assert (0, 0) in seen


def test_a_failure_during_the_swap_leaves_the_warehouse_unchanged(warehouse, monkeypatch):
    before = _sha(warehouse)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "refresh", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest([Upload.from_path(SAMPLES / "savings_ledger.csv")], warehouse)
    assert _sha(warehouse) == before
    assert not list(warehouse.parent.glob(".*.tmp*"))


def test_cli_reports_every_violation_and_exits_non_zero(warehouse, capsys):
    before = _sha(warehouse)
    code = main(["ingest", str(MALFORMED / "duplicate_key.csv"), str(MALFORMED / "us_date.csv"),
                 "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 1
    assert EXPECTED["duplicate_key.csv"]["expect"] in err
    assert EXPECTED["us_date.csv"]["expect"] in err
    assert "left unchanged" in err
    assert _sha(warehouse) == before


def test_cli_loads_and_then_says_already_loaded(warehouse, capsys):
    sample = str(SAMPLES / "contracts.csv")
    assert main(["ingest", sample, "--warehouse", str(warehouse)]) == 0
    assert "6 rows loaded into contracts" in capsys.readouterr().out
    assert main(["ingest", sample, "--warehouse", str(warehouse), "--table", "contracts"]) == 0
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.slow
def test_a_million_rows_load(warehouse, tmp_path):
    n = 1_000_000
    frame = pl.DataFrame({"i": range(n)}).select(
        case_id=pl.format("M{}", pl.col("i") // 4),
        borough_code=pl.lit(HF),
        service=pl.lit("adult_long_term_support"),
        event_type=pl.col("i").mod(4).replace_strict(
            {0: "referral", 1: "assessment", 2: "plan_start", 3: "closure"}),
        event_date=pl.date(2019, 1, 1) + pl.duration(days=pl.col("i").mod(2000)),
    )
    path = tmp_path / "events_1m.csv"
    frame.write_csv(path)
    [load] = ingest([Upload.from_path(path)], warehouse)
    assert load.rows == n
    assert _query(warehouse, "select count(*) from case_events where source = 'events_1m.csv'"
                  ) == [(n,)]

