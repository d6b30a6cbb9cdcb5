"""Global Moran's I of scores on a contiguity (shared-border) graph, with a permutation test.

With row-standardised weights ``w_ij`` (each unit's neighbours weigh ``1/k_i``),
deviations ``z_i = x_i − x̄`` and ``S_0 = Σ_ij w_ij``::

    I = (n / S_0) · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i²,      E[I] = −1 / (n − 1)

(Moran, P. A. P. (1950) "Notes on continuous stochastic phenomena", Biometrika 37,
17–23; Cliff, A. D. & Ord, J. K. (1981) *Spatial Processes*, ch. 1–2). The pseudo
p-value comes from ``permutations`` random relabellings of the values over the units:
``p = (m + 1)/(permutations + 1)``, ``m`` the number of permuted statistics at least as
extreme as the observed one on its side of the mean (esda's ``p_sim``). Units without
neighbours (islands such as 嵊泗县 and 岱山县) keep a zero row and so do not enter ``S_0``.

Computed with PySAL (``libpysal.weights.W`` and ``esda.Moran``); the global NumPy
random state is seeded for the permutations and restored afterwards.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def morans_i(values: dict, neighbours: dict, permutations: int = 999, seed: int = 0) -> dict:
    """Moran's I of ``values`` {unit: x} on ``neighbours`` {unit: [units]}.

    Only units with a value take part (their links to units without one are dropped).
    Returns ``{"I", "EI", "z", "p_sim", "p_norm", "n", "islands", "permutations"}``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import esda
        from libpysal.weights import W

    units = sorted(u for u, v in values.items() if v is not None and np.isfinite(v))
    keep = set(units)
    nb = {u: [v for v in neighbours.get(u, []) if v in keep] for u in units}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(nb, ids=units, silence_warnings=True)
        w.transform = "r"
        y = np.array([float(values[u]) for u in units])
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            m = esda.Moran(y, w, permutations=permutations)
        finally:
            np.random.set_state(state)
    return {"I": float(m.I), "EI": float(m.EI), "z": float(m.z_sim) if permutations else float(m.z_norm),
            "p_sim": float(m.p_sim) if permutations else np.nan, "p_norm": float(m.p_norm), "n": len(units),
            "islands": sorted(u for u in units if not nb[u]), "permutations": permutations}


def morans_table(evaluation, neighbours: dict, year, nodes, permutations: int = 999, seed: int = 0) -> pd.DataFrame:
    """Moran's I of each node's scores in ``year``: ``node, I, EI, z, p_sim, p_norm, n``."""
    years = np.asarray(evaluation.panel.years, dtype=object)
    rows = np.flatnonzero(years == year)
    units = np.asarray(evaluation.panel.units, dtype=object)[rows]
    out = []
    for node in nodes:
        res = morans_i(dict(zip(map(str, units), evaluation.scores[node][rows])), neighbours,
                       permutations, seed)
        res.pop("islands")
        out.append({"node": node, **res})
    return pd.DataFrame(out)


__all__ = ["morans_i", "morans_table"]
