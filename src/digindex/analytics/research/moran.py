"""Global Moran's I and local Moran's I (LISA) per year, with esda.

With row-standardised weights ``w_ij`` (each unit's neighbours weigh ``1/k_i``; units without
neighbours keep a zero row), deviations ``z_i = x_i − x̄``, ``S_0 = Σ_ij w_ij`` and
``m_2 = Σ_i z_i² / n``::

    I   = (n / S_0) · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i²,        E[I] = −1 / (n − 1)
    I_i = (n − 1) · z_i Σ_j w_ij z_j / Σ_k z_k²                 (Anselin 1995, LISA; esda's scaling)

so that ``Σ_i I_i = (n − 1) · S_0 · I / n``. ``z`` and ``p`` of the global I come from ``permutations``
random relabellings of the values (pseudo p-value ``(m + 1)/(permutations + 1)``, ``m`` the
permuted statistics at least as extreme, on the observed side: esda's ``z_sim``/``p_sim``,
GeoDa's convention); with ``permutations=0`` from the normal approximation (two-sided
``p_norm``). LISA's ``p`` is always the conditional-permutation pseudo p-value and ``q`` the
Moran-scatterplot quadrant: 1 high-high, 2 low-high, 3 low-low, 4 high-low (both empty for
a unit without neighbours).

References: P. A. P. Moran (1950), Biometrika 37: 17–23; L. Anselin (1995), "Local indicators
of spatial association — LISA", Geographical Analysis 27(2): 93–115. The seed makes the
permutations repeatable (esda's ``seed`` for LISA; the global NumPy state, restored
afterwards, for the global test).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData
from .result import Analysis


def conditional_p(z, w, permutations: int, seed: int = 0) -> np.ndarray:
    """Pseudo p-values of the local statistics ``z_i · Σ_j w_ij z_j`` under conditional
    randomisation: unit ``i`` keeps its value and its ``k_i`` neighbours are drawn without
    replacement from the other ``n − 1`` units, ``permutations`` times; ``p = (m + 1) /
    (permutations + 1)`` with ``m`` the draws at least as extreme on the observed side (esda's
    ``crand`` algorithm and folding, one set of draws shared by all units, here in NumPy: esda's
    Numba version costs half a minute of compilation in every new process). NaN for units
    without neighbours."""
    z = np.asarray(z, dtype=float)
    n = z.size
    W = w.sparse.tocsr()
    counts = np.diff(W.indptr)
    p = np.full(n, np.nan)
    if n < 3 or counts.max() == 0 or permutations < 1:
        return p
    rng = np.random.default_rng(seed)
    ids = np.argsort(rng.random((permutations, n - 1)), axis=1)[:, :int(counts.max())]
    for i in np.flatnonzero(counts):
        lo, hi = W.indptr[i], W.indptr[i + 1]
        weights = W.data[lo:hi]
        observed = z[i] * float(weights @ z[W.indices[lo:hi]])
        draw = ids[:, : hi - lo].copy()
        draw[draw >= i] += 1
        simulated = z[i] * (z[draw] @ weights)
        larger = int((simulated >= observed).sum())
        p[i] = (min(larger, permutations - larger) + 1) / (permutations + 1)
    return p


def moran_year(values, w, permutations: int = 999, seed: int = 0) -> tuple[dict, pd.DataFrame]:
    """(global row {I, expected, z, p}, local table [Ii, q, p, z, lag]) for one cross-section."""
    import esda

    y = np.asarray(values, dtype=float)
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = esda.Moran(y, w, permutations=permutations)
            local = esda.Moran_Local(y, w, transformation="r", permutations=0)
    finally:
        np.random.set_state(state)
    if permutations:
        row = {"I": float(g.I), "expected": float(g.EI), "z": float(g.z_sim), "p": float(g.p_sim)}
    else:
        row = {"I": float(g.I), "expected": float(g.EI), "z": float(g.z_norm), "p": float(g.p_norm)}
    z = y - y.mean()
    lag = np.asarray(w.sparse @ z)
    p = conditional_p(z, w, max(permutations, 999), seed)
    island = np.diff(w.sparse.tocsr().indptr) == 0
    q = pd.array(np.where(island, 0, np.asarray(local.q, int)), dtype="Int64")
    q[island] = pd.NA  # no neighbours: no quadrant
    table = pd.DataFrame({"Ii": np.asarray(local.Is, float), "q": q, "p": p, "z": z, "lag": lag})
    return row, table


def moran(data: ResearchData, neighbours, permutations: int = 999, seed: int = 0) -> Analysis:
    """Moran's I and LISA of ``data.value`` per year on ``neighbours``
    (:class:`~digindex.analytics.research.spatial.Neighbours`). Tables: ``moran`` (year, I,
    expected, z, p), ``lisa`` (unit, year, Ii, q, p) and ``moran_scatter`` (unit, year, z, lag:
    the deviation and its spatial lag, for the Moran scatterplot)."""
    if permutations < 0:
        raise InputError(Problem("--permutations must be 0 or more", fix="use 999 (or 0 for the normal test)"))
    values = data.column()
    rows, local, notes = [], [], list(neighbours.notes)
    islands_seen = set()
    for year, part in values.groupby("year", sort=True, dropna=False):
        year = None if pd.isna(year) else year
        units = [str(u) for u in part["unit"]]
        if len(units) < 3 or part["value"].nunique() < 2:
            raise InputError(Problem("Moran's I needs at least 3 units with different values"
                                     + (f" in {year}" if year is not None else ""), file=data.source,
                                     fix="analyse more units"))
        nb = neighbours.subset(units)
        if all(not links for links in nb.links.values()):
            raise InputError(Problem("no unit of the data has a neighbour in the weights", file=neighbours.source,
                                     fix="check the weights file"))
        islands_seen.update(nb.islands)
        row, table = moran_year(part["value"].to_numpy(float), nb.to_w(units), permutations, seed)
        rows.append({"year": year, **row})
        local.append(table.assign(unit=units, year=year))
    if islands_seen:
        notes.append(f"units without neighbours (zero rows, no LISA): {', '.join(sorted(islands_seen)[:10])}")
    notes.append(f"weights: {neighbours.source}; " + (f"{permutations} permutations, seed {seed}"
                                                      if permutations else "normal approximation"))
    lisa = pd.concat(local, ignore_index=True)
    return Analysis("moran", {
        "moran": pd.DataFrame(rows)[["year", "I", "expected", "z", "p"]],
        "lisa": lisa[["unit", "year", "Ii", "q", "p"]],
        "moran_scatter": lisa[["unit", "year", "z", "lag"]],
    }, notes=notes, meta={"value": data.value, "value_label": data.label(data.value),
                          "permutations": permutations})


__all__ = ["moran", "moran_year"]
