"""Objective (data-driven) weights: entropy, CRITIC, coefficient of variation, std.

All four read the children's normalised values pooled over every year and ignore
the framework's ``prior``. Rows with a missing child are left out (with a warning);
a constant child gets weight 0 (with a warning); if no child varies, the method
refuses. Warnings are returned in ``info["warnings"]`` and logged by the engine.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from ._common import one_child_gets_all, child_names, complete_rows, scatter, varying

np = lazy_module("numpy", globals())


class EntropyParams(Params):
    standardise: Literal["minmax", "none"] = Field(
        "minmax", description="minmax: y = (x − min)/(max − min) + offset per child; "
        "none: y = x + offset (values must then be ≥ 0)")
    offset: float | None = Field(
        None, ge=0, description="shift added after standardising so that ln p is defined; "
        "default 0.0001 for minmax, 0 for none")


@register("weights", "entropy", EntropyParams, capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def entropy(X, prior=None, params: EntropyParams | None = None, ctx=None):
    """Entropy weights (熵值法): children whose values differ more get more weight.

    With y_ij the shifted values (``standardise`` and ``offset``), n complete rows:
    p_ij = y_ij / Σ_i y_ij,  e_j = −(1/ln n)·Σ_i p_ij ln p_ij  (0·ln 0 = 0),
    w_j = (1 − e_j) / Σ_k (1 − e_k).
    Default shift: min-max to [0, 1] then + 0.0001, the usual practice in Chinese
    evaluation studies. Rows with a missing child are left out; a constant child
    has e_j = 1 and gets weight 0 with a warning; all children constant is refused.
    ``info``: entropy (e_j) and divergence (d_j = 1 − e_j) of each child, rows used.
    Reference: Shannon (1948); Zeleny (1982) Multiple Criteria Decision Making;
    Hwang & Yoon (1981) Multiple Attribute Decision Making, §3 (entropy method).
    """
    params = params or EntropyParams()
    warnings: list[str] = []
    Xc = complete_rows(X, "entropy", warnings)
    names = child_names(ctx, Xc.shape[1])
    mask = varying(Xc, names, "entropy", warnings)
    Y = Xc[:, mask]
    if params.standardise == "minmax":
        offset = 1e-4 if params.offset is None else params.offset
        Y = (Y - Y.min(axis=0)) / np.ptp(Y, axis=0) + offset
    else:
        if np.any(Y < 0):
            raise ValueError("entropy weights with standardise: none need values ≥ 0; "
                             "use standardise: minmax or a normalisation onto [0, 100]")
        Y = Y + (params.offset or 0.0)
    P = Y / Y.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(P), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(Y))
    d = 1.0 - e
    w = scatter(mask, d)
    e_full = np.ones(len(mask))
    e_full[mask] = e
    info = {"entropy": dict(zip(names, e_full.round(12).tolist())),
            "divergence": dict(zip(names, (1.0 - e_full).round(12).tolist())), "rows": len(Xc),
            "warnings": warnings}
    return w, info


class CriticParams(Params):
    standardise: Literal["minmax", "none"] = Field(
        "minmax", description="minmax: rescale each child to [0, 1] first (Diakoulaki et al.); "
        "none: use the normalised values as they are")


@register("weights", "critic", CriticParams, capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def critic(X, prior=None, params: CriticParams | None = None, ctx=None):
    """CRITIC weights: contrast (standard deviation) times conflict (low correlation).

    C_j = σ_j · Σ_k (1 − r_jk),  w_j = C_j / Σ_k C_k, with σ_j the standard deviation
    of child j (after min-max rescaling to [0, 1] by default) and r_jk Pearson
    correlations over the complete rows. A constant child gets weight 0 with a
    warning and is left out of the correlation sums of the others.
    ``info``: sd (σ_j), conflict (Σ_k (1 − r_jk)) and information (C_j) of each varying
    child, rows used.
    Reference: Diakoulaki, Mavrotas & Papayannakis (1995), Determining objective
    weights in multiple criteria problems: the CRITIC method, Computers & Operations
    Research 22(7), 763–770.
    """
    params = params or CriticParams()
    warnings: list[str] = []
    Xc = complete_rows(X, "critic", warnings, min_rows=3)
    names = child_names(ctx, Xc.shape[1])
    mask = varying(Xc, names, "critic", warnings)
    Y = Xc[:, mask]
    if params.standardise == "minmax":
        Y = (Y - Y.min(axis=0)) / np.ptp(Y, axis=0)
    sd = Y.std(axis=0, ddof=1)
    R = np.atleast_2d(np.corrcoef(Y, rowvar=False))
    conflict = (1.0 - R).sum(axis=0)
    C = sd * conflict
    if Y.shape[1] == 1:  # a single varying child takes all the weight
        C = np.ones(1)
    kept = [n for n, m in zip(names, mask) if m]
    info = {"sd": dict(zip(kept, sd.tolist())), "conflict": dict(zip(kept, conflict.tolist())),
            "information": dict(zip(kept, C.tolist())), "rows": len(Xc), "warnings": warnings}
    return scatter(mask, C), info


@register("weights", "cv", capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def cv(X, prior=None, params=None, ctx=None):
    """Coefficient-of-variation weights (变异系数法): w_j = (σ_j/μ_j) / Σ_k (σ_k/μ_k).

    σ_j is the sample standard deviation and μ_j the mean of child j over the
    complete rows. The ratio only means something on a scale with a true zero, so
    a varying child with mean ≤ 0 is refused (normalise onto e.g. [1, 100], or use
    ``std`` weights). A constant child gets weight 0 with a warning.
    Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6;
    Zeleny (1982) Multiple Criteria Decision Making.
    """
    warnings: list[str] = []
    Xc = complete_rows(X, "cv", warnings)
    names = child_names(ctx, Xc.shape[1])
    mask = varying(Xc, names, "cv", warnings)
    Y = Xc[:, mask]
    mu = Y.mean(axis=0)
    bad = [n for n, m in zip(np.asarray(names)[mask], mu) if m <= 0]
    if bad:
        raise ValueError(f"coefficient-of-variation weights need a positive mean, but "
                         f"{', '.join(map(repr, bad))} has mean ≤ 0; normalise onto a positive "
                         f"scale (e.g. minmax [1, 100]) or use std weights")
    cvs = Y.std(axis=0, ddof=1) / mu
    return scatter(mask, cvs), {"cv": dict(zip(np.asarray(names)[mask].tolist(), cvs.tolist())),
                                "warnings": warnings}


@register("weights", "std", capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def std(X, prior=None, params=None, ctx=None):
    """Standard-deviation weights (标准离差法): w_j = σ_j / Σ_k σ_k.

    σ_j is the sample standard deviation of child j's normalised values over the
    complete rows (so children should share one normalised scale). A constant child
    gets weight 0 with a warning.
    Reference: Diakoulaki et al. (1995) (the contrast term of CRITIC); Zardari et al.
    (2015) Weighting Methods and their Effects on Multi-Criteria Decision Making
    Model Outcomes, Springer, §4.
    """
    warnings: list[str] = []
    Xc = complete_rows(X, "std", warnings)
    names = child_names(ctx, Xc.shape[1])
    mask = varying(Xc, names, "std", warnings)
    sd = Xc[:, mask].std(axis=0, ddof=1)
    kept = [n for n, m in zip(names, mask) if m]
    return scatter(mask, sd), {"sd": dict(zip(kept, sd.tolist())), "rows": len(Xc), "warnings": warnings}
