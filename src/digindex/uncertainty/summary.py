"""Rank statistics per unit over the replications of an uncertainty analysis.

Ranks are whole numbers 1..n, so every statistic comes from one table of counts
(units × ranks): the mean, percentiles with numpy's default linear
interpolation between order statistics, P(rank ≤ k) and the rank frequencies.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def rank_counts(ranks: np.ndarray, width: int | None = None) -> np.ndarray:
    """(units, width) counts of each rank 1..width per unit; missing ranks are not counted.

    ``width`` is the largest possible rank: by default the number of units (ranks within
    parent regions stop at the largest region's size).
    """
    R, n = ranks.shape
    ok = ~np.isnan(ranks)
    width = n if width is None else width
    flat = (np.arange(n) * width + np.where(ok, ranks, 1) - 1).astype(np.int64)
    weights = None if ok.all() else ok.ravel().astype(float)
    counts = np.bincount(flat.ravel(), weights=weights, minlength=n * width)
    return counts.reshape(n, width).astype(np.int64)


def _percentiles(counts: np.ndarray, qs) -> list[np.ndarray]:
    """The q-th percentiles of each unit's ranks (numpy 'linear'), from its counts.

    The k-th order statistic of a unit is 1 + the number of ranks whose cumulative count
    is ≤ k; one binary search over all units at once (each row's cumulative counts are
    offset by the row number times R + 1, so the flattened table stays sorted).
    """
    n, width = counts.shape
    total = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    offset = np.arange(n) * (int(total.max(initial=0)) + 1)
    flat = (cum + offset[:, None]).ravel()

    def order_statistic(k):  # integer queries: a float query would convert the whole table
        return np.searchsorted(flat, k.astype(np.int64) + offset, side="right") - np.arange(n) * width + 1.0

    out = []
    for q in qs:
        h = (total - 1) * q / 100.0
        lo = np.floor(h)
        lo_val = order_statistic(lo)
        hi_val = order_statistic(np.minimum(lo + 1, total - 1))
        out.append(np.where(total > 0, lo_val + (h - lo) * (hi_val - lo_val), np.nan))
    return out


def rank_summary(ranks: np.ndarray, nominal: np.ndarray, units, prefix: str = "",
                 top_k: tuple[int, ...] = (1, 3, 10), counts: np.ndarray | None = None) -> pd.DataFrame:
    """Nominal, mean, median, 5th and 95th percentile rank and P(rank ≤ k) per unit."""
    counts = rank_counts(ranks) if counts is None else counts
    total = counts.sum(axis=1)
    positions = np.arange(1, counts.shape[1] + 1)
    median, p05, p95 = _percentiles(counts, (50, 5, 95))
    with np.errstate(all="ignore"):
        table = pd.DataFrame({
            "unit": list(units),
            f"{prefix}nominal_rank": nominal,
            f"{prefix}mean_rank": counts @ positions / total,
            f"{prefix}median_rank": median,
            f"{prefix}p05_rank": p05,
            f"{prefix}p95_rank": p95,
        })
        cum = np.cumsum(counts, axis=1)
        for k in top_k:
            table[f"{prefix}p_top{k}"] = cum[:, min(k, counts.shape[1]) - 1] / ranks.shape[0]
    return table


def rank_frequency(ranks: np.ndarray, units, counts: np.ndarray | None = None) -> pd.DataFrame:
    """Share of replications in which each unit takes each rank (units × ranks)."""
    counts = rank_counts(ranks) if counts is None else counts
    freq = counts / ranks.shape[0]
    return pd.DataFrame(freq, index=pd.Index(list(units), name="unit"),
                        columns=[f"rank_{i + 1}" for i in range(counts.shape[1])]).reset_index()
