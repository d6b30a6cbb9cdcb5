"""Ranks: 1 is best; ties take the minimum rank (1, 2, 2, 4)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def rank_within(scores: pd.DataFrame, columns: list[str], by: list[str]) -> pd.DataFrame:
    """Rank each column of ``scores`` within groups of ``by`` (e.g. year, parent).

    Missing scores get no rank. Returns a float frame (NaN where unranked) with
    the same index and ``columns``.
    """
    group = np.zeros(len(scores), dtype=np.int64)
    for b in by:  # one integer code per group (a missing key is a group of its own)
        codes, uniques = pd.factorize(scores[b].astype(object), use_na_sentinel=False)
        group = group * max(len(uniques), 1) + codes
    values = scores[columns].to_numpy(dtype=float, na_value=np.nan)
    ranks = np.column_stack([_min_ranks(values[:, j], group) for j in range(len(columns))]) \
        if len(columns) else np.zeros((len(scores), 0))
    return pd.DataFrame(ranks, index=scores.index, columns=columns)


def _min_ranks(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Descending ranks within each group, ties at the minimum, NaN unranked: what pandas'
    ``groupby(group).rank(method="min", ascending=False)`` gives, by one sort instead of a
    pass per group."""
    out = np.full(len(values), np.nan)
    rows = np.flatnonzero(~np.isnan(values))
    if not len(rows):
        return out
    x, g = values[rows], group[rows]
    order = np.lexsort((-x, g))  # by group, then best first
    x, g = x[order], g[order]
    position = np.arange(len(x))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, x[1:] != x[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    tie_start = np.maximum.accumulate(np.where(new_value, position, 0))
    out[rows[order]] = tie_start - group_start + 1
    return out


def as_int_ranks(ranks: pd.DataFrame) -> pd.DataFrame:
    return ranks.astype("Int64")


def dense_position(values: np.ndarray) -> np.ndarray:
    """Rank 1..n of a 1-D score vector with ties at the minimum (for tests)."""
    s = pd.Series(values)
    return s.rank(method="min", ascending=False).to_numpy()
