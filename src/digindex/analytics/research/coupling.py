"""Coupling coordination degree between subsystems (耦合协调度).

For one unit and year with ``n ≥ 2`` subsystem scores ``U_1..U_n`` in [0, 1] (e.g. the five
aspects of the index) and weights ``α_i`` summing to 1 (equal by default):

- **coupling degree**, the standard formula (the normative form of the traditional model in
  Wang Shujia et al. 2021)::

      C = n · [ Π_i U_i / (Σ_i U_i)^n ]^(1/n)  =  (Π_i U_i)^(1/n) / ((1/n) Σ_i U_i)

  the geometric mean over the arithmetic mean: 1 when all ``U_i`` are equal, 0 when one is 0.
  For ``n = 2`` it is ``2·sqrt(U_1 U_2) / (U_1 + U_2)``. (The often printed
  ``n·{Π U_i / Π_{i<j}(U_i + U_j)}^(1/n)`` is *not* this formula for ``n > 2`` and leaves
  [0, 1]; it is one of the misuses Wang et al. list.)
- with ``modified`` the corrected coupling degree of Wang Shujia et al. (2021)::

      C = sqrt{ [1 − Σ_{i>j} |U_i − U_j| / Σ_{m=1}^{n−1} m] · [Π_i (U_i / max_j U_j)]^(1/(n−1)) }

  (the first factor is one minus the mean absolute difference over the ``n(n−1)/2`` pairs;
  the second the geometric mean of the ``n−1`` ratios to the largest score). It spreads C
  over [0, 1] where the standard one stays near 1 for most data.
- **development level** ``T = Σ_i α_i U_i``;
- **coordination degree** ``D = sqrt(C · T)``.

``D`` falls into ten grades of width 0.1, from 极度失调 (extreme imbalance, [0, 0.1)) to
优质协调 (high-quality coordination, [0.9, 1]) (廖重斌 1999, 热带地理 19(2): 171–177).

Reference: 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷 (Wang Shujia et al.), 国内耦合协调度模型的误区及
修正 (Research on misuses and modification of coupling coordination degree model in China),
自然资源学报 (J. Natural Resources) 36(3), 2021: 793–810, doi:10.31497/zrzyxb.20210319.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ...i18n import text
from .inputs import ResearchData
from .result import Analysis

GRADES = 10
GRADE_KEYS = tuple(f"coupling_grade_{g}" for g in range(1, GRADES + 1))  # 极度失调 … 优质协调


def coupling_degree(U, modified: bool = False) -> np.ndarray:
    """C of each row of ``U`` (rows × n subsystems, values in [0, 1]); see the module doc."""
    U = np.atleast_2d(np.asarray(U, dtype=float))
    n = U.shape[1]
    if modified:
        i, j = np.triu_indices(n, k=1)
        spread = np.abs(U[:, i] - U[:, j]).sum(axis=1) / (n * (n - 1) / 2)
        top = U.max(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(top[:, None] > 0, U / top[:, None], 0.0)
        return np.sqrt(np.clip((1 - spread) * np.prod(ratios, axis=1) ** (1 / (n - 1)), 0, None))
    total = U.sum(axis=1)
    geo = np.prod(U, axis=1) ** (1 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, geo / (total / n), 0.0)


def grade_of(d) -> np.ndarray:
    """1..10: the coordination grade of D ([0, 0.1) → 1 … [0.9, 1] → 10)."""
    d = np.asarray(d, dtype=float)
    return np.clip(np.floor(d * GRADES + 1e-12).astype(int) + 1, 1, GRADES)


def grade_label(grade: int, lang: str = "zh") -> str:
    return text(GRADE_KEYS[int(grade) - 1], lang)


def coupling(data: ResearchData, nodes, weights=None, modified: bool = False, lang: str = "zh",
             scale: float = 1.0) -> Analysis:
    """C, T, D and the grade of the subsystems ``nodes`` (columns or nodes) per unit and year.

    ``weights`` (α, one per node, positive; default equal) are normalised to sum to 1; the
    scores are divided by ``scale`` first (100 for scores on 0–100). Table ``coupling``: unit,
    year, C, T, D, grade (the grade's name in ``lang``).
    """
    nodes = list(nodes)
    if len(nodes) < 2:
        raise InputError(Problem("coupling needs at least two subsystems", fix="give --nodes a,b[,c...]"))
    data.require(nodes)
    alpha = _weights(weights, nodes)
    table = data.table[["unit", "year", *nodes]].dropna(subset=nodes).reset_index(drop=True)
    U = table[nodes].to_numpy(float) / _scale(scale)
    outside = (U < 0) | (U > 1 + 1e-9)
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise InputError(Problem(f"coupling needs subsystem scores in [0, 1]; {nodes[c]} is "
                                 f"{table[nodes[c]].iat[r]:g}" + (f" (/{scale:g})" if scale != 1 else "") + " for "
                                 f"{table['unit'].iat[r]}" + (f" in {table['year'].iat[r]}"
                                                              if table['year'].iat[r] is not None else ""),
                                 file=data.source, fix="use scores normalised to [0, 1] (e.g. min-max or TOPSIS "
                                                       "sub-scores), or rescale them with --scale"))
    C = coupling_degree(U, modified)
    T = U @ alpha
    D = np.sqrt(C * T)
    grades = grade_of(D)
    out = pd.DataFrame({"unit": table["unit"], "year": table["year"], "C": C, "T": T, "D": D,
                        "grade": [grade_label(g, lang) for g in grades]})
    notes = []
    dropped = len(data.table) - len(table)
    if dropped:
        notes.append(f"{dropped} unit-year(s) missing a subsystem score were left out")
    return Analysis("coupling", {"coupling": out}, notes=notes,
                    meta={"nodes": nodes, "labels": {n: data.label(n) for n in nodes}, "alpha": alpha.tolist(),
                          "modified": modified, "grade_number": grades})


def _scale(scale) -> float:
    if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
        raise InputError(Problem(f"--scale must be a positive number, not {scale!r}", fix="e.g. --scale 100"))
    return float(scale)


def _weights(weights, nodes) -> np.ndarray:
    if weights is None:
        return np.full(len(nodes), 1 / len(nodes))
    w = np.asarray(list(weights), dtype=float)
    if w.shape != (len(nodes),) or not (w > 0).all() or not np.isfinite(w).all():
        raise InputError(Problem(f"give one positive weight per node ({len(nodes)}: {', '.join(nodes)})",
                                 fix="e.g. --node-weights 0.3,0.2,0.2,0.15,0.15"))
    return w / w.sum()


__all__ = ["coupling", "coupling_degree", "grade_of", "grade_label"]
