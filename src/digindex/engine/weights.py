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
    ctx = AggregateContext(node.id, [c.id for c in fw.inputs_of(node)], None, None)
    prior = np.array(fw.input_weights(node), dtype=float)
    return node_weights(None, prior, spec, params, ctx, fw.source).values


def weight_table(fw, evaluation=None) -> pd.DataFrame:
    """One row per node below the root: node, parent, method, weight (within the parent, summing
    to 1), effective_weight (in the index), source.

    ``source`` is ``framework`` for fixed weights, ``data`` for data-driven weights computed by
    ``evaluation`` (per-unit weights: their mean over the unit-years), and ``needs data`` when
    they are data-driven and no evaluation is given (weight and effective weight are then empty).
    A node whose parent combines every indicator below it (``over: indicators``) has the sum of
    its indicators' weights.
    """
    local: dict[str, dict[str, float]] = {}  # node -> {input: weight within the node}
    method, source = {}, {}
    for node in fw.aggregates:
        inputs = fw.inputs_of(node)
        method[node.id] = str(fw.method_for("weights", node))
        if evaluation is not None and node.id in evaluation.node_weights:
            w = np.asarray(evaluation.node_weights[node.id], float)
            w = np.nanmean(w, axis=0) if w.ndim == 2 else w
            source[node.id] = "data" if is_data_driven(fw, node) else "framework"
        elif is_data_driven(fw, node):
            w, source[node.id] = np.full(len(inputs), np.nan), "needs data"
        else:
            w, source[node.id] = fixed_weights(fw, node), "framework"
        w = w / np.nansum(w) if np.nansum(w) > 0 else w
        local[node.id] = {c.id: float(v) for c, v in zip(inputs, w)}
    effective = {fw.tree.id: 1.0}
    for node in fw.tree.walk():  # parents first, along what each node combines
        if node.id in local and node.id in effective:
            for input_id, w in local[node.id].items():
                effective[input_id] = effective.get(input_id, 0.0) + effective[node.id] * w
    for node in fw.tree.walk_post():  # sub-scores beside the computation: their indicators' sum
        if node.id not in effective:
            effective[node.id] = sum(effective[n.id] for n in node.walk() if n.is_indicator)
    rows = []
    for node in fw.tree.walk():
        parent = fw.parent_of[node.id]
        if parent is None:
            continue
        weight = local[parent].get(node.id)
        if weight is None:  # the parent combines the indicators below this node
            weight = effective[node.id] / effective[parent] if effective[parent] else np.nan
        rows.append({"node": node.id, "parent": parent, "method": method[parent], "weight": weight,
                     "effective_weight": effective[node.id], "source": source[parent]})
    return pd.DataFrame(rows, columns=["node", "parent", "method", "weight", "effective_weight", "source"])
