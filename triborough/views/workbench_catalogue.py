"""What the workbench's schema browser and editor know about the warehouse.

Column descriptions (the warehouse's own ``COMMENT ON``, else the council table contracts),
the few values a low-cardinality column takes, a searchable catalogue of tables, columns and
metrics, the editor's completions, and the text an "insert into query" puts in the editor.

Every name here comes from the warehouse or from a loaded file and is treated as hostile: it
reaches SQL only as a quoted identifier or a quoted literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import polars as pl

from triborough.model.contracts import CONTRACT_BY_NAME
from triborough.read.workbench import sql_literal

NO_DESCRIPTION = "no description"
# A column with at most this many distinct values has them listed; above it, none are.
DISTINCT_LIMIT = 25
# Types whose values are worth listing: a count of distinct numbers says little.
_LISTED_TYPES = ("VARCHAR", "BOOLEAN")
_SIMPLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# DuckDB's reserved words: a bare name equal to one needs quotes. Read from the engine once
# (cheap, and always the running version's list), with a short fallback for safety.
_FALLBACK_RESERVED = frozenset(
    {"select", "from", "where", "group", "order", "limit", "table", "column", "user", "end"}
)


def reserved_words(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """DuckDB's reserved keywords (names that must be quoted to be used as identifiers)."""
    cur = con.cursor()
    try:
        rows = cur.sql(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    except duckdb.Error:
        return _FALLBACK_RESERVED
    finally:
        cur.close()
    return frozenset(str(r[0]).lower() for r in rows) | _FALLBACK_RESERVED


def quote_identifier(name: str, reserved: frozenset[str] = _FALLBACK_RESERVED) -> str:
    """``name`` as SQL: bare when it is a plain lower-case word, else double-quoted."""
    if _SIMPLE_NAME.match(name) and name not in reserved:
        return name
    return '"' + name.replace('"', '""') + '"'


def contract_description(table: str, column: str) -> str | None:
    """A council table column's meaning from its contract (None for other tables)."""
    contract = CONTRACT_BY_NAME.get(table)
    if contract is None:
        return None
    return next((c.description for c in contract.columns if c.name == column), None)


def described(schema: pl.DataFrame) -> pl.DataFrame:
    """The schema overview with every column description filled: the warehouse's comment,
    else the council contract's words, else ``NO_DESCRIPTION``; tables likewise."""
    if schema.is_empty():
        return schema
    from_contract = [
        contract_description(t, c)
        for t, c in zip(schema["table_name"].to_list(), schema["column_name"].to_list(),
                        strict=True)
    ]
    return schema.with_columns(
        pl.col("column_description")
        .fill_null(pl.Series(from_contract, dtype=pl.String))
        .fill_null(NO_DESCRIPTION),
        pl.col("table_description").fill_null(NO_DESCRIPTION),
    )


def _relation(table: str) -> str:
    # Names from the overview are 'name' (schema main) or 'schema.name'.
    parts = table.split(".", 1)
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def distinct_values(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
    limit: int = DISTINCT_LIMIT,
) -> dict[str, list[object]]:
    """Column -> its distinct values (most frequent first), for the text and yes/no columns of
    ``table`` with at most ``limit`` of them; ``columns`` maps name to DuckDB type.

    Cheap and bounded: one pass with HyperLogLog estimates (fixed memory per column) picks
    the candidates, and only those are grouped exactly, each capped at ``limit + 1`` groups.
    The connection's own time and memory limits apply; a table that cannot be read gives {}.
    """
    wanted = [c for c, t in columns.items() if t.upper() in _LISTED_TYPES]
    if not wanted:
        return {}
    relation = _relation(table)
    cur = con.cursor()
    try:
        estimates = cur.sql(
            "select " + ", ".join(f"approx_count_distinct({_relation(c)})" for c in wanted)
            + f" from {relation}"
        ).fetchall()[0]
        out: dict[str, list[object]] = {}
        for column, estimate in zip(wanted, estimates or (), strict=False):
            # HyperLogLog can be a little under; the exact count below settles it.
            if estimate is None or estimate > limit * 2:
                continue
            col = _relation(column)
            rows = cur.sql(
                f"select {col} from {relation} where {col} is not null group by {col}"
                f" order by count(*) desc, {col} limit {limit + 1}"
            ).fetchall()
            if 0 < len(rows) <= limit:
                out[column] = [r[0] for r in rows]
        return out
    except duckdb.Error:
        return {}
    finally:
        cur.close()


def values_text(values: list[object]) -> str:
    """Distinct values as the analyst would type them: ``'London Borough', 'Region'``."""
    return ", ".join(sql_literal(v) for v in values)


@dataclass(frozen=True)
class CatalogueEntry:
    """One searchable thing: a table, a column or a metric, and what inserting it types."""

    kind: str  # 'table', 'column' or 'metric'
    name: str
    detail: str
    insert: str


def catalogue_entries(
    schema: pl.DataFrame, metrics: pl.DataFrame, reserved: frozenset[str] = _FALLBACK_RESERVED
) -> list[CatalogueEntry]:
    """Tables, columns (as ``table.column``) and metrics, each with its insert text."""
    entries: list[CatalogueEntry] = []
    if not schema.is_empty():
        tables = schema.unique("table_name", keep="first", maintain_order=True)
        for row in tables.iter_rows(named=True):
            name = row["table_name"]
            entries.append(CatalogueEntry(
                "table", name, row["table_description"] or NO_DESCRIPTION,
                ".".join(quote_identifier(p, reserved) for p in name.split(".", 1)),
            ))
        for row in schema.iter_rows(named=True):
            entries.append(CatalogueEntry(
                "column", f"{row['table_name']}.{row['column_name']}",
                f"{row['column_type']} · {row['column_description'] or NO_DESCRIPTION}",
                quote_identifier(row["column_name"], reserved),
            ))
    if not metrics.is_empty() and "code" in metrics.columns:
        words = [metrics[c].to_list() if c in metrics.columns else [None] * metrics.height
                 for c in ("name", "unit", "definition")]
        for code, *about in zip(metrics["code"].to_list(), *words, strict=True):
            if code is None:
                continue
            detail = " · ".join(str(x) for x in about if x) or NO_DESCRIPTION
            entries.append(CatalogueEntry(
                "metric", str(code), detail, f"metric_code = {sql_literal(code)}"))
    return entries


def search(entries: list[CatalogueEntry], text: str, kinds: tuple[str, ...] = ()) -> list[
        CatalogueEntry]:
    """Entries whose name or detail holds every word of ``text`` (any case), names first."""
    words = [w for w in text.lower().split() if w]
    chosen = [e for e in entries if not kinds or e.kind in kinds]
    if not words:
        return chosen
    hits = [e for e in chosen
            if all(w in f"{e.name} {e.detail}".lower() for w in words)]
    return sorted(hits, key=lambda e: (not all(w in e.name.lower() for w in words), e.kind,
                                       e.name))


def completions(
    schema: pl.DataFrame, reserved: frozenset[str] = _FALLBACK_RESERVED
) -> list[dict[str, object]]:
    """The editor's completion list: every table and every column name (once each, with the
    tables it is in), as the Ace editor's completer takes them."""
    if schema.is_empty():
        return []
    out: list[dict[str, object]] = []
    for name in schema["table_name"].unique(maintain_order=True).to_list():
        out.append({"caption": name, "value": ".".join(
            quote_identifier(p, reserved) for p in name.split(".", 1)),
            "meta": "table", "score": 1000})
    by_column = (
        schema.group_by("column_name", maintain_order=True)
        .agg(pl.col("table_name").unique(maintain_order=True))
    )
    for column, tables in by_column.iter_rows():
        where = ", ".join(tables[:2]) + (f" +{len(tables) - 2}" if len(tables) > 2 else "")
        out.append({"caption": column, "value": quote_identifier(column, reserved),
                    "meta": f"column · {where}", "score": 900})
    return out


def insert_at(sql: str, text: str, cursor: dict[str, object] | None) -> str:
    """``sql`` with ``text`` inserted at the editor's cursor (row and column, from 0), or on a
    new line at the end when the cursor is unknown or outside the text."""
    lines = sql.split("\n")
    try:
        row = int(cursor["row"]) if cursor else -1  # type: ignore[arg-type]
        column = int(cursor["column"]) if cursor else -1  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        row = column = -1
    if 0 <= row < len(lines) and 0 <= column <= len(lines[row]):
        line = lines[row]
        before, after = line[:column], line[column:]
        pad = " " if before and not before.endswith((" ", "(", "\t")) else ""
        tail = " " if after and not after.startswith((" ", ")", ",")) else ""
        lines[row] = before + pad + text + tail + after
        return "\n".join(lines)
    joiner = "" if not sql or sql.endswith(("\n", " ")) else " "
    return sql + joiner + text


def table_entries(table: str, columns: pl.DataFrame, values: dict[str, list[object]],
                  reserved: frozenset[str] = _FALLBACK_RESERVED) -> list[CatalogueEntry]:
    """What the schema browser offers to insert for one table: the table, each column, and
    each ``column = 'value'`` of a column whose few values are listed."""
    entries = [CatalogueEntry("table", table, "", ".".join(
        quote_identifier(p, reserved) for p in table.split(".", 1)))]
    for name in columns["column_name"].to_list():
        column = quote_identifier(name, reserved)
        entries.append(CatalogueEntry("column", name, "", column))
        entries.extend(
            CatalogueEntry("value", f"{name} = {sql_literal(v)}", "",
                           f"{column} = {sql_literal(v)}")
            for v in values.get(name, []))
    return entries
