"""Obstacle degree of indicators and aspects (障碍度模型).

For a unit and year with standardised indicator values ``x'_j`` in [0, 1] (1 the best) and
the indicators' weights ``w_j`` in the index (the *factor contribution* ``F_j``, summing to 1):

- *deviation* ``I_j = 1 − x'_j`` (how far the indicator is from its best);
- *obstacle degree* ``O_j = F_j I_j / Σ_k F_k I_k`` — the indicator's share of the unit's total
  weighted shortfall, so the ``O_j`` of a unit and year sum to 1;
- an aspect's obstacle degree is the sum of its indicators' ``O_j``.

A unit at the best value of every indicator has no shortfall and no obstacle degrees (empty,
with a note). Reference: 鲁春阳, 文枫, 杨庆媛 et al., 基于改进TOPSIS法的城市土地利用绩效评价及
障碍因子诊断——以重庆市为例, 资源科学 (Resources Science) 33(3), 2011: 535–541 (the model
used throughout Chinese regional evaluations).

From a run's folder the values are the normalised indicator scores of ``results.csv`` and
``F_j`` their effective weights in the analysed node (products of the weights down the tree,
from ``weights.csv``); the aspects are the node's children in the framework. From a plain
table ``--nodes`` names the standardised columns and the weights are given or equal.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .coupling import _scale, _weights
from .inputs import ResearchData
from .result import Analysis


def effective_weights(weights: pd.DataFrame, node: str) -> dict[str, float]:
    """{input: weight in ``node``} down the run's weights table (node, child, weight)."""
    rows = {n: list(zip(g["child"], g["weight"])) for n, g in weights.groupby("node", sort=False)}
    out: dict[str, float] = {}

    def walk(n: str, share: float) -> None:
        for child, w in rows.get(n, []):
            if child in rows:
                walk(child, share * float(w))
            else:
                out[child] = out.get(child, 0.0) + share * float(w)

    walk(node, 1.0)
    return out


def _leaves_under(tree: dict, node: str) -> dict[str, str]:
    """{indicator below ``node``: the child of ``node`` it lies under}, from {node: parent}."""
    parents = set(tree.values())
    out = {}
    for leaf in (n for n in tree if n not in parents):
        chain = [leaf]
        while chain[-1] in tree and chain[-1] != node:
            chain.append(tree[chain[-1]])
        if chain[-1] == node and len(chain) >= 2:
            out[leaf] = chain[-2]
    return out


def _plan(data: ResearchData, nodes, weights):
    """(columns, their F_j, {column: aspect} or {})."""
    if nodes is None:
        if not data.from_run or data.weights is None:
            raise InputError(Problem("name the standardised indicator columns", file=data.source,
                                     fix="give --nodes a,b,c (values in [0, 1], 1 the best)"))
        eff = effective_weights(data.weights, data.value)
        if not eff:
            raise InputError(Problem(f"{data.value!r} is an indicator: it has no inputs to diagnose",
                                     file=data.source, fix="analyse an aggregate with --node"))
        aspects = _leaves_under(data.tree, data.value) if data.tree else {}
        columns = [c for c in data.table.columns if c in eff]
        aspects = {c: a for c, a in aspects.items() if c in eff and a != c}
        return columns, np.array([eff[c] for c in columns]) / sum(eff[c] for c in columns), aspects
    nodes = list(nodes)
    data.require(nodes)
    if weights is None and data.from_run and data.weights is not None:
        eff = effective_weights(data.weights, data.value)
        found = {n: eff.get(n, sum(w for leaf, w in eff.items() if _is_below(data.tree, leaf, n)))
                 for n in nodes}
        if all(v > 0 for v in found.values()):
            return nodes, np.array([found[n] for n in nodes]) / sum(found.values()), {}
    return nodes, _weights(weights, nodes), {}


def _is_below(tree: dict, leaf: str, node: str) -> bool:
    while leaf in tree:
        leaf = tree[leaf]
        if leaf == node:
            return True
    return False


def obstacle(data: ResearchData, nodes=None, weights=None, top: int = 5, scale: float = 1.0) -> Analysis:
    """Obstacle degrees per unit and year.

    ``nodes`` (default: every indicator under the analysed node of a run) are standardised
    values in [0, 1] after dividing by ``scale``; ``weights`` their factor contributions (default:
    the run's effective weights, else equal). Tables: ``obstacle`` (unit, year, node, obstacle),
    ``obstacle_aspects`` (unit, year, node, obstacle; from a run with aspects) and
    ``obstacle_top`` (unit, year, rank, node, obstacle: the ``top`` largest of each unit and year).
    """
    if top < 1:
        raise InputError(Problem("--top must be at least 1", fix="e.g. --top 5"))
    columns, F, aspects = _plan(data, nodes, weights)
    table = data.table[["unit", "year", *columns]]
    X = table[columns].to_numpy(float) / _scale(scale)
    bad = (X < -1e-9) | (X > 1 + 1e-9)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputError(Problem(f"obstacle degrees need standardised values in [0, 1]; {columns[c]} is "
                                 f"{table[columns[c]].iat[r]:g} for {table['unit'].iat[r]}", file=data.source,
                                 fix="use normalised values (min-max to [0, 1]), or rescale with --scale"))
    shortfall = F * (1 - np.clip(X, 0, 1))
    total = np.nansum(shortfall, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        O = np.where(total > 0, shortfall / total, np.nan)
    O[np.isnan(X)] = np.nan
    notes = []
    if np.isnan(X).any():
        notes.append("missing values: those indicators have no obstacle degree, the others share the total")
    if (total[:, 0] <= 0).any():
        notes.append(f"{int((total[:, 0] <= 0).sum())} unit-year(s) are at the best value of every indicator: "
                     "no obstacle degrees")
    k = len(columns)
    long = pd.DataFrame({"unit": np.repeat(table["unit"].to_numpy(), k), "year": np.repeat(table["year"].to_numpy(), k),
                         "node": np.tile(columns, len(table)), "obstacle": O.ravel()})
    tables = {"obstacle": long[["unit", "year", "node", "obstacle"]]}
    if aspects:
        by_aspect = long.assign(node=long["node"].map(aspects)).groupby(
            ["unit", "year", "node"], sort=False, dropna=False)["obstacle"].sum(min_count=1).reset_index()
        tables["obstacle_aspects"] = by_aspect
    ranked = long.dropna(subset=["obstacle"]).sort_values(["year", "unit", "obstacle"],
                                                          ascending=[True, True, False], kind="stable")
    ranked["rank"] = ranked.groupby(["unit", "year"], dropna=False).cumcount() + 1
    tables["obstacle_top"] = ranked[ranked["rank"] <= top][["unit", "year", "rank", "node", "obstacle"]] \
        .reset_index(drop=True)
    labels = {c: data.label(c) for c in [*columns, *set(aspects.values())]}
    return Analysis("obstacle", tables, notes=notes,
                    meta={"nodes": columns, "weights": dict(zip(columns, F.tolist())), "labels": labels,
                          "aspects": aspects, "top": top})


__all__ = ["obstacle", "effective_weights"]
