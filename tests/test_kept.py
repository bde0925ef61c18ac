"""Results kept per distinct input never outlive their input: a frame with one figure changed
(a council's reload) is worked out afresh, and equal inputs get the result already made."""

from __future__ import annotations

import datetime as dt

import polars as pl

from triborough.figures.kept import kept

calls: list[int] = []


@kept
def _total(frame: pl.DataFrame, *, since: dt.date) -> float:
    calls.append(frame.height)
    return float(frame.filter(pl.col("day") >= since)["value"].sum())


def test_a_changed_frame_or_argument_is_worked_out_afresh():
    calls.clear()
    days = [dt.date(2024, 1, d) for d in (1, 2, 3)]
    first = pl.DataFrame({"day": days, "value": [1.0, 2.0, 3.0]})
    assert _total(first, since=days[1]) == 5.0
    assert _total(pl.DataFrame({"day": days, "value": [1.0, 2.0, 3.0]}), since=days[1]) == 5.0
    assert calls == [3]  # an equal frame: the result already made
    reloaded = first.with_columns(pl.when(pl.col("day") == days[2]).then(30.0)
                                  .otherwise(pl.col("value")).alias("value"))
    assert _total(reloaded, since=days[1]) == 32.0
    assert _total(first, since=days[0]) == 6.0
    assert _total(first.cast({"value": pl.Float32}),
                  since=days[1]) == 5.0  # another type is another input
    assert calls == [3, 3, 3, 3]
