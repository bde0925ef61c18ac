"""Downloads that carry their metadata: CSV, Parquet and Excel from a polars frame.

Every page's download goes through here, so a file always says what it holds (the query or
filters, when it was made, the source) wherever it ends up.
"""

from __future__ import annotations

import io
import json

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
_NESTED = (pl.List, pl.Array, pl.Struct, pl.Object)


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
    """UTF-8 CSV: metadata first as ``# key: value`` lines, then a header row and the data."""
    body = _flat(df).write_csv()
    return (_comment_lines(metadata) + body).encode("utf-8")


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
    return frame, metadata


def to_parquet_bytes(df: pl.DataFrame, metadata: dict[str, str]) -> bytes:
    """Parquet with ``metadata`` in the file's key-value metadata (beside Arrow's own schema)."""
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
    note = " … (cut: an Excel cell holds 32,767 characters)"
    return value[: EXCEL_MAX_CELL_CHARS - len(note)] + note


def to_xlsx_bytes(df: pl.DataFrame, metadata: dict[str, str]) -> bytes:
    """An Excel workbook: a 'Data' sheet with the frame and an 'About' sheet with the metadata."""
    if df.height >= EXCEL_MAX_ROWS:
        raise ValueError(f"{df.height:,} rows do not fit on one Excel sheet")
    buffer = io.BytesIO()
    # Text stays text: a value such as '=HYPERLINK(...)' must not become a live formula or link
    # in a file people pass around.
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    data = _flat(df)
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
    for i, (key, value) in enumerate(rows.items()):
        about.write_string(i, 0, str(key), bold)
        about.write_string(i, 1, _cell_text(str(value)), wrap)
    workbook.close()
    return buffer.getvalue()
