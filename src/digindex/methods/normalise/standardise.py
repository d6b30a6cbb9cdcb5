"""Standardisation (z-scores), optionally rescaled to a chosen mean and sd.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5
(standardisation); COINr ``n_zscore`` (rescaling to mean 10, sd 2).
"""
from __future__ import annotations


import warnings

from pydantic import Field

from ...lazy import lazy_module
from ..registry import register
from .minmax import NormaliseContext, PanelBounds, bounds_scope, columns_per_period, per_period

np = lazy_module("numpy", globals())


class ZScoreParams(PanelBounds):
    mean: float = 0.0
    sd: float = Field(1.0, gt=0)


def _zscore_columns(X: np.ndarray, directions: np.ndarray, years, params: ZScoreParams) -> np.ndarray:
    """``zscore`` of many indicators at once."""

    def block(V):
        ok = ~np.isnan(V)
        n = ok.sum(axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing or single-value columns
            z = (V - np.nanmean(V, axis=0)) / np.nanstd(V, axis=0, ddof=1)
        flat = (n < 2) | (np.nanmax(np.where(ok, V, -np.inf), axis=0) == np.nanmin(np.where(ok, V, np.inf), axis=0))
        out = params.mean + params.sd * directions * z
        return np.where(ok, np.where(flat, params.mean, out), np.nan)

    return columns_per_period(X, years, params.bounds == "pooled", block)


@register("normalise", "zscore", ZScoreParams, capabilities=bounds_scope, columns=_zscore_columns, columns_ok=lambda p, ctx: True)
def zscore(x: np.ndarray, ctx: NormaliseContext, params: ZScoreParams) -> np.ndarray:
    """Z-score: y = mean + sd·d·(x − x̄)/s, with d the direction (+1 or −1).

    x̄ and s are the mean and the *sample* standard deviation (ddof = 1, as R's
    ``sd`` and COINr use) of each year's values, or of all years with
    ``bounds: pooled``; NaNs are ignored and stay NaN. ``mean``/``sd`` rescale the
    result (default 0 and 1; COINr's example uses 10 and 2). A period with
    fewer than two values, or constant values, scores ``mean``.

    Reference: OECD/JRC (2008) Handbook, §5; COINr ``n_zscore``.
    """

    def one(v):
        ok = ~np.isnan(v)
        if ok.sum() < 2 or np.nanmax(v) == np.nanmin(v):
            return np.where(ok, params.mean, np.nan)
        z = (v - np.nanmean(v)) / np.nanstd(v, ddof=1)
        return params.mean + params.sd * ctx.direction * z

    return per_period(np.asarray(x, float), ctx, params.bounds == "pooled", one)
