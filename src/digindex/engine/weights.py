"""The weights a framework gives each node: fixed ones from the framework alone, data-driven
ones from an evaluation, and each node's effective weight in the index (the product of the
normalised weights on its path)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..methods import get_method, make_params
from ..methods.context import AggregateContext
from ..methods.node import node_weights


def is_data_driven(fw, node) -> bool:
    """Whether the node's weighting method computes its weights from the data."""
    choice = fw.method_for("weights", node)
    return get_method("weights", choice.name).capabilities(choice.params).data_driven


def fixed_weights(fw, node) -> np.ndarray:
    """A node's weights (summing to 1) when its method fixes them without data (manual, equal, AHP)."""
    choice = fw.method_for("weights", node)
    spec = get_method("weights", choice.name)
    params = make_params(spec, choice.params)
    if spec.capabilities(params).data_driven:
        raise InputError(Problem(f"node {node.id!r}: {choice.name!r} weights are computed from the data",
                                 file=fw.source, fix="give the data"))
    ctx = AggregateContext(node.id, [c.id for c in node.children], None, None)
    prior = np.array([c.weight for c in node.children], dtype=float)
    return node_weights(None, prior, spec, params, ctx, fw.source).values


def weight_table(fw, evaluation=None) -> pd.DataFrame:
    """One row per node below the root: node, parent, method, weight (within the parent, summing
    to 1), effective_weight (in the index), source.

    ``source`` is ``framework`` for fixed weights, ``data`` for data-driven weights computed by
    ``evaluation`` (per-unit weights: their mean over the unit-years), and ``needs data`` when
    they are data-driven and no evaluation is given (weight and effective weight are then empty).
    """
    local: dict[str, tuple[float, str, str]] = {}
    for node in fw.aggregates:
        method = str(fw.method_for("weights", node))
        if evaluation is not None and node.id in evaluation.node_weights:
            w = np.asarray(evaluation.node_weights[node.id], float)
            w = np.nanmean(w, axis=0) if w.ndim == 2 else w
            source = "data" if is_data_driven(fw, node) else "framework"
        elif is_data_driven(fw, node):
            w, source = np.full(len(node.children), np.nan), "needs data"
        else:
            w, source = fixed_weights(fw, node), "framework"
        w = w / np.nansum(w) if np.nansum(w) > 0 else w
        for child, value in zip(node.children, w):
            local[child.id] = (float(value), method, source)
    rows = []
    for node in fw.tree.walk():
        if node.id == fw.tree.id:
            continue
        effective, current = 1.0, node.id
        while fw.parent_of[current] is not None:
            effective *= local[current][0]
            current = fw.parent_of[current]
        weight, method, source = local[node.id]
        rows.append({"node": node.id, "parent": fw.parent_of[node.id], "method": method, "weight": weight,
                     "effective_weight": effective, "source": source})
    return pd.DataFrame(rows, columns=["node", "parent", "method", "weight", "effective_weight", "source"])
