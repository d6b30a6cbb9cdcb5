"""Ranks: 1 is best; ties take the minimum rank (1, 2, 2, 4)."""
from __future__ import annotations

from ..lazy import lazy_module

np = lazy_module("numpy", globals())
pd = lazy_module("pandas", globals())


def rank_within(scores: pd.DataFrame, columns: list[str], by: list[str]) -> pd.DataFrame:
    """Rank each column of ``scores`` within groups of ``by`` (e.g. year, parent).

    Missing scores get no rank. Returns a float frame (NaN where unranked) with
    the same index and ``columns``.
    """
    return rank_within_each(scores, columns, [by])[0]


def rank_within_each(scores: pd.DataFrame, columns: list[str], groupings: list[list[str]]) -> list[pd.DataFrame]:
    """:func:`rank_within` for each grouping of ``groupings`` (e.g. ``[["year"], ["year",
    "parent"]]``): the values are sorted once for all of them."""
    values = scores[columns].to_numpy(dtype=float, na_value=np.nan)
    by_value = _by_value(values)
    return [pd.DataFrame(_min_ranks(values, _group_codes(scores, by), by_value), index=scores.index,
                         columns=columns) for by in groupings]


def _group_codes(scores: pd.DataFrame, by: list[str]) -> np.ndarray:
    group = np.zeros(len(scores), dtype=np.int64)
    for b in by:  # one integer code per group (a missing key is a group of its own)
        codes, uniques = pd.factorize(scores[b].astype(object), use_na_sentinel=False)
        group = group * max(len(uniques), 1) + codes
    return group


def _by_value(values: np.ndarray) -> np.ndarray | None:
    """Per column of ``values``, its rows from the highest value down (NaN last)."""
    if not len(values) or not values.shape[1]:
        return None
    return np.argsort(-np.ascontiguousarray(values.T), axis=1)  # ties in any order: they share a rank


def _min_ranks(values: np.ndarray, group: np.ndarray, by_value: np.ndarray | None = None) -> np.ndarray:
    """Descending ranks of each column of ``values`` within each group, ties at the minimum,
    NaN unranked: what pandas' ``groupby(group).rank(method="min", ascending=False)`` gives,
    by two sorts of all the columns at once: by value (NaN last; ``by_value`` when given),
    then, stably, by group."""
    n = len(values)
    if not n or not values.shape[1]:
        return np.full(values.shape, np.nan)
    x = np.ascontiguousarray(values.T)  # a row per column: the sorts run along memory
    by_value = _by_value(values) if by_value is None else by_value
    codes = group.astype(np.int16 if group.max() < 1 << 15 else np.int64)  # 16 bits: a radix sort
    order = np.take_along_axis(by_value, np.argsort(codes[by_value], axis=1, kind="stable"), axis=1)
    x, g = np.take_along_axis(x, order, axis=1), codes[order]
    position = np.arange(n)[None, :]
    new_group = np.ones(x.shape, dtype=bool)
    new_group[:, 1:] = g[:, 1:] != g[:, :-1]
    new_value = new_group.copy()
    new_value[:, 1:] |= x[:, 1:] != x[:, :-1]
    group_start = np.maximum.accumulate(np.where(new_group, position, 0), axis=1)
    tie_start = np.maximum.accumulate(np.where(new_value, position, 0), axis=1)
    ranks = (tie_start - group_start + 1).astype(float)
    ranks[np.isnan(x)] = np.nan  # last in their group: the ranks before them are unaffected
    out = np.empty_like(ranks)
    np.put_along_axis(out, order, ranks, axis=1)
    return out.T


def as_int_ranks(ranks: pd.DataFrame) -> pd.DataFrame:
    return ranks.astype("Int64")


def dense_position(values: np.ndarray) -> np.ndarray:
    """Rank 1..n of a 1-D score vector with ties at the minimum (for tests)."""
    s = pd.Series(values)
    return s.rank(method="min", ascending=False).to_numpy()
