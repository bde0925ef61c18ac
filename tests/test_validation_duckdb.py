"""The one-pass DuckDB check gives exactly what the detailed check gives, or steps aside."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from triborough.model.catalogue import METRIC_BY_CODE
from triborough.model.contracts import CONTRACT_BY_NAME
from triborough.settings import PROJECT_ROOT
from triborough.warehouse import validation
from triborough.warehouse.validation import validate_bytes
from triborough.warehouse.validation_duckdb import read_plain

SAMPLES = PROJECT_ROOT / "data" / "samples"
MALFORMED = Path(__file__).parent / "malformed"


def _detailed(raw: bytes, name: str, table: str | None = None) -> validation.Validation:
    """The detailed (polars) check alone."""
    original = validation._one_pass
    validation._one_pass = lambda *_args, **_kwargs: None
    try:
        return validation.validate_bytes(raw, name, table, METRIC_BY_CODE)
    finally:
        validation._one_pass = original


def _one_pass(raw: bytes, table: str) -> validation.Validation | None:
    header = validation._header(raw.split(b"\n", 1)[0].decode(), "f.csv")
    return read_plain(raw, "f.csv", CONTRACT_BY_NAME[table], header, METRIC_BY_CODE,
                      lambda _f, _m: None)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.csv")), ids=lambda p: p.stem)
def test_a_plain_sound_file_is_read_in_one_pass_exactly_as_the_detailed_check_reads_it(sample):
    raw = sample.read_bytes()
    fast = _one_pass(raw, sample.stem)
    assert fast is not None, "a plain sample should not need the detailed check"
    slow = _detailed(raw, sample.name)
    assert fast.ok and slow.ok
    assert fast.rows == slow.rows
    assert_frame_equal(fast.frame, slow.frame)
    assert fast.lines.to_list() == slow.lines.to_list()


@pytest.mark.parametrize("change", [
    ("E09000013,", " E09000013,"),  # a space the detailed check trims
    ("looked_after", "Looked after"),  # a spelling the detailed check converts
    ("2024-04-03", "03/04/2024"),
    ("HF-LA-000101", '"HF-LA-000101"'),  # quotes
    ("\n", "\r\n"),  # Windows line ends
])
def test_anything_but_the_plain_form_is_left_to_the_detailed_check(change):
    raw = (SAMPLES / "case_events.csv").read_bytes()
    changed = raw.replace(change[0].encode(), change[1].encode(), 1)
    both = validate_bytes(changed, "case_events.csv", None, METRIC_BY_CODE)
    slow = _detailed(changed, "case_events.csv")
    assert both.ok == slow.ok and both.notes == slow.notes
    assert_frame_equal(both.frame, slow.frame)


def test_a_dd_mm_yyyy_date_is_read_the_same_in_one_pass():
    raw = (SAMPLES / "case_events.csv").read_bytes().replace(b"2024-04-03", b"03/04/2024")
    fast = _one_pass(raw, "case_events")
    assert fast is not None
    assert fast.frame["event_date"].cast(pl.Utf8).to_list()[0] == "2024-04-03"


EXPECTED = json.loads((MALFORMED / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_broken_file_gets_the_same_report_as_from_the_detailed_check(name):
    raw = (MALFORMED / name).read_bytes()
    table = EXPECTED[name].get("table")
    both = validate_bytes(raw, name, table, METRIC_BY_CODE)
    slow = _detailed(raw, name, table)
    assert not both.ok
    assert both.report() == slow.report()
    assert both.total_violations == slow.total_violations
