"""Helpers shared by the explanations: rows of a unit-year, names, node weights and operators.

The weights and aggregation operators are re-derived exactly as the engine uses them
(:func:`digindex.engine.evaluate.evaluate`): the weighting method of each node is called on
the node's child scores with the nominal weights as prior, and the operator is the node's
``aggregate`` choice. Nothing here changes an :class:`~digindex.engine.result.Evaluation`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics._common import check_node, check_year
from ..errors import InputError, Problem
from ..methods import get_method, make_params

# Aggregation operators whose value for a row depends on that row alone.
ROW_WISE = {"arithmetic", "geometric", "harmonic", "generalised", "mean_min"}


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
    """The unit's name in ``lang``: the region registry for GB/T 2260 codes, else the data's name."""
    from ..regions import registry

    unit = str(unit)
    try:
        region = registry()[unit]
    except Exception:  # not a registry code
        region = None
    if region is not None:
        return region.name if lang == "zh" else region.name_en
    return evaluation.panel.names.get(unit, unit)


def node_label(evaluation, node_id: str, lang: str = "zh") -> str:
    return evaluation.framework.nodes[node_id].label(lang)


def node_weights(evaluation, node) -> np.ndarray:
    """The weights of ``node``'s children for every panel row (rows × children), as the engine used them."""
    from ..engine.evaluate import AggregateContext

    def build():
        fw = evaluation.framework
        child_ids = [c.id for c in node.children]
        X = np.column_stack([evaluation.scores[c] for c in child_ids])
        choice = fw.method_for("weights", node)
        spec = get_method("weights", choice.name)
        prior = np.array([c.weight for c in node.children], dtype=float)
        ctx = AggregateContext(node=node.id, children=child_ids, units=evaluation.panel.units,
                               years=evaluation.panel.years)
        out = spec.func(X, prior, make_params(spec, choice.params), ctx)
        w = np.asarray(out[0] if isinstance(out, tuple) else out, dtype=float)
        return np.broadcast_to(w, X.shape).copy()

    return memo(evaluation, ("weights", node.id), build)


def operator(evaluation, node):
    """(name, function(X, w) -> y) of ``node``'s aggregation operator, with its parameters bound."""
    from ..engine.evaluate import AggregateContext

    choice = evaluation.framework.method_for("aggregate", node)
    spec = get_method("aggregate", choice.name)
    params = make_params(spec, choice.params)
    child_ids = [c.id for c in node.children]

    def func(X, w, units=None, years=None):
        units = evaluation.panel.units if units is None else units
        years = evaluation.panel.years if years is None else years
        ctx = AggregateContext(node=node.id, children=child_ids, units=units, years=years)
        return np.asarray(spec.func(X, w, params, ctx), dtype=float)

    return choice.name, func


def medians(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Median of ``values`` (over the group of each row when ``groups`` is given)."""
    if groups is None:
        return pd.Series(np.nanmedian(values.to_numpy(dtype=float)), index=values.index)
    return values.groupby(groups.to_numpy()).transform("median")


__all__ = ["ROW_WISE", "memo", "ranks", "row_of", "year_rows", "parent_of", "name_of", "node_label",
           "node_weights", "operator", "check_node", "check_year", "has_city_level", "medians"]
