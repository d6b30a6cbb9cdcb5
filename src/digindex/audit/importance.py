"""Effective weights and the importance of each component: the correlation ratio S_i.

Effective weight of a node = the product of the normalised weights along its path from the
root, w_eff(c) = Π_{e on path} w_e, with w_e = weight_e / Σ_siblings weight (from
``evaluation.weights``); the nominal variant uses the framework's weights.

Importance (Paruolo, Saisana & Saltelli 2013, "Ratings and rankings: voodoo or science?",
JRSS A 176(3), 609–634; Karl Pearson's correlation ratio, their "main effect"):

    S_i = Var(E[y | x_i]) / Var(y)

for a component x_i and its aggregate (or the index) y. S_i is the share of y's variance that
x_i explains, non-linear dependence included; for a linear E[y|x_i] it equals Pearson's r².
E[y | x_i] is estimated, as in the paper, with a penalised smoother:

- a cubic smoothing spline minimising Σ_j (y_j − f(x_j))² + λ ∫ f''(t)² dt, with λ chosen by
  REML (Wahba's generalised maximum likelihood; ``criterion="gcv"`` for generalised
  cross-validation), tied x values pooled to their mean y with weight = their count
  (:mod:`digindex.audit.smoothing`; for a given λ the same fit as
  ``scipy.interpolate.make_smoothing_spline``). λ → ∞ gives the least-squares line, so a
  linear relation gives Ŝ ≈ r²;
- with fewer than 5 distinct x values, E[y|x_i] is the mean of y at each value of x_i (the
  exact correlation ratio η² of a discrete x), provided there are at least two observations
  per distinct value on average (else Ŝ is NaN: with one observation per value η² is 1
  whatever the data).

Ŝ_i = Σ_j (f̂(x_j) − ȳ)² / Σ_j (y_j − ȳ)², clipped to [0, 1]. Like every smoother-based
estimate it is biased upwards in small samples (a pure-noise x gives Ŝ of the order of the
fit's excess degrees of freedom over n: about 0.05 on average for n = 40).

Disagreement flag: among the components compared (the children of a node for their parent;
all nodes of one level for the index), the importance share S_i / Σ S_j is compared with the
weight share w_i / Σ w_j; ``flag`` when their ratio falls outside a band (default [0.5, 2]).

References: Paruolo P., Saisana M., Saltelli A. (2013), above; Becker W., Saisana M., Paruolo
P., Vandecasteele I. (2017) "Weights and importance in composite indicators: closing the gap",
Ecol. Indic. 80, 12–22; Wahba G. (1985) Ann. Statist. 13(4), 1378–1402.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import complete, non_root, single_threaded_blas, year_groups
from .smoothing import smoothing_spline_fit

MIN_UNIQUE = 5


def conditional_mean(x, y, criterion: str = "reml") -> tuple[np.ndarray, str]:
    """(Ê[y | x] at each x, estimator name) for complete, finite ``x`` and ``y``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xu, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    means = np.bincount(inv, weights=y) / counts
    if xu.size < MIN_UNIQUE:
        return means[inv], "group means"
    try:
        fitted, _ = smoothing_spline_fit(x, y, criterion=criterion)
        if np.all(np.isfinite(fitted)):
            return fitted, f"smoothing spline ({criterion.upper()})"
    except (ValueError, np.linalg.LinAlgError):
        pass
    slope, icept = np.polyfit(x, y, 1)  # a smoother that failed falls back to the linear fit
    return icept + slope * x, "linear (spline failed)"


def correlation_ratio(x, y, criterion: str = "reml") -> float:
    """Ŝ = Var(Ê[y|x]) / Var(y) over the pairs where both are present; NaN if undefined."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    m = complete(x, y)
    x, y = x[m], y[m]
    if x.size < 3:
        return np.nan
    vy = np.var(y)
    distinct = np.unique(x).size
    if vy == 0 or distinct < 2 or (distinct < MIN_UNIQUE and x.size < 2 * distinct):
        return np.nan
    fitted, _ = conditional_mean(x, y, criterion)
    return float(np.clip(np.var(fitted) / vy, 0.0, 1.0))


def _normalised_weights(evaluation) -> dict[str, tuple[float, float]]:
    """child -> (weight, nominal weight), each summing to 1 among siblings."""
    fw = evaluation.framework
    table = evaluation.weights
    out = {}
    for node in fw.aggregates:
        kids = [c.id for c in node.children]
        sel = table[table["node"] == node.id].set_index("child") if len(table) else None
        nominal = np.array([c.weight for c in node.children], float)
        if sel is not None and set(kids) <= set(sel.index):
            w = sel.loc[kids, "weight"].to_numpy(float)
            nominal = sel.loc[kids, "nominal_weight"].to_numpy(float)
        else:
            w = nominal
        w, nominal = w / np.sum(w), nominal / np.sum(nominal)
        out.update({k: (float(a), float(b)) for k, a, b in zip(kids, w, nominal)})
    return out


def effective_weights(evaluation) -> pd.DataFrame:
    """One row per non-root node: node, parent, level, weight, nominal_weight (within the
    parent, normalised), effective_weight, effective_nominal_weight (products along the path)."""
    fw = evaluation.framework
    local = _normalised_weights(evaluation)
    rows = []
    for nid in non_root(fw):
        eff = nom = 1.0
        cur = nid
        while fw.parent_of[cur] is not None:
            eff *= local[cur][0]
            nom *= local[cur][1]
            cur = fw.parent_of[cur]
        rows.append({"node": nid, "parent": fw.parent_of[nid], "level": fw.levels[nid],
                     "weight": local[nid][0], "nominal_weight": local[nid][1],
                     "effective_weight": eff, "effective_nominal_weight": nom})
    return pd.DataFrame(rows, columns=["node", "parent", "level", "weight", "nominal_weight",
                                       "effective_weight", "effective_nominal_weight"])


def importance(evaluation, years=None, band: tuple[float, float] = (0.5, 2.0)) -> pd.DataFrame:
    """S_i of every non-root node on its parent and on the index, per year, next to its weight.

    Columns: year, node, level, target, target_kind (parent / index), n, r (Pearson), r2,
    S_i, S_share, weight, nominal_weight, weight_share, ratio (S_share / weight_share), flag
    (ratio outside ``band``). The weight is the node's weight in its parent (target parent) or
    its effective weight (target index), as used by the evaluation (data-driven weights
    included); nominal_weight is the framework's. Shares are within the comparison set
    (siblings, or one level) and use the weights as used.
    Children of the root appear once, with target_kind ``parent``.
    """
    ew = effective_weights(evaluation).set_index("node")
    lo, hi = band
    rows = []
    with single_threaded_blas():
        for year, idx in year_groups(evaluation, years):
            frame = _importance_year(evaluation, year, idx, ew)
            if frame.empty:
                continue
            for col, share in (("S_i", "S_share"), ("weight", "weight_share")):
                total = frame.groupby(["target", "_set"])[col].transform("sum")
                frame[share] = frame[col] / total
            frame["ratio"] = frame["S_share"] / frame["weight_share"]
            frame["flag"] = ~frame["ratio"].between(lo, hi) & frame["ratio"].notna()
            rows.append(frame.drop(columns="_set"))
    cols = ["year", "node", "level", "target", "target_kind", "n", "r", "r2", "S_i", "S_share",
            "weight", "nominal_weight", "weight_share", "ratio", "flag"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]


def _importance_year(evaluation, year, idx, ew) -> pd.DataFrame:
    """The rows of one year, before shares: one per (node, target)."""
    fw = evaluation.framework
    root = fw.tree.id
    block = []
    for nid in non_root(fw):
        parent = fw.parent_of[nid]
        targets = [("parent", parent)] + ([("index", root)] if parent != root else [])
        x = evaluation.scores[nid][idx]
        for kind, target in targets:
            y = evaluation.scores[target][idx]
            m = complete(x, y)
            r = (float(np.corrcoef(x[m], y[m])[0, 1])
                 if m.sum() >= 3 and np.std(x[m]) > 0 and np.std(y[m]) > 0 else np.nan)
            own = kind == "parent"
            w = ew.loc[nid, "weight" if own else "effective_weight"]
            nominal = ew.loc[nid, "nominal_weight" if own else "effective_nominal_weight"]
            block.append({"year": year, "node": nid, "level": fw.levels[nid], "target": target,
                          "target_kind": kind, "n": int(m.sum()), "r": r, "r2": r * r,
                          "S_i": correlation_ratio(x, y), "weight": float(w),
                          "nominal_weight": float(nominal),
                          "_set": parent if kind == "parent" else f"level {fw.levels[nid]}"})
    return pd.DataFrame(block)
