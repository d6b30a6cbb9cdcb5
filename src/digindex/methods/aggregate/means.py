"""Aggregation operators: combine the scores of a node's children.

Each function takes ``X`` (rows = unit-years, columns = children) and weights
``w`` summing to 1 (shape (k,) or one row per unit-year). Missing cells (NaN)
are skipped and the weights of the present children are re-scaled to sum to 1;
the engine sets rows below the node's ``min_coverage`` to missing afterwards.
Means that need positive values raise ``ValueError`` naming the first offending
cell; those that always need them are listed in ``NEEDS_POSITIVE`` so that the
framework check refuses them before any data is read.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.
"""
from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from ..registry import Params, register


def present_weights(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights per row over the present cells, re-scaled to sum to 1 (0 if none)."""
    W = np.where(np.isnan(X), 0.0, np.broadcast_to(w, X.shape))
    total = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, W / total, 0.0)


def _all_missing(X: np.ndarray) -> np.ndarray:
    return np.all(np.isnan(X), axis=1)


def year_groups(ctx, n: int) -> list[np.ndarray]:
    """Row indices of each year (in order of first appearance); one group without ``ctx``."""
    years = getattr(ctx, "years", None)
    if years is None:
        return [np.arange(n)]
    years = np.asarray(years, dtype=object)
    return [np.flatnonzero(years == y) for y in dict.fromkeys(years.tolist())]


def check_positive(X: np.ndarray, what: str, ctx=None, strict: bool = True) -> None:
    """Raise ValueError naming the first present cell ≤ 0 (``strict``) or < 0."""
    bad = (X <= 0) if strict else (X < 0)  # NaN compares False: missing cells pass
    if not bad.any():
        return
    r, c = np.argwhere(bad)[0]
    if ctx is not None and getattr(ctx, "units", None) is not None:
        names = getattr(ctx, "children", None) or []
        child = repr(names[c]) if c < len(names) else f"child {c + 1}"
        year = "" if getattr(ctx, "years", None) is None else f", year {ctx.years[r]}"
        where = f"{child} scores {X[r, c]:g} for unit {ctx.units[r]!r}{year}"
    else:
        where = f"row {r}, column {c} is {X[r, c]:g}"
    raise ValueError(f"{what} needs values {'>' if strict else '≥'} 0, but {where}; normalise onto "
                     "a scale above 0 (e.g. min-max [1, 100]) or use the arithmetic mean")


@register("aggregate", "arithmetic")
def arithmetic(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted arithmetic mean: y = Σ_j w_j·x_j / Σ_j w_j over present x_j.

    Fully compensatory. Missing values are skipped and the remaining weights
    re-scaled; any value is allowed.
    Reference: OECD/JRC (2008) Handbook, §6.1.
    """
    W = present_weights(X, w)
    y = np.nansum(W * np.nan_to_num(X), axis=1)
    y[_all_missing(X)] = np.nan
    return y


@register("aggregate", "geometric")
def geometric(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted geometric mean: y = Π_j x_j^(w_j / Σ w), over present x_j.

    Partially compensatory. Missing values are skipped and the remaining weights
    re-scaled. Values ≤ 0 are refused (the engine names the unit and year):
    use a normalisation whose scale starts above 0, e.g. min-max [1, 100].
    Reference: OECD/JRC (2008) Handbook, §6.2; UNDP HDR Technical note 1.
    """
    check_positive(X, "the geometric mean", ctx)
    W = present_weights(X, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isnan(X), 0.0, np.log(np.where(np.isnan(X), 1.0, X)))
    y = np.exp(np.sum(W * logs, axis=1))
    y[_all_missing(X)] = np.nan
    return y


@register("aggregate", "harmonic")
def harmonic(X: np.ndarray, w: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Weighted harmonic mean: y = 1 / Σ_j (w_j/Σw)/x_j, over present x_j.

    Less compensatory than the geometric mean (a low component weighs heavily).
    Missing values are skipped and the remaining weights re-scaled. Values ≤ 0 are
    refused with a ValueError naming the cell (also refused statically).
    Reference: OECD/JRC (2008) Handbook, §6; Bullen (2003) Handbook of Means, ch. II.
    """
    check_positive(X, "the harmonic mean", ctx)
    W = present_weights(X, w)
    with np.errstate(divide="ignore"):
        y = 1.0 / np.sum(np.where(np.isnan(X), 0.0, W / np.where(np.isnan(X), 1.0, X)), axis=1)
    y[_all_missing(X)] = np.nan
    return y


class GeneralisedParams(Params):
    r: Annotated[float, Field(allow_inf_nan=False)] = 1.0


@register("aggregate", "generalised", GeneralisedParams)
def generalised(X: np.ndarray, w: np.ndarray, params: GeneralisedParams | None = None,
                ctx=None) -> np.ndarray:
    """Weighted power (generalised) mean of order r: y = (Σ_j w_j·x_j^r)^(1/r).

    Weights are re-scaled over the present x_j (missing values are skipped).
    r = 1 is the arithmetic mean (any values), r → 0 the geometric mean (used for
    r = 0 exactly), r = −1 the harmonic mean; higher r is more compensatory.
    For r ≤ 0 values ≤ 0 raise ValueError ("needs values > 0"); for other r > 0
    negative values raise ValueError (x^r is undefined), zeros are allowed.
    Parameter ``r`` (default 1). Because the need for positives depends on r,
    ``generalised`` is not in NEEDS_POSITIVE; see :func:`needs_positive`.
    Reference: OECD/JRC (2008) Handbook, §6; Bullen (2003) Handbook of Means, ch. III;
    Decancq & Lugo (2013) Econometric Reviews 32(1) (power means in indices).
    """
    r = (params or GeneralisedParams()).r
    if r == 1:
        return arithmetic(X, w, None, ctx)
    if r == 0:
        return geometric(X, w, None, ctx)
    check_positive(X, f"the generalised mean of order r={r:g}", ctx, strict=r < 0)
    W = present_weights(X, w)
    # scale by the row max (r > 0) or min (r < 0) so that every (x/m)^r ≤ 1 and one
    # term is 1: no overflow, and the sum cannot underflow to 0
    filled = np.where(_all_missing(X)[:, None], 1.0, X)
    m = np.nanmax(filled, axis=1) if r > 0 else np.nanmin(filled, axis=1)
    m = np.where(m > 0, m, 1.0)
    Z = np.where(np.isnan(X), 1.0, X / m[:, None])
    with np.errstate(divide="ignore", over="ignore"):
        y = m * np.sum(np.where(np.isnan(X), 0.0, W * Z ** r), axis=1) ** (1.0 / r)
    y[_all_missing(X)] = np.nan
    return y


class MeanMinParams(Params):
    alpha: float = Field(0.5, ge=0.0, le=1.0)
    beta: float = Field(0.0, ge=0.0, allow_inf_nan=False)


@register("aggregate", "mean_min", MeanMinParams)
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


# Operators that always need strictly positive inputs; checked before any data is read.
NEEDS_POSITIVE = {"geometric", "harmonic"}


def needs_positive(name: str, params=None) -> bool:
    """Whether operator ``name`` with ``params`` needs inputs > 0 (generalised: r ≤ 0)."""
    if name == "generalised":
        r = getattr(params, "r", None)
        if r is None and isinstance(params, dict):
            r = params.get("r", 1.0)
        return (1.0 if r is None else float(r)) <= 0
    return name in NEEDS_POSITIVE
