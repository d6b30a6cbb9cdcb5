"""Weights from principal components or factor analysis (OECD/JRC Handbook 2008, §6.1).

The Handbook's procedure (after Nicoletti, Scarpetta & Boylaud 2000), as implemented:

1. Standardise the children over the complete rows; R = their correlation matrix.
2. Eigenvalues λ_1 ≥ … ≥ λ_k of R. Retain the leading factors that have λ > 1
   (``min_eigenvalue``) and explain more than 10 % of the variance each
   (``min_share``, λ/k); if together they explain less than 60 % (``min_cumulative``),
   add the next factors until 60 % is reached. ``n_factors`` overrides the rule (the
   Handbook's TAI example keeps four factors, two of them with λ ≈ 1 or just below).
3. Loadings of the retained factors: PCA L = V_m·diag(√λ_m); factor analysis: the
   maximum-likelihood loadings of sklearn's FactorAnalysis. Rotate them by varimax
   (with more than one factor); orient each factor so its loadings sum to ≥ 0.
4. Squared rotated loadings S_jf = L*_jf²; explained variance of factor f,
   EV_f = Σ_j S_jf; squared loadings scaled to unity sum per factor s_jf = S_jf / EV_f.
5. Each child is assigned to the factor on which its squared loading S_jf is largest.
6. w_j = s_{j,f(j)} · EV_{f(j)} / Σ_g EV_g, then normalised to Σ_j w_j = 1.

Rows with a missing child are left out; constant children get weight 0 (with a
warning; a single varying child takes all the weight); more complete rows than
varying children are needed. Squared loadings ignore sign: a child loading
negatively on its factor is warned about.
"""
from __future__ import annotations

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from ._common import one_child_gets_all, child_names, complete_rows, scatter, varying

np = lazy_module("numpy", globals())


class FactorParams(Params):
    n_factors: int | None = Field(None, ge=1, description="number of factors to keep "
                                  "(default: the Handbook's eigenvalue/variance rule)")
    min_eigenvalue: float = Field(1.0, ge=0, description="keep factors with eigenvalue above this")
    min_share: float = Field(0.10, ge=0, lt=1, description="…and explaining more than this "
                             "share of the variance each")
    min_cumulative: float = Field(0.60, ge=0, le=1, description="add factors until they "
                                  "explain at least this share together")


class PcaParams(FactorParams):
    kaiser: bool = Field(True, description="Kaiser row normalisation in the varimax rotation")


def n_retained(eig: np.ndarray, p: FactorParams) -> int:
    """Number of factors the Handbook's rule keeps for the sorted eigenvalues ``eig``."""
    k = len(eig)
    if p.n_factors is not None:
        if p.n_factors > k:
            raise ValueError(f"n_factors = {p.n_factors} but the node has only {k} varying children")
        return p.n_factors
    share = eig / eig.sum()
    m = 0
    while m < k and eig[m] > p.min_eigenvalue and share[m] > p.min_share:
        m += 1
    m = max(m, 1)
    while m < k and share[:m].sum() < p.min_cumulative:
        m += 1
    return m


def varimax(L: np.ndarray, kaiser: bool = True, tol: float = 1e-10,
            max_iter: int = 1000) -> np.ndarray:
    """Varimax rotation of the loadings L (k × m) (Kaiser 1958, SVD iteration)."""
    k, m = L.shape
    if m < 2:
        return L.copy()
    h = np.sqrt((L ** 2).sum(axis=1, keepdims=True)) if kaiser else np.ones((k, 1))
    h[h == 0] = 1.0
    A = L / h
    T = np.eye(m)
    crit = 0.0
    for _ in range(max_iter):
        B = A @ T
        U, s, Vt = np.linalg.svd(A.T @ (B ** 3 - B @ np.diag((B ** 2).sum(axis=0)) / k))
        T = U @ Vt
        new = s.sum()
        if new < crit * (1 + tol):
            break
        crit = new
    return (A @ T) * h


def weights_from_loadings(L: np.ndarray, names: list[str], warnings: list[str], method: str):
    """Steps 4–6 of the module procedure: (weights, details) from rotated loadings."""
    sign = np.where(L.sum(axis=0) < 0, -1.0, 1.0)  # orient each factor: loadings sum ≥ 0
    L = L * sign
    S = L ** 2
    ev = S.sum(axis=0)
    ev_share = ev / ev.sum()
    scaled = S / np.where(ev > 0, ev, 1.0)
    factor = np.argmax(S, axis=1)
    rows = np.arange(len(L))
    w = scaled[rows, factor] * ev_share[factor]
    for j in np.flatnonzero(L[rows, factor] < 0):
        warnings.append(f"{method} weights: child {names[j]!r} loads negatively on its factor "
                        f"({L[j, factor[j]]:.2f}); its weight ignores the sign")
    empty = sorted(set(range(L.shape[1])) - set(factor.tolist()))
    if empty:
        warnings.append(f"{method} weights: factor(s) {[f + 1 for f in empty]} have no child "
                        f"assigned and do not contribute")
    detail = {"factor_of_child": {n: int(f) + 1 for n, f in zip(names, factor)},
              "loadings": {n: np.round(L[j], 6).tolist() for j, n in enumerate(names)},
              "factor_variance": ev.tolist(), "factor_share": ev_share.tolist()}
    return w, detail


def _prepare(X, ctx, method, warnings):
    Xc = complete_rows(X, method, warnings, min_rows=3)
    names = child_names(ctx, Xc.shape[1])
    mask = varying(Xc, names, method, warnings)
    Y = Xc[:, mask]
    if Y.shape[1] == 1:  # the only varying child takes all the weight
        return None, None, mask, names
    if len(Y) <= Y.shape[1]:
        raise ValueError(f"{method} weights need more complete unit-years ({len(Y)}) than "
                         f"varying children ({Y.shape[1]})")
    Z = (Y - Y.mean(axis=0)) / Y.std(axis=0)
    eig = np.sort(np.linalg.eigvalsh(np.corrcoef(Y, rowvar=False)))[::-1]
    return Z, eig, mask, [n for n, m in zip(names, mask) if m]


@register("weights", "pca", PcaParams, capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def pca(X, prior=None, params: PcaParams | None = None, ctx=None):
    """PCA weights (OECD/JRC 2008 §6.1): scaled squared varimax-rotated loadings × factor share.

    Loadings L = V_m·√λ_m from the eigen-decomposition of the correlation matrix of
    the children (m factors by the Handbook's rule: λ > 1, > 10 % each, ≥ 60 %
    together), varimax-rotated; w_j = (L*_jf² / Σ_i L*_if²)·(EV_f / Σ_g EV_g) for the
    factor f where child j's squared loading is largest, normalised to sum 1. See the
    module docstring for every step. ``info``: eigenvalues, n_factors, loadings,
    factor of each child, factor variance shares. The ``prior`` is not used.
    Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.1
    and Tables 16–18; Nicoletti, Scarpetta & Boylaud (2000) OECD ECO WP 226.
    """
    params = params or PcaParams()
    warnings: list[str] = []
    Z, _, mask, names = _prepare(X, ctx, "pca", warnings)
    if Z is None:
        return scatter(mask, np.ones(1)), {"n_factors": 0, "warnings": warnings}
    eig, V = np.linalg.eigh(np.corrcoef(Z, rowvar=False))
    order = np.argsort(eig)[::-1]
    eig, V = eig[order], V[:, order]
    m = n_retained(eig, params)
    L = varimax(V[:, :m] * np.sqrt(np.clip(eig[:m], 0, None)), kaiser=params.kaiser)
    w, detail = weights_from_loadings(L, names, warnings, "pca")
    info = {"eigenvalues": eig.tolist(), "variance_share": (eig / eig.sum()).tolist(),
            "n_factors": m, **detail, "warnings": warnings}
    return scatter(mask, w), info


@register("weights", "factor", FactorParams, capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def factor(X, prior=None, params: FactorParams | None = None, ctx=None):
    """Factor-analysis weights (OECD/JRC 2008 §6.1) from sklearn's FactorAnalysis.

    As ``pca``, but the loadings of the m retained factors (m by the same eigenvalue
    rule on the correlation matrix) are the maximum-likelihood factor loadings of
    ``sklearn.decomposition.FactorAnalysis(n_components=m, rotation='varimax')``
    fitted to the standardised children (sklearn's varimax has no Kaiser
    normalisation). Then w_j = (L*_jf² / EV_f)·(EV_f / Σ EV)
    on the factor f of child j's largest squared loading, normalised to sum 1.
    Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.1;
    Nicoletti, Scarpetta & Boylaud (2000) OECD ECO WP 226.
    """
    from sklearn.decomposition import FactorAnalysis

    params = params or FactorParams()
    warnings: list[str] = []
    Z, eig, mask, names = _prepare(X, ctx, "factor", warnings)
    if Z is None:
        return scatter(mask, np.ones(1)), {"n_factors": 0, "warnings": warnings}
    m = n_retained(eig, params)
    fa = FactorAnalysis(n_components=m, rotation="varimax" if m > 1 else None, random_state=0)
    L = fa.fit(Z).components_.T
    if not np.all(np.isfinite(L)) or np.all(L == 0):
        raise ValueError("factor analysis did not converge to usable loadings; try pca weights")
    w, detail = weights_from_loadings(L, names, warnings, "factor")
    info = {"eigenvalues": eig.tolist(), "variance_share": (eig / eig.sum()).tolist(),
            "n_factors": m, **detail, "uniquenesses": fa.noise_variance_.tolist(),
            "warnings": warnings}
    return scatter(mask, w), info
