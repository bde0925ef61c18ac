"""Did sharing work? Estimates of the effect of a shared-services decision on a panel of areas.

Three councils are too few for conventional standard errors, so every interval and p-value here
comes from randomisation inference: the same estimator is applied with the treatment moved onto
every set of untreated donors of the same size (all of them when there are few enough sets,
otherwise a seeded sample), and the observed estimate is judged against that placebo
distribution. Intervals invert that test under a constant additive effect.

Two estimators: difference-in-differences with unit and period fixed effects (pyfixest, with
council-clustered standard errors reported beside the randomisation figures) and an event study;
and synthetic control per treated area (pysyncon), with pre-period fit and each area's rank among
in-space placebos. No Streamlit here: the page caches these results.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import polars as pl
from pysyncon import Synth
from scipy.optimize import nnls

ALPHA = 0.05
EXACT_LIMIT = 5_000  # enumerate every set of donors up to this many sets, sample beyond it
DRAWS = 2_000  # placebo sets drawn when enumeration is too large
SEED = 20110601  # sharing began in June 2011
METHODS = ("did", "synth")
_PERIOD_FORMS = (
    (re.compile(r"^\d{4}$"), "a year such as 2011"),
    (re.compile(r"^\d{4}-\d{2}$"), "a financial year such as 2011-12"),
)


class EffectInputError(ValueError):
    """A panel, treated list or period the estimators cannot use; the message says what."""


@dataclass(frozen=True)
class Panel:
    """A checked long panel (area_code, period, value) with its treated areas and donors."""

    frame: pl.DataFrame
    treated: tuple[str, ...]
    donors: tuple[str, ...]
    first_treated: str
    periods: tuple[str, ...]

    @property
    def pre_periods(self) -> tuple[str, ...]:
        """Periods before the first treated one."""
        return tuple(p for p in self.periods if p < self.first_treated)

    @property
    def post_periods(self) -> tuple[str, ...]:
        """The first treated period and every one after it."""
        return tuple(p for p in self.periods if p >= self.first_treated)


@dataclass(frozen=True)
class Inference:
    """Randomisation inference for one estimate: its placebo distribution and what follows."""

    p_value: float
    ci_low: float
    ci_high: float
    placebos: np.ndarray  # the estimate under each placebo assignment (no effect assumed)
    exact: bool  # every set of donors used, rather than a seeded sample


@dataclass(frozen=True)
class SynthFit:
    """One treated area's synthetic comparison and how well it fitted before treatment."""

    area_code: str
    weights: dict[str, float]
    series: pl.DataFrame  # period, actual, synthetic, gap
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    rank: int  # 1 = the largest post/pre RMSPE ratio among this area and the placebos
    rank_of: int


@dataclass
class EffectResult:
    """The average effect on the treated over the post-periods, with its inference."""

    method: str
    effect: float
    inference: Inference
    panel: Panel
    clustered_se: float | None = None  # DiD only: council-clustered (CRV1), for reference
    clustered_p: float | None = None
    event_study: pl.DataFrame | None = None  # DiD: period, relative, estimate, ci_low, ci_high
    synth: list[SynthFit] = field(default_factory=list)
    placebo_ratios: pl.DataFrame | None = None  # synth: area_code, ratio, is_treated

    def summary(self) -> dict[str, object]:
        """The figures a report or the command line quotes, as plain JSON-ready values."""
        inf = self.inference
        out: dict[str, object] = {
            "method": self.method,
            "effect": _round(self.effect),
            "ci_low": _round(inf.ci_low),
            "ci_high": _round(inf.ci_high),
            "p_value": _round(inf.p_value),
            "inference": "randomisation over sets of untreated donors "
            + ("(every set)" if inf.exact else f"({len(inf.placebos)} seeded draws)"),
            "placebo_sets": int(len(inf.placebos)),
            "n_treated": len(self.panel.treated),
            "n_donors": len(self.panel.donors),
            "treated": list(self.panel.treated),
            "first_treated": self.panel.first_treated,
            "pre_periods": len(self.panel.pre_periods),
            "post_periods": len(self.panel.post_periods),
            "periods": list(self.panel.periods),
        }
        if self.method == "did":
            out["clustered_se"] = _round(self.clustered_se)
            out["clustered_p_value"] = _round(self.clustered_p)
        else:
            out["synthetic"] = [
                {"area_code": s.area_code, "pre_rmspe": _round(s.pre_rmspe),
                 "post_rmspe": _round(s.post_rmspe), "ratio": _round(s.ratio),
                 "rank": s.rank, "of": s.rank_of,
                 "weights": {k: _round(v) for k, v in s.weights.items() if v >= 0.001}}
                for s in self.synth
            ]
        return out


def _round(value: float | None, digits: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _period_form(periods: list[str]) -> str:
    """Refuse periods whose text order is not their time order (mixed or free-text forms)."""
    for pattern, words in _PERIOD_FORMS:
        if all(pattern.match(p) for p in periods):
            if words.startswith("a financial"):
                bad = [p for p in periods if (int(p[:4]) + 1) % 100 != int(p[5:])]
                if bad:
                    raise EffectInputError(
                        f"period {bad[0]!r} is not a financial year: the second part must be "
                        "the year after the first (e.g. 2011-12)"
                    )
            return words
    odd = [p for p in periods if not any(pat.match(p) for pat, _ in _PERIOD_FORMS)]
    example = odd[0] if odd else periods[0]
    raise EffectInputError(
        "periods must all be years (2011) or all financial years (2011-12), so that they sort "
        f"as text in time order; found {example!r}"
        + ("" if odd else " beside periods of the other form")
    )


def make_panel(
    frame: pl.DataFrame,
    treated: list[str] | tuple[str, ...],
    first_treated: str,
    donors: list[str] | tuple[str, ...] | None = None,
) -> Panel:
    """Check a long panel and split it into treated areas and donors.

    ``frame`` needs columns area_code, period and value; rows with no value are dropped (a gap,
    not a zero). ``donors`` defaults to every area not treated. Raises EffectInputError naming
    what is wrong: missing columns, duplicate rows, non-numeric or infinite values, periods that
    do not sort, a treated or donor area with no figures, fewer than two pre-periods or no
    post-period, or too few donors for any placebo comparison.
    """
    missing = {"area_code", "period", "value"} - set(frame.columns)
    if missing:
        raise EffectInputError(f"the panel has no column(s) {', '.join(sorted(missing))}; "
                               "it needs area_code, period and value")
    try:
        df = frame.select(
            pl.col("area_code").cast(pl.String).str.strip_chars(),
            pl.col("period").cast(pl.String).str.strip_chars(),
            pl.col("value").cast(pl.Float64, strict=True),
        )
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise EffectInputError(f"the value column must hold numbers: {exc}") from None
    df = df.filter(pl.col("value").is_not_null() & pl.col("area_code").is_not_null()
                   & pl.col("period").is_not_null())
    if df.filter(~pl.col("value").is_finite()).height:
        bad = df.filter(~pl.col("value").is_finite()).row(0, named=True)
        raise EffectInputError(
            f"value {bad['value']} for {bad['area_code']} in {bad['period']} is not a finite number"
        )
    dup = df.filter(pl.struct("area_code", "period").is_duplicated())
    if dup.height:
        row = dup.row(0, named=True)
        raise EffectInputError(
            f"{row['area_code']} has more than one row for period {row['period']}"
        )
    if df.is_empty():
        raise EffectInputError("the panel has no figures")
    periods = sorted(df.get_column("period").unique().to_list())
    _period_form(periods)
    _period_form([*periods, first_treated])
    treated_t = tuple(dict.fromkeys(c.strip() for c in treated if c.strip()))
    if not treated_t:
        raise EffectInputError("name at least one treated area")
    present = set(df.get_column("area_code").unique().to_list())
    absent = [c for c in treated_t if c not in present]
    if absent:
        raise EffectInputError(f"treated area(s) {', '.join(absent)} have no figures in the panel")
    if donors is None:
        donors_t = tuple(sorted(present - set(treated_t)))
    else:
        donors_t = tuple(sorted(set(donors) & present - set(treated_t)))
    df = df.filter(pl.col("area_code").is_in([*treated_t, *donors_t]))
    periods = sorted(df.get_column("period").unique().to_list())
    pre = [p for p in periods if p < first_treated]
    post = [p for p in periods if p >= first_treated]
    if len(pre) < 2:
        raise EffectInputError(
            f"the estimate needs at least two periods before {first_treated}; the panel has "
            f"{len(pre)}" + (f" ({', '.join(pre)})" if pre else "")
        )
    if not post:
        raise EffectInputError(f"the panel has no period from {first_treated} on")
    for code in treated_t:
        have = set(df.filter(pl.col("area_code") == code).get_column("period").to_list())
        if not have & set(pre) or not have & set(post):
            raise EffectInputError(
                f"treated area {code} needs figures both before and from {first_treated}"
            )
    if len(donors_t) <= len(treated_t):
        raise EffectInputError(
            f"{len(donors_t)} untreated donor area(s) is too few for {len(treated_t)} treated: "
            "randomisation inference needs more donors than treated areas"
        )
    return Panel(df.sort("area_code", "period"), treated_t, donors_t, first_treated,
                 tuple(periods))


# -- randomisation ----------------------------------------------------------------------------

def placebo_sets(n_donors: int, k: int, *, seed: int = SEED,
                 exact_limit: int = EXACT_LIMIT, draws: int = DRAWS) -> tuple[np.ndarray, bool]:
    """Index sets of ``k`` donors to move the treatment onto: every set when there are at most
    ``exact_limit``, else ``draws`` distinct sets drawn with ``seed``. Returns (sets, exact)."""
    total = math.comb(n_donors, k)
    if total <= exact_limit:
        return np.array(list(combinations(range(n_donors), k)), dtype=int).reshape(-1, k), True
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, ...]] = set()
    while len(seen) < min(draws, total):
        seen.add(tuple(sorted(rng.choice(n_donors, size=k, replace=False).tolist())))
    return np.array(sorted(seen), dtype=int), False


def invert(observed: float, placebo_a: np.ndarray, placebo_c: np.ndarray | None = None,
           alpha: float = ALPHA) -> tuple[float, float, float]:
    """p-value at no effect and the (1 - alpha) interval from inverting the placebo test.

    Under a constant effect ``tau`` the observed statistic is ``observed - tau`` and a placebo's
    is ``a - tau * c`` (``c`` is zero when the placebo ignores the treated areas' outcomes).
    ``tau`` is in the interval when the share of statistics at least as large, the observed one
    counted, exceeds alpha. Each placebo reaches the observed statistic on a set of ``tau``
    bounded by the roots of a quadratic, so one sweep over the sorted roots counts them for
    every ``tau`` at once; the interval is exact, not read off a grid.
    """
    a = np.asarray(placebo_a, dtype=float)
    c = np.zeros_like(a) if placebo_c is None else np.asarray(placebo_c, dtype=float)
    n = len(a) + 1
    scale = 1e-9 * (1 + abs(observed))
    p0 = float((1 + np.sum(np.abs(a) >= abs(observed) - scale)) / n)
    # |a - tau c| >= |observed - tau|  <=>  q2 tau^2 + q1 tau + q0 >= 0
    q2, q1, q0 = c * c - 1, -2 * (a * c - observed), a * a - observed * observed
    base = 0
    positions: list[np.ndarray] = []
    deltas: list[np.ndarray] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        disc = q1 * q1 - 4 * q2 * q0
        root = np.sqrt(np.clip(disc, 0, None))
        r1 = np.minimum((-q1 - root) / (2 * q2), (-q1 + root) / (2 * q2))
        r2 = np.maximum((-q1 - root) / (2 * q2), (-q1 + root) / (2 * q2))
    quad = np.abs(q2) > 1e-12
    inside = quad & (q2 < 0) & (disc >= 0)  # reached between the roots
    outside = quad & (q2 > 0)  # reached beyond the roots (everywhere when no real root)
    base += int(np.sum(outside))
    positions += [r1[inside], r2[inside]]
    deltas += [np.ones(inside.sum()), -np.ones(inside.sum())]
    real_out = outside & (disc > 0)
    positions += [r1[real_out], r2[real_out]]
    deltas += [-np.ones(real_out.sum()), np.ones(real_out.sum())]
    linear = ~quad
    with np.errstate(invalid="ignore", divide="ignore"):
        cut = -q0 / q1
    rising = linear & (q1 > 0)
    falling = linear & (q1 < 0)
    base += int(np.sum(falling)) + int(np.sum(linear & (q1 == 0) & (q0 >= 0)))
    positions += [cut[rising], cut[falling]]
    deltas += [np.ones(rising.sum()), -np.ones(falling.sum())]
    where = np.concatenate(positions)
    change = np.concatenate(deltas)
    if where.size == 0:
        bounded = (1 + base) / n > alpha
        return p0, (-math.inf if bounded else observed), (math.inf if bounded else observed)
    order = np.argsort(where, kind="stable")
    where, change = where[order], change[order]
    cuts = np.unique(where)
    span = float(cuts[-1] - cuts[0]) + 1.0
    probes = np.concatenate([[cuts[0] - span], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + span]])
    running = np.concatenate([[0.0], np.cumsum(change)])
    counts = base + running[np.searchsorted(where, probes, side="right")]
    accepted = (1 + counts) / n > alpha
    if not accepted.any():
        return p0, observed, observed
    first, last = int(np.argmax(accepted)), len(accepted) - 1 - int(np.argmax(accepted[::-1]))
    # Probe i lies between cuts[i-1] and cuts[i]: the outermost probes are unbounded regions.
    low = -math.inf if first == 0 else float(cuts[first - 1])
    high = math.inf if last == len(probes) - 1 else float(cuts[last])
    return p0, low, high


# -- difference-in-differences ----------------------------------------------------------------

def _design(panel: Panel) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[str]]:
    """Long data for pyfixest, the residual-maker of the two-way fixed effects, and the
    positions of each unit's rows (to move the treatment onto placebo units)."""
    data = panel.frame.to_pandas()
    areas = [*panel.treated, *panel.donors]
    unit = pd.Categorical(data["area_code"], categories=areas).codes
    time = pd.Categorical(data["period"], categories=list(panel.periods)).codes
    n = len(data)
    fe = np.zeros((n, len(areas) + len(panel.periods)))
    fe[np.arange(n), unit] = 1.0
    fe[np.arange(n), len(areas) + time] = 1.0
    # Residual-maker M = I - F F^+: the treatment's part not explained by unit and period.
    resid = np.eye(n) - fe @ np.linalg.pinv(fe)
    return data, resid, unit, areas


def _post(panel: Panel, data: pd.DataFrame) -> np.ndarray:
    return (data["period"] >= panel.first_treated).to_numpy(dtype=float)


def did(panel: Panel, *, seed: int = SEED, exact_limit: int = EXACT_LIMIT,
        draws: int = DRAWS, event_study: bool = True, clustered: bool = True) -> EffectResult:
    """Two-way fixed-effects difference-in-differences with randomisation inference.

    The point estimate and council-clustered standard error come from pyfixest; the placebo
    estimates use the same regression in closed form (Frisch-Waugh: the treatment residualised
    on the fixed effects), so thousands of placebo fits take a fraction of a second. With
    ``clustered=False`` pyfixest is skipped and the estimate comes from that closed form alone
    (the same number; the simulation tests use it to run hundreds of panels quickly).
    """
    data, resid, unit, areas = _design(panel)
    post = _post(panel, data)
    k = len(panel.treated)
    treated_rows = (unit < k).astype(float)
    data["treat_post"] = treated_rows * post
    y = data["value"].to_numpy(dtype=float)
    d_obs = data["treat_post"].to_numpy()
    md_obs = resid @ d_obs
    effect = float(md_obs @ y / (md_obs @ d_obs))
    se = p_clustered = None
    if clustered:
        import pyfixest as pf

        fit = pf.feols("value ~ treat_post | area_code + period", data=data,
                       vcov={"CRV1": "area_code"})
        effect = float(fit.coef()["treat_post"])
        se, p_clustered = float(fit.se()["treat_post"]), float(fit.pvalue()["treat_post"])

    sets, exact = placebo_sets(len(panel.donors), k, seed=seed, exact_limit=exact_limit,
                               draws=draws)
    # A placebo set's indicator is the sum of its units' post-period rows, so every placebo
    # regression is built from per-unit sums of the residual-maker: (Md)'y, (Md)'d and d'Md.
    units = np.arange(len(areas))
    rows_post = (unit[:, None] == units[None, :]) * post[:, None]  # row x unit
    my_u = rows_post.T @ (resid @ y)
    md_obs_u = rows_post.T @ (resid @ d_obs)
    gram_u = rows_post.T @ resid @ rows_post
    members = sets + k  # donor j is unit k + j
    denom = gram_u[members[:, :, None], members[:, None, :]].sum(axis=(1, 2))
    a = my_u[members].sum(axis=1) / denom
    c = md_obs_u[members].sum(axis=1) / denom
    p, low, high = invert(effect, a, c)
    result = EffectResult("did", effect, Inference(p, low, high, a, exact), panel,
                          clustered_se=se, clustered_p=p_clustered)
    if event_study:
        result.event_study = _event_study(panel, data, resid, unit, members)
    return result


def _event_study(panel: Panel, data: pd.DataFrame, resid: np.ndarray, unit: np.ndarray,
                 members: np.ndarray) -> pl.DataFrame:
    """Each period's difference between treated and donors, relative to the last pre-period,
    with a randomisation interval per period: every placebo set of donors (``members``, unit
    indices) gets the same model, one indicator per period."""
    import pyfixest as pf

    k = len(panel.treated)
    ref = panel.pre_periods[-1]
    shown = [p for p in panel.periods if p != ref]
    names = [f"ev{i}" for i in range(len(shown))]
    treated_rows = unit < k
    for name, period in zip(names, shown, strict=True):
        data[name] = ((data["period"] == period) & treated_rows).astype(float)
    fit = pf.feols("value ~ " + " + ".join(names) + " | area_code + period", data=data,
                   vcov={"CRV1": "area_code"})
    coefs = fit.coef()
    # The row of each unit in each shown period; n (a zero row of the padded matrices) when
    # the unit has no figure that period. A placebo's indicators are sums of those rows.
    n = len(data)
    where = np.full((int(unit.max()) + 1, len(shown)), n)
    position = {p: i for i, p in enumerate(shown)}
    for r, (u, period) in enumerate(zip(unit, data["period"], strict=True)):
        if period in position:
            where[u, position[period]] = r
    pad = np.zeros((n + 1, n + 1))
    pad[:n, :n] = resid
    rhs = np.column_stack([data["value"].to_numpy(dtype=float), data[names].to_numpy()])
    mr = np.vstack([resid @ rhs, np.zeros((1, rhs.shape[1]))])
    rows = where[members]  # set, unit in set, period
    gram = pad[rows[:, :, :, None, None], rows[:, None, None, :, :]].sum(axis=(1, 3))
    cross = mr[rows].sum(axis=1)  # set, period, (y, each treated indicator)
    ok = np.linalg.matrix_rank(gram) == len(names)
    solved = np.linalg.solve(gram[ok], cross[ok])
    out_rows = []
    for i, (name, period) in enumerate(zip(names, shown, strict=True)):
        estimate = float(coefs.get(name, np.nan))
        if ok.any() and math.isfinite(estimate):
            _, low, high = invert(estimate, solved[:, i, 0], solved[:, i, 1 + i])
        else:
            low = high = math.nan
        out_rows.append({"period": period, "estimate": estimate, "ci_low": low,
                         "ci_high": high})
    out_rows.append({"period": ref, "estimate": 0.0, "ci_low": 0.0, "ci_high": 0.0})
    out = pl.DataFrame(out_rows).sort("period")
    return out.with_columns(
        pl.col("period").is_in(list(panel.post_periods)).alias("after"),
        (pl.col("period") == ref).alias("reference"),
    )


# -- synthetic control ------------------------------------------------------------------------

def _wide(panel: Panel) -> tuple[pd.DataFrame, list[str]]:
    """Areas as columns, periods as rows, keeping periods every treated area has and donors
    with every one of those periods (synthetic control needs a complete matrix)."""
    wide = panel.frame.pivot(on="area_code", index="period", values="value").sort("period")
    wide = wide.to_pandas().set_index("period")
    wide = wide.dropna(subset=list(panel.treated))
    donors = [d for d in panel.donors if d in wide.columns and wide[d].notna().all()]
    return wide, donors


class _Synth(Synth):
    """pysyncon's synthetic control with its inner weight problem solved exactly by
    non-negative least squares rather than a general-purpose optimiser.

    The problem (weights >= 0 summing to one that minimise the V-weighted distance) is the
    same; SLSQP took about a second a fit on a shared machine, and the placebo tests need one
    fit per donor, thousands of times over in the simulation tests.
    """

    @staticmethod
    def w_optimize(V_mat: np.ndarray, X0: np.ndarray, X1: np.ndarray,  # noqa: N803 - pysyncon's
                   **_: object) -> tuple[np.ndarray, float]:
        root = np.sqrt(np.diag(V_mat))
        a = root[:, None] * X0
        b = root * X1
        # The sum-to-one constraint as a heavily weighted extra row: exact to solver precision.
        heavy = 1e4 * (1 + float(np.abs(a).max()) + float(np.abs(b).max()))
        w, _ = nnls(np.vstack([a, np.full(X0.shape[1], heavy)]), np.append(b, heavy),
                    maxiter=50 * X0.shape[1])
        w = w / w.sum()
        return w, float(0.5 * w @ (a.T @ a) @ w - (b @ a) @ w)


def synth_weights(pool: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Synthetic-control weights for ``target`` (pre-period outcomes) on the columns of
    ``pool`` (pre-periods by donors), with equal predictor weights, as pysyncon's
    ``Synth.fit(custom_V=...)`` computes them: each predictor is first scaled by its standard
    deviation across the donors and the target."""
    z = np.column_stack([pool, target])
    scale = z.std(axis=1, ddof=1)
    scale[scale == 0] = 1.0
    scaled = z / scale[:, None]
    v = np.diag(np.full(len(target), 1 / len(target)))
    weights, _ = _Synth.w_optimize(v, scaled[:, :-1], scaled[:, -1])
    return weights


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(gap)))) if gap.size else math.nan


def synth(panel: Panel, *, seed: int = SEED, exact_limit: int = EXACT_LIMIT,
          draws: int = DRAWS) -> EffectResult:
    """Synthetic control per treated area, with in-space placebos for every donor.

    The effect is the mean over treated areas of their mean post-period gap (actual minus
    synthetic). Each donor is given its own synthetic control from the other donors; the
    placebo statistic for a set of donors is the mean of their gaps, so the interval inverts
    the same randomisation test as the DiD.
    """
    wide, donors = _wide(panel)
    pre = [p for p in wide.index if p < panel.first_treated]
    post = [p for p in wide.index if p >= panel.first_treated]
    if len(pre) < 2 or not post:
        raise EffectInputError(
            "synthetic control needs every treated area's figures in at least two periods "
            f"before {panel.first_treated} and one from it"
        )
    k = len(panel.treated)
    if len(donors) <= k:
        raise EffectInputError(
            f"only {len(donors)} donor area(s) have figures in every period used "
            f"({', '.join(wide.index)}); synthetic control needs more than {k}"
        )
    gaps: dict[str, np.ndarray] = {}
    fits: dict[str, tuple[dict[str, float], np.ndarray]] = {}
    values = wide.to_numpy(dtype=float)
    column = {c: i for i, c in enumerate(wide.columns)}
    n_pre = len(pre)
    for area in [*panel.treated, *donors]:
        pool = [d for d in donors if d != area]
        cols = [column[d] for d in pool]
        w = synth_weights(values[:n_pre, cols], values[:n_pre, column[area]])
        synthetic = values[:, cols] @ w
        fits[area] = (dict(zip(pool, w.tolist(), strict=True)), synthetic)
        gaps[area] = values[:, column[area]] - synthetic
    # An exact fit before (common with few pre-periods and many donors) would make the ratio
    # astronomically large; a floor of a millionth of the outcome's typical size keeps the
    # ranking while such ratios stay readable.
    floor = 1e-6 * max(float(np.mean(np.abs(values))), 1e-12)
    ratios = {
        a: _rmspe(g[n_pre:]) / max(_rmspe(g[:n_pre]), floor) for a, g in gaps.items()
    }
    mean_post = {a: float(np.mean(g[n_pre:])) for a, g in gaps.items()}
    effect = float(np.mean([mean_post[t] for t in panel.treated]))
    sets, exact = placebo_sets(len(donors), k, seed=seed, exact_limit=exact_limit, draws=draws)
    donor_means = np.array([mean_post[d] for d in donors])
    placebo = donor_means[sets].mean(axis=1)
    p, low, high = invert(effect, placebo)
    donor_ratios = [ratios[d] for d in donors]
    fitted = []
    for area in panel.treated:
        weights, synthetic = fits[area]
        gap = gaps[area]
        series = pl.DataFrame({
            "period": list(wide.index),
            "actual": wide[area].to_list(),
            "synthetic": synthetic.tolist(),
            "gap": gap.tolist(),
        })
        rank = 1 + sum(r > ratios[area] for r in donor_ratios)
        fitted.append(SynthFit(area, weights, series, _rmspe(gap[:n_pre]),
                               _rmspe(gap[n_pre:]), ratios[area], rank, len(donors) + 1))
    placebo_ratios = pl.DataFrame({
        "area_code": list(ratios),
        "ratio": list(ratios.values()),
        "is_treated": [a in panel.treated for a in ratios],
    })
    used = Panel(panel.frame.filter(pl.col("period").is_in(list(wide.index))
                                    & pl.col("area_code").is_in([*panel.treated, *donors])),
                 panel.treated, tuple(donors), panel.first_treated, tuple(wide.index))
    return EffectResult("synth", effect, Inference(p, low, high, placebo, exact), used,
                        synth=fitted, placebo_ratios=placebo_ratios)


def estimate(panel: Panel, method: str = "did", **options: int) -> EffectResult:
    """The effect by ``method`` ('did' or 'synth')."""
    if method == "did":
        return did(panel, **options)
    if method == "synth":
        return synth(panel, **options)
    raise EffectInputError(f"unknown method {method!r}: use did or synth")


def verdict(result: EffectResult, unit_words: str) -> str:
    """One sentence on whether the estimate is distinguishable from no effect."""
    inf = result.inference
    if inf.p_value < ALPHA:
        return (f"A gap this large appeared in {inf.p_value:.0%} of the comparisons made with "
                "areas that did not share, so it is unlikely to be chance alone.")
    return (f"A gap at least this large appeared in {inf.p_value:.0%} of the comparisons made "
            f"with areas that did not share: the {unit_words} is not distinguishable from no "
            "effect.")
