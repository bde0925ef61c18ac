"""The base a change or an index is measured from: by default the years before sharing.

Savings and Compare both index money and counts to a base and offer the same choice of base,
so the rules live here once: which years are "before sharing", how a base reads in words, what
the choice offers and how an index is worked out from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

# The three years before sharing began: an index's default base is their average, so one
# unusual year does not set every later figure.
BEFORE_SHARING: tuple[str, ...] = ("2008-09", "2009-10", "2010-11")


def base_words(base: str | tuple[str, ...]) -> str:
    """An index's base in words: '2011-12' or 'average of 2008-09 to 2010-11'."""
    periods = (base,) if isinstance(base, str) else tuple(base)
    return periods[0] if len(periods) == 1 else f"average of {periods[0]} to {periods[-1]}"


def base_options(default: tuple[str, ...], periods: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The bases a page offers, label -> periods: ``default`` first, then each of ``periods``
    on its own (in the order given), without repeating the default."""
    return {base_words(default): default} | {p: (p,) for p in periods if (p,) != default}


def index_to_base(
    frame: pl.DataFrame,
    base: str | tuple[str, ...],
    *,
    source: str = "value",
    by: Sequence[str] = ("area_code", "role"),
) -> pl.DataFrame:
    """Set ``value`` to each group's ``source`` figure as a share (x100) of its own base.

    The base is the figure in ``base``, or the average over several periods, every one of
    which must have a figure. A group without one, or with a base of zero or less (a ratio to
    a negative base reads backwards), has no index at all rather than one from another year.
    """
    periods = [base] if isinstance(base, str) else list(base)
    bases = (
        frame.filter(pl.col("period").is_in(periods))
        .group_by(*by)
        .agg(
            pl.when(pl.col(source).count() == len(periods))
            .then(pl.col(source).mean())
            .otherwise(None)
            .alias("_base")
        )
    )
    return (
        frame.join(bases, on=list(by), how="left")
        .with_columns(
            pl.when(pl.col("_base") > 0)
            .then(pl.col(source) / pl.col("_base") * 100)
            .otherwise(None)
            .alias("value")
        )
        .drop("_base")
    )
