"""Vectorised aggregation over many replications at once.

Each replication differs from the nominal index by its pre-aggregation
configuration (imputation, treatment, normalisation, weighting method, excluded
indicator), its operator per node and its weights. Replications sharing a
configuration and operators are evaluated together:

- weighted power means (arithmetic, geometric, harmonic, generalised) are batched
  as matrix products over the replications' weight matrices, with missing values
  skipped and weights re-scaled, and the node's minimum coverage applied;
- with arithmetic means everywhere and no missing values the tree collapses into
  one effective weight per indicator per replication (the product of the
  normalised weights along its path), so a batch is one matrix product;
- any other operator is applied replication by replication through the registry.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..framework import Framework
from ..methods import get_method, make_params

POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


@dataclass
class TreeArrays:
    """The framework's tree as index arrays: aggregate nodes children-first."""

    indicators: list[str]
    aggregates: list[str]
    children: list[list[tuple[bool, int]]]  # per aggregate: (is_indicator, index)
    child_ids: list[list[str]]
    coverage: np.ndarray
    root: int

    @classmethod
    def of(cls, fw: Framework) -> "TreeArrays":
        ind = {n: j for j, n in enumerate(fw.indicator_ids)}
        aggs = [n.id for n in fw.aggregates]
        agg = {n: j for j, n in enumerate(aggs)}
        kids = [[(c.is_indicator, ind[c.id] if c.is_indicator else agg[c.id]) for c in fw.nodes[a].children]
                for a in aggs]
        cov = np.array([fw.coverage_for(fw.nodes[a]) for a in aggs])
        ids = [[c.id for c in fw.nodes[a].children] for a in aggs]
        return cls(fw.indicator_ids, aggs, kids, ids, cov, agg[fw.tree.id])


def _power_mean(X: np.ndarray, W: np.ndarray, p: float, min_cov: float) -> np.ndarray:
    """Weighted power mean over the last axis of X (n, k) or (R, n, k) with weights W (R, k)."""
    present = ~np.isnan(X)
    has_missing = not present.all()
    if p == 0.0:
        if np.any(X[present] <= 0):
            raise ValueError("geometric mean needs values > 0")
        T = np.log(np.where(present, X, 1.0))
    elif p == 1.0:
        T = np.where(present, X, 0.0) if has_missing else X
    else:
        if np.any(X[present] <= 0):
            raise ValueError(f"power mean of order {p:g} needs values > 0")
        T = np.where(present, X, 1.0) ** p
        if has_missing:
            T = np.where(present, T, 0.0)
    if X.ndim == 2:
        num = T @ W.T  # (n, R)
        num = num.T
    else:
        num = np.einsum("rnk,rk->rn", T, W)
    if has_missing:
        Mf = present.astype(float)
        den = (Mf @ W.T).T if X.ndim == 2 else np.einsum("rnk,rk->rn", Mf, W)
        k = X.shape[-1]
        cov = present.sum(axis=-1) / k
        cov = np.broadcast_to(cov, num.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / den
        mean = np.where((den > 0) & (cov >= min_cov), mean, np.nan)
    else:
        mean = num / W.sum(axis=1)[:, None]
    if p == 0.0:
        return np.exp(mean)
    if p == 1.0:
        return mean
    return mean ** (1.0 / p)


def aggregate_batch(tree: TreeArrays, Z: np.ndarray, weights: list[np.ndarray], ops: tuple,
                    op_params: tuple, years=None, units=None) -> np.ndarray:
    """Root scores (R, n) for R replications sharing ``Z`` (n, m) and operators ``ops``.

    ``weights[a]`` is (R, k_a): the weights of aggregate a's children in each replication.
    """
    R = weights[0].shape[0]
    p = _common_power(ops, op_params)
    if p is not None and not np.isnan(Z).any():
        # M_p of M_p's is M_p with the effective weights: one matrix product per batch
        E = effective_weights(tree, weights)
        if p == 1.0:
            return E @ Z.T
        if np.any(Z <= 0):
            raise ValueError(f"power mean of order {p:g} needs values > 0")
        if p == 0.0:
            return np.exp(E @ np.log(Z).T)
        return (E @ (Z ** p).T) ** (1.0 / p)
    scores: list[np.ndarray | None] = [None] * len(tree.aggregates)
    for a, kids in enumerate(tree.children):
        if all(is_ind for is_ind, _ in kids):
            X = Z[:, [j for _, j in kids]]  # shared by every replication: (n, k)
        else:
            cols = [np.broadcast_to(Z[:, j], (R, Z.shape[0])) if is_ind else scores[j] for is_ind, j in kids]
            X = np.stack(cols, axis=-1)  # (R, n, k)
        op, params = ops[a], op_params[a]
        if op in POWER or op == "generalised":
            p = POWER.get(op, None)
            if p is None:
                p = float(params.get("r", 1.0))
            scores[a] = _power_mean(X, weights[a], p, tree.coverage[a])
        else:
            scores[a] = _per_replication(op, params, X, weights[a], tree, a, years, units)
    return scores[tree.root]


def _common_power(ops, op_params) -> float | None:
    """The order p shared by every node's power mean, or None if the operators differ."""
    powers = set()
    for op, params in zip(ops, op_params):
        if op in POWER:
            powers.add(POWER[op])
        elif op == "generalised":
            powers.add(float(params.get("r", 1.0)))
        else:
            return None
    return powers.pop() if len(powers) == 1 else None


def _per_replication(op, params, X, W, tree, a, years, units):
    from ..engine.evaluate import AggregateContext

    spec = get_method("aggregate", op)
    prm = make_params(spec, params)
    ctx = AggregateContext(node=tree.aggregates[a], children=tree.child_ids[a], units=units, years=years)
    R = W.shape[0]
    out = np.empty((R, X.shape[-2]))
    for r in range(R):
        Xr = X if X.ndim == 2 else X[r]
        w = W[r] / W[r].sum()
        out[r] = spec.func(Xr, w, prm, ctx)
        cov = np.mean(~np.isnan(Xr), axis=1)
        out[r][cov < tree.coverage[a]] = np.nan
    return out


def effective_weights(tree: TreeArrays, weights: list[np.ndarray]) -> np.ndarray:
    """(R, m): each indicator's weight in the index, the product of normalised weights on its path."""
    R = weights[0].shape[0]
    share = {tree.root: np.ones(R)}
    E = np.zeros((R, len(tree.indicators)))
    for a in reversed(range(len(tree.aggregates))):  # parents before children
        s = share[a]
        W = weights[a] / weights[a].sum(axis=1, keepdims=True)
        for c, (is_ind, j) in enumerate(tree.children[a]):
            if is_ind:
                E[:, j] = s * W[:, c]
            else:
                share[j] = s * W[:, c]
    return E


def rank_rows(Y: np.ndarray) -> np.ndarray:
    """Ranks within each row (1 = best, ties at the minimum, NaN unranked)."""
    Y = np.asarray(Y, float)
    R, n = Y.shape
    order = np.argsort(-Y, axis=1)  # NaN last; the order among ties does not matter below
    ordered = np.take_along_axis(Y, order, axis=1)
    positions = np.broadcast_to(np.arange(1.0, n + 1), (R, n))
    tied = ordered[:, 1:] == ordered[:, :-1]
    if tied.any():  # a tie takes the position of the first of its group
        starts = np.ones((R, n), dtype=bool)
        starts[:, 1:] = ~tied
        first = np.maximum.accumulate(np.where(starts, positions, 0.0), axis=1)
    else:
        first = positions
    ranks = np.empty((R, n))
    np.put_along_axis(ranks, order, first, axis=1)
    ranks[np.isnan(Y)] = np.nan
    return ranks


def rank_rows_within(Y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Ranks within each row and each group of columns (e.g. units of one parent city)."""
    out = np.full(Y.shape, np.nan)
    for g in dict.fromkeys(groups.tolist()):
        cols = np.flatnonzero(groups == g)
        out[:, cols] = rank_rows(Y[:, cols])
    return out
