"""Compare two recorded runs: why they differ and which units changed rank.

The verdict comes from the hashes stored with each run (see
:func:`digindex.store.runs.framework_hash` and :func:`~digindex.store.runs.data_hash`):

- same framework hash, same data hash: ``nothing changed (same inputs)``;
- framework hash differs, data hash equal: ``framework changed``;
- framework hash equal, data hash differs: ``data changed``;
- both differ: ``both``.

``reasons`` adds the details (which data files changed, a different digindex
version or options), and says so when the same inputs gave different results.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from .db import connect
from .runs import RESULT_COLUMNS, _from_store, resolve

VERDICTS = ("nothing changed (same inputs)", "framework changed", "data changed", "both")


@dataclass
class RunDiff:
    """The comparison of run ``a`` (before) with run ``b`` (after)."""

    a: str
    b: str
    verdict: str
    framework_changed: bool
    data_changed: bool
    version_changed: bool
    results_identical: bool
    reasons: list[str] = field(default_factory=list)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> str:
        """A few lines of text for the command line."""
        lines = [f"{self.a} -> {self.b}: {self.verdict}"] + [f"  {r}" for r in self.reasons]
        lines.append(f"  {len(self.changes)} (unit, year, node) rows changed rank")
        return "\n".join(lines)


def verdict(framework_changed: bool, data_changed: bool) -> str:
    """The run-pair classification from the two hash comparisons."""
    if framework_changed and data_changed:
        return "both"
    if framework_changed:
        return "framework changed"
    if data_changed:
        return "data changed"
    return "nothing changed (same inputs)"


def _data_reasons(rec_a: dict, rec_b: dict) -> list[str]:
    files_a = {d.get("file"): d.get("sha256") for d in rec_a.get("data") or []}
    files_b = {d.get("file"): d.get("sha256") for d in rec_b.get("data") or []}
    out = []
    for f in sorted(set(files_a) | set(files_b), key=str):
        if f not in files_a:
            out.append(f"data file {f} added")
        elif f not in files_b:
            out.append(f"data file {f} removed")
        elif files_a[f] != files_b[f]:
            out.append(f"data file {f} changed (sha256 {str(files_a[f])[:12]} -> {str(files_b[f])[:12]})")
    return out


def rank_changes(res_a: pd.DataFrame, res_b: pd.DataFrame) -> pd.DataFrame:
    """Per (unit, year, node): ranks and scores in both runs, only where a rank differs.

    ``rank_change = rank_a - rank_b`` (positive: moved up in ``b``); ``status`` is
    ``rank changed``, ``rank in parent changed``, ``only in a`` or ``only in b``.
    """
    keys = ["unit", "year", "node"]
    cols = [c for c in ("score", "rank", "rank_in_parent") if c in res_a or c in res_b]
    left = res_a[keys + [c for c in cols if c in res_a]].assign(_a=True)
    right = res_b[keys + [c for c in cols if c in res_b]].assign(_b=True)
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"))
    for c in cols:
        for side in ("_a", "_b"):
            if c + side not in merged:
                merged[c + side] = pd.NA
    in_a, in_b = merged["_a"].eq(True), merged["_b"].eq(True)

    def differs(c):
        x, y = merged[f"{c}_a"].astype("Int64"), merged[f"{c}_b"].astype("Int64")
        return (x.isna() != y.isna()) | (x.notna() & y.notna() & (x != y)).fillna(False)

    rank_diff = differs("rank")
    rip_diff = differs("rank_in_parent") if "rank_in_parent" in cols else rank_diff & False
    status = pd.Series("unchanged", index=merged.index, dtype=object)
    status[rip_diff] = "rank in parent changed"
    status[rank_diff] = "rank changed"
    status[in_a & ~in_b] = "only in a"
    status[in_b & ~in_a] = "only in b"
    out = merged.assign(status=status)[status != "unchanged"].copy()
    out["score_change"] = out["score_b"].astype(float) - out["score_a"].astype(float)
    out["rank_change"] = (out["rank_a"].astype("Int64") - out["rank_b"].astype("Int64")).astype("Int64")
    order = ["unit", "year", "node", "status", "rank_a", "rank_b", "rank_change", "score_a", "score_b",
             "score_change"] + (["rank_in_parent_a", "rank_in_parent_b"] if "rank_in_parent" in cols else [])
    for c in ("rank_a", "rank_b") + (("rank_in_parent_a", "rank_in_parent_b") if "rank_in_parent" in cols else ()):
        out[c] = out[c].astype("Int64")
    node_order = {n: i for i, n in enumerate(pd.unique(pd.concat([res_b["node"], res_a["node"]])))}
    out = out.assign(_y=out["year"].map(lambda y: -1 if y is None or pd.isna(y) else y),
                     _n=out["node"].map(node_order))
    return out.sort_values(["_y", "_n", "unit"], kind="stable")[order].reset_index(drop=True)


def diff_runs(store_path, a: str, b: str, lock_timeout: float = 5.0) -> RunDiff:
    """Compare run ``a`` with run ``b``: the verdict, its reasons and per-unit rank changes."""
    with connect(store_path, lock_timeout=lock_timeout) as con:
        row_a, row_b = resolve(con, a), resolve(con, b)
        sel = f"SELECT {', '.join(RESULT_COLUMNS)} FROM results WHERE run_id = ? ORDER BY row_no"
        res_a = _from_store(con.execute(sel, [row_a["run_id"]]).df(), bool(row_a["has_parents"]))
        res_b = _from_store(con.execute(sel, [row_b["run_id"]]).df(), bool(row_b["has_parents"]))
    rec_a, rec_b = json.loads(row_a["record"]), json.loads(row_b["record"])
    fw_changed = row_a["framework_sha256"] != row_b["framework_sha256"]
    data_changed = row_a["data_sha256"] != row_b["data_sha256"]
    version_changed = row_a["digindex_version"] != row_b["digindex_version"]
    identical = row_a["results_sha256"] == row_b["results_sha256"]
    reasons = []
    if fw_changed:
        reasons.append(f"framework changed (sha256 {str(row_a['framework_sha256'])[:12]} -> "
                       f"{str(row_b['framework_sha256'])[:12]})")
    if data_changed:
        reasons += _data_reasons(rec_a, rec_b) or ["data changed (same files, different content)"]
    if version_changed:
        reasons.append(f"digindex version {row_a['digindex_version']} -> {row_b['digindex_version']}")
    if rec_a.get("options") != rec_b.get("options"):
        keys = sorted({*(rec_a.get("options") or {}), *(rec_b.get("options") or {})})
        changed = [k for k in keys if (rec_a.get("options") or {}).get(k) != (rec_b.get("options") or {}).get(k)]
        reasons.append(f"options differ: {', '.join(changed)}")
    if not fw_changed and not data_changed:
        reasons.append("results identical" if identical else "results differ although the inputs are the same")
    return RunDiff(a=row_a["run_id"], b=row_b["run_id"], verdict=verdict(fw_changed, data_changed),
                   framework_changed=fw_changed, data_changed=data_changed, version_changed=version_changed,
                   results_identical=identical, reasons=reasons, changes=rank_changes(res_a, res_b))
