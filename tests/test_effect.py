"""The estimators on panels whose answer is known: a hand-worked 2x2 difference-in-differences,
and simulated panels with a known effect to check interval coverage and test size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from pysyncon import Synth

from triborough.views.effect import (
    EffectInputError,
    did,
    invert,
    make_panel,
    placebo_sets,
    synth,
    synth_weights,
)


def long(rows: dict[str, list[float]], periods: list[str]) -> pl.DataFrame:
    """A long panel from {area: [value per period]}."""
    return pl.DataFrame(
        [(a, p, v) for a, vs in rows.items() for p, v in zip(periods, vs, strict=True)],
        schema=["area_code", "period", "value"], orient="row",
    )


def test_two_by_two_did_is_the_difference_of_differences():
    # Treated: 10, 11 before; 20, 23 after. Donors: means before 4.5, after 7.5.
    # (21.5 - 10.5) - (7.5 - 4.5) = 11 - 3 = 8.
    frame = long({"T": [10, 11, 20, 23], "A": [4, 5, 7, 8], "B": [3, 6, 8, 7], "C": [5, 4, 7, 8]},
                 ["2009", "2010", "2011", "2012"])
    result = did(make_panel(frame, ["T"], "2011"))
    assert result.effect == pytest.approx(8.0, abs=1e-9)
    # Three donors, one treated: the placebo estimates move the treatment onto A, B and C.
    # A: own change 7.5-4.5=3 against the rest (T, B, C) -> changes 11, 3, 3 -> mean 17/3.
    assert sorted(np.round(result.inference.placebos, 9)) == sorted(
        np.round([3 - 17 / 3, 3 - 17 / 3, 3 - 17 / 3], 9)
    )
    assert result.summary()["pre_periods"] == 2 and result.summary()["post_periods"] == 2
    # 8 is larger than every placebo: the smallest p-value four assignments allow.
    assert result.inference.p_value == pytest.approx(1 / 4)


def test_event_study_reads_each_period_against_the_last_one_before():
    frame = long({"T": [10, 11, 20, 23], "A": [4, 5, 7, 8], "B": [3, 6, 8, 7], "C": [5, 4, 7, 8]},
                 ["2009", "2010", "2011", "2012"])
    es = did(make_panel(frame, ["T"], "2011")).event_study
    by = {r["period"]: r["estimate"] for r in es.to_dicts()}
    # Against 2010: treated 11, donors 5. 2009: (10-11) - (4-5) = 0; 2011: (20-11) - (22/3-5).
    assert by["2010"] == 0
    assert by["2009"] == pytest.approx(0.0, abs=1e-9)
    assert by["2011"] == pytest.approx(9 - (22 / 3 - 5), abs=1e-9)
    assert by["2012"] == pytest.approx(12 - (23 / 3 - 5), abs=1e-9)


def test_interval_inversion_with_fixed_placebos_is_the_placebo_quantile():
    placebos = np.arange(1, 40, dtype=float)  # 39 placebos: |stat| ranks decide
    p, low, high = invert(50.0, placebos)
    assert p == pytest.approx(1 / 40)
    # tau is kept while fewer than 2 of 40 statistics (p > 0.05 needs 3) reach |50 - tau|:
    # kept when |50 - tau| < 38, the third-largest placebo.
    assert (low, high) == pytest.approx((12.0, 88.0))


def test_placebo_sets_are_every_set_when_few_and_seeded_when_many():
    sets, exact = placebo_sets(5, 2)
    assert exact and len(sets) == 10
    a, exact_a = placebo_sets(29, 3, exact_limit=100, draws=50, seed=1)
    b, _ = placebo_sets(29, 3, exact_limit=100, draws=50, seed=1)
    assert not exact_a and len(a) == 50 and (a == b).all()
    assert len({tuple(s) for s in a}) == 50


def test_synth_weights_match_pysyncon_own_fit():
    rng = np.random.default_rng(3)
    # More periods than donors and a target off the donors' hull: one best set of weights.
    pool = rng.normal(size=(20, 8)) + np.linspace(0, 3, 8)
    target = pool[:, [2, 5, 7]] @ np.array([0.2, 0.5, 0.3]) + rng.normal(0, 0.3, 20)
    z0 = pd.DataFrame(pool, columns=[f"d{i}" for i in range(8)])
    z1 = pd.Series(target, name="t")
    reference = Synth()
    reference.fit(X0=z0, X1=z1, Z0=z0, Z1=z1, custom_V=np.full(20, 1 / 20))
    ours = synth_weights(pool, target)
    assert ours.sum() == pytest.approx(1.0) and (ours >= 0).all()
    # Same problem, exact solver: the fit is at least as good and the weights agree.
    scale = np.column_stack([pool, target]).std(axis=1, ddof=1)[:, None]

    def loss(w: np.ndarray) -> float:  # pysyncon's objective: predictors scaled by their spread
        return float(np.mean(((pool @ w - target)[:, None] / scale) ** 2))

    assert loss(ours) <= loss(np.asarray(reference.W)) + 1e-9
    assert np.abs(ours - np.asarray(reference.W)).max() < 0.02


@pytest.mark.parametrize(
    ("frame", "treated", "first", "message"),
    [
        (long({"T": [1, 2, 3], "A": [1, 2, 3], "B": [2, 3, 4]}, ["2009", "2010", "2011"]),
         ["X"], "2011", r"treated area\(s\) X have no figures"),
        (long({"T": [1, 2, 3], "A": [1, 2, 3], "B": [2, 3, 4]}, ["2009", "2010", "2011"]),
         ["T"], "2010", "at least two periods before 2010"),
        (long({"T": [1, 2, 3], "A": [1, 2, 3], "B": [2, 3, 4]}, ["2009", "2010-11", "2011"]),
         ["T"], "2011", "sort as text"),
        (long({"T": [1, 2, 3], "A": [1, 2, 3], "B": [2, 3, 4]}, ["2009-10", "2010-11", "2011-13"]),
         ["T"], "2011-13", "not a financial year"),
        (long({"T": [1, 2, 3], "A": [1, 2, 3]}, ["2009", "2010", "2011"]),
         ["T"], "2011", "too few"),
        (long({"T": [1, 2, 3], "A": [1, 2, float("inf")], "B": [2, 3, 4]},
              ["2009", "2010", "2011"]), ["T"], "2011", "not a finite number"),
    ],
)
def test_bad_panels_are_refused_with_the_reason(frame, treated, first, message):
    with pytest.raises(EffectInputError, match=message):
        make_panel(frame, treated, first)


def test_duplicate_rows_are_refused():
    frame = long({"T": [1, 2, 3], "A": [1, 2, 3], "B": [2, 3, 4]}, ["2009", "2010", "2011"])
    with pytest.raises(EffectInputError, match="more than one row for period 2010"):
        make_panel(pl.concat([frame, frame.slice(1, 1)]), ["T"], "2011")


def simulated(seed: int, effect: float, *, units: int = 30, periods: int = 10, treated: int = 3,
              rho: float = 0.6) -> pl.DataFrame:
    """Unit and period effects plus AR(1) noise; the first ``treated`` units gain ``effect``
    from the middle period on."""
    rng = np.random.default_rng(seed)
    unit = rng.normal(0, 3, units)
    time = rng.normal(0, 1, periods).cumsum()
    noise = np.zeros((units, periods))
    noise[:, 0] = rng.normal(0, 1, units)
    for t in range(1, periods):
        noise[:, t] = rho * noise[:, t - 1] + rng.normal(0, np.sqrt(1 - rho**2), units)
    y = unit[:, None] + time[None, :] + noise
    y[:treated, periods // 2:] += effect
    return long({f"U{i:02d}": y[i].tolist() for i in range(units)},
                [str(2000 + t) for t in range(periods)])


def test_closed_form_estimate_is_pyfixest_estimate_on_an_unbalanced_panel():
    frame = simulated(7, 1.5)
    # Gaps, as in the published series: a period missing for some areas, one row dropped.
    frame = frame.filter(~((pl.col("period") == "2003") & pl.col("area_code").is_in(
        ["U05", "U06", "U01"])) & ~((pl.col("period") == "2008") & (pl.col("area_code") == "U02")))
    panel = make_panel(frame, ["U00", "U01", "U02"], "2005")
    with_pyfixest = did(panel, event_study=False)
    closed_form = did(panel, event_study=False, clustered=False)
    assert closed_form.effect == pytest.approx(with_pyfixest.effect, rel=1e-9)
    assert with_pyfixest.clustered_se is not None and with_pyfixest.clustered_se > 0


SIMULATIONS = 200
TREATED = ["U00", "U01", "U02"]


@pytest.mark.slow
@pytest.mark.parametrize("method", [did, synth], ids=["did", "synth"])
def test_interval_covers_the_true_effect_and_no_effect_is_rarely_significant(method):
    options = {"exact_limit": 0, "draws": 200}
    if method is did:
        options |= {"event_study": False, "clustered": False}
    covered = rejected = 0
    for seed in range(SIMULATIONS):
        with_effect = method(make_panel(simulated(seed, 2.0), TREATED, "2005"), seed=seed,
                             **options)
        covered += with_effect.inference.ci_low <= 2.0 <= with_effect.inference.ci_high
        without = method(make_panel(simulated(seed, 0.0), TREATED, "2005"), seed=seed,
                         **options)
        rejected += without.inference.p_value < 0.05
    # 95% and 5% with binomial error over 200 runs: about +/- 3.1 points at two sigma.
    assert 0.91 <= covered / SIMULATIONS <= 0.99, covered
    assert 0.01 <= rejected / SIMULATIONS <= 0.09, rejected
