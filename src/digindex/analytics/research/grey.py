"""Grey relational analysis (灰色关联分析, Deng Julong's grey relational grade).

Each unit's values on the ``k`` subsystems or indicators ``x_i(1..k)`` (comparable, e.g.
normalised scores) are compared with a reference series ``x_0(1..k)``: by default the ideal,
the best value of each column in the year (``max_i x_i(j)``), or the values of one reference
unit. With ``Δ_i(j) = |x_0(j) − x_i(j)|`` and, over all compared units and columns of the year,
``Δ_min = min Δ_i(j)`` and ``Δ_max = max Δ_i(j)``, the grey relational coefficient is::

    ξ_i(j) = (Δ_min + ρ Δ_max) / (Δ_i(j) + ρ Δ_max)

with the distinguishing coefficient ``ρ`` (0.5 by default, 0 < ρ ≤ 1), and the grey relational
grade is ``r_i = Σ_j w_j ξ_i(j)`` with equal weights ``w_j = 1/k`` by default. A unit equal to
the reference everywhere has grade 1. When every Δ is 0 the grades are 1.

Reference: Deng Julong (邓聚龙), "Introduction to grey system theory", The Journal of Grey
System 1(1), 1989: 1–24; 刘思峰 et al., 灰色系统理论及其应用 (Science Press), ch. on grey
incidence analysis.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .coupling import _weights
from .inputs import ResearchData
from .result import Analysis


def grey_grades(X, reference, rho: float = 0.5, weights=None) -> np.ndarray:
    """Grey relational grades of the rows of ``X`` (units × k) against ``reference`` (k,)."""
    X = np.asarray(X, dtype=float)
    delta = np.abs(X - np.asarray(reference, dtype=float)[None, :])
    lo, hi = np.nanmin(delta), np.nanmax(delta)
    if hi == 0:
        return np.ones(X.shape[0])
    xi = (lo + rho * hi) / (delta + rho * hi)
    w = np.full(X.shape[1], 1 / X.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    return xi @ w


def grey(data: ResearchData, nodes, rho: float = 0.5, reference: str | None = None, weights=None) -> Analysis:
    """Grey relational grade of each unit and year over ``nodes`` against the ideal (default) or
    the ``reference`` unit. Table ``grey``: unit, year, grade."""
    nodes = list(nodes)
    if len(nodes) < 2:
        raise InputError(Problem("grey relational analysis needs at least two columns", fix="give --nodes a,b[,c...]"))
    if not 0 < rho <= 1:
        raise InputError(Problem(f"--rho must be in (0, 1], not {rho:g}", fix="use the usual 0.5"))
    data.require(nodes)
    w = _weights(weights, nodes) if weights is not None else None
    table = data.table[["unit", "year", *nodes]]
    complete = table.dropna(subset=nodes)
    notes = []
    if len(complete) < len(table):
        notes.append(f"{len(table) - len(complete)} unit-year(s) missing a value were left out")
    if reference is not None and reference not in set(complete["unit"]):
        raise InputError(Problem(f"reference unit {reference!r} is not in the data (with every value)",
                                 file=data.source, fix="give --reference one of the data's units, or leave it "
                                                       "out to compare with the ideal"))
    parts = []
    for year, part in complete.groupby("year", sort=True, dropna=False):
        X = part[nodes].to_numpy(float)
        if reference is None:
            ref = X.max(axis=0)
            compared = part
        else:
            mine = part["unit"] == reference
            if not mine.any():
                notes.append(f"{year}: the reference unit has no values; year left out")
                continue
            ref = X[mine.to_numpy()][0]
            compared = part[~mine]
            X = X[~mine.to_numpy()]
        parts.append(pd.DataFrame({"unit": compared["unit"].to_numpy(), "year": compared["year"].to_numpy(),
                                   "grade": grey_grades(X, ref, rho, w)}))
    return Analysis("grey", {"grey": pd.concat(parts, ignore_index=True)}, notes=notes,
                    meta={"nodes": nodes, "labels": {n: data.label(n) for n in nodes}, "rho": rho,
                          "reference": reference})


__all__ = ["grey", "grey_grades"]
