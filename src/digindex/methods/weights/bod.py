"""Benefit of the Doubt (BoD): DEA weights that show each unit in its best light.

For unit i in year t (the benchmark set K_t is every unit of the same year):

    BoD_i = max_w Σ_j w_j x_ij   s.t.  Σ_j w_j x_kj ≤ 1 for all k ∈ K_t,  w_j ≥ 0,

one linear programme per unit-year, solved with scipy's HiGHS. Optional "pie share"
restrictions (Cherchye et al. 2007) bound the share of child j in unit i's own score:

    lo_j ≤ w_j x_ij / Σ_l w_l x_il ≤ hi_j,

written linearly as w_j x_ij − lo_j Σ_l w_l x_il ≥ 0 and w_j x_ij − hi_j Σ_l w_l x_il ≤ 0.
A share cannot be positive when x_ij = 0, so for such a unit the lower bound of that
child is relaxed to 0 (the weights method warns). Values must be ≥ 0 (normalise onto
e.g. [0, 100] first) and complete: missing values are refused, impute them first.
"""
from __future__ import annotations

from pydantic import Field, field_validator

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from ._common import child_names

np = lazy_module("numpy", globals())


class BodParams(Params):
    pooled: bool = Field(False, description="one frontier over every unit-year of the panel "
                                            "instead of one per year")
    bounds: list[float] | list[list[float]] | None = Field(
        None, description="pie-share bounds [lo, hi] for every child, or one [lo, hi] per "
        "child: the share w_j·x_ij / Σ_l w_l·x_il of child j in the unit's own score")

    @field_validator("bounds")
    @classmethod
    def _check_bounds(cls, b):
        if b is None:
            return b
        pairs = [b] if b and not isinstance(b[0], list) else b
        for p in pairs:
            if len(p) != 2 or not 0 <= p[0] <= p[1] <= 1:
                raise ValueError(f"each bound must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, not {p}")
        return b


def _share_bounds(params: BodParams | None, k: int) -> np.ndarray | None:
    if params is None or params.bounds is None:
        return None
    b = params.bounds
    B = np.array([b] * k if not isinstance(b[0], list) else b, float)
    if B.shape != (k, 2):
        raise ValueError(f"bounds has {len(B)} [lo, hi] pairs but the node has {k} children")
    if B[:, 0].sum() > 1 + 1e-12 or B[:, 1].sum() < 1 - 1e-12:
        raise ValueError(f"the share bounds cannot all hold: the lower bounds sum to "
                         f"{B[:, 0].sum():g} (must be ≤ 1) and the upper bounds to "
                         f"{B[:, 1].sum():g} (must be ≥ 1)")
    return B


def _check(X, ctx, method):
    X = np.asarray(X, float)
    names = child_names(ctx, X.shape[1])
    units = getattr(ctx, "units", None)
    years = getattr(ctx, "years", None)
    years = np.zeros(len(X)) if years is None else np.asarray(years)
    where = np.argwhere(np.isnan(X))
    if len(where):
        r, c = where[0]
        who = f"unit {str(units[r])!r}, year {years[r]}" if units is not None else f"row {r}"
        raise ValueError(f"{method} needs complete data, but {len(where)} values are missing "
                         f"(first: {names[c]!r} for {who}); impute missing values first")
    if np.any(X < 0) or not np.all(np.isfinite(X)):
        r, c = np.argwhere((X < 0) | ~np.isfinite(X))[0]
        who = f"unit {str(units[r])!r}, year {years[r]}" if units is not None else f"row {r}"
        raise ValueError(f"{method}: values must be finite and ≥ 0, but {names[c]!r} is {X[r, c]:g} "
                         f"for {who}; normalise onto a non-negative scale, e.g. clipped minmax "
                         f"[0, 100]")
    return X, names, years


def solve(X, ctx, params, method="bod"):
    """(scores, optimal weights normalised to sum 1, number of relaxed lower bounds)."""
    from scipy.optimize import linprog  # imported when used: loading a framework stays quick

    X, names, years = _check(X, ctx, method)
    n, k = X.shape
    B = _share_bounds(params, k)
    scores, W, relaxed = np.zeros(n), np.zeros((n, k)), 0
    pooled = params is not None and params.pooled
    for t in ([None] if pooled else np.unique(years)):
        rows = np.arange(n) if pooled else np.flatnonzero(years == t)
        # BoD is invariant to rescaling a child within the year: divide each child by its
        # maximum for a well-conditioned LP, and scale the weights back afterwards
        scale = X[rows].max(axis=0)
        scale[scale <= 0] = 1.0
        peers = X[rows] / scale
        var_bounds = [(0, 0) if not np.any(peers[:, j] > 0) else (0, None) for j in range(k)]
        for i in rows:
            x = X[i] / scale
            if not np.any(x > 0):
                W[i] = np.nan  # score 0 whatever the weights
                continue
            A, b = [peers], [np.ones(len(rows))]
            if B is not None:
                lo = np.where(x > 0, B[:, 0], 0.0)
                relaxed += int(np.sum((x == 0) & (B[:, 0] > 0)))
                # −x_j w_j + lo_j·Σ x_l w_l ≤ 0  and  x_j w_j − hi_j·Σ x_l w_l ≤ 0
                A += [np.outer(lo, x) - np.diag(x), np.diag(x) - np.outer(B[:, 1], x)]
                b += [np.zeros(k), np.zeros(k)]
            res = linprog(-x, A_ub=np.vstack(A), b_ub=np.concatenate(b), bounds=var_bounds,
                          method="highs")
            if res.status != 0:
                unit = getattr(ctx, "units", None)
                who = f"unit {str(unit[i])!r}, year {t}" if unit is not None else f"row {i}"
                raise ValueError(f"{method}: the linear programme for {who} failed "
                                 f"({res.message}); check the share bounds")
            scores[i] = min(max(-res.fun, 0.0), 1.0)
            with np.errstate(divide="ignore"):  # w_j = w̃_j / scale_j, normalised in logs
                logw = np.log(np.clip(res.x, 0, None)) - np.log(scale)
            v = np.exp(logw - logw.max()) if np.isfinite(logw.max()) else np.full(k, np.nan)
            W[i] = v / v.sum()
    return scores, W, relaxed


@register("weights", "bod", BodParams,
          capabilities=lambda p: Capabilities(scope="panel" if p.pooled else "year", inputs="nonnegative",
                                              data_driven=True, per_row=True))
def bod_weights(X, prior=None, params: BodParams | None = None, ctx=None):
    """Benefit-of-the-Doubt weights: each unit-year's own optimal DEA weights.

    For unit i of year t: w*_i = argmax_w Σ_j w_j x_ij s.t. Σ_j w_j x_kj ≤ 1 for every
    unit k of year t, w ≥ 0, and the optional pie-share ``bounds`` lo_j ≤ w_j x_ij /
    Σ_l w_l x_il ≤ hi_j (module docstring). Returns one row of weights per unit-year,
    w*_ij / Σ_l w*_il (summing to 1); a unit whose values are all 0 gets equal weights.
    The weighted arithmetic mean with these weights equals BoD_i / Σ_l w*_il, not the
    BoD score: use ``aggregate: bod`` for the scores. Optimal weights need not be
    unique (efficient units); HiGHS returns one optimum. Values must be ≥ 0 and
    complete. The ``prior`` is not used.
    Reference: Cherchye, Moesen, Rogge & Van Puyenbroeck (2007), An introduction to
    'benefit of the doubt' composite indicators, Social Indicators Research 82,
    111–145; OECD/JRC (2008) Handbook, §6.1.5.
    """
    scores, W, relaxed = solve(X, ctx, params, "bod weights")
    warnings = []
    total = W.sum(axis=1, keepdims=True)
    zero = ~np.isfinite(total[:, 0]) | (total[:, 0] <= 0)
    W = np.where(zero[:, None], 1.0 / W.shape[1], W / np.where(zero, 1.0, total[:, 0])[:, None])
    if zero.any():
        warnings.append(f"bod weights: {int(zero.sum())} unit-years score 0 on every child "
                        f"and get equal weights")
    if relaxed:
        warnings.append(f"bod weights: {relaxed} share lower bounds were relaxed to 0 where a "
                        f"unit scores 0 on that child")
    years = getattr(ctx, "years", None)
    years = np.zeros(len(W)) if years is None else np.asarray(years)
    info = {"efficient_per_year": {str(t): int(np.sum(np.isclose(scores[years == t], 1.0)))
                                   for t in np.unique(years)},
            "mean_score": float(scores.mean()), "warnings": warnings}
    return W, info


@register("aggregate", "bod", BodParams,
          capabilities=lambda p: Capabilities(scope="panel" if p.pooled else "year", inputs="nonnegative"),
          output_range=lambda p, ranges: (0.0, 1.0, False))
def bod_aggregate(X, w=None, params: BodParams | None = None, ctx=None):
    """Benefit-of-the-Doubt score: BoD_i = max_w Σ_j w_j x_ij, no unit of the year above 1.

    One DEA linear programme per unit-year against the units of the same year
    (``ctx.years``), with the optional pie-share ``bounds`` lo_j ≤ w_j x_ij / Σ_l w_l x_il
    ≤ hi_j (a lower bound is relaxed to 0 where x_ij = 0). Scores are in [0, 1] and
    the best unit(s) of every year score exactly 1. ``pooled: true``: one frontier over
    every unit-year of the panel (the best unit-year of all scores 1), comparable across years. The node's weights ``w`` are not
    used: each unit chooses its own. Values must be ≥ 0; missing values are refused.
    Reference: Cherchye, Moesen, Rogge & Van Puyenbroeck (2007), Social Indicators
    Research 82, 111–145; Melyn & Moesen (1991); OECD/JRC (2008) Handbook, §6.1.5.
    """
    scores, _, _ = solve(X, ctx, params, "bod aggregation")
    return scores
