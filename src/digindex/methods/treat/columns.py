"""COINr's winsorise-else-log rule on all columns of a matrix at once.

The same rule as :func:`outliers.winsorise_points` applied column by column, but
vectorised: skewness and kurtosis of every column in one pass, and each
winsorising step applied to all still-failing columns together. Used by
``winsorise_log`` so that an uncertainty analysis can rebuild the treated
matrix for several ``max_points`` in a millisecond or two.
"""
from __future__ import annotations

from ...lazy import lazy_module

np = lazy_module("numpy", globals())


def skew_kurt_columns(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected G1 and G2 (e1071 type 2) of each column, ignoring NaN.

    G1 = √(n(n−1))/(n−2) · √n·Σd³/(Σd²)^{3/2};
    G2 = (n−1)/((n−2)(n−3)) · ((n+1)(n·Σd⁴/(Σd²)² − 3) + 6); NaN where undefined.
    """
    present = ~np.isnan(X)
    n = present.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, X, 0.0).sum(axis=0) / n
        d = np.where(present, X - mean, 0.0)
        d2 = d * d  # products, not ** (numpy's pow is ~50× slower for small powers)
        m2 = d2.sum(axis=0)
        m3 = (d2 * d).sum(axis=0)
        m4 = (d2 * d2).sum(axis=0)
        g1 = np.sqrt(n) * m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        g2 = ((n + 1) * (n * m4 / m2 ** 2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    g1 = np.where((n >= 3) & (m2 > 0), g1, np.nan)
    g2 = np.where((n >= 4) & (m2 > 0), g2, np.nan)
    return g1, g2


def passes_columns(g1, g2, skew_threshold, kurtosis_threshold):
    """1 pass, 0 fail, −1 undefined (COINr ``check_SkewKurt``)."""
    ok = (np.abs(g1) < skew_threshold) | (g2 < kurtosis_threshold)
    return np.where(np.isnan(g1) | np.isnan(g2), -1, ok.astype(int))


def winsorise_columns(X: np.ndarray, max_points: int, skew_threshold: float, kurtosis_threshold: float):
    """Winsorise every failing column, one extreme at a time, re-testing after each step.

    Returns (W, points, high_mask, low_mask): the winsorised matrix, the points per
    column, and which cells ended tied to the high or low extreme when moved.
    """
    return WinsoriseTrace(X, max_points, skew_threshold, kurtosis_threshold).result(max_points)


class WinsoriseTrace:
    """The winsorising steps of every column up to ``max_points``, kept so that the
    outcome for any smaller ``max_points`` comes from the same run.

    A column stops when it passes or when its points reach the limit; until then its
    steps do not depend on the limit. So the outcome for a limit k takes, for each
    column, the state after its last step that began with fewer than k points.
    """

    def __init__(self, X: np.ndarray, max_points: int, skew_threshold: float, kurtosis_threshold: float):
        self.X = X.astype(float, copy=True)
        self.max_points = max_points
        self.steps = []  # (columns stepped, points before, W after, high mask, low mask)
        W = self.X.copy()
        k = W.shape[1]
        hi_count = np.zeros(k, dtype=int)
        lo_count = np.zeros(k, dtype=int)
        hi_mask = np.zeros_like(W, dtype=bool)
        lo_mask = np.zeros_like(W, dtype=bool)
        g1, g2 = skew_kurt_columns(W)
        active = passes_columns(g1, g2, skew_threshold, kurtosis_threshold) == 0
        while True:
            active &= (hi_count + lo_count) < max_points
            active &= ~np.isnan(g1)
            if not active.any():
                break
            cols = np.flatnonzero(active)
            sub = W[:, cols]
            high = g1[cols] >= 0
            extreme = np.where(high, np.nanmax(sub, axis=0), np.nanmin(sub, axis=0))
            at = sub == extreme
            rest = np.where(at | np.isnan(sub), np.nan, sub)
            has_rest = ~np.all(np.isnan(rest), axis=0)
            with np.errstate(all="ignore"):
                nxt = np.where(high, np.nanmax(np.where(has_rest, rest, 0.0), axis=0),
                               np.nanmin(np.where(has_rest, rest, 0.0), axis=0))
            cols, at, high, nxt = cols[has_rest], at[:, has_rest], high[has_rest], nxt[has_rest]
            active[np.flatnonzero(active)[~has_rest]] = False
            if cols.size == 0:
                break
            before = hi_count + lo_count
            sub = W[:, cols]
            W[:, cols] = np.where(at, nxt, sub)
            counts = at.sum(axis=0)
            hi_count[cols] = np.where(high, counts, hi_count[cols])
            lo_count[cols] = np.where(high, lo_count[cols], counts)
            hi_mask[:, cols] = np.where(high, at, hi_mask[:, cols])
            lo_mask[:, cols] = np.where(high, lo_mask[:, cols], at)
            self.steps.append((cols, before[cols], W.copy(), hi_mask.copy(), lo_mask.copy(),
                               (hi_count + lo_count).copy()))
            ng1, ng2 = skew_kurt_columns(W[:, cols])
            g1[cols], g2[cols] = ng1, ng2
            active[cols] &= passes_columns(ng1, ng2, skew_threshold, kurtosis_threshold) == 0

    def result(self, max_points: int):
        """(W, points, high_mask, low_mask) as if run with this ``max_points`` (≤ the trace's)."""
        if max_points > self.max_points:
            raise ValueError(f"the trace stops at {self.max_points} points, not {max_points}")
        W = self.X.copy()
        points = np.zeros(W.shape[1], dtype=int)
        hi_mask = np.zeros_like(W, dtype=bool)
        lo_mask = np.zeros_like(W, dtype=bool)
        for cols, before, W_after, hi_after, lo_after, points_after in self.steps:
            taken = cols[before < max_points]
            W[:, taken] = W_after[:, taken]
            hi_mask[:, taken] = hi_after[:, taken]
            lo_mask[:, taken] = lo_after[:, taken]
            points[taken] = points_after[taken]
        return W, points, hi_mask, lo_mask
