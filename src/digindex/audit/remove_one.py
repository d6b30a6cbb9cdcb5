"""Remove-one-component analysis: how ranks move when one aspect or indicator is dropped.

For each component c (by default every aspect, i.e. child of the root, and every indicator),
the framework without c is evaluated on the same data (the remaining siblings' weights are
re-normalised, as in the original pipeline), and for every unit-year

    rank_change(u) = rank_without_c(u) − rank_nominal(u)

(positive: the unit falls when c is dropped; ranks 1 = best, ties at the minimum, within each
year). Per component: the mean and maximum of |rank_change| over the units ranked in both.

References: OECD/JRC (2008) Handbook, §7 (robustness: excluding one indicator at a time);
COINr 1.1 ``remove_elements()`` (mean absolute rank change per removed component).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.evaluate import evaluate
from ..engine.ranks import rank_within
from ..errors import InputError
from ._common import aspects

UNIT_COLUMNS = ["component", "component_level", "unit", "year", "nominal_score", "score_without",
                "nominal_rank", "rank_without", "rank_change"]
SUMMARY_COLUMNS = ["component", "component_level", "year", "units", "mean_abs_rank_change",
                   "max_abs_rank_change", "status"]


def without_node(fw, node: str):
    """A copy of ``fw`` without ``node`` (an indicator or a whole aggregate with its subtree).

    Refuses the root and a node that is its parent's only child (InputError).
    """
    return fw.without(node)


def _root_ranks(evaluation) -> pd.DataFrame:
    """unit, year, score and rank (within year) of the root, one row per evaluated unit-year."""
    root = evaluation.framework.tree.id
    table = pd.DataFrame({"unit": evaluation.panel.units, "year": evaluation.panel.years,
                          "score": evaluation.scores[root]})
    table["rank"] = rank_within(table, ["score"], ["year"])["score"]
    return table


def remove_one(evaluation, components=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-unit rank changes, per-component summary) for dropping each component in turn.

    ``components`` defaults to the aspects (children of the root) followed by every indicator.
    A component that cannot be dropped (the only child of its parent) or whose variant fails
    to evaluate gets a summary row with ``status`` saying why and no unit rows.
    """
    fw = evaluation.framework
    if components is None:
        components = list(dict.fromkeys(aspects(fw) + fw.indicator_ids))
    nominal = _root_ranks(evaluation)
    key = list(zip(nominal["unit"], nominal["year"]))
    units, summary = [], []
    for comp in components:
        level = fw.levels.get(comp)
        try:
            variant_fw = without_node(fw, comp)
            # A fresh cache: the engine's stage keys do not name the indicator set, so a cache
            # shared with a framework that has more indicators would be read with the wrong columns.
            variant = _root_ranks(evaluate(variant_fw, evaluation.panel, cache={}))
        except InputError as exc:
            summary.append({"component": comp, "component_level": level, "year": None, "units": 0,
                            "mean_abs_rank_change": np.nan, "max_abs_rank_change": np.nan,
                            "status": "not evaluated: " + "; ".join(p.message for p in exc.problems)})
            continue
        other = {k: r for r, k in enumerate(zip(variant["unit"], variant["year"]))}
        pos = np.array([other.get(k, -1) for k in key])
        found = pos >= 0
        score_w = np.full(len(key), np.nan)
        rank_w = np.full(len(key), np.nan)
        score_w[found] = variant["score"].to_numpy()[pos[found]]
        rank_w[found] = variant["rank"].to_numpy()[pos[found]]
        part = pd.DataFrame({"component": comp, "component_level": level, "unit": nominal["unit"],
                             "year": nominal["year"], "nominal_score": nominal["score"],
                             "score_without": score_w, "nominal_rank": nominal["rank"],
                             "rank_without": rank_w})
        part["rank_change"] = part["rank_without"] - part["nominal_rank"]
        units.append(part)
        for year, grp in part.groupby(part["year"].astype(object).where(part["year"].notna(), "\x00"),
                                      sort=False):
            change = grp["rank_change"].abs().dropna()
            summary.append({"component": comp, "component_level": level,
                            "year": None if year == "\x00" else year, "units": int(change.size),
                            "mean_abs_rank_change": float(change.mean()) if change.size else np.nan,
                            "max_abs_rank_change": float(change.max()) if change.size else np.nan,
                            "status": "ok"})
    unit_table = (pd.concat(units, ignore_index=True)[UNIT_COLUMNS] if units
                  else pd.DataFrame(columns=UNIT_COLUMNS))
    for c in ("nominal_rank", "rank_without", "rank_change"):
        unit_table[c] = unit_table[c].astype("Int64")
    return unit_table, pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
