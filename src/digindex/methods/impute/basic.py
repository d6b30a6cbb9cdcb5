"""Imputation methods: fill missing indicator values before normalisation."""
from __future__ import annotations

from ...lazy import lazy_module
from ..registry import register

np = lazy_module("numpy", globals())


@register("impute", "none")
def no_imputation(X: np.ndarray, ctx, params=None):
    """No imputation: missing values stay missing and aggregation skips them.

    Reference: OECD/JRC (2008) Handbook, §3 (case deletion / available-case).
    """
    return np.asarray(X, float), []
