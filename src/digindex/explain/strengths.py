"""Strengths and weaknesses: a unit's best and worst indicators (and aspects) relative to peers.

For every node ``j`` in year ``t`` (indicators and aspects) the unit's standing is its
rank on the node's score (1 best; ties at the minimum rank; the normalised score already
points the right way for indicators with ``direction: -1``) among the ``n`` units of the
province (the evaluated population) and among the ``n_p`` units of its parent region.
Its relative position is the percentile ``q = (n − rank)/(n − 1)`` (1 best, 0 worst).

The *gap to the city median* is ``d_j·(x − m)`` with ``x`` the unit's value in the
indicator's own units (the raw data), ``m`` the median over its parent region in that
year and ``d_j`` the indicator's direction, so a positive gap is always better; for
aspects the scores are used. Strengths are the ``n`` nodes with the best province rank
(ties broken by the larger standardised gap ``d_j(x − m)/σ_j``, ``σ_j`` the province's
standard deviation), weaknesses the ``n`` with the worst.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.publish import published
from ._base import check_year, has_city_level, memo, node_label, parent_of, row_of, year_rows


def standing(evaluation, year=None) -> pd.DataFrame:
    """Per (unit, node) of ``year``: value, score, ranks, medians and gaps (see the module doc).

    Columns ``unit, parent, node, level, value, unit_of_measure, score, rank, n,
    rank_in_parent, n_in_parent, percentile, province_median, parent_median, gap,
    gap_sd``. ``value`` is the raw value for indicators and the score for aggregates.
    """
    year = check_year(evaluation, year)

    def build():
        fw = evaluation.framework
        rows = year_rows(evaluation, year)
        units = np.asarray(evaluation.panel.units, dtype=object)[rows]
        parents = np.array([evaluation.panel.parents.get(str(u)) for u in units], dtype=object)
        raw = evaluation.stages["raw"][rows]
        col = {i: j for j, i in enumerate(fw.indicator_ids)}
        parts = []
        for node in fw.tree.walk():
            if node.id == fw.tree.id:
                continue
            score = pd.Series(published(evaluation.scores[node.id][rows], fw), dtype=float)  # ranks as published
            value = pd.Series(raw[:, col[node.id]] if node.is_indicator else score.to_numpy(), dtype=float)
            d = node.direction if node.is_indicator else 1
            rank = score.rank(method="min", ascending=False)
            n = int(score.notna().sum())
            by_parent = score.groupby(parents)
            part = pd.DataFrame({
                "unit": units, "parent": parents, "node": node.id, "level": fw.levels[node.id],
                "value": value, "unit_of_measure": node.unit or "", "score": score, "rank": rank, "n": n,
                "rank_in_parent": by_parent.rank(method="min", ascending=False),
                "n_in_parent": by_parent.transform("count"),
                "province_median": np.nanmedian(value) if value.notna().any() else np.nan,
                "parent_median": value.groupby(parents).transform("median")})
            part["percentile"] = (n - part["rank"]) / (n - 1) if n > 1 else 1.0
            part["gap"] = d * (part["value"] - part["parent_median"])
            sd = float(np.nanstd(value)) if value.notna().sum() > 1 else np.nan
            part["gap_sd"] = part["gap"] / sd if sd and np.isfinite(sd) and sd > 0 else np.nan
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
        for c in ("rank", "rank_in_parent", "n_in_parent"):
            out[c] = out[c].astype("Int64")
        return out

    return memo(evaluation, ("standing", year), build)


def strengths_weaknesses(evaluation, unit: str, year=None, n: int = 3, level: int = 1,
                         lang: str = "zh") -> dict[str, pd.DataFrame]:
    """``{"strengths", "weaknesses", "all"}``: the unit's nodes at ``level`` (1 indicators,
    2 aspects), best first / worst first, with their labels in ``lang``."""
    year = check_year(evaluation, year)
    row_of(evaluation, unit, year)  # checks the unit exists
    table = standing(evaluation, year)
    mine = table[(table["unit"] == str(unit)) & (table["level"] == level)].copy()
    mine["label"] = [node_label(evaluation, nid, lang) for nid in mine["node"]]
    if not has_city_level(evaluation) or parent_of(evaluation, unit) is None:
        mine[["rank_in_parent", "n_in_parent"]] = pd.NA
        mine[["parent_median", "gap", "gap_sd"]] = np.nan
    key = mine.assign(_r=mine["rank"].astype(float), _g=mine["gap_sd"].fillna(0.0))
    best = key.sort_values(["_r", "_g"], ascending=[True, False], kind="stable")
    worst = key.sort_values(["_r", "_g"], ascending=[False, True], kind="stable")
    drop = ["_r", "_g"]
    return {"strengths": best.head(n).drop(columns=drop).reset_index(drop=True),
            "weaknesses": worst.head(n).drop(columns=drop).reset_index(drop=True),
            "all": best.drop(columns=drop).reset_index(drop=True)}


__all__ = ["standing", "strengths_weaknesses"]
