"""Shapes for the Data and sources page: the quality grid, contract tables, status by borough."""

from __future__ import annotations

import polars as pl

from triborough.boroughs import BOROUGH_CODES
from triborough.contracts import Contract

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
