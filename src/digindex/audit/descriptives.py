"""Descriptive statistics of every indicator, per stage and year, with COINr's flags.

For the n non-missing values x_1..x_n of an indicator in one year:

- mean, sd = √(Σ(x − x̄)²/(n − 1)) (ddof = 1), min, max;
- skew: the bias-corrected sample skewness G1 = √(n(n−1))/(n−2) · m3/m2^{3/2};
- kurtosis: the bias-corrected sample *excess* kurtosis
  G2 = (n−1)/((n−2)(n−3)) · ((n+1)(m4/m2² − 3) + 6),

with m_r = Σ(x − x̄)^r / n. G1 and G2 are e1071's ``type = 2`` estimators, which COINr's
``skew()``/``kurt()`` (used by ``check_SkewKurt`` and ``get_stats``) reimplement; they equal
Excel's SKEW/KURT and scipy's ``skew(bias=False)``/``kurtosis(fisher=True, bias=False)``.
The same functions drive digindex's outlier treatment
(:mod:`digindex.methods.treat.outliers`), so the flags here match what the treatment saw.

Flags (COINr ``get_stats`` defaults): ``flag_skew_kurt`` when |G1| ≥ 2 **and** G2 ≥ 3.5;
``flag_low_coverage`` when the share of values present is below 0.65; ``flag_constant``
when fewer than two distinct values are present.

References: Joanes D.N., Gill C.A. (1998) "Comparing measures of sample skewness and
kurtosis", JRSS D 47(1), 183–189 (G1, G2); COINr 1.1 ``get_stats()``, ``check_SkewKurt()``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..methods.treat.outliers import kurt, skew
from ._common import year_groups

COLUMNS = ["stage", "indicator", "year", "n", "missing", "coverage", "mean", "sd", "min", "max",
           "skew", "kurtosis", "n_unique", "flag_skew_kurt", "flag_low_coverage", "flag_constant"]


def describe(v, skew_threshold: float = 2.0, kurtosis_threshold: float = 3.5,
             min_coverage: float = 0.65) -> dict:
    """Statistics and flags of one vector (missing values = NaN), as a dict of COLUMNS[3:]."""
    v = np.asarray(v, float)
    x = v[np.isfinite(v)]
    n = x.size
    s, k = skew(x), kurt(x)
    n_unique = int(np.unique(x).size)
    cov = n / v.size if v.size else np.nan
    return {
        "n": n, "missing": int(v.size - n), "coverage": cov,
        "mean": float(x.mean()) if n else np.nan,
        "sd": float(x.std(ddof=1)) if n > 1 else np.nan,
        "min": float(x.min()) if n else np.nan, "max": float(x.max()) if n else np.nan,
        "skew": s, "kurtosis": k, "n_unique": n_unique,
        "flag_skew_kurt": bool(np.isfinite(s) and np.isfinite(k) and abs(s) >= skew_threshold
                               and k >= kurtosis_threshold),
        "flag_low_coverage": bool(not cov >= min_coverage),
        "flag_constant": n_unique < 2,
    }


def descriptives(evaluation, stages=("raw", "treated"), years=None, skew_threshold: float = 2.0,
                 kurtosis_threshold: float = 3.5, min_coverage: float = 0.65) -> pd.DataFrame:
    """One row per (stage, indicator, year) of the evaluated rows: see the module for columns."""
    ids = evaluation.framework.indicator_ids
    rows = []
    for stage in stages:
        if stage not in evaluation.stages:
            raise KeyError(f"no stage {stage!r}; stages are {', '.join(evaluation.stages)}")
        X = evaluation.stages[stage]
        for j, ind in enumerate(ids):
            for year, idx in year_groups(evaluation, years):
                rows.append({"stage": stage, "indicator": ind, "year": year,
                             **describe(X[idx, j], skew_threshold, kurtosis_threshold, min_coverage)})
    return pd.DataFrame(rows, columns=COLUMNS)
