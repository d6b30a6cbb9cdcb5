"""The statistical audit of an evaluation (OECD/JRC Handbook steps 2–7, JRC audit practice).

    from digindex.audit import run_audit
    audit = run_audit(evaluation)           # an AuditResult: tables by name
    audit["correlations_group"]             # one DataFrame
    audit.write("out/audit")                # a CSV per table + audit.xlsx, atomically

Modules: :mod:`.coverage` (data coverage, preparation logs), :mod:`.descriptives`,
:mod:`.correlations`, :mod:`.consistency` (Cronbach's α, PCA), :mod:`.importance`
(effective weights, correlation ratio S_i), :mod:`.remove_one`, :mod:`.report`.
"""
from __future__ import annotations

from .consistency import consistency, cronbach_alpha, pca
from .correlations import corr_test, correlation_matrix, group_correlations, level_correlations
from .coverage import coverage_tables, indicator_coverage, node_coverage, stage_log, unit_coverage
from .descriptives import describe, descriptives
from .importance import conditional_mean, correlation_ratio, effective_weights, importance
from .remove_one import remove_one, without_node
from .report import AuditResult, audit_files, run_audit

__all__ = [
    "run_audit", "audit_files", "AuditResult", "unit_coverage", "indicator_coverage", "node_coverage",
    "stage_log", "coverage_tables", "describe", "descriptives", "corr_test", "level_correlations",
    "group_correlations", "correlation_matrix", "cronbach_alpha", "pca", "consistency",
    "effective_weights", "conditional_mean", "correlation_ratio", "importance", "remove_one",
    "without_node",
]
