"""Internal consistency of each group: Cronbach's α and a principal component analysis.

For a group (aggregate node) with k children and the unit-years where all k scores are present
(listwise deletion):

- Cronbach's α = k/(k − 1) · (1 − Σ_i var(x_i) / var(Σ_i x_i)), variances with ddof = 1 (the
  ratio does not depend on it). α on the children's scores as they enter the aggregate
  (covariance form, not the standardised α). Above 0.7 is the usual wish.
- PCA on the correlation matrix R of the children: R = V Λ Vᵀ (``numpy.linalg.eigh``), eigenvalues
  λ_1 ≥ … ≥ λ_k, Σλ = k. Reported: the first component's variance share λ_1/k, how many
  eigenvalues exceed 1 (Kaiser's rule: one means a single latent dimension), and the loadings
  V·√Λ (the correlation of each child with each component), each component's sign chosen so
  that its loadings sum to a non-negative number.

References: Cronbach L.J. (1951) "Coefficient alpha and the internal structure of tests",
Psychometrika 16(3), 297–334; OECD/JRC (2008) Handbook, §1.6.1 (PCA) and §1.6.3 (α);
Kaiser H.F. (1960) Educ. Psychol. Meas. 20(1), 141–151.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import groups_of, year_groups


def cronbach_alpha(X) -> float:
    """Cronbach's α of the columns of ``X`` over its complete rows; NaN if undefined."""
    X = np.asarray(X, float)
    X = X[np.all(np.isfinite(X), axis=1)]
    n, k = X.shape
    if k < 2 or n < 2:
        return np.nan
    total = X.sum(axis=1).var(ddof=1)
    if total == 0:
        return np.nan
    return float(k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / total))


def pca(X) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues descending, loadings k×k) of the correlation matrix of ``X``'s complete rows.

    Loadings column c = eigenvector c · √λ_c, signed so the column sums to ≥ 0. NaN when a
    column is constant or fewer than 3 rows are complete.
    """
    X = np.asarray(X, float)
    X = X[np.all(np.isfinite(X), axis=1)]
    n, k = X.shape
    if n < 3 or k < 1 or np.any(X.std(axis=0) == 0):
        return np.full(k, np.nan), np.full((k, k), np.nan)
    R = np.atleast_2d(np.corrcoef(X, rowvar=False))
    lam, V = np.linalg.eigh(R)
    order = np.argsort(lam)[::-1]
    lam, V = lam[order], V[:, order]
    lam = np.clip(lam, 0.0, None)
    L = V * np.sqrt(lam)
    L *= np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    return lam, L


def consistency(evaluation, years=None, alpha_threshold: float = 0.7
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per group and year: α and the PCA summary; and the PCA loadings (long).

    Summary columns: year, group, level, k, n (complete unit-years), alpha, flag_low_alpha
    (α < ``alpha_threshold``), pc1_share, eigen_above_1, flag_multidimensional (more than
    one eigenvalue above 1). Loadings columns: year, group, component, eigenvalue,
    variance_share, child, loading.
    """
    fw = evaluation.framework
    summary, loadings = [], []
    for year, idx in year_groups(evaluation, years):
        for group in groups_of(fw):
            kids = [c.id for c in group.children]
            X = np.column_stack([evaluation.scores[c][idx] for c in kids])
            n = int(np.all(np.isfinite(X), axis=1).sum())
            alpha = cronbach_alpha(X) if len(kids) > 1 else np.nan
            lam, L = pca(X)
            k = len(kids)
            above = int(np.sum(lam > 1)) if np.all(np.isfinite(lam)) else np.nan
            summary.append({"year": year, "group": group.id, "level": fw.levels[group.id], "k": k,
                            "n": n, "alpha": alpha, "flag_low_alpha": bool(alpha < alpha_threshold),
                            "pc1_share": float(lam[0] / k) if k else np.nan, "eigen_above_1": above,
                            "flag_multidimensional": bool(above > 1)})
            for c in range(k):
                for i, kid in enumerate(kids):
                    loadings.append({"year": year, "group": group.id, "component": c + 1,
                                     "eigenvalue": lam[c], "variance_share": lam[c] / k,
                                     "child": kid, "loading": L[i, c]})
    return (pd.DataFrame(summary, columns=["year", "group", "level", "k", "n", "alpha", "flag_low_alpha",
                                           "pc1_share", "eigen_above_1", "flag_multidimensional"]),
            pd.DataFrame(loadings, columns=["year", "group", "component", "eigenvalue", "variance_share",
                                            "child", "loading"]))
