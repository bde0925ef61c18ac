"""Check a council extract against its contract, whole-file and vectorised.

Every problem is reported (file, line, column, rule), not just the first; checks run as polars
expressions over whole columns so a million-row file is checked in seconds. The result also
carries the typed rows ready to load when the file is clean.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from triborough.access.auth import Person
from triborough.model.boroughs import BOROUGH_CODES, borough_name
from triborough.model.column_kinds import KINDS
from triborough.model.contracts import CONTRACT_BY_NAME, CONTRACTS, Column, Contract
from triborough.warehouse.validation_duckdb import read_plain

Progress = Callable[[float, str], None]
MAX_LISTED = 200  # violations listed in full; the total is always given

# Rule names, as they appear in messages (tests match on them).
EMPTY = "empty file"
NO_ROWS = "no data rows"
BINARY = "binary file"
ENCODING = "unreadable text"
MIXED_ENCODING = "mixed encodings"
UNKNOWN_TABLE = "unknown table"
MISSING_COLUMN = "missing column"
UNKNOWN_COLUMN = "unknown column"
DUPLICATE_COLUMN = "duplicate column"
QUOTES = "unbalanced quotes"
NOT_CSV = "not a CSV file"
FIELDS = "wrong number of fields"
REQUIRED = "missing value"
NOT_NUMBER = "not a number"
NOT_WHOLE = "not a whole number"
NEGATIVE = "negative value"
BELOW_MIN = "below minimum"
ABOVE_MAX = "above maximum"
UNKNOWN_BOROUGH = "unknown borough"
UNKNOWN_VALUE = "unknown value"
UNKNOWN_METRIC = "unknown metric"
NOT_DATE = "not a date"
NOT_FIRST = "not the first of a month"
NOT_FY = "not a financial year"
OUT_OF_RANGE = "out of range"
NOT_BOOLEAN = "not true or false"
EXCEEDS = "exceeds another column"
BEFORE = "before another column"
DUPLICATE_KEY = "duplicate key"
TOO_LONG = "too long"

SHOWN_CHARS = 80  # longest value quoted back in a message; the rest is summarised
LINES_NAMED = 10  # lines named in a whole-file message; the count is always given
MARKUP = "markup in text"

_VIOLATION_SCHEMA = {"line": pl.Int64, "column": pl.Utf8, "rule": pl.Utf8, "detail": pl.Utf8,
                     "value": pl.Utf8}


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (file, line, column) and which rule."""

    file: str
    line: int | None
    column: str | None
    rule: str
    detail: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.rule}: {self.detail}"


@dataclass
class Validation:
    """The outcome of checking one file."""

    file: str
    sha256: str
    table: str | None = None
    rows: int = 0
    violations: list[Violation] = field(default_factory=list)  # first MAX_LISTED, by line
    total_violations: int = 0
    notes: list[str] = field(default_factory=list)  # conversions made, said plainly
    frame: pl.DataFrame | None = None  # typed contract columns, when ok
    lines: pl.Series | None = None  # the file line of each row of ``frame``

    @property
    def ok(self) -> bool:
        """True when the file broke no rule."""
        return self.total_violations == 0

    def report(self) -> str:
        """Every listed violation on its own line, then the total."""
        lines = [str(v) for v in self.violations]
        if self.total_violations > len(self.violations):
            lines.append(f"... and {self.total_violations - len(self.violations)} more "
                         f"({self.total_violations} problems in all)")
        return "\n".join(lines)

    def as_frame(self) -> pl.DataFrame:
        """The listed violations as a table (for the page)."""
        return pl.DataFrame(
            [{"line": v.line, "column": v.column, "rule": v.rule, "detail": v.detail}
             for v in self.violations],
            schema={"line": pl.Int64, "column": pl.Utf8, "rule": pl.Utf8, "detail": pl.Utf8},
        )


class _Stop(Exception):
    """A file-level problem after which row checks make no sense."""

    def __init__(self, *violations: Violation):
        super().__init__(violations[0].detail)
        self.violations = violations


# ---------------------------------------------------------------------------------------------
# Bytes to text to records.


def shown(value: str) -> str:
    """A value short enough to quote in a message (a 50 MB field is summarised, not echoed)."""
    if len(value) <= SHOWN_CHARS:
        return value
    return f"{value[:SHOWN_CHARS]}… ({len(value):,} characters)"


def _line_list(lines: list[int]) -> str:
    named = ", ".join(str(n) for n in lines[:LINES_NAMED])
    more = len(lines) - LINES_NAMED
    return named + (f" and {more:,} more" if more > 0 else "")


def _decode_utf16(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
        line = before.count("\n") + 1
        if exc.reason == "truncated data":
            detail = ("UTF-16 text has an odd number of bytes: the file is cut off in its "
                      "last character")
        else:
            detail = (f"not valid UTF-16 ({exc.reason}): half of a surrogate pair on its own "
                      "is not a character")
        raise _Stop(Violation(name, line, None, ENCODING, detail)) from None


def _mixed_encoding(raw: bytes, name: str) -> None:
    """Refuse a file whose lines mix UTF-8 with another encoding (read whole as Windows-1252,
    its UTF-8 lines would be stored as mojibake such as 'CafÃ© Ltd Â£')."""
    utf8, other = [], []
    for match in re.finditer(rb"[^\n]*[\x80-\xff][^\n]*", raw):
        line = raw.count(b"\n", 0, match.start()) + 1
        try:
            match.group().decode("utf-8")
        except UnicodeDecodeError:
            other.append(line)
        else:
            utf8.append(line)
    if utf8 and other:
        raise _Stop(Violation(
            name, other[0], None, MIXED_ENCODING,
            f"line(s) {_line_list(utf8)} are UTF-8 but line(s) {_line_list(other)} are not; "
            "save the whole file in one encoding (UTF-8)"))


def decode(raw: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 (said in notes).

    Refuses NUL characters in any encoding, invalid UTF-16, and files mixing UTF-8 lines with
    lines in another encoding.
    """
    notes: list[str] = []
    if not raw.strip():
        raise _Stop(Violation(name, None, None, EMPTY, "the file has no content"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append("read as UTF-16 (byte order mark found)")
        text = _decode_utf16(raw, name)
    else:
        if b"\x00" in raw:
            line = raw[: raw.index(b"\x00")].count(b"\n") + 1
            raise _Stop(Violation(name, line, None, BINARY,
                                  "the file contains NUL bytes: it is not a CSV text file"))
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
            notes.append("UTF-8 byte order mark removed")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            _mixed_encoding(raw, name)
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                line = raw[: exc.start].count(b"\n") + 1
                raise _Stop(Violation(name, line, None, ENCODING,
                                      "neither UTF-8 nor Windows-1252 text")) from None
            notes.append("converted from Windows-1252 to UTF-8")
    if "\x00" in text:  # a NUL in UTF-16 decodes to a character like any other
        line = text[: text.index("\x00")].count("\n") + 1
        raise _Stop(Violation(name, line, None, BINARY,
                              "the file contains NUL characters: it is not a CSV text file"))
    if "\r" in text:
        notes.append("Windows (CRLF) line ends read")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, notes


def split_records(text: str, name: str) -> pl.DataFrame:
    """Physical lines grouped into CSV records: columns ``line`` (first line) and ``text``.

    A record continues onto the next line while a quoted field is open (an odd number of
    quote characters so far), as RFC 4180 allows.
    """
    lines = pl.DataFrame({"text": pl.Series(text.split("\n"), dtype=pl.Utf8)}).with_columns(
        line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    )
    if '"' not in text:  # the common case: one record per line
        return lines.select("line", "text")
    quotes = pl.col("text").str.count_matches('"', literal=True)
    lines = lines.with_columns(open_before=((quotes.cum_sum() - quotes) % 2 == 1))
    if lines["open_before"].any():
        lines = lines.with_columns(record=(~pl.col("open_before")).cum_sum())
        records = lines.group_by("record", maintain_order=True).agg(
            pl.col("line").first(), pl.col("text").str.join("\n")
        ).drop("record")
    else:
        records = lines.select("line", "text")
    total_quotes = int(lines.select(quotes.sum()).item() or 0)
    if total_quotes % 2:
        last = int(records["line"][-1])
        raise _Stop(Violation(name, last, None, QUOTES,
                              "a quoted field opened here is never closed"))
    return records


def _header(record: str, name: str) -> list[str]:
    try:
        names = next(csv.reader([record]))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        limit = csv.field_size_limit()
        detail = (f"a header field is longer than {limit:,} characters"
                  if "field larger" in str(exc) else f"the header cannot be read ({exc})")
        raise _Stop(Violation(name, 1, None, NOT_CSV, detail)) from None
    return [re.sub(r"[\s\-]+", "_", n.strip().strip("\ufeff").lower()) for n in names]


def detect_table(header: Iterable[str], name: str, table: str | None = None) -> Contract:
    """The contract a header belongs to (or the one named); refuses when it cannot tell."""
    if table:
        if table not in CONTRACT_BY_NAME:
            raise _Stop(Violation(name, None, None, UNKNOWN_TABLE,
                                  f"no table called {table!r}; tables: "
                                  + ", ".join(CONTRACT_BY_NAME)))
        return CONTRACT_BY_NAME[table]
    cols = set(header)
    scored = sorted(
        ((len(cols & set(c.column_names)) / len(cols | set(c.column_names)), c.name)
         for c in CONTRACTS),
        reverse=True,
    )
    best_score, best = scored[0]
    if best_score < 0.5 or (len(scored) > 1 and scored[1][0] == best_score):
        raise _Stop(Violation(name, 1, None, UNKNOWN_TABLE,
                              "the header matches no table's columns; name the table with "
                              "--table (tables: " + ", ".join(CONTRACT_BY_NAME) + ")"))
    return CONTRACT_BY_NAME[best]


# ---------------------------------------------------------------------------------------------
# Column checks. Values are converted once (``_convert``); checks then compare the converted
# column with the cleaned text kept beside it as ``__raw_<name>``.

Check = tuple[str, pl.Expr, str, str]  # column, failed-mask expression, rule, detail


def _cleaned(col: str) -> pl.Expr:
    text = pl.col(col).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _raw(name: str) -> str:
    return f"__raw_{name}"


def _convert(column: Column) -> pl.Expr:
    """The typed value of a column from its cleaned text (null where it cannot be read)."""
    return KINDS[column.kind].convert(pl.col(_raw(column.name)))


def _with_converted(frame: pl.DataFrame, column: Column) -> pl.DataFrame:
    """Add the column's typed value beside its cleaned text (``__raw_<name>``)."""
    if not KINDS[column.kind].few_values:
        return frame.with_columns(_convert(column).alias(column.name))
    raw = _raw(column.name)
    distinct = frame.select(pl.col(raw).unique()).with_columns(
        _convert(column).alias(column.name))
    return frame.join(distinct, on=raw, how="left", nulls_equal=True, maintain_order="left")


def _checks(column: Column, metric_codes: frozenset[str]) -> list[Check]:
    """Every rule a column's values must keep, as masks over converted and raw columns."""
    name, kind = column.name, column.kind
    value, present = pl.col(name), pl.col(_raw(name)).is_not_null()
    unreadable = present & value.is_null()
    checks: list[Check] = []
    if column.required:
        checks.append((name, ~present, REQUIRED, "a value is required"))
    if kind == "borough":
        checks.append((name, present & ~value.is_in(BOROUGH_CODES), UNKNOWN_BOROUGH,
                       "not one of " + ", ".join(BOROUGH_CODES)))
    elif kind == "enum":
        checks.append((name, present & ~value.is_in(column.allowed), UNKNOWN_VALUE,
                       "not one of " + ", ".join(column.allowed)))
    elif kind in ("integer", "decimal"):
        whole = kind == "integer"
        checks.append((name, unreadable, NOT_WHOLE if whole else NOT_NUMBER,
                       "expected a whole number" if whole else "expected a number"))
        if column.minimum is not None:
            checks.append((name, value < column.minimum,
                           NEGATIVE if column.minimum == 0 else BELOW_MIN,
                           f"must be at least {column.minimum:g}"))
        if column.maximum is not None:
            checks.append((name, value > column.maximum, ABOVE_MAX,
                           f"must be at most {column.maximum:g}"))
    elif kind in ("date", "month"):
        checks.append((name, unreadable, NOT_DATE,
                       "expected a date as dd/mm/yyyy or yyyy-mm-dd"))
        if kind == "month":
            checks.append((name, value.dt.day() != 1, NOT_FIRST,
                           "a month is given by its first day, e.g. 01/04/2015"))
        lo, hi = (pl.lit(column.minimum).str.to_date(), pl.lit(column.maximum).str.to_date())
        checks.append((name, (value < lo) | (value > hi), OUT_OF_RANGE,
                       f"must be between {column.minimum} and {column.maximum}"))
    elif kind == "financial_year":
        checks.append((name, unreadable, NOT_FY, "expected a financial year such as 2015-16"))
        checks.append((name, (value < str(column.minimum)) | (value > str(column.maximum)),
                       OUT_OF_RANGE, f"must be between {column.minimum} and {column.maximum}"))
    elif kind == "boolean":
        checks.append((name, unreadable, NOT_BOOLEAN, "expected true or false"))
    elif name == "metric_code":
        checks.append((name, present & ~value.is_in(sorted(metric_codes)), UNKNOWN_METRIC,
                       "not a metric in the catalogue (dim_metric)"))
    if kind == "text" and column.max_length is not None:
        checks.append((name, value.str.len_chars() > column.max_length, TOO_LONG,
                       f"at most {column.max_length:,} characters"))
    if kind == "text":
        # Loaded names reach chart labels, where Plotly turns <a href=...> into a live link.
        checks.append((name, value.str.contains(r"<[A-Za-z/!]"), MARKUP,
                       "HTML tags are not allowed in text (a '<' before a letter, '/' or '!')"))
    if column.not_above:
        checks.append((name, value > pl.col(column.not_above), EXCEEDS,
                       f"is more than {column.not_above}"))
    if column.not_before:
        checks.append((name, value < pl.col(column.not_before), BEFORE,
                       f"is before {column.not_before}"))
    return checks


def _violations(frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """One row per failed check; all masks are evaluated in one pass over the frame."""
    if not checks:
        return pl.DataFrame(schema=_VIOLATION_SCHEMA)
    masks = frame.select(
        [m.fill_null(False).alias(f"__m{i}") for i, (_, m, _, _) in enumerate(checks)]
    )
    parts = []
    for i, (col, _, rule, detail) in enumerate(checks):
        hit = masks[f"__m{i}"]
        if not hit.any():
            continue
        parts.append(frame.filter(hit).select(
            line=pl.col("__line"), column=pl.lit(col), rule=pl.lit(rule),
            detail=pl.lit(detail), value=pl.col(_raw(col)),
        ))
    return pl.concat(parts) if parts else pl.DataFrame(schema=_VIOLATION_SCHEMA)


def _row_checks(
    raw: pl.DataFrame, contract: Contract, metric_codes: frozenset[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame and violations for every value, cross-column rule and key."""
    present = [c for c in contract.columns if c.name in raw.columns]
    names = {c.name for c in present}
    typed = raw.select(pl.col("__line"), *[_cleaned(c.name).alias(_raw(c.name))
                                          for c in present])
    for c in present:
        typed = _with_converted(typed, c)
    checks = [
        check for c in present for check in _checks(c, metric_codes)
        if not ({c.not_above, c.not_before} - {None}) - names  # cross checks need both
    ]
    found = _violations(typed, checks)
    typed = typed.select("__line", *[c.name for c in present])
    if all(k in typed.columns for k in contract.key):
        found = pl.concat([found, _duplicate_keys(typed, contract.key)])
    return typed, found


def _duplicate_keys(typed: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """Every row whose key repeats an earlier row's, naming the earlier line."""
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    # Hash first (cheap), then compare the few rows whose hashes collide exactly.
    maybe = typed.filter(pl.struct(key).hash().is_duplicated() & complete)
    dup = maybe.filter(pl.struct(key).is_duplicated())
    if dup.height == 0:
        return pl.DataFrame(schema=_VIOLATION_SCHEMA)
    first = dup.group_by(key).agg(pl.col("__line").min().alias("__first"))
    dup = dup.join(first, on=list(key)).filter(pl.col("__line") != pl.col("__first"))
    return dup.select(
        line=pl.col("__line"), column=pl.lit(", ".join(key)), rule=pl.lit(DUPLICATE_KEY),
        detail=pl.lit(f"the same {', '.join(key)} as line ") + pl.col("__first").cast(pl.Utf8),
        value=pl.lit(None, pl.Utf8),
    )


# ---------------------------------------------------------------------------------------------
# The whole file.


def validate_bytes(
    raw: bytes,
    name: str,
    table: str | None = None,
    metric_codes: Iterable[str] = (),
    progress: Progress | None = None,
) -> Validation:
    """Check a file's bytes against its contract; see :func:`validate_file`."""
    say = progress or (lambda _f, _m: None)
    result = Validation(file=name, sha256=hashlib.sha256(raw).hexdigest())
    say(0.05, f"{name}: reading")
    sound = _one_pass(raw, name, table, metric_codes, say)
    if sound is not None:
        return sound
    try:
        text, result.notes = decode(raw, name)
        text = text.rstrip("\n \t")  # trailing blank lines are common in exports: not errors
        records = split_records(text, name)
        header = _header(records["text"][0], name)
        contract = detect_table(header, name, table)
        result.table = contract.name
        say(0.2, f"{name}: checking columns against {contract.name}")
        problems = _header_problems(header, contract, name)
        body = records.slice(1)
        if body.height == 0:
            raise _Stop(*problems, Violation(name, None, None, NO_ROWS,
                                             "the file has a header but no rows"))
        frame = _parse(text, header, body, name)
        say(0.4, f"{name}: checking {frame.height:,} rows")
        found = _field_count_problems(body, len(header), name)
        # Rows with the wrong number of fields are reported once, not checked field by field;
        # blank rows (empty, or only commas as spreadsheets save them) are skipped.
        blank = body["text"].str.strip_chars(" \t,") == ""
        skip = pl.concat([found["line"], body.filter(blank)["line"]])
        frame = frame.filter(~pl.col("__line").is_in(skip.implode()))
        if frame.height == 0 and found.height == 0:
            raise _Stop(*problems, Violation(name, None, None, NO_ROWS,
                                             "every row is blank"))
        known = frame.select("__line", *[c for c in contract.column_names if c in frame.columns])
        typed, row_found = _row_checks(known, contract, frozenset(metric_codes))
        found = pl.concat([found, row_found]).sort("line", "column", maintain_order=True)
        say(0.8, f"{name}: {found.height:,} problem(s) found")
        result.rows = typed.height
        result.total_violations = len(problems) + found.height
        listed = found.head(max(MAX_LISTED - len(problems), 0))
        result.violations = list(problems) + [
            Violation(name, r["line"], r["column"], r["rule"], _detail(r))
            for r in listed.iter_rows(named=True)
        ]
        if result.ok:
            result.frame = typed.drop("__line").with_columns(
                [pl.lit(None, _dtype(c)).alias(c.name) for c in contract.columns
                 if c.name not in typed.columns]
            ).select(contract.column_names)
            result.lines = typed["__line"]
    except _Stop as stop:
        result.violations = list(stop.violations)[:MAX_LISTED]
        result.total_violations = len(stop.violations)
    return result


def _one_pass(
    raw: bytes, name: str, table: str | None, metric_codes: Iterable[str], progress: Progress
) -> Validation | None:
    """The file read, typed and checked in one DuckDB pass when it is plain and sound
    (:mod:`triborough.warehouse.validation_duckdb`); None sends it through the detailed check."""
    first = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    try:
        header_text = first.decode("utf-8")
        if '"' in header_text or "\r" in header_text:
            return None
        header = _header(header_text, name)
        contract = detect_table(header, name, table)
    except (UnicodeDecodeError, _Stop):
        return None
    if _header_problems(header, contract, name):
        return None
    return read_plain(raw, name, contract, header, metric_codes, progress)


def validate_file(
    path: Path,
    table: str | None = None,
    metric_codes: Iterable[str] = (),
    progress: Progress | None = None,
) -> Validation:
    """Check a whole file against its contract (detected from the header unless ``table``).

    ``metric_codes`` are the catalogue codes a ``metric_code`` column may use.
    """
    return validate_bytes(path.read_bytes(), path.name, table, metric_codes, progress)


def _detail(row: dict) -> str:
    value = row.get("value")
    return row["detail"] if value is None else f"{row['detail']} (found {shown(value)!r})"


def _dtype(column: Column) -> pl.DataType:
    return KINDS[column.kind].polars_type


def _header_problems(header: list[str], contract: Contract, name: str) -> list[Violation]:
    problems = []
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Violation(name, 1, shown(col), DUPLICATE_COLUMN,
                                      "this column name appears more than once"))
        seen.add(col)
        if col not in contract.column_names:
            problems.append(Violation(name, 1, shown(col) or "(blank)", UNKNOWN_COLUMN,
                                      f"{contract.name} has no such column; expected "
                                      + ", ".join(contract.column_names)))
    for col in contract.required_columns:
        if col not in header:
            problems.append(Violation(name, 1, col, MISSING_COLUMN,
                                      f"{contract.name} needs this column"))
    return problems


def _parse(text: str, header: list[str], body: pl.DataFrame, name: str) -> pl.DataFrame:
    """All fields as text, one row per record, with the record's first line number."""
    names = [f"__c{i}" for i in range(len(header))]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode()), has_header=False, schema={n: pl.Utf8 for n in names},
            truncate_ragged_lines=True, quote_char='"', raise_if_empty=False,
        ).slice(1)
    except pl.exceptions.PolarsError as exc:
        raise _Stop(Violation(name, None, None, NOT_CSV,
                              f"the file cannot be read as CSV ({exc})")) from exc
    if frame.height != body.height:  # the records split did not agree with the CSV reader
        raise _Stop(Violation(name, None, None, QUOTES,
                              "quotes are not balanced, so rows cannot be told apart"))
    seen: set[str] = set()
    renamed = {}
    for n, h in zip(names, header, strict=True):
        if h and h not in seen:
            renamed[n] = h
            seen.add(h)
    return frame.select(list(renamed)).rename(renamed).with_columns(__line=body["line"])


def _field_count_problems(body: pl.DataFrame, expected: int, name: str) -> pl.DataFrame:
    commas = pl.col("text").str.count_matches(",", literal=True)
    counts = body.select("line", "text", fields=commas + 1).filter(
        pl.col("fields") != expected
    )
    # Only records with quotes can hide commas inside a field: recount just those.
    counts = counts.with_columns(
        fields=pl.when(pl.col("text").str.contains('"', literal=True))
        .then(pl.col("text").str.replace_all(r'"[^"]*"', "").str.count_matches(",") + 1)
        .otherwise(pl.col("fields"))
    ).filter((pl.col("fields") != expected) & (pl.col("text").str.strip_chars() != ""))
    return counts.select(
        line=pl.col("line"), column=pl.lit(None, pl.Utf8), rule=pl.lit(FIELDS),
        detail=pl.lit(f"expected {expected} fields, found ") + pl.col("fields").cast(pl.Utf8),
        value=pl.lit(None, pl.Utf8),
    )


# ---------------------------------------------------------------------------------------------
# The steward's borough limit, applied to what the checks found.


OUTSIDE_BOROUGHS = "outside your boroughs"


def limit_to_boroughs(person: Person, validations: Sequence[Validation]) -> None:
    """Refuse, line by line, every row of a borough the acting steward may not load.

    Each valid file with such rows gets one violation per row (so the file is refused whole and
    the page and CLI name the lines); nothing changes for an unlimited person.
    """
    if person.boroughs is None:
        return
    allowed = sorted(person.boroughs)
    names = " and ".join(borough_name(c) for c in allowed)
    for v in validations:
        if v.frame is None or v.lines is None:
            continue
        bad = (v.frame.select("borough_code").with_columns(line=v.lines)
               .filter(~pl.col("borough_code").is_in(allowed)))
        if bad.is_empty():
            continue
        v.violations = v.violations + [
            Violation(v.file, line, "borough_code", OUTSIDE_BOROUGHS,
                      f"a row for {borough_name(code)} ({code}); {person.name} may load only "
                      f"{names}", code)
            for code, line in bad.head(MAX_LISTED).iter_rows()
        ]
        v.total_violations += bad.height
        v.frame = None
