"""Mazziotta–Pareto Index (MPI) and its adjusted version (AMPI).

Both re-scale their inputs themselves (the node's children are already
normalised; MPI standardises them again, AMPI re-scales them onto goalposts),
then penalise each unit's mean by its imbalance:

    M_i = Σ_j w_j·z_ij,  S_i = √(Σ_j w_j·(z_ij − M_i)²),  cv_i = S_i / M_i,
    MPI_i = M_i − S_i·cv_i   (penalty "negative", for indices where higher is better)
    MPI_i = M_i + S_i·cv_i   (penalty "positive", for "bad" phenomena such as poverty).

S_i is the population standard deviation (divisor = the weights' sum, i.e. m for
equal weights). With unequal weights M, S and cv are the weighted mean, weighted
standard deviation and their ratio (Mazziotta & Pareto 2022). Missing cells are
skipped and the weights re-scaled over the present components; a unit with one
present component scores that component (S = 0).

References: De Muro, Mazziotta & Pareto (2011) Social Indicators Research 104(1), 1–18;
Mazziotta & Pareto (2016) On a generalized non-compensatory composite index for
measuring socio-economic phenomena, Social Indicators Research 127(3), 983–1003;
Mazziotta & Pareto (2022) Weighting in composite indices construction: the case of
the Mazziotta–Pareto Index, RIEDS 76(4).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .means import _all_missing, present_weights, year_groups

np = lazy_module("numpy", globals())


class MPIParams(Params):
    penalty: Literal["negative", "positive"] = "negative"
    pooled: bool = Field(False, description="standardise over every unit-year of the panel "
                                            "instead of within each year")


class AMPIParams(Params):
    penalty: Literal["negative", "positive"] = "negative"
    reference_year: int | None = None
    reference: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_reference(self):
        if self.reference is not None and self.reference_year is not None:
            raise ValueError("give either 'reference' or 'reference_year', not both")
        return self


def _penalised(Z: np.ndarray, w: np.ndarray, penalty: str) -> dict:
    """M, S, cv and the index of each row of the re-scaled matrix Z."""
    W = present_weights(Z, w)
    Zf = np.where(np.isnan(Z), 0.0, Z)
    M = np.sum(W * Zf, axis=1)
    S = np.sqrt(np.sum(W * np.where(np.isnan(Z), 0.0, (Zf - M[:, None]) ** 2), axis=1))
    missing = _all_missing(Z)
    if np.any(M[~missing] <= 0):
        r = np.flatnonzero((M <= 0) & ~missing)[0]
        raise ValueError(f"the Mazziotta–Pareto index needs a mean > 0 of the re-scaled values, "
                         f"but row {r} has {M[r]:g}; the inputs are too extreme for this method")
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = S / M
    sign = -1.0 if penalty == "negative" else 1.0
    score = M + sign * S * cv
    for a in (M, S, cv, score):
        a[missing] = np.nan
    return {"M": M, "S": S, "cv": cv, "penalty": S * cv, "score": score}


def mpi_details(X: np.ndarray, w: np.ndarray, params: MPIParams | None = None, ctx=None) -> dict:
    """Intermediate tables of :func:`mpi`: ``standardised`` z (rows × k), the
    ``column_mean`` and ``column_sd`` used for each row's year (rows × k), and
    ``M``, ``S``, ``cv``, ``penalty`` (= S·cv) and ``score`` per row."""
    p = params or MPIParams()
    X = np.asarray(X, float)
    Z = np.full_like(X, np.nan)
    mean = np.full_like(X, np.nan)
    sd = np.full_like(X, np.nan)
    for rows in year_groups(ctx, len(X), p.pooled):
        block = X[rows]
        present = ~np.isnan(block)
        n = present.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(n > 0, np.nansum(block, axis=0) / np.maximum(n, 1), np.nan)
            sigma = np.sqrt(np.nansum((block - mu) ** 2, axis=0) / np.maximum(n, 1))  # population sd
            z = np.where(sigma > 0, 100.0 + 10.0 * (block - mu) / sigma, 100.0)
        Z[rows] = np.where(present, z, np.nan)
        mean[rows], sd[rows] = mu, sigma
    return {"standardised": Z, "column_mean": mean, "column_sd": sd, **_penalised(Z, w, p.penalty)}


@register("aggregate", "mpi", MPIParams,
          capabilities=lambda p: Capabilities(scope="panel" if p.pooled else "year"))
def mpi(X: np.ndarray, w: np.ndarray, params: MPIParams | None = None, ctx=None) -> np.ndarray:
    """Mazziotta–Pareto Index: MPI = M − S·cv of the components standardised per year.

    Standardisation (done here, whatever the node's children were normalised with):
    within each year, z_ij = 100 + 10·(x_ij − μ_j)/σ_j with μ_j and σ_j the mean and
    *population* standard deviation (divisor n) of the present values of child j,
    as in De Muro et al. (2011) and Mazziotta & Pareto (2016). A child constant in a
    year (σ_j = 0) scores z = 100. Then, per unit, M = weighted mean of its z, S =
    weighted population sd, cv = S/M and MPI = M − S·cv (``penalty: negative``, the
    default, for indices where higher is better) or M + S·cv (``penalty: positive``).
    Scores are relative to the year's average (≈ 100) and so not comparable across
    years: use ``ampi`` for that, or ``pooled: true``, which standardises over every
    unit-year of the panel (μ_j, σ_j over all years) so that the scores are comparable. Missing cells are skipped and the weights re-scaled;
    any value is allowed (z is positive except for extreme outliers, which raise).
    Reference: Mazziotta & Pareto (2016) Social Indicators Research 127(3), 983–1003.
    """
    return mpi_details(X, w, params, ctx)["score"]


def ampi_details(X: np.ndarray, w: np.ndarray, params: AMPIParams | None = None, ctx=None) -> dict:
    """Intermediate tables of :func:`ampi`: ``rescaled`` r (rows × k), per child the
    ``inf``, ``sup``, ``reference``, ``min`` and ``max`` goalposts, and ``M``, ``S``,
    ``cv``, ``penalty`` and ``score`` per row."""
    p = params or AMPIParams()
    X = np.asarray(X, float)
    inf, sup = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)  # NaN-skipping
    if p.reference is not None:
        ref = np.full(X.shape[1], p.reference)
    else:
        years = None if ctx is None or ctx.years is None else np.asarray(ctx.years, dtype=object)
        if years is None:
            rows = np.arange(len(X))
        else:
            year = p.reference_year
            if year is None:
                present = [y for y in years.tolist() if y is not None]
                year = min(present) if present else None
            rows = np.flatnonzero(years == year)
            if len(rows) == 0:
                raise ValueError(f"AMPI reference year {year} is not in the data")
        n = np.sum(~np.isnan(X[rows]), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = np.where(n > 0, np.nansum(X[rows], axis=0) / n, np.nan)
    delta = (sup - inf) / 2.0
    lo, hi = ref - delta, ref + delta
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.where(delta > 0, 70.0 + 60.0 * (X - lo) / (hi - lo), 100.0)
    R = np.where(np.isnan(X), np.nan, R)
    return {"rescaled": R, "inf": inf, "sup": sup, "reference": ref, "min": lo, "max": hi,
            **_penalised(R, w, p.penalty)}


# goalposts over all years and a reference year: every row depends on the whole panel
@register("aggregate", "ampi", AMPIParams, capabilities=Capabilities(scope="panel"))
def ampi(X: np.ndarray, w: np.ndarray, params: AMPIParams | None = None, ctx=None) -> np.ndarray:
    """Adjusted Mazziotta–Pareto Index: AMPI = M − S·cv of goalpost-rescaled components.

    Re-scaling (done here, whatever the children were normalised with), per child j:
    Inf_j and Sup_j are its minimum and maximum over all units *and years*; the
    reference Ref_j is its mean in ``reference_year`` (default: the earliest year),
    or the fixed value ``reference`` (on the children's scale) for every child.
    With Δ_j = (Sup_j − Inf_j)/2, Min_j = Ref_j − Δ_j and Max_j = Ref_j + Δ_j,
    r_ij = 70 + 60·(x_ij − Min_j)/(Max_j − Min_j), so the reference scores 100 and
    values lie roughly in 70–130; a constant child scores 100. Then, per unit,
    M, S (weighted population sd), cv = S/M and AMPI = M − S·cv (``penalty:
    negative``, default) or M + S·cv (``positive``). Scores are comparable across
    years. Missing cells are skipped and the weights re-scaled; any value allowed.
    Reference: Mazziotta & Pareto (2016) Social Indicators Research 127(3), 983–1003;
    Mazziotta & Pareto (2018) Social Indicators Research 136(3), 967–976.
    """
    return ampi_details(X, w, params, ctx)["score"]
