"""Year-on-year change in score and rank, and the biggest movers.

For a unit ``u`` at node ``k`` in year ``t`` let ``p`` be the *previous available
year*: the latest year before ``t`` in which ``u`` has a score at ``k`` (years in
which its score is missing are skipped; ``gap = t - p`` says how far back it is).
Then::

    score_change = score(t) - score(p)
    rank_change  = rank(p) - rank(t)          # positive: moved up (rank 1 is best)

Ranks are those of ``Evaluation.ranks_table`` (within year, and within parent for
``rank_in_parent``), or within year and population when ``populations`` is given.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import InputError, Problem
from ._common import check_node, check_year, node_positions, scores_and_ranks

SCOPES = ("aspects", "all")


def table_nodes(evaluation, scope: str = "aspects") -> list[str]:
    """The nodes the per-node tables (changes, growth) cover by default: ``aspects``, the root
    and its children; ``all``, every node of the tree (at national scale, a table of every
    node is millions of rows)."""
    if scope not in SCOPES:
        raise InputError(Problem(f"the table scope must be {' or '.join(SCOPES)}, not {scope!r}"))
    if scope == "all":
        return list(evaluation.node_order)
    root = evaluation.framework.tree
    return [root.id] + [c.id for c in root.children]


def _long(evaluation, nodes: list[str], populations: Mapping | None) -> pd.DataFrame:
    """One row per (unit, year, node) with score, rank and, with parents, rank_in_parent."""
    table, ranks = scores_and_ranks(evaluation, nodes, populations)
    with_parent = "parent" in table
    rip = scores_and_ranks(evaluation, nodes, populations, within_parent=True)[1] if with_parent else None
    parts = []
    for nid in nodes:
        part = pd.DataFrame({"unit": table["unit"], "year": table["year"], "node": nid,
                             "population": table["population"], "score": table[nid].astype(float),
                             "rank": ranks[nid]})
        if with_parent:
            part["parent"] = table["parent"].to_numpy()
            part["rank_in_parent"] = rip[nid].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def changes(evaluation, nodes: list[str] | str | None = None,
            populations: Mapping | None = None) -> pd.DataFrame:
    """Year-on-year change in score and rank per (unit, node, year).

    ``nodes``: a node id or a list (default every node, indicators included).
    One row for every (unit, node, year) that has a score and an earlier year
    with a score; columns ``unit, year, prev_year, gap, node, [population],
    [parent], score, prev_score, score_change, rank, prev_rank, rank_change`` and,
    with parents, ``rank_in_parent, prev_rank_in_parent, rank_in_parent_change``.
    Single-period data gives an empty table.
    """
    if nodes is None:
        nodes = list(evaluation.node_order)
    elif isinstance(nodes, str):
        nodes = [check_node(evaluation, nodes)]
    else:
        nodes = [check_node(evaluation, n) for n in nodes]
    long = _long(evaluation, nodes, populations)
    long = long[long["year"].notna() & long["score"].notna()].copy()
    long["year"] = long["year"].astype(int)
    long = long.sort_values(["node", "unit", "year"], kind="stable")
    grouped = long.groupby(["node", "unit"], sort=False)
    rank_cols = ["rank"] + (["rank_in_parent"] if "rank_in_parent" in long else [])
    long["prev_year"] = grouped["year"].shift(1)
    long["prev_score"] = grouped["score"].shift(1)
    for col in rank_cols:
        long[f"prev_{col}"] = grouped[col].shift(1)
    out = long[long["prev_year"].notna()].copy()
    out["prev_year"] = out["prev_year"].astype(int)
    out["gap"] = out["year"] - out["prev_year"]
    out["score_change"] = out["score"] - out["prev_score"]
    for col in rank_cols:
        out[f"prev_{col}"] = out[f"prev_{col}"].astype("Int64")
        out[f"{col}_change"] = (out[f"prev_{col}"] - out[col]).astype("Int64")
    if populations is None:
        out = out.drop(columns="population")
    cols = ["unit", "year", "prev_year", "gap", "node"]
    cols += [c for c in ("population", "parent") if c in out]
    cols += ["score", "prev_score", "score_change"]
    for col in rank_cols:
        cols += [col, f"prev_{col}", f"{col}_change"]
    out = out.assign(_n=node_positions(evaluation, out["node"])).sort_values(["year", "_n", "rank", "unit"],
                                                                            kind="stable")
    return out[cols].reset_index(drop=True)


def movers(evaluation, node: str | None = None, year=None, n: int = 10, within_parent: bool = False,
           populations: Mapping | None = None) -> pd.DataFrame:
    """The ``n`` biggest risers and ``n`` biggest fallers by rank change at ``node`` in ``year``.

    ``node`` defaults to the root, ``year`` to the latest year. Risers have
    ``rank_change > 0`` sorted by it descending, fallers ``rank_change < 0``
    ascending; ties are broken by ``score_change`` (larger rise / larger fall
    first), then by current rank (best first) and unit, so exactly ``min(n, movers)`` rows of
    each kind are returned. With ``within_parent`` the ranks within the parent
    region are used. Columns: ``direction`` (``riser``/``faller``), ``position``
    (1..n) and those of :func:`changes`.
    """
    node = check_node(evaluation, node)
    year = check_year(evaluation, year)
    col = "rank_in_parent" if within_parent else "rank"
    ch = changes(evaluation, node, populations)
    if within_parent and col not in ch:
        raise InputError(Problem("the data has no parent regions, so there are no ranks within parents",
                                 fix="add a 'parent' column to the data or pass a regions file"))
    ch = ch[ch["year"] == year]
    delta = ch[f"{col}_change"].astype(float)
    risers = ch[delta > 0].sort_values([f"{col}_change", "score_change", col, "unit"],
                                       ascending=[False, False, True, True], kind="stable").head(n)
    fallers = ch[delta < 0].sort_values([f"{col}_change", "score_change", col, "unit"],
                                        ascending=[True, True, True, True], kind="stable").head(n)
    parts = []
    for name, part in (("riser", risers), ("faller", fallers)):
        part = part.copy()
        part.insert(0, "position", range(1, len(part) + 1))
        part.insert(0, "direction", name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
