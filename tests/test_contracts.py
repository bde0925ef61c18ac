"""Council table contracts: one definition drives the docs, the warehouse and the samples."""

from __future__ import annotations

import duckdb
import pytest

from triborough.model.catalogue import METRIC_BY_CODE
from triborough.model.contracts import CONTRACTS, PROVENANCE_COLUMNS, render_markdown
from triborough.settings import PROJECT_ROOT
from triborough.warehouse.validation import validate_file

SAMPLES = PROJECT_ROOT / "data" / "samples"


def test_docs_are_the_rendering_of_the_contracts():
    doc = (PROJECT_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), (
        "docs/contracts.md has drifted: regenerate it with "
        "python -c 'from triborough.model.contracts import render_markdown as r; "
        "open(\"docs/contracts.md\", \"w\").write(r())'"
    )


def test_docs_name_every_table_and_column():
    doc = render_markdown()
    for contract in CONTRACTS:
        assert f"## `{contract.name}`" in doc
        for column in contract.columns:
            assert f"| `{column.name}` |" in doc


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_contract_is_self_consistent(contract):
    names = set(contract.column_names)
    assert len(names) == len(contract.columns), "duplicate column names"
    assert set(contract.key) <= names
    assert set(contract.scope) <= names and "borough_code" in contract.scope
    assert contract.period is None or contract.period in names
    for column in contract.columns:
        assert column.description and column.unit
        assert column.kind != "enum" or column.allowed, f"{column.name}: enum without values"
        assert column.kind not in ("integer",) or column.minimum == 0, (
            f"{column.name}: counts are non-negative"
        )
        for other in (column.not_above, column.not_before):
            assert other is None or other in names
    for code in contract.feeds_metrics:
        metric = METRIC_BY_CODE[code]
        assert metric.is_illustrative and metric.source_id == "illustrative"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_sample_file_is_valid(contract):
    path = SAMPLES / f"{contract.name}.csv"
    result = validate_file(path, metric_codes=METRIC_BY_CODE)
    assert result.ok, result.report()
    assert result.table == contract.name  # detected from the header alone
    assert 0 < result.rows <= 50


def test_warehouse_tables_follow_the_contracts(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        for contract in CONTRACTS:
            cols = con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = $t "
                "order by column_index",
                {"t": contract.name},
            ).fetchall()
            assert dict(cols) == contract.warehouse_columns(), contract.name
            assert list(PROVENANCE_COLUMNS) == [c for c, _ in cols][-2:]
        described = dict(con.execute("select * from meta_table").fetchall())
        for contract in CONTRACTS:
            assert described[contract.name].startswith(contract.description)
    finally:
        con.close()
