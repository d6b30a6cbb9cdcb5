"""Imputation methods (one file per method group).

Signature: ``fn(X, ctx: StageContext, params) -> (X_imputed, list[LogEntry])``; ``X`` has one
column per indicator in ``ctx.indicators``. Observed values are never changed; every imputed
cell is logged (stage "impute", node, unit, year, detail value/source/method).
"""
from . import basic  # noqa: F401
from . import model  # noqa: F401  (iterative)
from . import stats  # noqa: F401  (mean, median)
from . import time  # noqa: F401  (previous_year, interpolate, reference_ratio)
