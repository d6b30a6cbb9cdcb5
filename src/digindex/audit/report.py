"""The statistical audit of one evaluation: every table, and their export.

``run_audit(evaluation)`` gathers coverage, the preparation logs, descriptive statistics,
correlations by level and within groups, Cronbach's α and PCA per group, effective weights,
importance (correlation ratio) against weights and the remove-one-component rank shifts into
an :class:`AuditResult`; ``AuditResult.write(out_dir)`` writes one CSV per table and one
Excel workbook (a sheet per table), all renamed into place only when every file is written.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, steps 2–7; the
JRC statistical audits (Saisana M., Saltelli A., Tarantola S. (2005) JRSS A 168(2), 307–323).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..files import AtomicBatch, excel_safe
from ._common import single_threaded_blas
from .consistency import consistency
from .correlations import group_correlations, level_correlations
from .coverage import coverage_tables
from .descriptives import descriptives
from .importance import effective_weights, importance
from .remove_one import remove_one as _remove_one

WORKBOOK = "audit.xlsx"


@dataclass
class AuditResult:
    """The audit tables by name (``tables``), in export order, and the settings used.

    ``result["correlations_group"]`` or ``result.correlations_group`` give one table.
    """

    tables: dict[str, pd.DataFrame]
    settings: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __iter__(self):
        return iter(self.tables)

    def settings_table(self) -> pd.DataFrame:
        return pd.DataFrame([{"key": k, "value": str(v)} for k, v in self.settings.items()],
                            columns=["key", "value"])

    def flags(self) -> pd.DataFrame:
        """Every raised flag in one table: table, flag, and the row's identifying columns."""
        rows = []
        for name, table in self.tables.items():
            for col in [c for c in table.columns if str(c).startswith("flag")]:
                hit = table[table[col].astype("boolean").fillna(False).astype(bool)]
                ids = [c for c in ("year", "stage", "unit", "indicator", "node", "group", "a", "b",
                                   "other", "target", "method") if c in table.columns]
                for _, r in hit.iterrows():
                    rows.append({"table": name, "flag": col,
                                 "where": ", ".join(f"{c}={r[c]}" for c in ids if pd.notna(r[c]))})
        return pd.DataFrame(rows, columns=["table", "flag", "where"])

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``<table>.csv`` for every table, ``flags.csv``, ``settings.csv`` and ``audit.xlsx``
        (a sheet per table) into ``out_dir``, atomically. Returns the paths written."""
        out_dir = Path(out_dir)
        extra = {"flags": self.flags(), "settings": self.settings_table()}
        everything = {**self.tables, **extra}
        with AtomicBatch(out_dir) as batch:
            for name, table in everything.items():
                table.to_csv(batch.path(f"{name}.csv"), index=False)
            with pd.ExcelWriter(batch.path(WORKBOOK), engine="openpyxl") as xw:
                for name, table in everything.items():
                    excel_safe(_excel_ready(table)).to_excel(xw, sheet_name=name[:31], index=False)
        return [final for _, final in batch.pending]


def _excel_ready(table: pd.DataFrame) -> pd.DataFrame:
    """String columns as object, so that ``excel_safe`` (which looks at object columns) also
    escapes formula-like text in pandas ≥ 3, whose default string dtype is not object."""
    out = table.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.StringDtype):
            out[c] = out[c].astype(object)
    return out


def run_audit(evaluation, *, years=None, stages=("raw", "treated"), correlation_methods=("pearson",),
              redundancy_threshold: float = 0.92, skew_threshold: float = 2.0,
              kurtosis_threshold: float = 3.5, min_coverage: float = 0.65,
              alpha_threshold: float = 0.7, importance_band: tuple[float, float] = (0.5, 2.0),
              remove_one: bool = True, components=None, importance: bool = True) -> AuditResult:
    """Audit one :class:`~digindex.engine.result.Evaluation`.

    - ``years``: audit only these years (default every year; ``None`` for single-period data);
    - ``stages``: the stages described by the descriptive statistics;
    - ``correlation_methods``: ``("pearson",)``, or with ``"spearman"``;
    - ``redundancy_threshold``: siblings correlated above it are flagged redundant (0.92);
    - ``skew_threshold``, ``kurtosis_threshold``, ``min_coverage``: descriptive flags
      (COINr's 2, 3.5 and 0.65; ``min_coverage`` also flags units with little data);
    - ``alpha_threshold``: Cronbach's α below it is flagged (0.7);
    - ``importance_band``: importance-share / weight-share ratios outside it are flagged;
    - ``remove_one``: run the remove-one-component analysis (one evaluation per component);
      ``components`` names them (default: the aspects, then every indicator);
    - ``importance``: estimate each component's importance (a smoothing spline per component and
      year, whose cost grows with the cube of the number of units: the bulletin of 2,845 counties
      leaves it out).

    Tables, by name: coverage_units, coverage_indicators, coverage_nodes, log_screening,
    log_imputation, log_treatment, descriptives, correlations_level, correlations_group,
    consistency, pca_loadings, effective_weights, importance, and (with ``remove_one``)
    remove_one_units and remove_one_summary.
    """
    _check_options(evaluation, stages, correlation_methods, importance_band)
    wanted = None if years is None else list(years) if isinstance(years, (list, tuple, set)) else [years]
    settings = {"framework": evaluation.framework.id, "years": "all" if wanted is None else wanted,
                "stages": list(stages), "correlation_methods": list(correlation_methods),
                "redundancy_threshold": redundancy_threshold, "skew_threshold": skew_threshold,
                "kurtosis_threshold": kurtosis_threshold, "min_coverage": min_coverage,
                "alpha_threshold": alpha_threshold, "importance_band": list(importance_band),
                "skew_kurtosis_estimator": "bias-corrected G1/G2 (e1071 type 2, as COINr)",
                "importance_estimator": "cubic smoothing spline, penalty by REML "
                                        "(group means if < 5 distinct x)" if importance else "not estimated"}
    with single_threaded_blas():
        tables = _tables(evaluation, wanted, stages, correlation_methods, redundancy_threshold,
                         skew_threshold, kurtosis_threshold, min_coverage, alpha_threshold,
                         importance_band, remove_one, components, importance)
    return AuditResult(tables, settings)


def _check_options(evaluation, stages, correlation_methods, importance_band) -> None:
    """InputError naming every bad option (the CLI turns it into exit code 2)."""
    from ..errors import InputError, Problem
    from .correlations import METHODS

    problems = []
    for stage in stages:
        if stage not in evaluation.stages:
            problems.append(Problem(f"no stage {stage!r}", fix=f"use one of {', '.join(evaluation.stages)}"))
    for method in correlation_methods:
        if method not in METHODS:
            problems.append(Problem(f"unknown correlation method {method!r}",
                                    fix=f"use {' and/or '.join(METHODS)}"))
    lo, hi = importance_band
    if not 0 < lo < hi:
        problems.append(Problem(f"importance band {importance_band} must satisfy 0 < low < high",
                                fix="e.g. (0.5, 2.0)"))
    if problems:
        raise InputError(problems)


def _tables(evaluation, years, stages, correlation_methods, redundancy_threshold, skew_threshold,
            kurtosis_threshold, min_coverage, alpha_threshold, importance_band, remove_one,
            components, with_importance=True) -> dict[str, pd.DataFrame]:
    tables = coverage_tables(evaluation, years, min_coverage)
    tables["descriptives"] = descriptives(evaluation, stages, years, skew_threshold,
                                          kurtosis_threshold, min_coverage)
    tables["correlations_level"] = level_correlations(evaluation, years, correlation_methods)
    tables["correlations_group"] = group_correlations(evaluation, years, correlation_methods,
                                                      redundancy_threshold)
    tables["consistency"], tables["pca_loadings"] = consistency(evaluation, years, alpha_threshold)
    tables["effective_weights"] = effective_weights(evaluation)
    if with_importance:
        tables["importance"] = importance(evaluation, years, importance_band)
    if remove_one:
        units, summary = _remove_one(evaluation, components)
        if years is not None:
            units = units[units["year"].isin(years)].reset_index(drop=True)
            summary = summary[summary["year"].isin(years) | (summary["status"] != "ok")]
            summary = summary.reset_index(drop=True)
        tables["remove_one_units"], tables["remove_one_summary"] = units, summary
    return tables


def audit_files(framework, data, out=None, regions=None, sheet=None, **options) -> AuditResult:
    """Load, evaluate and audit (and with ``out`` write): what ``digindex audit`` does.

    ``framework`` is a path or a Framework, ``data`` one path or several; ``options`` go to
    :func:`run_audit`.
    """
    from ..data import load_data
    from ..engine.evaluate import evaluate
    from ..framework import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    files = [data] if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else list(data)
    panel = load_data(files, framework=fw, regions=regions, sheet=sheet)
    result = run_audit(evaluate(fw, panel), **options)
    if out is not None:
        result.write(out)
    return result
