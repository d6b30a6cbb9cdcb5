"""Helpers shared by the explanations: rows of a unit-year, names, node weights and operators.

The weights are those the engine used, kept on the :class:`~digindex.engine.result.Evaluation`;
an operator re-aggregates a node through the engine's own node aggregation
(:func:`digindex.methods.node.aggregate_node`). Nothing here changes an Evaluation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics._common import check_node, check_year
from ..errors import InputError, Problem
from ..methods import get_method, make_params
from ..methods.context import AggregateContext
from ..methods.node import aggregate_node

def memo(evaluation, key, build):
    """A per-evaluation memo (kept on the object; evaluations are not changed after creation)."""
    store = evaluation.__dict__.setdefault("_digindex_explain", {})
    if key not in store:
        store[key] = build()
    return store[key]


def ranks(evaluation, within_parent: bool = False):
    """``evaluation.ranks_table(within_parent)``, computed once per evaluation."""
    return memo(evaluation, ("ranks", within_parent), lambda: evaluation.ranks_table(within_parent=within_parent))


def years_of(evaluation) -> np.ndarray:
    return np.asarray(evaluation.panel.years, dtype=object)


def row_of(evaluation, unit: str, year=None) -> int:
    """The panel row of ``unit`` in ``year`` (default the latest year); InputError if absent."""
    year = check_year(evaluation, year)
    units = np.asarray(evaluation.panel.units, dtype=object)
    hit = np.flatnonzero((units == str(unit)) & (years_of(evaluation) == year))
    if not len(hit):
        known = ", ".join(sorted(set(map(str, units)))[:8])
        raise InputError(Problem(f"unit {unit!r} has no row in year {year}",
                                 fix=f"use a unit of the data, e.g. {known} ..."))
    return int(hit[0])


def year_rows(evaluation, year) -> np.ndarray:
    return np.flatnonzero(years_of(evaluation) == year)


def parent_of(evaluation, unit: str) -> str | None:
    return evaluation.panel.parents.get(str(unit)) if evaluation.panel.has_parents else None


def has_city_level(evaluation) -> bool:
    """Whether the units' parents are several regions (counties in cities), not one (cities in a province)."""
    parents = {evaluation.panel.parents.get(str(u)) for u in set(evaluation.panel.units)}
    return evaluation.panel.has_parents and len(parents - {None}) > 1


def name_of(evaluation, unit: str, lang: str = "zh") -> str:
    """The unit's name in ``lang`` (:meth:`Panel.labels`: the region registry's for GB/T 2260
    codes, else the data's; a name two units share with its parent's after it); a parent
    region's name (:meth:`Panel.name`)."""
    unit = str(unit)
    return evaluation.panel.labels(lang).get(unit) or evaluation.panel.name(unit, lang)


def node_label(evaluation, node_id: str, lang: str = "zh") -> str:
    return evaluation.framework.nodes[node_id].label(lang)


def node_weights(evaluation, node) -> np.ndarray:
    """The weights of what ``node`` combines for every panel row (rows × inputs), as the engine used them."""
    def build():
        w = evaluation.node_weights[node.id]
        return np.broadcast_to(w, (len(evaluation.panel.units), len(evaluation.framework.inputs_of(node)))).copy()

    return memo(evaluation, ("weights", node.id), build)


class Operator:
    """A node's aggregation as the engine applies it: ``op(X, w)`` re-scores the node.

    ``capabilities`` says what the operator is (its power-mean order, whether a row's score
    depends on that row alone).
    """

    def __init__(self, evaluation, node):
        choice = evaluation.framework.method_for("aggregate", node)
        self.spec = get_method("aggregate", choice.name)
        self.params = make_params(self.spec, choice.params)
        self.capabilities = self.spec.capabilities(self.params)
        self.coverage = evaluation.framework.coverage_for(node)
        self.evaluation, self.node = evaluation, node
        self.children = [c.id for c in evaluation.framework.inputs_of(node)]

    def __call__(self, X, w, units=None, years=None) -> np.ndarray:
        units = self.evaluation.panel.units if units is None else units
        years = self.evaluation.panel.years if years is None else years
        ctx = AggregateContext(node=self.node.id, children=self.children, units=units, years=years)
        return aggregate_node(X, np.asarray(w, float)[None], self.spec, self.params, self.coverage, ctx)[0]


def operator(evaluation, node) -> Operator:
    """The aggregation of ``node``, with its parameters bound (see :class:`Operator`)."""
    return memo(evaluation, ("operator", node.id), lambda: Operator(evaluation, node))


def medians(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Median of ``values`` (over the group of each row when ``groups`` is given)."""
    if groups is None:
        return pd.Series(np.nanmedian(values.to_numpy(dtype=float)), index=values.index)
    return values.groupby(groups.to_numpy()).transform("median")


__all__ = ["Operator", "memo", "ranks", "row_of", "year_rows", "parent_of", "name_of", "node_label",
           "node_weights", "operator", "check_node", "check_year", "has_city_level", "medians"]
