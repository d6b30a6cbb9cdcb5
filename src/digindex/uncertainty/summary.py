"""Rank statistics per unit over the replications of an uncertainty analysis.

Ranks are whole numbers 1..n, so every statistic comes from one table of counts
(units × ranks): the mean, percentiles with numpy's default linear
interpolation between order statistics, P(rank ≤ k) and the rank frequencies.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def rank_counts(ranks: np.ndarray) -> np.ndarray:
    """(units, n) counts of each rank 1..n per unit; missing ranks are not counted."""
    R, n = ranks.shape
    ok = ~np.isnan(ranks)
    flat = (np.arange(n) * n + np.where(ok, ranks, 1) - 1).astype(np.int64)
    weights = None if ok.all() else ok.ravel().astype(float)
    counts = np.bincount(flat.ravel(), weights=weights, minlength=n * n)
    return counts.reshape(n, n).astype(np.int64)


def _percentile(counts: np.ndarray, q: float) -> np.ndarray:
    """The q-th percentile of each unit's ranks (numpy 'linear'), from its counts."""
    total = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    h = (total - 1) * q / 100.0
    lo = np.floor(h)
    value_at = lambda k: (cum <= k[:, None]).sum(axis=1) + 1.0  # noqa: E731 - the k-th order statistic
    lo_val, hi_val = value_at(lo), value_at(np.minimum(lo + 1, total - 1))
    out = lo_val + (h - lo) * (hi_val - lo_val)
    return np.where(total > 0, out, np.nan)


def rank_summary(ranks: np.ndarray, nominal: np.ndarray, units, prefix: str = "",
                 top_k: tuple[int, ...] = (1, 3, 10), counts: np.ndarray | None = None) -> pd.DataFrame:
    """Nominal, mean, median, 5th and 95th percentile rank and P(rank ≤ k) per unit."""
    counts = rank_counts(ranks) if counts is None else counts
    total = counts.sum(axis=1)
    positions = np.arange(1, counts.shape[1] + 1)
    with np.errstate(all="ignore"):
        table = pd.DataFrame({
            "unit": list(units),
            f"{prefix}nominal_rank": nominal,
            f"{prefix}mean_rank": counts @ positions / total,
            f"{prefix}median_rank": _percentile(counts, 50),
            f"{prefix}p05_rank": _percentile(counts, 5),
            f"{prefix}p95_rank": _percentile(counts, 95),
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
