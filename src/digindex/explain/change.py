"""Year-on-year change of a unit's score and rank, attributed to aspects and indicators.

With ``R_c(t)`` the contribution of node ``c`` to the root score in year ``t``
(:mod:`digindex.explain.decompose`), the change of the root score from year ``p`` to
``t`` splits exactly as::

    y(t) − y(p) = Σ_c [R_c(t) − R_c(p)]        (over the aspects, or over the indicators)

because the contributions of one level add up to the root score in each year. With an
arithmetic tree and weights fixed across years (the default ``zhejiang`` framework: the
entropy part of the weights is computed on the pooled years) an indicator's term is its
weight times the change of its normalised score, ``W_j·Δn_j``.

The rank change is explained through the score change and the rivals: with ``a(t)`` the
set of units scoring strictly above the unit in year ``t``, the rivals *passed* are
``a(p) ∖ a(t)`` and the rivals that *overtook* it ``a(t) ∖ a(p)``; with an unchanged
population ``rank(p) − rank(t) = #passed − #overtook``. Ranks are within the year and,
for ``scope="parent"``, within the unit's parent region.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analytics._common import real_years
from ..engine.publish import published
from ..errors import InputError, Problem
from ._base import check_year, name_of, parent_of, row_of, year_rows
from .decompose import root_contributions


@dataclass
class ChangeAttribution:
    """The change of one unit's score from ``prev_year`` to ``year`` and its parts.

    ``score``, ``prev_score`` and the ranks are as published (rounded when the framework
    declares ``publish``); ``nodes``: one row per node below the root (``node, level,
    parent_node, prev, now, change`` of the contribution, which add up exactly to
    :attr:`exact_change`, plus the published ``prev_score, score`` of the node itself and,
    for indicators, ``prev_value, value`` in the indicator's own units);
    ``rivals``: per scope (``province``, ``parent``) the units passed and those that
    overtook it (``scope, kind, unit, prev_score, score, score_change``).
    """

    unit: str
    year: int
    prev_year: int
    score: float
    prev_score: float
    ranks: dict            # scope -> (prev_rank, rank, n_prev, n)
    nodes: pd.DataFrame
    rivals: pd.DataFrame
    exact_change: float = float("nan")  # the change at full precision: what the parts add up to

    @property
    def score_change(self) -> float:
        """The change of the published scores (what a reader sees)."""
        return self.score - self.prev_score

    def top(self, level: int = 2, n: int = 3, sign: int = 1) -> pd.DataFrame:
        """The ``n`` largest positive (``sign=1``) or negative (``sign=-1``) changes at ``level``."""
        part = self.nodes[self.nodes["level"] == level]
        part = part[np.sign(part["change"]) == sign]
        return part.reindex(part["change"].abs().sort_values(ascending=False).index).head(n)


def _rank_in(scores: np.ndarray, mine: float) -> int:
    return int(np.sum(scores > mine)) + 1


def change_attribution(evaluation, unit: str, year=None, prev_year=None) -> ChangeAttribution:
    """Attribute ``unit``'s score change from ``prev_year`` (default the year before) to ``year``."""
    year = check_year(evaluation, year)
    years = [y for y in real_years(evaluation) if y < year]
    if prev_year is None:
        if not years:
            raise InputError(Problem(f"no year before {year} to compare with",
                                     fix="evaluate at least two years of data"))
        prev_year = years[-1]
    prev_year = check_year(evaluation, prev_year, "previous year")
    unit = str(unit)
    r_now, r_prev = row_of(evaluation, unit, year), row_of(evaluation, unit, prev_year)
    fw = evaluation.framework
    root = fw.tree.id
    R = root_contributions(evaluation)
    raw = evaluation.stages["raw"]
    col = {i: j for j, i in enumerate(fw.indicator_ids)}
    parent_node = {c.id: p.id for p in fw.tree.walk() for c in p.children}
    shown = {n.id: published(evaluation.scores[n.id], fw) for n in fw.tree.walk()}
    rows = []
    for node in fw.tree.walk():
        if node.id == root:
            continue
        row = {"node": node.id, "level": fw.levels[node.id],
               "parent_node": parent_node[node.id],
               "prev": R[node.id][r_prev], "now": R[node.id][r_now],
               "prev_score": shown[node.id][r_prev], "score": shown[node.id][r_now]}
        if node.is_indicator:
            row["prev_value"], row["value"] = raw[r_prev, col[node.id]], raw[r_now, col[node.id]]
        rows.append(row)
    nodes = pd.DataFrame(rows)
    nodes["change"] = nodes["now"] - nodes["prev"]

    scores = shown[root]  # ranks and rivals as published
    units = np.asarray(evaluation.panel.units, dtype=object)
    scopes = {"province": lambda rows_: rows_}
    parent = parent_of(evaluation, unit)
    if parent is not None:
        parents = np.array([evaluation.panel.parents.get(str(u)) for u in units], dtype=object)
        scopes["parent"] = lambda rows_: rows_[parents[rows_] == parent]
    ranks, rival_rows = {}, []
    for scope, pick in scopes.items():
        now_rows, prev_rows = pick(year_rows(evaluation, year)), pick(year_rows(evaluation, prev_year))
        s_now = dict(zip(units[now_rows], scores[now_rows]))
        s_prev = dict(zip(units[prev_rows], scores[prev_rows]))
        mine_now, mine_prev = scores[r_now], scores[r_prev]
        ahead_now = {u for u, s in s_now.items() if s > mine_now}
        ahead_prev = {u for u, s in s_prev.items() if s > mine_prev}
        ranks[scope] = (_rank_in(np.array(list(s_prev.values())), mine_prev),
                        _rank_in(np.array(list(s_now.values())), mine_now),
                        int(np.sum(~np.isnan(list(s_prev.values())))),
                        int(np.sum(~np.isnan(list(s_now.values())))))
        for kind, group in (("passed", ahead_prev - ahead_now), ("overtook", ahead_now - ahead_prev)):
            for u in sorted(group, key=lambda v: -s_now.get(v, np.nan)):
                rival_rows.append({"scope": scope, "kind": kind, "unit": u, "name": name_of(evaluation, u),
                                   "prev_score": s_prev.get(u, np.nan), "score": s_now.get(u, np.nan)})
    rivals = pd.DataFrame(rival_rows, columns=["scope", "kind", "unit", "name", "prev_score", "score"])
    rivals["score_change"] = rivals["score"] - rivals["prev_score"]
    exact = evaluation.scores[root]
    return ChangeAttribution(unit, year, prev_year, float(scores[r_now]), float(scores[r_prev]), ranks,
                             nodes, rivals, float(exact[r_now] - exact[r_prev]))


__all__ = ["ChangeAttribution", "change_attribution"]
