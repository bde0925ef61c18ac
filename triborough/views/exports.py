"""Downloads that carry their metadata: CSV, Parquet and Excel from a polars frame.

Every page's download goes through here, so a file always says what it holds (the query or
filters, when it was made, the source) wherever it ends up, and every file is safe to open:

- each format has a budget (bytes for all, cells for Excel) checked *before* the file is made;
  :func:`refusal` gives the reason a page shows instead of the button;
- a CSV text cell that a spreadsheet would run as a formula is neutralised as OWASP advises
  (:func:`neutralise_csv_text`), here and nowhere else;
- text longer than an Excel cell holds is cut with a visible mark, never silently.
"""

from __future__ import annotations

import io
import json
import re

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from triborough.settings import get_settings

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
CUT_MARK = " … (cut: an Excel cell holds 32,767 characters)"
_NESTED = (pl.List, pl.Array, pl.Struct, pl.Object)

# OWASP CSV injection: a cell starting with = + - @ tab or CR is read as a formula by Excel,
# LibreOffice and Sheets. Such text gets a leading apostrophe. Text that already starts with
# apostrophes before one of those characters gets one more, so reading back is exact.
_FORMULA_START = r"^'*[=+\-@\t\r]"
# A plain number written as text (say '-12.5') is not a formula and stays as it is.
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NEUTRALISED = r"^'+[=+\-@\t\r]"

FORMATS = {"csv": "CSV", "parquet": "Parquet", "xlsx": "Excel"}


class ExportTooLarge(ValueError):
    """A download would break its budget; the message says why, in plain words."""


def neutralise_csv_text(value: str) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula (OWASP's advice)."""
    if re.match(_FORMULA_START, value) and not re.match(_PLAIN_NUMBER, value):
        return "'" + value
    return value


def _neutralised(expr: pl.Expr) -> pl.Expr:
    """:func:`neutralise_csv_text` over a text column, vectorised."""
    risky = expr.str.contains(_FORMULA_START) & ~expr.str.contains(_PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)


def estimated_bytes(df: pl.DataFrame) -> int:
    """About how many bytes the frame's values take (the size of its CSV, give or take)."""
    return int(df.estimated_size())


def refusal(df: pl.DataFrame, fmt: str) -> str | None:
    """Why ``df`` may not be downloaded as ``fmt`` ('csv', 'parquet', 'xlsx'); None if it may.

    Budgets come from the settings ``download_max_bytes`` and ``excel_max_cells``.
    """
    settings = get_settings()
    if fmt == "xlsx":
        cells = df.height * max(df.width, 1)
        if cells > settings.excel_max_cells or df.height >= EXCEL_MAX_ROWS:
            return (
                f"Excel is offered for results up to {settings.excel_max_cells:,} cells; this "
                f"one has {cells:,} ({df.height:,} rows × {df.width:,} columns). Download CSV "
                "or Parquet, or narrow the query."
            )
    size = estimated_bytes(df)
    if size > settings.download_max_bytes:
        return (
            f"{FORMATS[fmt]} downloads are limited to {settings.download_max_bytes / 1e6:,.0f} "
            f"MB; this result holds about {size / 1e6:,.0f} MB. Narrow the query or select "
            "fewer columns."
        )
    return None


def _within_budget(df: pl.DataFrame, fmt: str) -> None:
    reason = refusal(df, fmt)
    if reason:
        raise ExportTooLarge(reason)


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns as JSON text: CSV and Excel cells hold one value each."""
    nested = [name for name, dtype in df.schema.items() if isinstance(dtype, _NESTED)]
    if not nested:
        return df
    return df.with_columns(
        pl.Series(
            name,
            [None if v is None else json.dumps(v, default=str) for v in df[name].to_list()],
            dtype=pl.String,
        )
        for name in nested
    )


def _comment_lines(metadata: dict[str, str]) -> str:
    lines = []
    for key, value in metadata.items():
        first, *rest = str(value).splitlines() or [""]
        lines.append(f"# {key}: {first}")
        # A multi-line value (a query) continues on indented comment lines.
        lines.extend(f"#   {line}" for line in rest)
    return "".join(line + "\n" for line in lines)


def to_csv_bytes(df: pl.DataFrame, metadata: dict[str, str]) -> bytes:
    """UTF-8 CSV: metadata first as ``# key: value`` lines, then a header row and the data.

    Text cells and column names that a spreadsheet would run as formulas are neutralised;
    numbers (negative ones too) stay numbers. Raises ExportTooLarge over the byte budget.
    """
    _within_budget(df, "csv")
    flat = _flat(df)
    text = [n for n, t in flat.schema.items() if t in (pl.String, pl.Categorical, pl.Enum)]
    flat = flat.with_columns(_neutralised(pl.col(n).cast(pl.String)).alias(n) for n in text)
    flat = flat.rename({n: neutralise_csv_text(n) for n in flat.columns})
    return (_comment_lines(metadata) + flat.write_csv()).encode("utf-8")


def read_csv_bytes(data: bytes) -> tuple[pl.DataFrame, dict[str, str]]:
    """Read back what :func:`to_csv_bytes` wrote: the frame and its metadata."""
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    metadata: dict[str, str] = {}
    key = None
    used = 0
    for line in lines:
        if not line.startswith("#"):
            break
        used += 1
        content = line.rstrip("\r\n")
        if content.startswith("#   ") and key is not None:
            metadata[key] += "\n" + content[4:]
        else:
            key, _, value = content[2:].partition(": ")
            metadata[key] = value
    # Skip exactly the metadata lines; a '#' inside the data stays data.
    frame = pl.read_csv(io.StringIO("".join(lines[used:])), try_parse_dates=True)
    # Undo exactly one apostrophe that to_csv_bytes added.
    text = [n for n, t in frame.schema.items() if t == pl.String]
    frame = frame.with_columns(
        pl.when(pl.col(n).str.contains(_NEUTRALISED)).then(pl.col(n).str.slice(1))
        .otherwise(pl.col(n)).alias(n) for n in text
    )
    names = {n: n[1:] if re.match(_NEUTRALISED, n) else n for n in frame.columns}
    return frame.rename(names), metadata


def to_parquet_bytes(df: pl.DataFrame, metadata: dict[str, str]) -> bytes:
    """Parquet with ``metadata`` in the file's key-value metadata (beside Arrow's own schema).

    Raises ExportTooLarge over the byte budget.
    """
    _within_budget(df, "parquet")
    table = df.to_arrow()
    merged = {
        **(table.schema.metadata or {}),
        **{k.encode(): str(v).encode() for k, v in metadata.items()},
    }
    table = table.replace_schema_metadata(merged)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def parquet_metadata(data: bytes) -> dict[str, str]:
    """The key-value metadata of a Parquet file made by :func:`to_parquet_bytes`."""
    schema = pq.read_schema(pa.BufferReader(data))
    return {
        k.decode(): v.decode() for k, v in (schema.metadata or {}).items() if k != b"ARROW:schema"
    }


def _cell_text(value: str) -> str:
    if len(value) <= EXCEL_MAX_CELL_CHARS:
        return value
    return value[: EXCEL_MAX_CELL_CHARS - len(CUT_MARK)] + CUT_MARK


def _cut_long_text(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Text over an Excel cell's limit cut with :data:`CUT_MARK`; cells cut per column."""
    keep = EXCEL_MAX_CELL_CHARS - len(CUT_MARK)
    text = [n for n, t in df.schema.items() if t == pl.String]
    if not text:
        return df, {}
    too_long = df.select((pl.col(n).str.len_chars() > EXCEL_MAX_CELL_CHARS).sum() for n in text)
    cut = {n: int(too_long[n][0]) for n in text if too_long[n][0]}
    if not cut:
        return df, {}
    return df.with_columns(
        pl.when(pl.col(n).str.len_chars() > EXCEL_MAX_CELL_CHARS)
        .then(pl.col(n).str.slice(0, keep) + pl.lit(CUT_MARK))
        .otherwise(pl.col(n))
        .alias(n)
        for n in cut
    ), cut


def to_xlsx_bytes(df: pl.DataFrame, metadata: dict[str, str]) -> bytes:
    """An Excel workbook: a 'Data' sheet with the frame and an 'About' sheet with the metadata.

    Raises ExportTooLarge over the cell or byte budget. Text too long for a cell ends in
    :data:`CUT_MARK`, and the About sheet counts the cells cut in each column.
    """
    _within_budget(df, "xlsx")
    buffer = io.BytesIO()
    # Text stays text: a value such as '=HYPERLINK(...)' must not become a live formula or link
    # in a file people pass around.
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    data, cut = _cut_long_text(_flat(df))
    # Excel has no time zones: write the wall-clock time in UTC, and say so in About.
    zoned = [n for n, t in data.schema.items() if isinstance(t, pl.Datetime) and t.time_zone]
    if zoned:
        data = data.with_columns(
            pl.col(n).dt.convert_time_zone("UTC").dt.replace_time_zone(None) for n in zoned
        )
    data.write_excel(workbook=workbook, worksheet="Data", autofit=data.width <= 50)
    about = workbook.add_worksheet("About")
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    about.set_column(0, 0, 18)
    about.set_column(1, 1, 100)
    rows = dict(metadata)
    if zoned:
        rows["times"] = f"columns {', '.join(zoned)} are in UTC"
    if cut:
        rows["cut"] = "text longer than an Excel cell holds, marked where cut: " + ", ".join(
            f"{n} ({k:,} cell{'s' if k > 1 else ''})" for n, k in cut.items()
        )
    for i, (key, value) in enumerate(rows.items()):
        about.write_string(i, 0, str(key), bold)
        about.write_string(i, 1, _cell_text(str(value)), wrap)
    workbook.close()
    return buffer.getvalue()
