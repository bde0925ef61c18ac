"""Templates per council table, and the header a failed upload is told to use."""

from __future__ import annotations

import dataclasses

import pytest
from csvsafety import PAYLOADS, cells, live_cells

from triborough.model.contracts import CONTRACT_BY_NAME, CONTRACTS
from triborough.settings import PROJECT_ROOT
from triborough.views.data_views import expected_header, header_help, template_csv
from triborough.warehouse.validation import validate_bytes

SAMPLES = PROJECT_ROOT / "data" / "samples"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_a_template_is_the_header_and_every_rule(contract) -> None:
    data = template_csv(contract)
    lines = data.decode("utf-8").splitlines()
    header = [line for line in lines if not line.startswith("#")]
    assert header == [",".join(contract.column_names)]
    for column in contract.columns:
        assert f"# column {column.name}: {column.description}" in data.decode("utf-8")
        assert column.rule_text() in data.decode("utf-8")
    assert live_cells(data) == []


@pytest.mark.parametrize("name", ["savings_ledger", "caseload_monthly"])
def test_a_filled_in_template_passes_the_checks(name: str) -> None:
    """The template's header is what the loader expects: rows pasted under it load."""
    template = template_csv(CONTRACT_BY_NAME[name]).decode("utf-8")
    header = "".join(line + "\n" for line in template.splitlines() if not line.startswith("#"))
    rows = (SAMPLES / f"{name}.csv").read_text(encoding="utf-8").split("\n", 1)[1]
    result = validate_bytes((header + rows).encode("utf-8"), f"{name}.csv", table=name)
    assert result.ok, result.report()
    assert result.rows == (SAMPLES / f"{name}.csv").read_text().count("\n") - 1


def test_a_hostile_rule_is_neutralised_in_the_template() -> None:
    base = CONTRACT_BY_NAME["savings_ledger"]
    hostile = dataclasses.replace(
        base, columns=tuple(dataclasses.replace(c, name=p, description=p + "\n" + p)
                            for c, p in zip(base.columns, PAYLOADS, strict=False)))
    data = template_csv(hostile)
    assert live_cells(data) == []
    # Every payload is still there, readable, behind its apostrophe.
    assert {"'" + p for p in PAYLOADS[: len(base.columns)] if p[0] in "=+-@\t\r"} <= set(
        cells(data)[0])


def test_a_missing_column_is_answered_with_the_expected_header() -> None:
    contract = CONTRACT_BY_NAME["caseload_monthly"]
    header = ",".join(c for c in contract.column_names if c != "open_cases")
    result = validate_bytes(f"{header}\n".encode() + b"x\n", "cases.csv", table=None)
    assert not result.ok
    expected = header_help(result, None)
    assert expected is not None
    assert expected.to_dicts() == [{
        "table": "caseload_monthly", "expected header": expected_header(contract),
        "required": ", ".join(contract.required_columns)}]


def test_a_header_matching_no_table_lists_every_table() -> None:
    result = validate_bytes(b"a,b,c\n1,2,3\n", "odd.csv", table=None)
    expected = header_help(result, None)
    assert expected is not None
    assert expected["table"].to_list() == [c.name for c in CONTRACTS]


def test_a_bad_value_is_not_a_header_problem() -> None:
    data = (PROJECT_ROOT / "tests" / "malformed" / "negative_count.csv").read_bytes()
    result = validate_bytes(data, "negative_count.csv", table=None)
    assert not result.ok
    assert header_help(result, None) is None
