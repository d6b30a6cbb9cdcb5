"""Helpers shared by the regional analytics: checking nodes and years, populations, ranks.

A *population* is a set of units ranked against each other (for example the 11
cities and the 90 counties of a province are two populations). By default every
unit belongs to one population, ``"all"``, and ranks equal
``Evaluation.ranks_table()``.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..engine.ranks import rank_within
from ..errors import InputError, Problem
from ..lazy import lazy_module

pd = lazy_module("pandas", globals())

ALL = "all"


def check_node(evaluation, node: str | None) -> str:
    """``node`` (default the root) if the framework has it, else InputError."""
    fw = evaluation.framework
    if node is None:
        return fw.tree.id
    if node not in fw.nodes:
        known = ", ".join(evaluation.node_order[:15]) + (" ..." if len(fw.nodes) > 15 else "")
        raise InputError(Problem(f"framework {fw.id!r} has no node {node!r}", file=fw.source,
                                 fix=f"use one of its node ids: {known}"))
    return node


def real_years(evaluation) -> list[int]:
    """The panel's years, ascending, without the ``None`` of single-period data."""
    return sorted({y for y in evaluation.panel.years if y is not None})


def check_year(evaluation, year, what: str = "year"):
    """``year`` (default the latest) if the panel has it, else InputError."""
    years = real_years(evaluation)
    if year is None:
        return years[-1] if years else None
    try:
        wanted = int(year)
    except (TypeError, ValueError):
        wanted = None
    if wanted is None or wanted not in years:
        shown = ", ".join(str(y) for y in years) or "none (single-period data)"
        raise InputError(Problem(f"{what} {year!r} is not in the data", column="year",
                                 fix=f"choose one of the data's years: {shown}"))
    return wanted


def population_of(evaluation, populations: Mapping | None) -> pd.Series:
    """The population label of every panel row (``"all"`` without ``populations``).

    ``populations`` maps unit -> label; every unit of the panel must have one.
    """
    units = pd.Series(evaluation.panel.units, dtype=object)
    if populations is None:
        return pd.Series([ALL] * len(units), dtype=object)
    mapping = {str(k): str(v) for k, v in dict(populations).items()}
    missing = sorted({u for u in units if str(u) not in mapping})
    if missing:
        raise InputError(Problem(
            f"units without a population: {', '.join(missing[:10])}" + (" ..." if len(missing) > 10 else ""),
            fix="give every unit of the data a population label (e.g. 'city' or 'county')"))
    return units.map(lambda u: mapping[str(u)]).astype(object)


def node_positions(evaluation, nodes: pd.Series):
    """The position in the tree (``Evaluation.node_order``) of each value of ``nodes``, to
    sort rows in the framework's order (one lookup per distinct node, not per row)."""
    import numpy as np

    order = {n: i for i, n in enumerate(evaluation.node_order)}
    codes, uniques = pd.factorize(nodes)
    return np.array([order[n] for n in uniques], dtype=np.int64)[codes] if len(uniques) else codes


def scores_and_ranks(evaluation, nodes: list[str], populations: Mapping | None = None,
                     within_parent: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores (unit, year, [parent], population, nodes...) and their ranks.

    Ranks follow :func:`digindex.engine.ranks.rank_within` (1 best, ties at the
    minimum rank) within (year, population[, parent]).
    """
    table = evaluation.scores_table()
    table["population"] = population_of(evaluation, populations).to_numpy()
    by = ["year", "population"] + (["parent"] if within_parent else [])
    if within_parent and "parent" not in table:
        raise InputError(Problem("the data has no parent regions, so there are no ranks within parents",
                                 fix="add a 'parent' column to the data or pass a regions file"))
    if populations is None:  # one population: the evaluation's own ranks (computed once)
        return table, evaluation.ranks_table(within_parent=within_parent, nodes=nodes)[nodes]
    ranks = rank_within(table, nodes, by).astype("Int64")
    return table, ranks
