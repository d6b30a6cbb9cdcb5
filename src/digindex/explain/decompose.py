"""Contribution decomposition: how much each aspect and indicator adds to a unit's score.

For an aggregate node ``p`` with score ``y`` and children ``c`` (scores ``x_c``, weights
``w_c`` re-scaled over the present children as the engine does), the *local
contributions* ``L_c`` satisfy ``Σ_c L_c = y`` exactly:

- arithmetic mean ``y = Σ w_c x_c``: ``L_c = w_c x_c`` (OECD/JRC Handbook 2008, §6.1);
- geometric mean ``ln y = Σ w_c ln x_c``: the log-additive split
  ``L_c = y · w_c ln x_c / ln y`` (shares of ``ln y``; used when ``ln y ≠ 0``; a child
  scoring below 1 then gets a negative share);
- any other operator ``f`` (harmonic, generalised, mean-min, MPI, TOPSIS, VIKOR,
  Copeland): the Shapley decomposition of ``f(x) − f(b)`` against a baseline ``b``, the
  mean of each child over the year's population, ``φ_c = Σ_{S ⊆ N∖{c}}
  |S|!(k−|S|−1)!/k! · [v(S ∪ {c}) − v(S)]`` with ``v(S)`` the score when the children
  outside ``S`` are at the baseline; the baseline level is shared by weight:
  ``L_c = w_c f(b) + φ_c`` (Shapley, L. S. (1953) "A value for n-person games",
  Contributions to the Theory of Games II; Shorrocks, A. F. (2013) "Decomposition
  procedures for distributional analysis: a unified framework based on the Shapley
  value", J. Econ. Inequality 11, 99–126). Row-wise operators are evaluated for all rows
  at once; operators that compare units (MPI, TOPSIS, VIKOR, Copeland) replace one row
  at a time, the other units unchanged.

Contributions to the root propagate down the tree: ``R_root = y_root`` and
``R_c = L_c · R_p / y_p``, so the contributions of the indicators (or of the aspects)
add up to the root score.
"""
from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..methods.aggregate import present_weights
from ._base import memo, node_weights, operator, years_of

MAX_SHAPLEY_CHILDREN = 12


def _baseline(X: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Each child's mean over the rows of the same year (NaN where the row's cell is NaN)."""
    B = np.empty_like(X)
    for y in dict.fromkeys(years.tolist()):
        rows = years == y
        with np.errstate(all="ignore"):
            B[rows] = np.nanmean(X[rows], axis=0) if rows.any() else np.nan
    return np.where(np.isnan(X), np.nan, B)


def _shapley(func, X, W, B, rows_wise: bool) -> np.ndarray:
    """Local contributions ``w_c f(b) + φ_c`` for every row (see the module doc)."""
    n, k = X.shape
    if k > MAX_SHAPLEY_CHILDREN:
        raise InputError(Problem(f"a Shapley decomposition over {k} children needs 2^{k} evaluations",
                                 fix=f"use at most {MAX_SHAPLEY_CHILDREN} children under a non-linear node"))
    subsets = [frozenset(s) for r in range(k + 1) for s in combinations(range(k), r)]

    def value(S, rows=None):
        keep = np.array([j in S for j in range(k)])
        if rows is None:
            return func(np.where(keep[None, :], X, B))
        out = np.empty(len(rows))
        for i, r in enumerate(rows):
            Z = X.copy()
            Z[r] = np.where(keep, X[r], B[r])
            out[i] = func(Z)[r]
        return out

    rows = None if rows_wise else np.arange(n)
    v = {S: value(S, rows) for S in subsets}
    phi = np.zeros((n, k))
    for c in range(k):
        for S in subsets:
            if c in S:
                continue
            weight = factorial(len(S)) * factorial(k - len(S) - 1) / factorial(k)
            phi[:, c] += weight * (v[S | {c}] - v[S])
    base = v[frozenset()]
    return W * base[:, None] + phi


def local_contributions(evaluation, node) -> tuple[np.ndarray, str]:
    """(rows × inputs) local contributions of what ``node`` combines (its children, or the
    indicators below it with ``over: indicators``), and the method used."""

    def build():
        child_ids = [c.id for c in evaluation.framework.inputs_of(node)]
        X = np.column_stack([evaluation.scores[c] for c in child_ids])
        y = evaluation.scores[node.id]
        W = present_weights(X, node_weights(evaluation, node))
        op = operator(evaluation, node)
        power = op.capabilities.power
        Xf = np.nan_to_num(X)
        if power == 1:
            L, method = W * Xf, "weighted sum"
        elif power == 0 and np.all(np.abs(np.log(y[~np.isnan(y)])) > 1e-12):
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.where(np.isnan(X), 0.0, np.log(np.where(np.isnan(X), 1.0, X)))
                L = y[:, None] * W * logs / np.log(y)[:, None]
            method = "log-additive"
        else:
            B = _baseline(X, years_of(evaluation))
            L = _shapley(lambda Z: op(Z, node_weights(evaluation, node)), X, W, B,
                         op.capabilities.scope == "row")
            method = "shapley"
        L = np.where(np.isnan(y)[:, None], np.nan, L)
        return L, method

    return memo(evaluation, ("local", node.id), build)


def root_contributions(evaluation) -> dict[str, np.ndarray]:
    """Every node's contribution to the root score, per panel row (node id -> array)."""

    def build():
        fw = evaluation.framework
        tree = fw.tree
        R = {tree.id: np.asarray(evaluation.scores[tree.id], dtype=float)}
        for node in tree.walk():  # parents first, along what each node combines
            if node.is_indicator or node.id not in R:
                continue
            L, _ = local_contributions(evaluation, node)
            y = evaluation.scores[node.id]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(y != 0, R[node.id] / y, 0.0)
            for j, child in enumerate(fw.inputs_of(node)):
                R[child.id] = L[:, j] * ratio
        for node in tree.walk_post():  # sub-scores beside the computation: their indicators' sum
            if node.id not in R:
                R[node.id] = np.sum([R[n.id] for n in node.walk() if n.is_indicator], axis=0)
        return R

    return memo(evaluation, "root", build)


def contributions(evaluation, unit: str | None = None, year=None) -> pd.DataFrame:
    """Tidy contributions: one row per (unit, year, node below the root).

    Columns ``unit, year, node, parent_node, level, score, weight, local (to the parent
    node's score), contribution (to the root score), share (of the root score),
    method``. Filter with ``unit`` and/or ``year``. For every unit-year the
    ``contribution`` of the indicators (or of the nodes of any one level) sums to the
    root score, and ``local`` over a node's children sums to the node's score.
    """
    fw = evaluation.framework
    R = root_contributions(evaluation)
    units = np.asarray(evaluation.panel.units, dtype=object)
    years = years_of(evaluation)
    mask = np.ones(len(units), dtype=bool)
    if unit is not None:
        mask &= units == str(unit)
    if year is not None:
        mask &= years == year
    root = evaluation.scores[fw.tree.id]
    levels = fw.levels
    parts = []
    for node in fw.tree.walk():
        if node.is_indicator:
            continue
        L, W, method = _by_child(evaluation, node)
        for j, child in enumerate(node.children):
            with np.errstate(divide="ignore", invalid="ignore"):
                share = R[child.id] / root
            parts.append(pd.DataFrame({
                "unit": units[mask], "year": years[mask], "node": child.id, "parent_node": node.id,
                "level": levels[child.id], "score": evaluation.scores[child.id][mask],
                "weight": W[mask, j], "local": L[mask, j], "contribution": R[child.id][mask],
                "share": share[mask], "method": method}))
    return pd.concat(parts, ignore_index=True)


def _by_child(evaluation, node) -> tuple[np.ndarray, np.ndarray, str]:
    """(local contributions, weights, method) of ``node``'s children (rows × children).

    A node that combines the indicators below it gives each child the sum over its indicators,
    so the children's local contributions still add up to the node's score.
    """
    fw = evaluation.framework
    L, method = local_contributions(evaluation, node)
    inputs = [c.id for c in fw.inputs_of(node)]
    W = present_weights(np.column_stack([evaluation.scores[i] for i in inputs]), node_weights(evaluation, node))
    if inputs == [c.id for c in node.children]:
        return L, W, method
    position = {i: j for j, i in enumerate(inputs)}
    columns = [[position[n.id] for n in child.walk() if n.is_indicator] for child in node.children]
    return (np.column_stack([L[:, cols].sum(axis=1) for cols in columns]),
            np.column_stack([W[:, cols].sum(axis=1) for cols in columns]), method)


__all__ = ["contributions", "local_contributions", "root_contributions"]
