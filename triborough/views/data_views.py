"""Shapes for the Data and sources page: the quality grid, contract tables, status by borough."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.contracts import CONTRACTS, Contract
from triborough.views.exports import to_csv_bytes
from triborough.views.scorecard import POLARITY_WORDS
from triborough.warehouse.validation import (
    DUPLICATE_COLUMN,
    MISSING_COLUMN,
    UNKNOWN_COLUMN,
    UNKNOWN_TABLE,
    Validation,
)

# Problems with a file's header: the answer is the header the table expects.
HEADER_RULES = (MISSING_COLUMN, UNKNOWN_COLUMN, DUPLICATE_COLUMN, UNKNOWN_TABLE)

# What each cell of the metric x year grid shows.
QUALITY_MARKS: dict[str, str] = {
    "complete": "✓",
    "partial": "part",
    "gap": "gap",
    "outside span": "",
    "no figures": "–",
}
QUALITY_LEGEND = (
    "✓ every borough chosen has a figure · part: some do · gap: none do, inside the years "
    "the series covers (shown as a gap, never filled in) · blank: before the series starts or "
    "after it ends · –: no figures for these boroughs at all"
)


def quality_matrix(grid: pl.DataFrame) -> pl.DataFrame:
    """One row per metric, one column per year, marked ✓ / part / gap / blank, plus a count
    of gap years; ``grid`` is the ``quality_grid`` query's result."""
    if grid.is_empty():
        return pl.DataFrame()
    marked = grid.with_columns(
        mark=pl.col("status").replace_strict(QUALITY_MARKS, default=""),
        year=pl.col("year").cast(pl.Utf8),
        figures=pl.when(pl.col("is_illustrative")).then(pl.lit("illustrative"))
        .otherwise(pl.lit("published")),
    )
    gaps = marked.group_by("code").agg((pl.col("status") == "gap").sum().alias("gap years"))
    wide = marked.pivot(on="year", index=["domain", "name", "code", "figures"], values="mark")
    return (
        wide.join(gaps, on="code", how="left")
        .rename({"name": "metric"})
        .sort("domain", "metric")
    )


def contract_frame(contract: Contract) -> pl.DataFrame:
    """A contract's columns as a table: name, type, unit, rule and meaning."""
    return pl.DataFrame(
        {
            "column": [c.name for c in contract.columns],
            "type": [c.duckdb_type for c in contract.columns],
            "unit": [c.unit for c in contract.columns],
            "rule": [c.rule_text() for c in contract.columns],
            "meaning": [c.description for c in contract.columns],
        }
    )


def status_matrix(status: pl.DataFrame) -> pl.DataFrame:
    """Council table x borough: 'illustrative', 'loaded' or 'mixed (N loaded)'."""
    if status.is_empty():
        return pl.DataFrame()
    labelled = status.with_columns(
        label=pl.when(pl.col("status") == "mixed")
        .then(pl.format("mixed ({} of {} rows loaded)", pl.col("loaded_rows"),
                        pl.col("loaded_rows") + pl.col("illustrative_rows")))
        .otherwise(pl.col("status"))
    )
    order = (
        labelled.select("borough_code", "area_name").unique()
        .with_columns(rank=pl.col("borough_code").replace_strict(
            {c: i for i, c in enumerate(BOROUGH_CODES)}, default=len(BOROUGH_CODES)))
        .sort("rank", "area_name")["area_name"].to_list()
    )
    wide = labelled.pivot(on="area_name", index="table_name", values="label")
    return wide.select("table_name", *order).rename({"table_name": "table"})


def page_meta(what: str, source: str, now: dt.datetime | None = None) -> dict[str, str]:
    """Download header rows for the page's own tables (the catalogue, tables, loads)."""
    when = now or dt.datetime.now(dt.UTC)
    return {
        "figures": what,
        "source": source,
        "licence": "Catalogue text: Open Government Licence v3.0; see each row for figures",
        "downloaded_at": when.strftime("%Y-%m-%d %H:%M UTC"),
    }


def catalogue_table(catalogue: pl.DataFrame, domain: str | None) -> tuple[pl.DataFrame, str]:
    """The metric catalogue for one domain (None: all) as the page shows it, and its caption."""
    shown = catalogue if domain is None else catalogue.filter(pl.col("domain") == domain)
    caption = (
        f"{shown.height} metrics; {int(shown['is_illustrative'].sum())} of them illustrative "
        "(generated until a council loads its extract). Coverage counts the boroughs chosen "
        "in the sidebar."
    )
    return shown.select(
        "name", "domain", "figures", "unit",
        pl.col("polarity").replace_strict(POLARITY_WORDS, default=pl.col("polarity"))
        .alias("better when"),
        "first_period", "last_period", "periods", "definition", "publisher", "licence",
        "source_url", "code",
    ), caption


def audit_table(entries: list, limit: int = 500) -> pl.DataFrame:
    """The audit log's latest ``limit`` entries, latest first, one line each."""
    return pl.DataFrame(
        [{"at": e.at, "kind": e.kind, "who": e.actor, "outcome": e.outcome,
          "details": " ".join(f"{k}={v}" for k, v in e.details.items())}
         for e in reversed(entries[-limit:])],
        schema={c: pl.Utf8 for c in ("at", "kind", "who", "outcome", "details")},
    )


def expected_header(contract: Contract) -> str:
    """The header line a file for ``contract`` must start with (columns in file order)."""
    return ",".join(contract.column_names)


def template_csv(contract: Contract) -> bytes:
    """A template for ``contract``: its rules as ``# `` lines, then the header row.

    Written by the same CSV writer as every download, so a rule or a name that a spreadsheet
    would run as a formula is neutralised here too.
    """
    rules = {
        "table": f"{contract.name} ({contract.title})",
        "how to use": "fill in one row per record under the header; delete these # lines "
        "before loading",
        **{f"column {c.name}": f"{c.description} Unit: {c.unit}. Rule: {c.rule_text()}."
           for c in contract.columns},
    }
    empty = pl.DataFrame(schema={name: pl.String for name in contract.column_names})
    return to_csv_bytes(empty, rules)


def header_help(result: Validation, chosen: str | None) -> pl.DataFrame | None:
    """When a file failed on its header, the header each table it could be for expects:
    the table it was checked against (or the one chosen), else every table. None when the
    header was not the problem."""
    if not any(v.rule in HEADER_RULES for v in result.violations):
        return None
    names = [n for n in (result.table, chosen) if n]
    contracts: Iterable[Contract] = (
        [c for c in CONTRACTS if c.name == names[0]] if names else CONTRACTS
    )
    return pl.DataFrame(
        [{"table": c.name, "expected header": expected_header(c),
          "required": ", ".join(c.required_columns)} for c in contracts],
        schema={"table": pl.String, "expected header": pl.String, "required": pl.String},
    )
