"""σ and β convergence of the scores (σ收敛与β收敛), with statsmodels.

**σ convergence**: per year the standard deviation ``sd`` (ddof 1, the sample value) and the
coefficient of variation ``cv = sd / mean`` of the values across units; falling values mean
the units come closer.

**β convergence** (Barro & Sala-i-Martin 1992, "Convergence", J. Political Economy 100:
223–251) on the panel of annual growth rates, between consecutive years of the data::

    ln(y_i,t+1 / y_i,t) = α + β ln y_i,t [+ γ' X_i,t] [+ μ_i + η_t] + ε_i,t

- ``absolute``: pooled OLS without controls;
- ``conditional``: pooled OLS with the ``controls`` (columns of the data, in the starting year);
- ``fixed_effects``: unit and year fixed effects (two-way within estimator, as dummy
  variables, which gives the same β and standard error as Stata's ``xtreg, fe`` with year
  dummies), with the controls when given.

β < 0 means convergence. With ``τ`` years between observations (1 for annual data) the
speed is ``λ = −ln(1 + β) / τ`` and the half-life ``ln 2 / λ`` years (the time to close half
the gap); both are empty when β ≥ 0 (no convergence). Standard errors are the classical OLS
ones; ``p`` is two-sided. Values must be positive (logarithms).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData
from .result import Analysis


def sigma(data: ResearchData) -> pd.DataFrame:
    """``year, n, mean, sd, cv`` of ``data.value`` (sd with ddof 1)."""
    rows = []
    for year, part in data.column().groupby("year", sort=True, dropna=False):
        x = part["value"].to_numpy(float)
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if x.size > 1 else float("nan")
        rows.append({"year": None if pd.isna(year) else year, "n": int(x.size), "mean": mean, "sd": sd,
                     "cv": sd / mean if mean > 0 else float("nan")})
    return pd.DataFrame(rows)


def growth_panel(data: ResearchData, controls=()) -> pd.DataFrame:
    """One row per unit and pair of consecutive years: unit, year, gap, growth, log_level, controls."""
    table = data.table[["unit", "year", data.value, *controls]].dropna(subset=[data.value])
    bad = table[table[data.value] <= 0]
    if len(bad):
        where = ", ".join(f"{u} ({y})" for u, y in bad[["unit", "year"]].head(10).itertuples(index=False))
        raise InputError(Problem(f"β convergence takes logarithms, and {data.value} is not positive for "
                                 f"{where}" + (" ..." if len(bad) > 10 else ""), file=data.source,
                                 fix="analyse a score on a positive scale (e.g. efficacy 60–100 or an "
                                     "index with base 100)"))
    years = data.years
    nxt = {a: b for a, b in zip(years, years[1:])}
    table = table.sort_values(["unit", "year"])
    later = table.assign(year=table["year"].map({b: a for a, b in nxt.items()}))
    pairs = table.merge(later[["unit", "year", data.value]], on=["unit", "year"], suffixes=("", "_next"))
    pairs = pairs.assign(gap=pairs["year"].map(lambda y: nxt[y] - y),
                         growth=np.log(pairs[f"{data.value}_next"] / pairs[data.value]),
                         log_level=np.log(pairs[data.value]))
    return pairs[["unit", "year", "gap", "growth", "log_level", *controls]].dropna().reset_index(drop=True)


def _fit(pairs: pd.DataFrame, model: str, controls) -> dict:
    import statsmodels.api as sm

    X = pairs[["log_level", *controls]].astype(float)
    if model == "fixed_effects":
        dummies = [pd.get_dummies(pairs["unit"], prefix="u", drop_first=True, dtype=float)]
        if pairs["year"].nunique() > 1:
            dummies.append(pd.get_dummies(pairs["year"], prefix="t", drop_first=True, dtype=float))
        X = pd.concat([X, *dummies], axis=1)
    X = sm.add_constant(X, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(pairs["growth"].astype(float), X).fit()
    beta, se, p = float(fit.params["log_level"]), float(fit.bse["log_level"]), float(fit.pvalues["log_level"])
    gap = float(pairs["gap"].mean())
    speed = -np.log1p(beta) / gap if -1 < beta < 0 else float("nan")
    return {"model": model, "beta": beta, "se": se, "p": p, "speed": speed,
            "half_life": np.log(2) / speed if speed > 0 else float("nan"), "n": int(fit.nobs)}


def convergence(data: ResearchData, controls=()) -> Analysis:
    """σ convergence per year and β convergence (absolute, conditional with ``controls``, two-way
    fixed effects). Tables: ``sigma`` (year, sd, cv) and ``beta`` (model, beta, se, p, speed,
    half_life, n)."""
    controls = list(controls)
    data.require(controls, "control column")
    if data.single_period:
        raise InputError(Problem("convergence needs at least two years", file=data.source,
                                 fix="analyse a panel (a 'year' column with two or more years)"))
    sig = sigma(data)
    pairs = growth_panel(data, controls)
    if len(pairs) < 3 + len(controls):
        raise InputError(Problem(f"only {len(pairs)} growth observations: too few for a regression",
                                 file=data.source, fix="analyse more units or years"))
    models = ["absolute"] + (["conditional"] if controls else []) + ["fixed_effects"]
    notes = []
    if pairs["gap"].nunique() > 1:
        notes.append("the years are not evenly spaced: growth is per interval; the speed uses the mean gap")
    if pairs["year"].nunique() < 2:
        notes.append("one pair of years only: the fixed-effects model has no year effects")
    if pairs["unit"].nunique() >= len(pairs):
        notes.append("one growth observation per unit: the fixed-effects model is not identified")
        models.remove("fixed_effects")
    beta = pd.DataFrame([_fit(pairs, m, controls if m != "absolute" else []) for m in models])
    return Analysis("convergence", {"sigma": sig[["year", "sd", "cv"]], "beta": beta}, notes=notes,
                    meta={"value": data.value, "value_label": data.label(data.value), "controls": controls,
                          "sigma_full": sig})


__all__ = ["convergence", "sigma", "growth_panel"]
