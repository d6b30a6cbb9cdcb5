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
    grouped = scores[columns].groupby(group, sort=False)
    return grouped.rank(method="min", ascending=False, na_option="keep")


def as_int_ranks(ranks: pd.DataFrame) -> pd.DataFrame:
    return ranks.astype("Int64")


def dense_position(values: np.ndarray) -> np.ndarray:
    """Rank 1..n of a 1-D score vector with ties at the minimum (for tests)."""
    s = pd.Series(values)
    return s.rank(method="min", ascending=False).to_numpy()
