"""Aggregation operators: combine the scores of a node's children.

Each function takes ``X`` (rows = unit-years, columns = children) and weights
``w`` summing to 1. Missing cells (NaN) are skipped and the weights of the
present children are re-scaled to sum to 1; the engine has already set rows
below the node's ``min_coverage`` to missing.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.
"""
from __future__ import annotations

import numpy as np

from ..registry import register


def present_weights(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights per row over the present cells, re-scaled to sum to 1 (0 if none)."""
    W = np.where(np.isnan(X), 0.0, np.broadcast_to(w, X.shape))
    total = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, W / total, 0.0)


def _all_missing(X: np.ndarray) -> np.ndarray:
    return np.all(np.isnan(X), axis=1)


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
    if np.any(X[~np.isnan(X)] <= 0):
        raise ValueError("geometric mean needs values > 0")
    W = present_weights(X, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isnan(X), 0.0, np.log(np.where(np.isnan(X), 1.0, X)))
    y = np.exp(np.sum(W * logs, axis=1))
    y[_all_missing(X)] = np.nan
    return y


# Operators that need strictly positive inputs; checked before any data is read.
NEEDS_POSITIVE = {"geometric"}
