"""Rank statistics per unit over the replications of an uncertainty analysis."""
from __future__ import annotations

import numpy as np
import pandas as pd


def rank_summary(ranks: np.ndarray, nominal: np.ndarray, units, prefix: str = "",
                 top_k: tuple[int, ...] = (1, 3, 10)) -> pd.DataFrame:
    """Nominal, mean, median, 5th and 95th percentile rank and P(rank ≤ k) per unit.

    ``ranks`` is (R, n); percentiles use numpy's default linear interpolation.
    """
    with np.errstate(all="ignore"):
        table = pd.DataFrame({
            "unit": list(units),
            f"{prefix}nominal_rank": nominal,
            f"{prefix}mean_rank": np.nanmean(ranks, axis=0),
            f"{prefix}median_rank": np.nanmedian(ranks, axis=0),
            f"{prefix}p05_rank": np.nanpercentile(ranks, 5, axis=0),
            f"{prefix}p95_rank": np.nanpercentile(ranks, 95, axis=0),
        })
        for k in top_k:
            table[f"{prefix}p_top{k}"] = np.mean(ranks <= k, axis=0)
    return table


def rank_frequency(ranks: np.ndarray, units) -> pd.DataFrame:
    """Share of replications in which each unit takes each rank (units × ranks)."""
    n = ranks.shape[1]
    freq = np.zeros((n, n))
    R = ranks.shape[0]
    for u in range(n):
        r = ranks[:, u]
        r = r[~np.isnan(r)].astype(int)
        freq[u] = np.bincount(r - 1, minlength=n)[:n] / R
    return pd.DataFrame(freq, index=pd.Index(list(units), name="unit"),
                        columns=[f"rank_{i + 1}" for i in range(n)]).reset_index()
