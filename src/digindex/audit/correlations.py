"""Correlations by level: each component with its parent and with the other aggregates, and
within each group of siblings, per year, on normalised indicators and aggregate scores.

Pearson's r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²) with its two-sided p-value
(``scipy.stats.pearsonr``: t = r√((n−2)/(1−r²)) on n − 2 degrees of freedom); Spearman's ρ is
Pearson's r of the ranks (``scipy.stats.spearmanr``). Each pair uses the unit-years where both
values are present (pairwise deletion); fewer than 3 pairs, or a constant column, gives NaN.

Flags, as in the JRC audits: ``flag_negative`` for a negative correlation of a component with
its own parent or with a sibling (a trade-off inside a group); ``flag_redundant`` for siblings
correlated above a threshold (default 0.92: the two carry the same information);
``flag_other_higher`` when a component correlates more with another aggregate of its parent's
level than with its own parent (it may sit in the wrong group).

References: OECD/JRC (2008) Handbook, §1.6 (multivariate analysis); Saisana M., Saltelli A.
(2011) "Rankings and ratings: instructions for use", Hague J. Rule Law 3(2); COINr 1.1
``get_corr()``, ``get_corr_flags()``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._common import complete, groups_of, is_constant, non_root, year_groups

METHODS = ("pearson", "spearman")


def corr_test(x, y, method: str = "pearson") -> tuple[float, float, int]:
    """(r, two-sided p-value, n pairs) over the pairs where both values are present."""
    if method not in METHODS:
        raise ValueError(f"correlation method must be one of {METHODS}, not {method!r}")
    x, y = np.asarray(x, float), np.asarray(y, float)
    m = complete(x, y)
    n = int(m.sum())
    if n < 3 or is_constant(x[m]) or is_constant(y[m]):
        return np.nan, np.nan, n
    fn = stats.pearsonr if method == "pearson" else stats.spearmanr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fn(x[m], y[m])
    return float(res.statistic), float(res.pvalue), n


def level_correlations(evaluation, years=None, methods=("pearson",)) -> pd.DataFrame:
    """Each non-root node against its own parent and every other aggregate of the parent's level.

    Columns: year, node, level, parent, other, other_level, own_parent, method, n, r, p_value,
    flag_negative (own parent, r < 0), flag_other_higher (own parent row: another aggregate
    of that level correlates more).
    """
    fw = evaluation.framework
    scores = evaluation.scores
    rows = []
    for year, idx in year_groups(evaluation, years):
        for nid in non_root(fw):
            parent = fw.parent_of[nid]
            level = fw.levels[parent]
            others = [a.id for a in groups_of(fw) if fw.levels[a.id] == level]
            for method in methods:
                block = []
                for other in others:
                    r, p, n = corr_test(scores[nid][idx], scores[other][idx], method)
                    block.append({"year": year, "node": nid, "level": fw.levels[nid], "parent": parent,
                                  "other": other, "other_level": level, "own_parent": other == parent,
                                  "method": method, "n": n, "r": r, "p_value": p})
                own = next(b["r"] for b in block if b["own_parent"])
                best_other = max((b["r"] for b in block if not b["own_parent"] and np.isfinite(b["r"])),
                                 default=np.nan)
                for b in block:
                    b["flag_negative"] = bool(b["own_parent"] and b["r"] < 0)
                    b["flag_other_higher"] = bool(b["own_parent"] and best_other > own)
                rows.extend(block)
    cols = ["year", "node", "level", "parent", "other", "other_level", "own_parent", "method", "n",
            "r", "p_value", "flag_negative", "flag_other_higher"]
    return pd.DataFrame(rows, columns=cols)


def group_correlations(evaluation, years=None, methods=("pearson",),
                       redundancy_threshold: float = 0.92) -> pd.DataFrame:
    """Every pair of siblings in every group (aggregate node), per year: the long form of the
    within-group correlation matrices.

    Columns: year, group, level (of the children), a, b, method, n, r, p_value, flag_negative
    (r < 0), flag_redundant (r > ``redundancy_threshold``).
    """
    fw = evaluation.framework
    scores = evaluation.scores
    rows = []
    for year, idx in year_groups(evaluation, years):
        for group in groups_of(fw):
            kids = [c.id for c in group.children]
            for i, a in enumerate(kids):
                for b in kids[i + 1:]:
                    for method in methods:
                        r, p, n = corr_test(scores[a][idx], scores[b][idx], method)
                        rows.append({"year": year, "group": group.id, "level": fw.levels[group.id] - 1,
                                     "a": a, "b": b, "method": method, "n": n, "r": r, "p_value": p,
                                     "flag_negative": bool(r < 0),
                                     "flag_redundant": bool(r > redundancy_threshold)})
    cols = ["year", "group", "level", "a", "b", "method", "n", "r", "p_value", "flag_negative",
            "flag_redundant"]
    return pd.DataFrame(rows, columns=cols)


def correlation_matrix(evaluation, group: str, year=None, method: str = "pearson"
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The square correlation and p-value matrices of ``group``'s children in one year.

    ``year`` defaults to the only (or latest) year of the data.
    """
    fw = evaluation.framework
    if group not in fw.nodes or fw.nodes[group].is_indicator:
        raise KeyError(f"{group!r} is not an aggregate node of framework {fw.id!r}")
    groups = year_groups(evaluation)
    if year is None:
        real = [y for y, _ in groups if y is not None]
        year = max(real) if real else None
    idx = year_groups(evaluation, [year])[0][1]
    kids = [c.id for c in fw.nodes[group].children]
    R = pd.DataFrame(np.eye(len(kids)), index=kids, columns=kids)
    P = pd.DataFrame(np.zeros((len(kids), len(kids))), index=kids, columns=kids)
    for i, a in enumerate(kids):
        for b in kids[i + 1:]:
            r, p, _ = corr_test(evaluation.scores[a][idx], evaluation.scores[b][idx], method)
            R.loc[a, b] = R.loc[b, a] = r
            P.loc[a, b] = P.loc[b, a] = p
    return R, P
