"""Data coverage per unit, indicator and node, and the data-preparation logs.

Coverage is the share of indicator values present in the *raw* data:

    coverage(unit, year) = #{indicators j : x_j(unit, year) observed} / #indicators
    coverage(node, unit, year) = the same over the indicators below ``node``

Imputed cells are those missing in the raw stage and present after imputation;
treated cells are those whose treated value differs from the imputed one.

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §1.3 and
§1.4 (missing data); COINr 1.1 ``get_data_avail()`` (data availability per unit).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import groups_of, year_groups

LOG_STAGES = {"screening": "screen", "imputation": "impute", "treatment": "treat"}


def _origin(evaluation):
    return getattr(evaluation.panel, "origin", None) or evaluation.panel


def unit_coverage(evaluation, years=None, min_coverage: float = 0.65) -> pd.DataFrame:
    """One row per (unit, year) of the data (of ``years``, default all), screened-out rows included.

    Columns: unit, year, evaluated (False when screening dropped the row), indicators,
    present, coverage (present / indicators), flag_low_coverage (coverage below
    ``min_coverage``), imputed and missing_after_imputation (for evaluated rows).
    """
    fw = evaluation.framework
    ids = fw.indicator_ids
    origin = _origin(evaluation)
    raw = origin.matrix(ids)
    present = np.isfinite(raw)
    kept = {(u, y): r for r, (u, y) in enumerate(zip(evaluation.panel.units, evaluation.panel.years))}
    raw_eval = evaluation.stages["raw"]
    imputed = evaluation.stages["imputed"]
    wanted = {y for y, _ in year_groups(evaluation, years)}
    rows = []
    for r, (u, y) in enumerate(zip(origin.units, origin.years)):
        if years is not None and y not in wanted:
            continue
        e = kept.get((u, y))
        row = {"unit": u, "year": y, "evaluated": e is not None, "indicators": len(ids),
               "present": int(present[r].sum()), "coverage": float(present[r].mean()) if ids else np.nan,
               "flag_low_coverage": bool(not present[r].mean() >= min_coverage) if ids else True,
               "imputed": np.nan, "missing_after_imputation": np.nan}
        if e is not None:
            row["imputed"] = int(np.sum(~np.isfinite(raw_eval[e]) & np.isfinite(imputed[e])))
            row["missing_after_imputation"] = int(np.sum(~np.isfinite(imputed[e])))
        rows.append(row)
    return pd.DataFrame(rows)


def indicator_coverage(evaluation, years=None) -> pd.DataFrame:
    """One row per (indicator, year) over the evaluated rows.

    Columns: indicator, parent, year, units, present, coverage, imputed,
    missing_after_imputation, treated (values changed by outlier treatment).
    """
    fw = evaluation.framework
    raw, imputed, treated = (evaluation.stages[s] for s in ("raw", "imputed", "treated"))
    rows = []
    for j, ind in enumerate(fw.indicator_ids):
        for year, idx in year_groups(evaluation, years):
            r, im, tr = raw[idx, j], imputed[idx, j], treated[idx, j]
            seen = np.isfinite(r)
            changed = np.isfinite(im) & np.isfinite(tr) & ~np.isclose(tr, im, rtol=1e-12, atol=0.0)
            rows.append({"indicator": ind, "parent": fw.parent_of[ind], "year": year, "units": len(idx),
                         "present": int(seen.sum()), "coverage": float(seen.mean()) if len(idx) else np.nan,
                         "imputed": int(np.sum(~seen & np.isfinite(im))),
                         "missing_after_imputation": int(np.sum(~np.isfinite(im))),
                         "treated": int(changed.sum())})
    return pd.DataFrame(rows)


def node_coverage(evaluation, years=None) -> pd.DataFrame:
    """One row per (aggregate node, unit, year): the share of the node's indicators present.

    Columns: node, level, unit, year, indicators, present, coverage (raw data),
    score_missing (the node's score is missing, e.g. below its minimum coverage).
    """
    fw = evaluation.framework
    col = {nid: j for j, nid in enumerate(fw.indicator_ids)}
    present = np.isfinite(evaluation.stages["raw"])
    units = evaluation.panel.units
    parts = []
    for node in groups_of(fw):
        cols = [col[n.id] for n in node.walk() if n.is_indicator]
        for year, idx in year_groups(evaluation, years):
            got = present[np.ix_(idx, cols)].sum(axis=1)
            parts.append(pd.DataFrame({
                "node": node.id, "level": fw.levels[node.id], "unit": units[idx], "year": year,
                "indicators": len(cols), "present": got.astype(int), "coverage": got / len(cols),
                "score_missing": ~np.isfinite(evaluation.scores[node.id][idx])}))
    if not parts:
        return pd.DataFrame(columns=["node", "level", "unit", "year", "indicators", "present",
                                     "coverage", "score_missing"])
    return pd.concat(parts, ignore_index=True)


def stage_log(evaluation, stage: str, years=None) -> pd.DataFrame:
    """The evaluation's log entries of one ``stage`` (screen, impute, treat, ...).

    With ``years``, entries of other years are left out (entries without a year are kept).
    ``detail_*`` columns that are empty for this stage are dropped.
    """
    table = evaluation.log_table()
    cols = ["stage", "node", "unit", "year", "message"]
    if table.empty or "stage" not in table:
        return pd.DataFrame(columns=cols)
    sel = table[table["stage"] == stage]
    if years is not None:
        wanted = {y for y, _ in year_groups(evaluation, years)}
        sel = sel[sel["year"].isna() | sel["year"].isin(wanted)]
    sel = sel.reset_index(drop=True)
    keep = [c for c in sel.columns if c in cols or sel[c].notna().any()]
    return sel[keep]


def coverage_tables(evaluation, years=None, min_coverage: float = 0.65) -> dict[str, pd.DataFrame]:
    """Coverage tables and the screening, imputation and treatment logs, by table name."""
    out = {"coverage_units": unit_coverage(evaluation, years, min_coverage),
           "coverage_indicators": indicator_coverage(evaluation, years),
           "coverage_nodes": node_coverage(evaluation, years)}
    for name, stage in LOG_STAGES.items():
        out[f"log_{name}"] = stage_log(evaluation, stage, years)
    return out
