"""Target gap: the smallest improvement that lifts a unit to a given rank.

Problem, for unit ``u`` in year ``t`` and target rank ``k`` in its parent region or the
province: find new values ``x'_j`` of its indicators (in their own units) that minimise
the effort ``Σ_j d_j(x'_j − x_j)/s_j`` (the improvement measured in the province's
interquartile ranges ``s_j`` of year ``t``, robust to the skewed indicators; ``d_j`` the
direction) subject to

- ``x_j ≤ d_j x'_j ≤ b_j``: only improvements, up to a realistic bound ``b_j``, the best
  value in the province that year or a user cap (whichever is tighter);
- ``score_u(x') ≥ T``, ``T`` the ``k``-th best score among the other units of the scope
  (ties take the minimum rank, so equalling ``T`` reaches rank ``k``).

The score as a function of the unit's own values is modelled from the evaluation itself:
each indicator's normalised score is the piecewise-linear interpolation of the pairs
(value, normalised score) of that year's units (exact for the linear normalisations
between observed values, the chord of a log or winsorised treatment otherwise), and the
root score is the tree's aggregation with the weights held at their current values,
linearised as ``Σ_j A_j Δn_j`` (``A_j = ∂y/∂n_j``: the product of the weights along the
path for arithmetic trees, a central difference otherwise). The resulting piecewise-linear
problem is a mixed-integer linear programme (a segment of an indicator may be used only
once the previous one is full), solved by ``scipy.optimize.milp`` (HiGHS).

Weights (entropy, CRITIC ...), outlier treatment and thresholds may react to the changed
data, so the solution is applied to the data and *re-evaluated* through
:func:`digindex.evaluate`; while the unit falls short, the required gain is raised by the
shortfall and the programme solved again (at most ``max_rounds`` times).
Indicators whose value for the unit is missing are left unchanged; indicators whose
values are all whole numbers (counts) get whole-number targets (rounded up).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from ..engine.publish import published
from ..errors import InputError, Problem
from ._base import check_year, node_label, node_weights, operator, parent_of, row_of, year_rows
from .decompose import present_weights


@dataclass
class TargetResult:
    """The outcome of :func:`target_gap`; ``targets`` lists the indicators to change.

    ``targets`` columns: ``indicator, label, unit_of_measure, current, target, change,
    change_pct, bound, score, target_score``. ``apply(panel)`` returns the panel with the
    targets written into the unit's row; ``evaluation`` is the re-evaluation that
    verified them (``achieved_rank`` its rank).
    """

    unit: str
    year: int
    scope: str
    target_rank: int
    current_rank: int
    achieved_rank: int
    feasible: bool
    score: float
    achieved_score: float
    threshold: float
    effort: float
    rounds: int
    targets: pd.DataFrame
    evaluation: object = None
    message: str = ""

    def apply(self, panel):
        return _apply(panel, self.unit, self.year, self.targets)

    def sentences(self, lang: str = "en") -> list[str]:
        """Each target as a sentence, e.g. "raise 5G users per 100 residents from 18.2 to 23.5"."""
        out = []
        for _, t in self.targets.iterrows():
            name = node_label(self.evaluation, t["indicator"], lang) if self.evaluation is not None else t["label"]
            up = t["target"] > t["current"]
            cur, tgt, unit = _num(t["current"]), _num(t["target"]), t["unit_of_measure"]
            if lang == "zh":
                out.append(f"将{name}从{cur}{'提高' if up else '降低'}到{tgt}（{unit}）")
            else:
                out.append(f"{'raise' if up else 'lower'} {name} from {cur} to {tgt} {unit}".rstrip())
        return out


def _num(x: float) -> str:
    """Three significant figures at least, thousands separated: 18.2, 6,930, 0.868."""
    x = float(x)
    if x == round(x) and abs(x) < 1e9:
        return f"{int(round(x)):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"


def _apply(panel, unit, year, targets: pd.DataFrame):
    base = getattr(panel, "origin", None) or panel
    table = base.table.copy()
    hit = (table["unit"].astype(str) == str(unit)) & (table["year"] == year)
    for _, t in targets.iterrows():
        old = table.loc[hit, t["indicator"]].astype(float)
        if t["denominated"]:
            table.loc[hit, t["indicator"]] = old * t["target"] / t["current"]
        else:
            table.loc[hit, t["indicator"]] = t["target"]
    return replace(base, table=table, digest=None, origin=None)


def _curve(evaluation, j, rows, r, d):
    """(u breakpoints, gains) of indicator column ``j`` for row ``r``; u = d·value."""
    x = evaluation.stages["denominated"][rows, j] if "denominated" in evaluation.stages \
        else evaluation.stages["raw"][rows, j]
    n = evaluation.stages["normalised"][rows, j]
    ok = ~np.isnan(x) & ~np.isnan(n)
    u, n = d * x[ok], n[ok]
    order = np.argsort(u, kind="stable")
    u, n = u[order], np.maximum.accumulate(n[order])
    u, first = np.unique(u, return_index=True)
    n = np.maximum.reduceat(n, first)
    return u, n


def _spread(values) -> float:
    """The province's interquartile range of an indicator (its sd if the IQR is 0; else 1)."""
    v = values[~np.isnan(values)]
    if len(v) < 2:
        return 1.0
    iqr = float(np.subtract(*np.percentile(v, [75, 25])))
    sd = float(np.std(v))
    return iqr if iqr > 0 else (sd if sd > 0 else 1.0)


def _rank(scores, mine) -> int:
    return int(np.sum(scores > mine)) + 1


def _scope_rows(evaluation, unit, year, scope):
    rows = year_rows(evaluation, year)
    if scope == "parent":
        parent = parent_of(evaluation, unit)
        if parent is None:
            raise InputError(Problem("the data has no parent regions", fix="use scope='province'"))
        units = np.asarray(evaluation.panel.units, dtype=object)
        rows = rows[np.array([evaluation.panel.parents.get(str(v)) == parent for v in units[rows]])]
    elif scope != "province":
        raise InputError(Problem(f"unknown scope {scope!r}", fix="use 'parent' or 'province'"))
    return rows


def _slopes(evaluation, r) -> np.ndarray:
    """``∂y_root/∂n_j`` for row ``r`` with the weights held (exact for arithmetic paths)."""
    fw = evaluation.framework
    A = {fw.tree.id: 1.0}
    for node in fw.tree.walk():  # parents first, along what each node combines
        if node.is_indicator or node.id not in A:
            continue
        inputs = fw.inputs_of(node)
        X = np.column_stack([evaluation.scores[c.id] for c in inputs])
        W = present_weights(X, node_weights(evaluation, node))[r]
        f = operator(evaluation, node)
        for j, c in enumerate(inputs):
            if f.capabilities.power == 1:  # linear: the slope is the weight
                A[c.id] = A[node.id] * W[j]
            else:
                h = 0.5
                up, dn = X.copy(), X.copy()
                up[r, j] += h
                dn[r, j] -= h
                wv = node_weights(evaluation, node)
                A[c.id] = A[node.id] * (f(up, wv)[r] - f(dn, wv)[r]) / (2 * h)
    return np.array([A[i] for i in fw.indicator_ids])


def _solve(curves, A, cost, need):
    """MILP over segments: minimise Σ cost·δ s.t. Σ A·slope·δ ≥ need. Returns Δu per indicator."""
    seg_j, seg_len, seg_gain = [], [], []
    for j, (L, G) in curves.items():
        for ln, g in zip(L, G):
            seg_j.append(j)
            seg_len.append(ln)
            seg_gain.append(A[j] * g)
    m = len(seg_j)
    if m == 0:
        return None
    seg_j, seg_len, seg_gain = np.array(seg_j), np.array(seg_len), np.array(seg_gain)
    if seg_gain.clip(min=0) @ seg_len < need:
        return None
    nxt = [i for i in range(m - 1) if seg_j[i + 1] == seg_j[i]]
    nb = len(nxt)
    c = np.r_[np.array([cost[j] for j in seg_j]), np.zeros(nb)]
    rows, lo, hi = [np.r_[seg_gain * seg_len / np.where(seg_len > 0, seg_len, 1), np.zeros(nb)]], [need], [np.inf]
    for b, i in enumerate(nxt):  # δ_i ≥ L_i z_b ; δ_{i+1} ≤ L_{i+1} z_b
        a1 = np.zeros(m + nb)
        a1[i], a1[m + b] = 1.0, -seg_len[i]
        a2 = np.zeros(m + nb)
        a2[i + 1], a2[m + b] = 1.0, -seg_len[i + 1]
        rows += [a1, a2]
        lo += [0.0, -np.inf]
        hi += [np.inf, 0.0]
    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi),
               integrality=np.r_[np.zeros(m), np.ones(nb)],
               bounds=Bounds(np.zeros(m + nb), np.r_[seg_len, np.ones(nb)]),
               options={"time_limit": 20.0, "mip_rel_gap": 1e-6})
    if res.x is None:
        return None
    out = {}
    for i, j in enumerate(seg_j):
        out[j] = out.get(j, 0.0) + res.x[i]
    return out


def target_gap(evaluation, unit: str, rank: int, scope: str = "parent", year=None,
               caps: dict | None = None, indicators: list[str] | None = None,
               bound_quantile: float = 1.0, max_rounds: int = 8, lang: str = "zh") -> TargetResult:
    """The smallest improvement lifting ``unit`` to ``rank`` in ``scope`` (``parent`` or
    ``province``) in ``year`` (default the latest). ``caps``: {indicator: bound in its own
    units}; ``indicators``: only these may change; ``bound_quantile``: the realistic bound is
    this quantile of the year's values (1: the province's best). See the module doc."""
    from ..engine import evaluate

    year = check_year(evaluation, year)
    unit = str(unit)
    fw = evaluation.framework
    r = row_of(evaluation, unit, year)
    root = fw.tree.id
    scores = published(evaluation.scores[root], fw)  # ranks as published
    rows = _scope_rows(evaluation, unit, year, scope)
    others = np.sort(scores[[i for i in rows if i != r]])[::-1]
    others = others[~np.isnan(others)]
    if rank < 1:
        raise InputError(Problem(f"target rank must be ≥ 1, not {rank}"))
    current = _rank(scores[rows], scores[r])
    empty = pd.DataFrame(columns=["indicator", "label", "unit_of_measure", "current", "target", "change",
                                  "change_pct", "bound", "score", "target_score", "denominated"])
    threshold = others[rank - 1] if rank <= len(others) else -np.inf
    common = dict(unit=unit, year=year, scope=scope, target_rank=rank, current_rank=current,
                  score=float(scores[r]), threshold=float(threshold))
    if current <= rank:
        return TargetResult(**common, achieved_rank=current, feasible=True, achieved_score=float(scores[r]),
                            effort=0.0, rounds=0, targets=empty, evaluation=evaluation,
                            message="already at or above the target rank")
    allowed = set(indicators or fw.indicator_ids)
    caps = caps or {}
    yrows = year_rows(evaluation, year)
    own = evaluation.stages.get("denominated", evaluation.stages["raw"])
    A = _slopes(evaluation, r)
    curves, info, cost, integer = {}, {}, {}, {}
    for j, node in enumerate(fw.indicators):
        x0 = own[r, j]
        if node.id not in allowed or np.isnan(x0) or np.isnan(evaluation.stages["raw"][r, j]):
            continue
        d = node.direction
        u, n = _curve(evaluation, j, yrows, r, d)
        bound = np.quantile(u, bound_quantile) if len(u) else d * x0
        if node.id in caps:
            bound = min(bound, d * float(caps[node.id]))
        u0 = d * x0
        if bound <= u0 or len(u) < 2:
            continue
        pts = np.r_[u0, u[(u > u0) & (u < bound)], bound]
        g = np.interp(pts, u, n) - np.interp(u0, u, n)
        lens, gains = np.diff(pts), np.diff(g) / np.where(np.diff(pts) > 0, np.diff(pts), 1)
        while len(gains) and gains[-1] <= 0:  # nothing to win at the top (clipped scores)
            lens, gains, pts = lens[:-1], gains[:-1], pts[:-1]
        if not len(lens):
            continue
        curves[j], cost[j] = (lens, gains), 1.0 / _spread(own[yrows, j])
        vals = own[yrows, j][~np.isnan(own[yrows, j])]
        integer[j] = bool(np.all(vals == np.round(vals)))
        info[j] = (node, d, x0, u, n, d * pts[-1], not np.allclose(own[r, j], evaluation.stages["raw"][r, j]))
    need, best = float(threshold - scores[r]) + 1e-6, None
    for rounds in range(1, max_rounds + 1):
        sol = _solve(curves, A, cost, need)
        if sol is None:
            break
        rows_t = []
        for j, du in sol.items():
            if du <= 1e-12:
                continue
            node, d, x0, u, n, bnd, denom = info[j]
            x1 = d * (d * x0 + du)
            if integer[j]:  # counts: the next whole number in the improving direction
                x1 = d * np.ceil(d * x1 - 1e-9)
            rows_t.append({"indicator": node.id, "label": node_label(evaluation, node.id, lang),
                           "unit_of_measure": node.unit or "", "current": x0, "target": x1, "change": x1 - x0,
                           "change_pct": 100 * (x1 - x0) / abs(x0) if x0 else np.nan, "bound": bnd,
                           "score": evaluation.stages["normalised"][r, j],
                           "target_score": float(np.interp(d * x1, u, n)), "denominated": denom})
        targets = pd.DataFrame(rows_t, columns=empty.columns)
        new_ev = evaluate(fw, _apply(evaluation.panel, unit, year, targets))
        nr = row_of(new_ev, unit, year)
        new_scores = published(new_ev.scores[root], fw)
        achieved = _rank(new_scores[_scope_rows(new_ev, unit, year, scope)], new_scores[nr])
        effort = float(sum(sol[j] * cost[j] for j in sol))
        best = TargetResult(**common, achieved_rank=achieved, feasible=achieved <= rank,
                            achieved_score=float(new_scores[nr]), effort=effort, rounds=rounds,
                            targets=targets, evaluation=new_ev)
        if achieved <= rank:
            return best
        others_new = np.sort([new_scores[i] for i in _scope_rows(new_ev, unit, year, scope) if i != nr])[::-1]
        need += float(others_new[rank - 1] - new_scores[nr]) + 1e-4 * (rounds ** 2)
    if best is None:
        return TargetResult(**common, achieved_rank=current, feasible=False, achieved_score=float(scores[r]),
                            effort=np.nan, rounds=0, targets=empty, evaluation=None,
                            message="not reachable within the bounds")
    best.message = "not reached within the bounds" if not best.feasible else ""
    return best


__all__ = ["TargetResult", "target_gap"]
