"""Ordinal normalisations: rank, percentile rank and Borda count.

All are computed per year (or pooled over years with ``bounds: pooled``) on the
present values; NaN stays NaN and is not counted. Direction −1 ranks −x, so the
best unit always gets the highest score.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5
(ranking, percentile ranks); Munda G. (2008) *Social Multi-Criteria Evaluation
for a Sustainable Economy*, Springer (Borda count).
"""
from __future__ import annotations

import math
from typing import Literal

from ...lazy import lazy_module
from ..registry import register
from .common import counts
from .minmax import NormaliseContext, PanelBounds, bounds_scope, per_period

np = lazy_module("numpy", globals())


class RankParams(PanelBounds):
    pass


def _ordinal(x, ctx, pooled, fn):
    """Apply ``fn(less, equal, n)`` to the direction-adjusted values of each period."""

    def one(v):
        less, equal, n = counts(ctx.direction * v)
        return np.where(np.isnan(v), np.nan, fn(less, equal, n))

    return per_period(np.asarray(x, float), ctx, pooled, one)


@register("normalise", "rank", RankParams, capabilities=bounds_scope, output_range=lambda p, c: (1.0, math.inf, True))
def rank(x: np.ndarray, ctx: NormaliseContext, params: RankParams) -> np.ndarray:
    """Rank position, 1 for the worst and n for the best: y = #{x_j < x} + (t + 1)/2.

    t is the number of units tied with the unit (itself included), so ties share
    the average of the positions they occupy (scipy ``rankdata``'s 'average').
    n counts the present values of the period.

    Reference: OECD/JRC (2008) Handbook, §5 (ranking).
    """
    return _ordinal(x, ctx, params.bounds == "pooled", lambda less, eq, n: less + (eq + 1) / 2)


class PercentileParams(PanelBounds):
    kind: Literal["scaled", "weak", "strict", "mean"] = "scaled"


def _percentile_range(params: PercentileParams, ctx):
    return 0.0, 100.0, params.kind in ("scaled", "strict")


@register("normalise", "percentile_rank", PercentileParams, capabilities=bounds_scope, output_range=_percentile_range)
def percentile_rank(x: np.ndarray, ctx: NormaliseContext, params: PercentileParams) -> np.ndarray:
    """Percentile rank on 0–100. With b = #{x_j < x}, t = #{x_j = x} and n values:

    - ``scaled`` (default): 100·(r − 1)/(n − 1) with r = b + (t + 1)/2 the average
      rank: the worst scores 0, the best 100 (a single value scores 50);
    - ``weak``: 100·(b + t)/n, ``strict``: 100·b/n, ``mean``: 100·(b + t/2)/n, the
      definitions of scipy ``percentileofscore``.

    Reference: OECD/JRC (2008) Handbook, §5 (percentile ranks).
    """

    def fn(less, eq, n):
        if params.kind == "weak":
            return 100 * (less + eq) / n
        if params.kind == "strict":
            return 100 * less / n
        if params.kind == "mean":
            return 100 * (less + eq / 2) / n
        if n == 1:
            return np.full_like(less, 50.0)
        return 100 * (less + (eq - 1) / 2) / (n - 1)

    return _ordinal(x, ctx, params.bounds == "pooled", fn)


class BordaParams(PanelBounds):
    ties: Literal["half", "none"] = "half"


@register("normalise", "borda", BordaParams, capabilities=bounds_scope, output_range=lambda p, c: (0.0, math.inf, True))
def borda(x: np.ndarray, ctx: NormaliseContext, params: BordaParams) -> np.ndarray:
    """Borda count: the number of units a unit beats, y = #{x_j worse than x}.

    With ``ties: half`` (default) each unit tied with it adds ½ (so the scores
    of a period sum to n(n − 1)/2 and y = average rank − 1); with ``ties: none``
    ties add nothing.

    Reference: Borda (1781); Munda G. (2008) *Social Multi-Criteria Evaluation
    for a Sustainable Economy*, Springer.
    """
    half = params.ties == "half"
    return _ordinal(x, ctx, params.bounds == "pooled",
                    lambda less, eq, n: less + ((eq - 1) / 2 if half else 0.0))
