"""Outlier treatment methods: tame skewed indicators before normalisation."""
from __future__ import annotations

from ...lazy import lazy_module
from ..registry import register

np = lazy_module("numpy", globals())


@register("treat", "none")
def no_treatment(X: np.ndarray, ctx, params=None):
    """No outlier treatment: values pass through unchanged.

    Reference: OECD/JRC (2008) Handbook, §5 (treatment is optional).
    """
    return np.asarray(X, float), []
