"""Each node's weights with the details of its weighting method, for weights.csv, the weights
sheet of results.xlsx and run.json.

The details are the method's own (``Evaluation.weight_info``, read by
:func:`digindex.methods.weights.details.weight_details`): AHP's matrix, λmax, CI, RI and CR;
entropy's e_j and d_j; CRITIC's σ, conflict and information; a combined weighting's components;
PCA's loadings.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..methods.weights.details import WeightDetails, weight_details

BASE_COLUMNS = ["node", "child", "method", "weight", "nominal_weight", "effective_weight"]


def node_details(evaluation) -> dict[str, WeightDetails]:
    """The weighting details of every aggregate node with any."""
    fw = evaluation.framework
    out = {}
    for node in fw.aggregates:
        info = evaluation.weight_info.get(node.id)
        if info:
            out[node.id] = weight_details(info, [c.id for c in fw.inputs_of(node)])
    return out


def _effective(evaluation) -> dict[str, float]:
    from ..engine.weights import weight_table

    table = weight_table(evaluation.framework, evaluation)
    return dict(zip(table["node"], table["effective_weight"]))


def weights_table(evaluation) -> pd.DataFrame:
    """One row per node and child: the weight, the framework's (nominal) weight, the weight in
    the index, and the details of the node's weighting: a column per detail of the children
    (``entropy``, ``divergence``, ``sd``, ``a.weights`` ...; ``matrix``: the child's row of the
    pairwise comparisons, as text), the node's own values (``lambda_max``, ``CR`` ...) on each
    of its rows."""
    base = evaluation.weights
    if base is None or not len(base):
        return pd.DataFrame(columns=BASE_COLUMNS)
    effective = _effective(evaluation)
    details = node_details(evaluation)
    rows = []
    for rec in base.to_dict("records"):
        row = {"node": rec["node"], "child": rec["child"], "method": rec["method"], "weight": rec["weight"],
               "nominal_weight": rec["nominal_weight"], "effective_weight": effective.get(rec["child"])}
        d = details.get(rec["node"])
        if d is not None:
            child = str(rec["child"])
            for name, values in d.children.items():
                row[name] = values.get(child)
            for name, matrix in d.matrices.items():
                if child in matrix:
                    row[name] = "; ".join(_number(v) for v in matrix[child].values())
            for name, value in d.node.items():
                row[name] = "; ".join(_number(v) for v in value) if isinstance(value, list) else value
        rows.append(row)
    table = pd.DataFrame(rows)
    return table[BASE_COLUMNS + [c for c in table.columns if c not in BASE_COLUMNS]]


def weights_record(evaluation) -> dict:
    """run.json's ``weights``: per node its method, each child's weights and details, and the
    node's own details (matrices as nested mappings)."""
    details = node_details(evaluation)
    effective = _effective(evaluation)
    out: dict[str, dict] = {}
    base = evaluation.weights
    for rec in (base.to_dict("records") if base is not None and len(base) else []):
        node = out.setdefault(rec["node"], {"method": rec["method"], "children": {}})
        child = {"weight": _plain(rec["weight"]), "nominal_weight": _plain(rec["nominal_weight"]),
                 "effective_weight": _plain(effective.get(rec["child"]))}
        d = details.get(rec["node"])
        if d is not None:
            child.update({k: _plain(v.get(str(rec["child"]))) for k, v in d.children.items()
                          if str(rec["child"]) in v})
        node["children"][str(rec["child"])] = child
    for nid, d in details.items():
        if nid in out:
            out[nid].update({k: _plain(v) for k, v in d.node.items()})
            out[nid].update({k: {r: {c: _plain(x) for c, x in row.items()} for r, row in m.items()}
                             for k, m in d.matrices.items()})
    return out


def _plain(v):
    """JSON-ready: numpy numbers as Python ones, NaN as None."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _number(v) -> str:
    if isinstance(v, (int, np.integer)) or (isinstance(v, float) and float(v).is_integer()):
        return str(int(v))
    return f"{float(v):.6g}" if isinstance(v, (float, np.floating)) else str(v)


__all__ = ["weights_table", "weights_record", "node_details"]
