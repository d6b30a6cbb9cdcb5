"""Panel and regional analytics built on an :class:`~digindex.engine.result.Evaluation`.

- :func:`changes`, :func:`movers`: year-on-year change in score and rank, biggest movers;
- :func:`indicator_yoy`, :func:`indicator_cagr`: growth of raw indicator values;
- :func:`tiers`, :func:`top_n`: tiers (梯队) from the framework's ``tiers`` key, top-N lists;
- :func:`disparity`, :func:`disparity_groups`: CV, Gini, Theil T with its
  between/within-parent decomposition; :func:`cv`, :func:`gini`, :func:`theil`,
  :func:`theil_decomposition` on plain arrays.

Every function returns a tidy DataFrame; :func:`regional_tables` gathers the
default set for export.
"""
from __future__ import annotations

import pandas as pd

from .changes import changes, movers
from .disparity import cv, disparity, disparity_groups, gini, theil, theil_decomposition
from .growth import growth_rate, indicator_cagr, indicator_yoy
from .tiers import TierConfig, parse_tiers, tier_config, tier_problems, tiers, top_n

__all__ = [
    "changes", "movers", "indicator_yoy", "indicator_cagr", "growth_rate", "tiers", "top_n",
    "TierConfig", "parse_tiers", "tier_config", "tier_problems", "disparity", "disparity_groups",
    "cv", "gini", "theil", "theil_decomposition", "regional_tables",
]


def regional_tables(evaluation, lang: str = "en", populations=None, scope: str = "aspects") -> dict[str, pd.DataFrame]:
    """The default analytics of an evaluation, by file stem, ready to export.

    ``changes`` (change in score and rank) and ``growth_yoy`` (growth of the score; of the
    raw value for indicators) for the nodes of ``scope`` (the root and the aspects by default,
    every node with ``all``: :func:`.changes.table_nodes`), ``disparity`` and, with parents,
    ``disparity_groups`` (root node), and ``tiers`` when the framework has a ``tiers`` key.
    Tables that do not apply (one year only, no parents, no tiers) are left out.
    """
    from .changes import table_nodes
    from .growth import growth_table

    out: dict[str, pd.DataFrame] = {}
    years = {y for y in evaluation.panel.years if y is not None}
    if len(years) >= 2:
        nodes = table_nodes(evaluation, scope)
        out["changes"] = changes(evaluation, nodes=nodes, populations=populations)
        out["growth_yoy"] = growth_table(evaluation, nodes)
    out["disparity"] = disparity(evaluation, populations=populations)
    if evaluation.panel.has_parents:
        out["disparity_groups"] = disparity_groups(evaluation, populations=populations)
    if tier_config(evaluation.framework) is not None:
        out["tiers"] = tiers(evaluation, populations=populations, lang=lang)
    return out
