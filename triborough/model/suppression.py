"""Small-number suppression for counts about people, with secondary suppression.

Primary: a count below the threshold (but above zero) is hidden. Secondary: where a group
(e.g. the three boroughs in one year, whose total is shown or derivable) has exactly one hidden
cell, the next smallest cell in that group is hidden too, so the total cannot reveal it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SUPPRESSED = "suppressed (fewer than {n})"


def suppress(
    df: pl.DataFrame,
    value_col: str,
    threshold: int,
    group_cols: Sequence[str] = (),
    applies_col: str | None = None,
) -> pl.DataFrame:
    """Return ``df`` with small counts set to null and a boolean ``<value_col>_suppressed``.

    ``applies_col`` names a boolean column saying which rows are counts of people; without it
    every row is. Zero is not suppressed (a true zero discloses nobody).
    """
    flag = f"{value_col}_suppressed"
    if df.is_empty():
        return df.with_columns(pl.lit(False).alias(flag))
    applies = pl.col(applies_col).fill_null(False) if applies_col else pl.lit(True)
    small = applies & (pl.col(value_col) > 0) & (pl.col(value_col) < threshold)
    out = df.with_row_index("_row").with_columns(small.fill_null(False).alias(flag))
    if group_cols:
        # Within each group that has exactly one primary suppression, also hide the smallest
        # other visible count.
        ranked = out.with_columns(
            pl.col(flag).sum().over(group_cols).alias("_n_hidden"),
            pl.when(~pl.col(flag) & applies & pl.col(value_col).is_not_null())
            .then(pl.col(value_col))
            .otherwise(None)
            .rank("ordinal")
            .over(group_cols)
            .alias("_rank_visible"),
        )
        out = ranked.with_columns(
            (pl.col(flag) | ((pl.col("_n_hidden") == 1) & (pl.col("_rank_visible") == 1)))
            .fill_null(pl.col(flag))
            .alias(flag)
        ).drop("_n_hidden", "_rank_visible")
    out = out.with_columns(
        pl.when(pl.col(flag)).then(None).otherwise(pl.col(value_col)).alias(value_col)
    )
    return out.sort("_row").drop("_row")
