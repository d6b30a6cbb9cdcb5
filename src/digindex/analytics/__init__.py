"""Panel and regional analytics built on an :class:`~digindex.engine.result.Evaluation`.

- :func:`changes`, :func:`movers`: year-on-year change in score and rank, biggest movers;
- :func:`indicator_yoy`, :func:`indicator_cagr`: growth of raw indicator values;
- :func:`tiers`, :func:`top_n`: tiers (梯队) from the framework's ``tiers`` key, top-N lists;
- :func:`disparity`, :func:`disparity_groups`: CV, Gini, Theil T with its
  between/within-parent decomposition; :func:`cv`, :func:`gini`, :func:`theil`,
  :func:`theil_decomposition` on plain arrays.

Every function returns a tidy DataFrame; :func:`regional_tables` gathers the
default set for export.

The names are imported on first use: reading a framework imports :mod:`.tiers` (it owns the
``tiers:`` key) without pandas.
"""
from __future__ import annotations

from ..lazy import lazy_module, lazy_names

pd = lazy_module("pandas", globals())

_WHERE = {
    "changes": ".changes", "movers": ".changes",
    **{name: ".disparity" for name in ("cv", "disparity", "disparity_groups", "gini", "theil",
                                       "theil_decomposition")},
    "growth_rate": ".growth", "indicator_cagr": ".growth", "indicator_yoy": ".growth",
    **{name: ".tiers" for name in ("TierConfig", "parse_tiers", "tier_config", "tier_problems", "tiers",
                                   "top_n")},
}

__all__ = [
    "changes", "movers", "indicator_yoy", "indicator_cagr", "growth_rate", "tiers", "top_n",
    "TierConfig", "parse_tiers", "tier_config", "tier_problems", "disparity", "disparity_groups",
    "cv", "gini", "theil", "theil_decomposition", "regional_tables", "TABLES",
]

__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())


TABLES = ("changes", "growth_yoy", "disparity", "disparity_groups", "tiers")  # regional_tables' stems


def regional_tables(evaluation, lang: str = "en", populations=None, scope: str = "aspects",
                    tables=TABLES) -> dict[str, pd.DataFrame]:
    """The default analytics of an evaluation, by file stem, ready to export.

    ``changes`` (change in score and rank) and ``growth_yoy`` (growth of the score; of the
    raw value for indicators) for the nodes of ``scope`` (the root and the aspects by default,
    every node with ``all``: :func:`.changes.table_nodes`), ``disparity`` and, with parents,
    ``disparity_groups`` (root node), and ``tiers`` when the framework has a ``tiers`` key.
    Tables that do not apply (one year only, no parents, no tiers) are left out; so are those
    not in ``tables`` (a caller may make some before the others). In the order of TABLES.
    """
    from .changes import changes, table_nodes
    from .disparity import disparity, disparity_groups
    from .growth import growth_table
    from .tiers import tier_config, tiers

    out: dict[str, pd.DataFrame] = {}
    years = {y for y in evaluation.panel.years if y is not None}
    if len(years) >= 2:
        nodes = table_nodes(evaluation, scope)
        if "changes" in tables:
            out["changes"] = changes(evaluation, nodes=nodes, populations=populations)
        if "growth_yoy" in tables:
            out["growth_yoy"] = growth_table(evaluation, nodes)
    if "disparity" in tables:
        out["disparity"] = disparity(evaluation, populations=populations)
    if evaluation.panel.has_parents and "disparity_groups" in tables:
        out["disparity_groups"] = disparity_groups(evaluation, populations=populations)
    if tier_config(evaluation.framework) is not None and "tiers" in tables:
        out["tiers"] = tiers(evaluation, populations=populations, lang=lang)
    return out
