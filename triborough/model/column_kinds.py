"""The kinds of value a council table's column holds, each declared once: its DuckDB and polars
types, how text becomes a value (in polars for the detailed check, in DuckDB for the one-pass
check of plain files), and how its rule reads in words.

:mod:`triborough.model.contracts` (the warehouse types and the rule text of the docs and the
page), :mod:`triborough.warehouse.validation` and
:mod:`triborough.warehouse.validation_duckdb` all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
NUMBER = r"^-?£?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$"
WHOLE = r"^-?(\d{1,3}(,\d{3})+|\d+)$"


def _text(raw: pl.Expr) -> pl.Expr:
    return raw


def _borough(raw: pl.Expr) -> pl.Expr:
    return raw.str.to_uppercase()


def _enum(raw: pl.Expr) -> pl.Expr:
    return raw.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def _number(pattern: str, dtype: pl.DataType) -> Callable[[pl.Expr], pl.Expr]:
    def convert(raw: pl.Expr) -> pl.Expr:
        brackets = raw.str.contains(r"^\(.*\)$")  # accounting style (1,234) is negative
        body = pl.when(brackets).then(pl.lit("-") + raw.str.strip_chars("()")).otherwise(raw)
        return pl.when(body.str.contains(pattern)).then(
            body.str.replace_all(r"[,£]", "").cast(dtype, strict=False))
    return convert


def _date(raw: pl.Expr) -> pl.Expr:
    iso = raw.str.replace(r"^(\d{4}-\d{1,2})$", "$1-01").str.replace(r"[ T]00:00(:00)?$", "")
    return pl.coalesce(iso.str.to_date("%Y-%m-%d", strict=False),
                       iso.str.to_date("%d/%m/%Y", strict=False))


def _financial_year(raw: pl.Expr) -> pl.Expr:
    parts = raw.str.extract_groups(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
    start = parts.struct.field("1").cast(pl.Int64, strict=False)
    end = parts.struct.field("2").cast(pl.Int64, strict=False)
    label = start.cast(pl.Utf8) + "-" + ((start + 1) % 100).cast(pl.Utf8).str.zfill(2)
    return pl.when((end == (start + 1) % 100) | (end == start + 1)).then(label)


def _boolean(raw: pl.Expr) -> pl.Expr:
    low = raw.str.to_lowercase()
    return pl.when(low.is_in(TRUE_WORDS)).then(True).when(low.is_in(FALSE_WORDS)).then(False)


_DATE_SQL = ("case when {v}[3] = '/' then try_strptime({v}, '%d/%m/%Y')::date "
             "else try_cast({v} as date) end")
_BOOLEAN_SQL = (f"case when lower({{v}}) in {TRUE_WORDS!r} then true "
                f"when lower({{v}}) in {FALSE_WORDS!r} then false end")


@dataclass(frozen=True)
class Kind:
    """One kind of column value.

    ``plain`` is the RE2 pattern of the forms the one-pass DuckDB check reads itself (anything
    else goes to the detailed check; empty where the value is read as it is: text, unless it
    starts or ends with a space, and codes, in their canonical spelling only);
    ``duckdb_value`` turns such text (``{v}``) into the value
    exactly as ``convert`` does in polars. ``few_values``: columns that repeat a few values,
    converted once per distinct value.
    """

    duckdb_type: str
    polars_type: pl.DataType
    convert: Callable[[pl.Expr], pl.Expr]
    plain: str
    duckdb_value: str
    words: tuple[str, ...] = ()
    few_values: bool = False


KINDS: dict[str, Kind] = {
    "text": Kind("VARCHAR", pl.Utf8, _text, "", "{v}"),
    "borough": Kind("VARCHAR", pl.Utf8, _borough, "", "{v}", few_values=True),
    "enum": Kind("VARCHAR", pl.Utf8, _enum, "", "{v}", few_values=True),
    "financial_year": Kind("VARCHAR", pl.Utf8, _financial_year, r"[0-9]{4}-[0-9]{2}",
                           "case when right({v}, 2) = lpad(((left({v}, 4)::integer + 1) % 100)"
                           "::varchar, 2, '0') then {v} end",
                           ("like 2015-16",), few_values=True),
    "integer": Kind("BIGINT", pl.Int64, _number(WHOLE, pl.Int64), r"-?[0-9]+",
                    "try_cast({v} as bigint)", ("whole number",)),
    "decimal": Kind("DOUBLE", pl.Float64, _number(NUMBER, pl.Float64),
                    r"-?[0-9]+(\.[0-9]+)?", "try_cast({v} as double)"),
    "boolean": Kind("BOOLEAN", pl.Boolean, _boolean, r"[A-Za-z0-9]+", _BOOLEAN_SQL,
                    ("true/false (yes/no, 1/0 accepted)",), few_values=True),
    "date": Kind("DATE", pl.Date, _date, r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}",
                 _DATE_SQL, ("dd/mm/yyyy or yyyy-mm-dd",), few_values=True),
    "month": Kind("DATE", pl.Date, _date, r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}",
                  _DATE_SQL, ("first day of a month", "dd/mm/yyyy or yyyy-mm-dd"),
                  few_values=True),
}
