"""Aggregation operators: combine the scores of a node's children.

Each function takes ``X`` (rows = unit-years, columns = children) and weights
``w`` summing to 1 (shape (k,) or one row per unit-year). Missing cells (NaN)
are skipped and the weights of the present children are re-scaled to sum to 1;
the engine sets rows below the node's ``min_coverage`` to missing afterwards.

The four power means (arithmetic, geometric, harmonic, generalised) are one kernel,
:func:`power_mean`, with one more (replication) axis: the engine evaluates one
weighting with it and the uncertainty engine thousands at once. Each declares its order
r and what it needs of its inputs as capabilities; a mean that needs positive values
raises ``ValueError`` naming the first offending cell (:func:`check_inputs`), and the
framework check refuses it before any data is read when a child's range allows 0.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register

np = lazy_module("numpy", globals())


def present_weights(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights per row over the present cells, re-scaled to sum to 1 (0 if none)."""
    W = np.where(np.isnan(X), 0.0, np.broadcast_to(w, X.shape))
    total = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, W / total, 0.0)


def _all_missing(X: np.ndarray) -> np.ndarray:
    return np.all(np.isnan(X), axis=1)


def year_groups(ctx, n: int, pooled: bool = False) -> list[np.ndarray]:
    """Row indices of each year (in order of first appearance); one group without ``ctx``
    or when ``pooled`` (the whole panel compared at once)."""
    years = getattr(ctx, "years", None)
    if years is None or pooled:
        return [np.arange(n)]
    years = np.asarray(years, dtype=object)
    return [np.flatnonzero(years == y) for y in dict.fromkeys(years.tolist())]


def check_inputs(X: np.ndarray, inputs: str, what: str, ctx=None) -> None:
    """Raise ValueError naming the first present cell that a method needing ``inputs``
    (``positive``: > 0, ``nonnegative``: ≥ 0, ``any``) cannot take.

    ``X`` is (rows, k) or (replications, rows, k); the message names the child, unit and
    year from ``ctx`` when it has them, else the row and column.
    """
    if inputs == "any":
        return
    strict = inputs == "positive"
    bad = (X <= 0) if strict else (X < 0)  # NaN compares False: missing cells pass
    if not bad.any():
        return
    cell = tuple(np.argwhere(bad)[0])
    r, c, value = cell[-2], cell[-1], X[cell]
    if ctx is not None and getattr(ctx, "units", None) is not None:
        names = getattr(ctx, "children", None) or []
        child = repr(names[c]) if c < len(names) else f"child {c + 1}"
        year = "" if getattr(ctx, "years", None) is None else f", year {ctx.years[r]}"
        where = f"{child} scores {value:g} for unit {ctx.units[r]!r}{year}"
    else:
        where = f"row {r}, column {c} is {value:g}"
    raise ValueError(f"{what} needs values {'>' if strict else '≥'} 0, but {where}; normalise onto "
                     "a scale above 0 (e.g. min-max [1, 100]) or use the arithmetic mean")


def power_inputs(r: float) -> str:
    """What the power mean of order r needs: any values (r = 1), ≥ 0 (r > 0), > 0 (r ≤ 0)."""
    return "any" if r == 1 else "nonnegative" if r > 0 else "positive"


@dataclass(frozen=True)
class PowerTerms:
    """The terms of power means of order r over a matrix, ready for many weightings.

    ``terms`` holds x^r of the scaled values (ln x for r = 0, x for r = 1), 0 where
    missing; ``present`` the present cells (None without gaps); ``scale`` the per-row
    scale m (for r ∉ {0, 1}): the largest value for r > 0, the smallest for r < 0, so
    that every (x/m)^r ≤ 1 and one term is 1: nothing overflows, and the sum of a row
    with a value cannot underflow to 0 (r = 150 over [300, 200] gives 298.6, not inf).
    """

    r: float
    terms: np.ndarray
    present: np.ndarray | None
    scale: np.ndarray | None


def power_terms(X: np.ndarray, r: float) -> PowerTerms:
    """The :class:`PowerTerms` of ``X`` (rows, k) or (replications, rows, k); inputs checked before."""
    present = ~np.isnan(X)
    gaps = not present.all()
    scale = None
    if r == 1:
        T = np.where(present, X, 0.0) if gaps else X
    elif r == 0:
        with np.errstate(divide="ignore"):
            T = np.log(np.where(present, X, 1.0))
    else:
        with np.errstate(invalid="ignore", all="ignore"):
            m = np.nanmax(X, axis=-1) if r > 0 else np.nanmin(X, axis=-1)
        scale = np.where(m > 0, m, 1.0)  # all-missing (NaN) and all-zero rows: 1
        with np.errstate(divide="ignore", over="ignore"):
            T = np.where(present, X / scale[..., None], 1.0) ** r
        if gaps:
            T = np.where(present, T, 0.0)
    return PowerTerms(r, T, present if gaps else None, scale)


def _weighted_sums(T: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Σ_j W_j·T_j for every replication and row: (R, rows)."""
    if W.ndim == 2:
        return W @ T.T if T.ndim == 2 else np.einsum("rnk,rk->rn", T, W)
    return np.einsum("nk,rnk->rn" if T.ndim == 2 else "rnk,rnk->rn", T, W)


def power_mean_of_terms(P: PowerTerms, W: np.ndarray) -> np.ndarray:
    """Weighted power means (R, rows) of prepared terms; ``W`` (R, k) or (R, rows, k)."""
    num = _weighted_sums(P.terms, W)
    if P.present is not None:
        den = _weighted_sums(P.present.astype(float), W)  # weights re-scaled over present cells
    else:
        den = W.sum(axis=-1)
        den = den[:, None] if W.ndim == 2 else den
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = num / den  # a row with no present cell: 0/0 = NaN
    if P.r == 1:
        return mean
    if P.r == 0:
        return np.exp(mean)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return P.scale * mean ** (1.0 / P.r)


def power_mean(X: np.ndarray, W: np.ndarray, r: float) -> np.ndarray:
    """Weighted power means of order r of R weightings at once: (R, rows).

    y = (Σ_j w_j·x_j^r / Σ_j w_j)^(1/r) over the present x_j (r = 0: Π_j x_j^(w_j/Σw)).
    ``X`` is (rows, k), shared by every weighting, or (R, rows, k); ``W`` is (R, k) or
    (R, rows, k) (one weighting per row). Missing cells are skipped and the weights
    re-scaled over the present ones; a row with none is NaN. Inputs are not checked
    here (see :func:`check_inputs` and :func:`power_inputs`).
    """
    return power_mean_of_terms(power_terms(X, r), W)


def _one(X: np.ndarray, w: np.ndarray, r: float, what: str, ctx) -> np.ndarray:
    """One weighting (``w`` (k,) or (rows, k)) of the power mean of order r, inputs checked."""
    X = np.asarray(X, float)
    check_inputs(X, power_inputs(r), what, ctx)
    return power_mean(X, np.asarray(w, float)[None], r)[0]


def _batched(r_of):
    """The batched kernel of a power mean whose order is ``r_of(params)``."""
    def kernel(X, W, params=None, ctx=None):
        return power_mean(X, W, r_of(params))
    return kernel


def within_children(params, ranges) -> tuple[float, float, bool]:
    """Output range of a mean: within its children's range."""
    return min(r[0] for r in ranges), max(r[1] for r in ranges), False


@register("aggregate", "arithmetic", capabilities=Capabilities(power=1.0),
          batched=_batched(lambda p: 1.0), output_range=within_children)
def arithmetic(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted arithmetic mean: y = Σ_j w_j·x_j / Σ_j w_j over present x_j.

    Fully compensatory. Missing values are skipped and the remaining weights
    re-scaled; any value is allowed.
    Reference: OECD/JRC (2008) Handbook, §6.1.
    """
    return _one(X, w, 1.0, "the arithmetic mean", ctx)


@register("aggregate", "geometric", capabilities=Capabilities(power=0.0, inputs="positive"),
          batched=_batched(lambda p: 0.0), output_range=within_children)
def geometric(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted geometric mean: y = Π_j x_j^(w_j / Σ w), over present x_j.

    Partially compensatory. Missing values are skipped and the remaining weights
    re-scaled. Values ≤ 0 are refused (the engine names the unit and year):
    use a normalisation whose scale starts above 0, e.g. min-max [1, 100].
    Reference: OECD/JRC (2008) Handbook, §6.2; UNDP HDR Technical note 1.
    """
    return _one(X, w, 0.0, "the geometric mean", ctx)


@register("aggregate", "harmonic", capabilities=Capabilities(power=-1.0, inputs="positive"),
          batched=_batched(lambda p: -1.0), output_range=within_children)
def harmonic(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted harmonic mean: y = 1 / Σ_j (w_j/Σw)/x_j, over present x_j.

    Less compensatory than the geometric mean (a low component weighs heavily).
    Missing values are skipped and the remaining weights re-scaled. Values ≤ 0 are
    refused with a ValueError naming the cell (also refused statically).
    Reference: OECD/JRC (2008) Handbook, §6; Bullen (2003) Handbook of Means, ch. II.
    """
    return _one(X, w, -1.0, "the harmonic mean", ctx)


class GeneralisedParams(Params):
    r: Annotated[float, Field(allow_inf_nan=False)] = 1.0


def _order(params) -> float:
    return (params or GeneralisedParams()).r


@register("aggregate", "generalised", GeneralisedParams,
          capabilities=lambda p: Capabilities(power=p.r, inputs=power_inputs(p.r)),
          batched=_batched(_order), output_range=within_children)
def generalised(X: np.ndarray, w: np.ndarray, params: GeneralisedParams | None = None,
                ctx=None) -> np.ndarray:
    """Weighted power (generalised) mean of order r: y = (Σ_j w_j·x_j^r)^(1/r).

    Weights are re-scaled over the present x_j (missing values are skipped).
    r = 1 is the arithmetic mean (any values), r → 0 the geometric mean (used for
    r = 0 exactly), r = −1 the harmonic mean; higher r is more compensatory.
    For r ≤ 0 values ≤ 0 raise ValueError ("needs values > 0"); for other r > 0
    negative values raise ValueError (x^r is undefined), zeros are allowed.
    Parameter ``r`` (default 1). Computed as m·(Σ_j w_j·(x_j/m)^r)^(1/r) with m the
    row's largest value (r > 0) or smallest (r < 0), so large r cannot overflow.
    Reference: OECD/JRC (2008) Handbook, §6; Bullen (2003) Handbook of Means, ch. III;
    Decancq & Lugo (2013) Econometric Reviews 32(1) (power means in indices).
    """
    r = _order(params)
    return _one(X, w, r, "the arithmetic mean" if r == 1 else "the geometric mean" if r == 0
                else f"the generalised mean of order r={r:g}", ctx)


class MeanMinParams(Params):
    alpha: float = Field(0.5, ge=0.0, le=1.0)
    beta: float = Field(0.0, ge=0.0, allow_inf_nan=False)


@register("aggregate", "mean_min", MeanMinParams, output_range=within_children)
def mean_min(X: np.ndarray, w: np.ndarray, params: MeanMinParams | None = None,
             ctx=None) -> np.ndarray:
    """Mean-Min function: y = μ − α·(√((μ − m)² + β²) − β).

    μ is the weighted arithmetic mean and m the minimum of the present values
    (missing values are skipped, weights re-scaled). ``alpha`` ∈ [0, 1] is the
    intensity of the penalty for unbalance, ``beta`` ≥ 0 (in the units of the
    scores) the intensity of complementarity: α = 0 or β → ∞ gives the mean,
    α = 1 with β = 0 the minimum; the default α = 0.5, β = 0 gives (μ + m)/2.
    Any values are allowed.
    Reference: Casadio Tarabusi, E. & Guarini, G. (2013) An unbalance adjustment
    method for development indicators, Social Indicators Research 112(1), 19–45.
    """
    p = params or MeanMinParams()
    mu = arithmetic(X, w, None, ctx)
    m = np.min(np.where(np.isnan(X), np.inf, X), axis=1)
    y = mu - p.alpha * (np.sqrt((mu - m) ** 2 + p.beta ** 2) - p.beta)
    y[_all_missing(X)] = np.nan
    return y


def needs_positive(name: str, params=None) -> bool:
    """Whether aggregation ``name`` with ``params`` needs inputs > 0 (asks its capabilities)."""
    from ..registry import get_method

    return get_method("aggregate", name).capabilities(params).inputs == "positive"
