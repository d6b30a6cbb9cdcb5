"""Weighting methods: the weights of the children of one aggregate node.

Each function takes the children's normalised values ``X`` (rows = unit-years)
and the framework's relative weights ``prior`` and returns weights summing to 1.
"""
from __future__ import annotations

from ...lazy import lazy_module
from ..registry import register

np = lazy_module("numpy", globals())


@register("weights", "manual")
def manual(X: np.ndarray, prior: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Manual weights: the framework's ``weight`` of each child, w_j = v_j / Σ v.

    Weights are relative to siblings, so [1, 2, 1] means 25 %, 50 %, 25 %.
    Reference: OECD/JRC (2008) Handbook, §6 (weights from expert opinion).
    """
    prior = np.asarray(prior, float)
    return prior / prior.sum()


@register("weights", "equal")
def equal(X: np.ndarray, prior: np.ndarray, params=None, ctx=None) -> np.ndarray:
    """Equal weights: w_j = 1/k for k children, whatever the framework says.

    Reference: OECD/JRC (2008) Handbook, §6.1.1.
    """
    k = len(prior)
    return np.full(k, 1.0 / k)
