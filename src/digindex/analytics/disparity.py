"""Regional disparity of scores: coefficient of variation, Gini and Theil T.

For scores ``x_1..x_n`` (missing scores left out) with mean ``μ``:

- CV ``= σ / μ`` with the population ("state") standard deviation
  ``σ = sqrt(Σ (x_i − μ)² / n)`` (ddof = 0).
- Gini, mean-difference form ``G = Σ_i Σ_j |x_i − x_j| / (2 n² μ)``; the double
  sum is computed exactly as ``2 Σ_k (2k − n − 1) x_(k)`` over the sorted values.
- Theil T ``= (1/n) Σ (x_i/μ) ln(x_i/μ)``, with ``0 · ln 0 = 0``. By parent
  region ``g`` (``n_g`` units, group total share ``s_g = Σ_{i∈g} x_i / Σ x``,
  group Theil ``T_g`` over the group's own mean) it splits exactly into
  ``T = T_between + T_within`` with ``T_between = Σ_g s_g ln(s_g / (n_g/n))``
  and ``T_within = Σ_g s_g T_g``.

References: H. Theil, *Economics and Information Theory* (1967); A. F. Shorrocks,
"The class of additively decomposable inequality measures", Econometrica 48
(1980); F. A. Cowell, *Measuring Inequality*, 3rd ed. (2011), ch. 2-3.
Gini and Theil need scores ≥ 0 and CV a positive mean; otherwise the measure is
NaN and ``note`` says why.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ._common import check_node, population_of


def _values(x) -> np.ndarray:
    x = np.asarray(x, dtype=float).ravel()
    return x[~np.isnan(x)]


def cv(x) -> float:
    """Coefficient of variation ``σ/μ`` with the population sd (ddof 0); NaN if μ ≤ 0."""
    x = _values(x)
    mu = x.mean() if x.size else np.nan
    return float(x.std(ddof=0) / mu) if x.size and mu > 0 else float("nan")


def gini(x) -> float:
    """Gini ``Σ_i Σ_j |x_i − x_j| / (2 n² μ)``; NaN for no values, negatives or a zero total."""
    x = np.sort(_values(x))
    n = x.size
    if n == 0 or (x < 0).any() or x.sum() <= 0:
        return float("nan")
    k = np.arange(1, n + 1)
    abs_diff_sum = 2.0 * np.sum((2 * k - n - 1) * x)  # Σ_i Σ_j |x_i − x_j|
    return float(abs_diff_sum / (2.0 * n * n * x.mean()))


def _xlnx_terms(ratio: np.ndarray) -> np.ndarray:
    """``r ln r`` with ``0 ln 0 = 0``."""
    out = np.zeros_like(ratio)
    pos = ratio > 0
    out[pos] = ratio[pos] * np.log(ratio[pos])
    return out


def theil(x) -> float:
    """Theil T ``(1/n) Σ (x_i/μ) ln(x_i/μ)``; NaN for no values, negatives or a zero total."""
    x = _values(x)
    if x.size == 0 or (x < 0).any() or x.sum() <= 0:
        return float("nan")
    return float(_xlnx_terms(x / x.mean()).mean())


def theil_decomposition(x, groups) -> tuple[dict, pd.DataFrame]:
    """Theil T split by ``groups``: ``T = T_between + T_within`` (see module doc).

    Returns ``({"theil", "between", "within"}, per-group table)``; the table has
    ``group, n, total, share (s_g), population_share (n_g/n), mean, theil (T_g),
    within (s_g T_g), between (s_g ln(s_g/(n_g/n)))``. Missing values are left out.
    A group with a zero total has ``T_g`` NaN and contributes 0 to both parts.
    """
    x = np.asarray(x, dtype=float).ravel()
    g = np.asarray(groups, dtype=object).ravel()
    keep = ~np.isnan(x)
    x, g = x[keep], g[keep]
    nan = float("nan")
    if x.size == 0 or (x < 0).any() or x.sum() <= 0:
        return {"theil": nan, "between": nan, "within": nan}, pd.DataFrame()
    n = x.size
    keys, codes = _group_codes(g)
    grouped = codes < len(keys)
    xs, codes = (x, codes) if grouped.all() else (x[grouped], codes[grouped])
    counts = np.bincount(codes, minlength=len(keys))
    group_total = np.bincount(codes, weights=xs, minlength=len(keys))
    # the total as the sum of the groups' (and of values in no group): one group's share is then
    # exactly 1 and its between-group part exactly 0, not a rounding difference of two sums
    total = group_total.sum() + (0.0 if grouped.all() else x[~grouped].sum())
    # T_g as theil() computes it, for every group at once (no missing values, no negatives here)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = group_total / counts
        tg = np.bincount(codes, weights=_xlnx_terms(xs / mean[codes]), minlength=len(keys)) / counts
        tg = np.where(group_total > 0, tg, np.nan)
        s = group_total / total
        p = counts / n
        table = pd.DataFrame({"group": keys, "n": counts.astype(int), "total": group_total, "share": s,
                              "population_share": p, "mean": mean, "theil": tg,
                              "within": np.where(s > 0, s * tg, 0.0),
                              "between": np.where(s > 0, s * np.log(s / p), 0.0)})
    parts = {"theil": theil(x), "between": float(table["between"].sum()), "within": float(table["within"].sum())}
    return parts, table


def _group_codes(g: np.ndarray) -> tuple[list, np.ndarray]:
    """The groups in order of first appearance (``pd.unique(g)``) and each value's group number."""
    keys = pd.unique(g)
    codes, uniques = pd.factorize(g, use_na_sentinel=False)
    if len(uniques) == len(keys) and not any(isinstance(k, float) and k != k for k in keys):
        return list(keys), codes
    # NaN among the groups: each group as ``==`` finds it (a NaN key finds nothing: its values
    # get the number len(keys), in no group)
    codes = np.full(len(g), len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        codes[(g == key) & (codes == len(keys))] = i
    return list(keys), codes


def _note(x: np.ndarray, n_missing: int, has_parent: bool) -> str:
    notes = [] if has_parent else ["no parent regions: no Theil decomposition"]
    if n_missing:
        notes.append(f"{n_missing} missing scores left out")
    if x.size and (x < 0).any():
        notes.append("negative scores: Gini and Theil undefined")
    elif x.size and x.sum() <= 0:
        notes.append("all scores are 0")
    if x.size == 0:
        notes.append("no scores")
    return "; ".join(notes)


def _frame(evaluation, node, populations):
    node = check_node(evaluation, node)
    table = evaluation.scores_table()
    table["population"] = population_of(evaluation, populations).to_numpy()
    table = table[table["year"].notna()] if table["year"].notna().any() else table
    return node, table


# the columns of each table, in order (``population`` only with populations)
COLUMNS = {
    "disparity": ["year", "population", "node", "n", "mean", "sd", "cv", "gini", "theil", "theil_between",
                  "theil_within", "between_share", "note"],
    "disparity_groups": ["year", "population", "node", "parent", "n", "total", "share", "population_share",
                         "mean", "theil", "within", "between"],
}


def disparity(evaluation, node: str | None = None, populations: Mapping | None = None) -> pd.DataFrame:
    """Disparity of the scores at ``node`` (default the root) per year (and population).

    Columns ``year, [population], node, n, mean, sd, cv, gini, theil,
    theil_between, theil_within, between_share, note``; the Theil parts are by
    parent region (NaN without parents), ``between_share = T_between / T``.
    """
    node, table = _frame(evaluation, node, populations)
    has_parent = "parent" in table
    rows = []
    for (year, pop), grp in table.groupby(["year", "population"], sort=True, dropna=False):
        x_all = grp[node].to_numpy(dtype=float)
        x = x_all[~np.isnan(x_all)]
        row = {"year": year, "population": pop, "node": node, "n": int(x.size),
               "mean": float(x.mean()) if x.size else np.nan,
               "sd": float(x.std(ddof=0)) if x.size else np.nan,
               "cv": cv(x), "gini": gini(x), "theil": theil(x)}
        if has_parent:
            parts, _ = theil_decomposition(x_all, grp["parent"].to_numpy(dtype=object))
            row["theil_between"], row["theil_within"] = parts["between"], parts["within"]
        else:
            row["theil_between"] = row["theil_within"] = np.nan
        t = row["theil"]
        row["between_share"] = row["theil_between"] / t if t and np.isfinite(t) and t > 0 else np.nan
        row["note"] = _note(x, int(np.isnan(x_all).sum()), has_parent)
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS["disparity"])
    if populations is None:
        out = out.drop(columns="population")
    return out


def disparity_groups(evaluation, node: str | None = None, populations: Mapping | None = None) -> pd.DataFrame:
    """The Theil decomposition per parent region, per year (and population).

    Columns ``year, [population], node, parent, n, total, share, population_share,
    mean, theil, within, between`` (see :func:`theil_decomposition`).
    """
    node, table = _frame(evaluation, node, populations)
    if "parent" not in table:
        raise InputError(Problem("the data has no parent regions to decompose by",
                                 fix="add a 'parent' column to the data or pass a regions file"))
    parts = []
    for (year, pop), grp in table.groupby(["year", "population"], sort=True, dropna=False):
        _, groups = theil_decomposition(grp[node].to_numpy(dtype=float), grp["parent"].to_numpy(dtype=object))
        if groups.empty:
            continue
        groups = groups.rename(columns={"group": "parent"})
        groups.insert(0, "node", node)
        groups.insert(0, "population", pop)
        groups.insert(0, "year", year)
        parts.append(groups)
    out = pd.concat(parts, ignore_index=True)[COLUMNS["disparity_groups"]] if parts else \
        pd.DataFrame(columns=COLUMNS["disparity_groups"])
    if populations is None:
        out = out.drop(columns="population")
    return out
