"""Multi-criteria aggregation: Copeland, TOPSIS and VIKOR.

These compare the units with one another. By default each works within one year
(rows grouped by ``ctx.years``; all rows form one group when ``ctx`` is None), so a
score says how a unit stands among that year's units and is not comparable across
years. With ``pooled: true`` every unit-year of the panel is compared at once (the
"global" or panel form, 全局TOPSIS): normalisation, ideal points, best and worst
values are taken over the stacked panel, so a unit's score can rise over the years
when its indicators grow. The children are benefit criteria (the normalisation
already made higher = better). Each ``*_details`` function returns the intermediate
tables, as pymcdm's ``verbose=True`` does; the registered function returns only its
``score``. Tables keyed by year use the key ``None`` when there is no ``ctx`` and
``"pooled"`` for the pooled form.
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .means import _all_missing, present_weights, year_groups

np = lazy_module("numpy", globals())


def _year_of(ctx, rows, pooled=False):
    if pooled and ctx is not None and ctx.years is not None:
        return "pooled"
    return None if ctx is None or ctx.years is None else np.asarray(ctx.years, dtype=object)[rows[0]]


def _scope(params) -> Capabilities:
    """Within each year, or over the whole panel with ``pooled: true``."""
    return Capabilities(scope="panel" if params.pooled else "year")


POOLED = Field(False, description="compare every unit-year of the panel at once instead of "
                                  "within each year (scores comparable across years)")


# --------------------------------------------------------------------------- Copeland

class CopelandParams(Params):
    scale: Literal["raw", "0-1"] = "raw"
    pooled: bool = POOLED


def copeland_details(X: np.ndarray, w: np.ndarray, params: CopelandParams | None = None,
                     ctx=None) -> dict:
    """Intermediate tables of :func:`copeland`: per year the ``rows`` compared and the
    ``outranking`` matrix e (e[a, b] = weight of the children where a beats b, ties
    counting half); per row ``wins``, ``losses``, ``ties``, ``raw`` and ``score``."""
    p = params or CopelandParams()
    X = np.asarray(X, float)
    W = np.broadcast_to(np.asarray(w, float), X.shape)
    n_rows = len(X)
    wins, losses, ties = (np.zeros(n_rows) for _ in range(3))
    raw = np.full(n_rows, np.nan)
    score = np.full(n_rows, np.nan)
    outranking, groups = {}, {}
    for rows in year_groups(ctx, n_rows, p.pooled):
        year = _year_of(ctx, rows, p.pooled)
        rows = rows[~_all_missing(X[rows])]
        n = len(rows)
        E = np.full((n, n), np.nan)
        for i, a in enumerate(rows):
            others = X[rows]
            both = ~np.isnan(X[a]) & ~np.isnan(others)            # (n, k) present for the pair
            wp = np.where(both, (W[a] + W[rows]) / 2.0, 0.0)     # pair weights: mean of the two rows'
            total = wp.sum(axis=1)
            with np.errstate(invalid="ignore"):
                beats = np.where(both, (X[a] > others) + 0.5 * (X[a] == others), 0.0)
                E[i] = np.where(total > 0, np.sum(wp * beats, axis=1) / total, np.nan)
        np.fill_diagonal(E, np.nan)
        diff = E - E.T
        comparable = ~np.isnan(diff)
        tie = comparable & np.isclose(diff, 0.0, atol=1e-12)
        win = comparable & ~tie & (diff > 0)
        lose = comparable & ~tie & (diff < 0)
        wins[rows], losses[rows], ties[rows] = win.sum(1), lose.sum(1), tie.sum(1)
        raw[rows] = wins[rows] - losses[rows]
        if p.scale == "raw":
            score[rows] = raw[rows]
        else:
            score[rows] = (raw[rows] + (n - 1)) / (2.0 * (n - 1)) if n > 1 else 0.5
        outranking[year], groups[year] = E, rows
    return {"rows": groups, "outranking": outranking, "wins": wins, "losses": losses,
            "ties": ties, "raw": raw, "score": score}


@register("aggregate", "copeland", CopelandParams, capabilities=_scope,
          output_range=lambda p, ranges: (0.0, 1.0, False) if p.scale == "0-1" else (-math.inf, math.inf, False))
def copeland(X: np.ndarray, w: np.ndarray, params: CopelandParams | None = None,
             ctx=None) -> np.ndarray:
    """Copeland score of a weighted pairwise majority (non-compensatory).

    Within each year, for every pair of units (a, b): e_ab = Σ_j w_j·[x_aj > x_bj]
    + ½·Σ_j w_j·[x_aj = x_bj], and e_ba = 1 − e_ab. a beats b when e_ab > e_ba
    (ties: neither). Copeland score = wins − losses over all other units of the year,
    in [−(n−1), n−1]. ``scale: 0-1`` maps it by (score + n − 1)/(2(n − 1)), so 1 beats
    every unit (a year with one unit scores 0.5). Only the order of the values
    matters: any monotone re-scaling of a child leaves the scores unchanged.
    ``pooled: true`` compares every unit-year of the panel with every other (n = all
    unit-years). Missing: a pair is compared on the children present for both, their weights
    re-scaled; a pair with no child in common is not compared; a unit with no
    value scores NaN. Per-unit weights: a pair uses the mean of its two rows'
    weights. Any values are allowed.
    Reference: Munda, G. & Nardo, M. (2009) Noncompensatory/nonlinear composite
    indicators for ranking countries: a defensible setting, Applied Economics 41(12),
    1513–1523; OECD/JRC (2008) Handbook, §6.3.
    """
    return copeland_details(X, w, params, ctx)["score"]


# --------------------------------------------------------------------------- TOPSIS

class TopsisParams(Params):
    normalisation: Literal["vector", "minmax"] = "vector"
    pooled: bool = POOLED


def _normalise(block: np.ndarray, how: str) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "vector":
            norm = np.sqrt(np.nansum(block ** 2, axis=0))
            return np.where(norm > 0, block / norm, 0.0) + 0 * block     # keeps NaN
        lo, hi = np.fmin.reduce(block, axis=0), np.fmax.reduce(block, axis=0)
        return np.where(hi > lo, (block - lo) / (hi - lo), 1.0) + 0 * block


def topsis_details(X: np.ndarray, w: np.ndarray, params: TopsisParams | None = None,
                   ctx=None) -> dict:
    """Intermediate tables of :func:`topsis`: ``normalised`` r and ``weighted`` v = w·r
    (rows × k), per year the ``ideal`` and ``anti_ideal`` points (in the normalised
    space, k values), per row ``d_plus``, ``d_minus`` and ``score``."""
    p = params or TopsisParams()
    X = np.asarray(X, float)
    W = present_weights(X, w)
    R = np.full_like(X, np.nan)
    d_plus, d_minus = np.full(len(X), np.nan), np.full(len(X), np.nan)
    ideal, anti = {}, {}
    for rows in year_groups(ctx, len(X), p.pooled):
        r = _normalise(X[rows], p.normalisation)
        best, worst = np.fmax.reduce(r, axis=0), np.fmin.reduce(r, axis=0)  # NaN-skipping
        Wr = W[rows]
        d_plus[rows] = np.sqrt(np.nansum((Wr * (best - r)) ** 2, axis=1))
        d_minus[rows] = np.sqrt(np.nansum((Wr * (r - worst)) ** 2, axis=1))
        R[rows] = r
        year = _year_of(ctx, rows, p.pooled)
        ideal[year], anti[year] = best, worst
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, d_minus / total, 0.5)
    missing = _all_missing(X)
    for a in (d_plus, d_minus, score):
        a[missing] = np.nan
    return {"normalised": R, "weighted": W * R, "ideal": ideal, "anti_ideal": anti,
            "d_plus": d_plus, "d_minus": d_minus, "score": score}


@register("aggregate", "topsis", TopsisParams, capabilities=_scope, output_range=lambda p, ranges: (0.0, 1.0, False))
def topsis(X: np.ndarray, w: np.ndarray, params: TopsisParams | None = None,
           ctx=None) -> np.ndarray:
    """TOPSIS closeness to the ideal: C_i = D_i⁻ / (D_i⁺ + D_i⁻), in [0, 1].

    Within each year, each child is normalised (``normalisation: vector``, default:
    r_ij = x_ij/√(Σ_i x_ij²); ``minmax``: (x_ij − min_j)/(max_j − min_j)), weighted
    v_ij = w_j·r_ij; the ideal is the best (max) and the anti-ideal the worst (min)
    of each child in the year; D⁺, D⁻ are Euclidean distances to them:
    D_i⁺ = √Σ_j (w_j·(r_j⁺ − r_ij))². All children are benefit criteria.
    Missing: normalisation and ideal points use the year's present values; a unit's
    distances use its present children with weights re-scaled (with complete data
    this is the classic method). All units equal (D⁺ + D⁻ = 0) score 0.5. Any values
    allowed (vector normalisation needs no sign; a zero column normalises to 0).
    ``pooled: true`` (global TOPSIS, 全局TOPSIS): i runs over every unit-year of the panel,
    r_itj = x_itj/√(Σ_i Σ_t x_itj²) (or min-max over the panel), and the ideal and
    anti-ideal are the best and worst over all years, so scores are comparable across
    years (a unit whose indicators grow scores higher).
    Reference: Hwang, C.L. & Yoon, K. (1981) Multiple Attribute Decision Making,
    Springer, pp. 128–140.
    """
    return topsis_details(X, w, params, ctx)["score"]


# --------------------------------------------------------------------------- VIKOR

class VikorParams(Params):
    v: float = Field(0.5, ge=0.0, le=1.0)
    pooled: bool = POOLED


def vikor_details(X: np.ndarray, w: np.ndarray, params: VikorParams | None = None,
                  ctx=None) -> dict:
    """Intermediate tables of :func:`vikor`: per year the ``best`` f* and ``worst`` f⁻
    of each child; per row ``S`` (group utility), ``R`` (individual regret), ``Q``
    and ``score`` (= 1 − Q)."""
    p = params or VikorParams()
    X = np.asarray(X, float)
    W = present_weights(X, w)
    S, Rg, Q = (np.full(len(X), np.nan) for _ in range(3))
    best, worst = {}, {}
    for rows in year_groups(ctx, len(X), p.pooled):
        block = X[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            fs, fm = np.fmax.reduce(block, axis=0), np.fmin.reduce(block, axis=0)
            gap = np.where(fs > fm, (fs - block) / (fs - fm), 0.0)   # constant child: no regret
        d = np.where(np.isnan(block), 0.0, W[rows] * gap)
        s, r = d.sum(axis=1), d.max(axis=1)
        keep = ~_all_missing(block)
        q = np.zeros(len(rows))
        for part, weight in ((s, p.v), (r, 1.0 - p.v)):
            if keep.any():
                lo, hi = part[keep].min(), part[keep].max()
                if hi > lo:
                    q = q + weight * (part - lo) / (hi - lo)
        S[rows], Rg[rows], Q[rows] = s, r, q
        year = _year_of(ctx, rows, p.pooled)
        best[year], worst[year] = fs, fm
    missing = _all_missing(X)
    for a in (S, Rg, Q):
        a[missing] = np.nan
    return {"best": best, "worst": worst, "S": S, "R": Rg, "Q": Q, "score": 1.0 - Q}


@register("aggregate", "vikor", VikorParams, capabilities=_scope, output_range=lambda p, ranges: (0.0, 1.0, False))
def vikor(X: np.ndarray, w: np.ndarray, params: VikorParams | None = None,
          ctx=None) -> np.ndarray:
    """VIKOR compromise score, returned as 1 − Q so that higher is better (in [0, 1]).

    Within each year, with f*_j and f⁻_j the best (max) and worst (min) value of
    child j: d_ij = (f*_j − x_ij)/(f*_j − f⁻_j), S_i = Σ_j w_j·d_ij (group utility),
    R_i = max_j w_j·d_ij (individual regret) and
    Q_i = v·(S_i − S*)/(S⁻ − S*) + (1 − v)·(R_i − R*)/(R⁻ − R*), with S* = min S,
    S⁻ = max S (likewise R); ``v`` (default 0.5) is the weight of the majority
    strategy. Degenerate cases without division by zero: a child constant in the
    year gives d = 0; when S⁻ = S* (or R⁻ = R*) that term is 0 for every unit.
    Only the score is returned; VIKOR's acceptable-advantage and stability checks
    are not applied (see :func:`vikor_details` for S, R and Q).
    ``pooled: true``: f*_j, f⁻_j, S*, S⁻, R* and R⁻ are taken over every unit-year of
    the panel, so scores are comparable across years.
    Missing: best/worst use the year's present values; S and R use the unit's
    present children with weights re-scaled. Any values allowed.
    Reference: Opricovic, S. & Tzeng, G.H. (2004) Compromise solution by MCDM
    methods: a comparative analysis of VIKOR and TOPSIS, European Journal of
    Operational Research 156(2), 445–455.
    """
    return vikor_details(X, w, params, ctx)["score"]
