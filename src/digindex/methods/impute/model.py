"""Regression-based imputation: scikit-learn's IterativeImputer (MICE-style, single imputation)."""
from __future__ import annotations

import warnings

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .common import imputed, log_entry, year_slices

np = lazy_module("numpy", globals())


class IterativeParams(Params):
    seed: int = 0
    max_iter: int = Field(10, ge=1)
    pooled: bool = False


@register("impute", "iterative", IterativeParams,
          capabilities=lambda p: Capabilities(scope="panel" if p.pooled else "year"))
def iterative(X, ctx, params: IterativeParams):
    """Chained regressions: each indicator regressed on the others, round-robin, until stable.

    Start from column means; then for each indicator j with gaps, fit
    x_j ≈ β₀ + Σ_k β_k x_k (BayesianRidge) on the rows where x_j is observed and predict the
    missing cells; repeat ``max_iter`` rounds. Columns are z-scored first and scaled back, so
    the result does not depend on units. Per year (``pooled: false``) or over all rows.
    Indicators with no value in a year stay missing. Deterministic: ``seed`` fixes the
    random state (``IterativeImputer(random_state=seed, sample_posterior=False)``).

    Predictors are the indicators imputed with this method (all of them by default).

    Reference: van Buuren & Groothuis-Oudshoorn (2011) mice, J. Stat. Softw. 45(3);
    scikit-learn ``sklearn.impute.IterativeImputer``; OECD/JRC (2008) Handbook, §1.3.
    """
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    X = np.asarray(X, float)
    out = X.copy()
    entries = []
    groups = [(None, np.arange(len(X)))] if params.pooled else year_slices(ctx.years)
    for year, rows in groups:
        block = X[rows]
        usable = ~np.all(np.isnan(block), axis=0)
        miss = np.isnan(block) & usable
        for j in np.flatnonzero(~usable):
            for r in np.flatnonzero(np.isnan(block[:, j])):
                entries.append(log_entry("impute", "not imputed: the indicator has no value in this year",
                                         node=ctx.indicators[j], unit=ctx.units[rows[r]],
                                         year=ctx.years[rows[r]], method="iterative"))
        if not miss.any():
            continue
        sub = block[:, usable]
        mu, sd = np.nanmean(sub, axis=0), np.nanstd(sub, axis=0)
        sd[~(sd > 0)] = 1.0
        imp = IterativeImputer(random_state=params.seed, max_iter=params.max_iter,
                               sample_posterior=False, keep_empty_features=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter is reported in the log
            filled = imp.fit_transform((sub - mu) / sd) * sd + mu
        block_out = block.copy()
        block_out[:, usable] = np.where(np.isnan(sub), filled, sub)
        out[rows] = block_out
        n_pred = int(usable.sum())
        for r, j in zip(*np.nonzero(miss)):
            year_r = ctx.years[rows[r]]
            entries.append(imputed("iterative", ctx.indicators[j], ctx.units[rows[r]], year_r,
                                   block_out[r, j], f"regression on {n_pred - 1} other indicators "
                                   f"({'all years' if params.pooled else f'year {year}'}, "
                                   f"{imp.n_iter_} rounds)"))
    return out, entries
