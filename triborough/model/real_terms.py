"""Cash to real terms: the one place money is deflated.

Every money figure compared across years goes through ``deflate``: cash x 100 / the GDP
deflator of its financial year, from the warehouse's ``gdp_deflator`` table (HM Treasury's
release named in each row, 2024-25 = 100), so a real-terms figure is in 2024-25 prices. A year
the table has no deflator for gets no real-terms figure (never its cash figure passing as real).
Single-year comparisons between councils stay in that year's cash and need no deflating.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

BASES: dict[str, str] = {"real": "Real terms", "cash": "Cash"}
DEFAULT_BASIS = "real"
PRICE_YEAR = "2024-25"


def deflate(
    frame: pl.DataFrame,
    deflators: pl.DataFrame,
    columns: Sequence[str] = ("value",),
    period: str = "period",
) -> pl.DataFrame:
    """``columns`` of ``frame`` in 2024-25 prices: each cash figure x 100 / its year's deflator.

    ``deflators`` holds rows of the ``gdp_deflator`` table (at least ``period`` and
    ``deflator``); ``period`` names the column of ``frame`` holding the financial year
    ('2015-16'). Rows whose year has no deflator get nulls in ``columns``. The frame keeps its
    rows, order and other columns.
    """
    if "deflator" not in deflators.columns or "period" not in deflators.columns:
        raise ValueError("deflators need 'period' and 'deflator' columns (gdp_deflator table)")
    table = deflators.select(
        pl.col("period").cast(pl.Utf8).alias("_deflator_period"),
        pl.col("deflator").cast(pl.Float64).alias("_deflator"),
    )
    if table.get_column("_deflator_period").is_duplicated().any():
        raise ValueError("deflators hold more than one figure for a year: pass one release")
    joined = frame.with_row_index("_deflate_row").join(
        table, left_on=pl.col(period).cast(pl.Utf8), right_on="_deflator_period", how="left"
    )
    return (
        joined.with_columns(
            [
                pl.when(pl.col("_deflator") > 0)
                .then(pl.col(c) * 100 / pl.col("_deflator"))
                .otherwise(None)
                .alias(c)
                for c in columns
            ]
        )
        .sort("_deflate_row")
        .drop("_deflate_row", "_deflator", "_deflator_period", strict=False)
    )


def in_basis(
    frame: pl.DataFrame, basis: str, deflators: pl.DataFrame, columns: Sequence[str] = ("value",)
) -> pl.DataFrame:
    """The frame in the chosen basis: as it is for 'cash', through ``deflate`` for 'real'."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}; expected one of {', '.join(BASES)}")
    return deflate(frame, deflators, columns) if basis == "real" else frame


def release_of(deflators: pl.DataFrame) -> str:
    """The deflator release in words, for captions and download headers."""
    releases = sorted(set(deflators.get_column("release").drop_nulls().to_list()))
    if len(releases) != 1:
        raise ValueError(f"expected one deflator release, found {len(releases)}")
    return releases[0]


def basis_short(basis: str) -> str:
    """The basis in a few words, for a chart's subtitle."""
    return f"real terms, {PRICE_YEAR} prices" if basis == "real" else "cash"


def basis_words(basis: str, deflators: pl.DataFrame) -> str:
    """What the money is in, for a chart's unit and a download's header."""
    if basis == "cash":
        return "cash (not adjusted for inflation)"
    return f"real terms, {PRICE_YEAR} prices ({release_of(deflators)})"
