"""The one-pass check of a plain council extract in DuckDB: read, convert and check every value
in one scan of the file, for files a spreadsheet or database wrote without surprises.

It reads only what it can read exactly as :mod:`triborough.warehouse.validation` would: UTF-8
without quotes, carriage returns or blank lines, and each value in its plain form (``2015-04-01`` or
``01/04/2015``, ``1234``, ``2015-16``, no space around a value). A file it reads whole and finds
sound needs nothing else. Anything else (an unusual form, a broken rule, a value it would
convert differently) gives None, and the file goes through the detailed check, which reports
every problem by line: so a sound file is typed identically either way, and a broken one gets
exactly the same report.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.column_kinds import KINDS
from triborough.model.contracts import Column, Contract

if TYPE_CHECKING:
    from triborough.warehouse.validation import Validation

Progress = Callable[[float, str], None]

# Whitespace polars strips from a value (Unicode White_Space): a value starting or ending with
# it is left to the detailed check, which trims it.
_EDGE_SPACE = r"^[\s\p{Z}\x0b\x{85}]|[\s\p{Z}\x0b\x{85}]$"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed_and_ok(column: Column, v: str, typed: str) -> tuple[str, str]:
    """(SQL for the typed value of the column whose text is ``v``, SQL true when that value
    is read exactly and keeps every rule of its own, given the typed value as ``typed``)."""
    kind = KINDS[column.kind]
    ok = [f"{typed} is not null"]
    if kind.plain:
        ok.append(f"regexp_full_match({v}, {_quote(kind.plain)})")
    if column.kind == "borough":
        ok.append(f"list_contains($boroughs, {typed})")
    elif column.kind == "enum":
        ok.append(f"list_contains({_list(column.allowed)}, {typed})")
    elif column.kind in ("integer", "decimal"):
        if column.minimum is not None:
            ok.append(f"{typed} >= {float(column.minimum)!r}")
        if column.maximum is not None:
            ok.append(f"{typed} <= {float(column.maximum)!r}")
    elif column.kind in ("date", "month"):
        ok.append(f"{typed} between date {_quote(str(column.minimum))} "
                  f"and date {_quote(str(column.maximum))}")
        if column.kind == "month":
            ok.append(f"day({typed}) = 1")
    elif column.kind == "financial_year":
        ok.append(f"{typed} between {_quote(str(column.minimum))} "
                  f"and {_quote(str(column.maximum))}")
    elif column.kind == "text":
        if column.max_length is not None:
            ok.append(f"length({v}) <= {int(column.max_length)}")
        # polars would trim a space at either end: such a value is left to it; markup is
        # refused
        ok.append(f"not regexp_matches({v}, {_quote(_EDGE_SPACE + '|<[A-Za-z/!]')})")
        if column.name == "metric_code":
            ok.append(f"list_contains($metric_codes, {v})")
    present = " and ".join(f"coalesce({c}, false)" for c in ok)
    return kind.duckdb_value.format(v=v), (
        f"({present})" if column.required else f"({v} is null or ({present}))")


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _plain_body(raw: bytes) -> tuple[bytes, list[str]] | None:
    """The file's bytes ready for DuckDB and the notes the detailed check would make, or None
    when the file needs the detailed check (quotes, other encodings, blank lines...)."""
    notes = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("UTF-8 byte order mark removed")
    body = raw.rstrip(b"\n \t")
    if (not body or raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b'"' in body
            or b"\r" in body or b"\x00" in body or b"\n\n" in body or b"\n" not in body):
        return None
    return body + b"\n", notes


def read_plain(
    raw: bytes,
    name: str,
    contract: Contract,
    header: list[str],
    metric_codes: Iterable[str],
    say: Progress,
) -> Validation | None:
    """The Validation of a sound plain file read in one DuckDB pass, or None when the file
    needs the detailed check. ``header`` is the file's header, already checked."""
    plain = _plain_body(raw)
    if plain is None or len(set(header)) != len(header):
        return None
    body, notes = plain
    names = [f"c{i}" for i in range(len(header))]
    by_name = {c.name: c for c in contract.columns}
    selects, typed_cols, oks = [], [], []
    for col_name, alias in zip(header, names, strict=True):
        value, ok = _typed_and_ok(by_name[col_name], f'"{alias}"', f'"{col_name}"')
        selects.append(f'"{alias}", {value} as "{col_name}"')
        typed_cols.append(f'"{col_name}"')
        oks.append(ok)
    present = set(header)
    for column in contract.columns:  # rules between two columns, when both are there
        for other, op in ((column.not_above, ">"), (column.not_before, "<")):
            if other and column.name in present and other in present:
                oks.append(f'not coalesce("{column.name}" {op} "{other}", false)')
    scan = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
    say(0.4, f"{name}: checking every row in one pass")
    with tempfile.TemporaryDirectory(prefix="triborough-check-") as folder:
        path = Path(folder) / "extract.csv"
        path.write_bytes(body)
        params: dict[str, object] = {"path": str(path)}
        used = " ".join(selects + oks)
        if "$boroughs" in used:
            params["boroughs"] = list(BOROUGH_CODES)
        if "$metric_codes" in used:
            params["metric_codes"] = sorted(metric_codes)
        con = duckdb.connect()
        try:
            # typed values and every row's own rules in the same scan of the file
            con.execute(
                "create temp table checked as select " + ", ".join(typed_cols) + ", "
                + " and ".join(oks) + " as __ok from (select " + ", ".join(selects)
                + " from read_csv($path, header=true, auto_detect=false, delim=',', "
                "quote='\"', escape='\"', strict_mode=true, null_padding=false, "
                f"columns={{{scan}}}))",
                params,
            )
        except duckdb.Error:  # not valid UTF-8, a ragged row...: the detailed check says where
            con.close()
            return None
    try:
        return _result(con, raw, name, contract, header, notes, say)
    finally:
        con.close()


def _result(
    con: duckdb.DuckDBPyConnection,
    raw: bytes,
    name: str,
    contract: Contract,
    header: list[str],
    notes: list[str],
    say: Progress,
) -> Validation | None:
    """The Validation of the checked rows, or None when any row broke a rule or a key
    repeats (the detailed check then reports which)."""
    from triborough.warehouse.validation import Validation  # which imports this module
    bad, rows = con.execute("select count(*) filter (where not __ok), count(*) "
                            "from checked").fetchall()[0]
    if bad or rows == 0:
        return None
    if all(k in header for k in contract.key):
        keys = ", ".join(f'"{k}"' for k in contract.key)
        complete = " and ".join(f'"{k}" is not null' for k in contract.key)
        # by hash: a collision only sends the file to the detailed check, which compares keys
        repeated = con.execute(
            f"select count(*) from (select hash({keys}) as h from checked where {complete} "
            f"group by h having count(*) > 1)"
        ).fetchall()[0][0]
        if repeated:
            return None
    say(0.8, f"{name}: 0 problem(s) found")
    frame = con.sql("select " + ", ".join(f'"{c}"' for c in header) + " from checked").pl()
    frame = frame.with_columns(
        [pl.lit(None, KINDS[c.kind].polars_type).alias(c.name) for c in contract.columns
         if c.name not in frame.columns]
    ).select(contract.column_names)
    result = Validation(file=name, sha256=hashlib.sha256(raw).hexdigest(),
                              table=contract.name, rows=rows, notes=notes)
    result.frame = frame
    result.lines = pl.int_range(2, rows + 2, dtype=pl.Int64, eager=True).alias("__line")
    return result
