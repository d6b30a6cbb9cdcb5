"""Tier maps of a population: the units coloured by tier at any node, with a legend (used by the
bulletin's maps and the profile's locator map).

Tiers are the framework's ``tiers`` (applied to the node shown; by quantile or score as
configured), or tiers by the cumulative shares 20 %, 50 % and 80 % of the ranking when the framework
has none, computed by :func:`digindex.analytics.tiers`.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..analytics import tiers
from ..analytics.tiers import TierConfig, default_label, tier_config
from ..i18n import text
from . import maps
from .charts import data_uri
from .document import Image
from .population import Population, label, names

DEFAULT_CUTS = (0.2, 0.5, 0.8)


def _rows(ev, year):
    return np.flatnonzero(np.asarray(ev.panel.years, dtype=object) == year)


def _tier_config(ev, node=None) -> TierConfig:
    """The framework's tiers at ``node`` (default its own node); quartile-like cuts when it has none."""
    config = tier_config(ev.framework)
    if config is None:
        config = TierConfig(node=ev.framework.tree.id, by="quantile", cuts=DEFAULT_CUTS,
                            labels=tuple(default_label(k) for k in range(1, len(DEFAULT_CUTS) + 2)))
    return config if node is None else replace(config, node=node)


def map_labels(ev, units, lang) -> dict:
    """Short names for map labels: 嘉兴 / Jiaxing for registry units, else the unit's name."""
    known = ev.panel.regions()
    out = {}
    for u in map(str, units):
        region = known.get(u)
        if region is None:
            out[u] = names(ev, u, "zh" if lang != "en" else "en")
        else:
            out[u] = region.short_name if lang != "en" else region.pinyin
    return out


_BASES: dict = {}  # the last few map bases (their paths are reused by the next profile of the population)


def population_base(ev, pop: Population, year, lang, geometry=None, cache=None, units=None, extent=None):
    """The :class:`~digindex.reports.maps.MapBase` of the population's units in ``year`` (or of
    ``units`` within ``extent``); None without boundaries."""
    if units is None:
        units = np.asarray(ev.panel.units, dtype=object)[_rows(ev, year)]
    units = tuple(sorted(map(str, units)))
    extent = pop.extent if extent is None else extent
    labels = map_labels(ev, units, lang)
    if geometry is not None:
        return maps.map_base(units, pop.level, extent, geometry=geometry, cache=cache, labels=labels)
    key = (units, pop.level, extent, str(cache), tuple(sorted(labels.items())))
    if key not in _BASES:
        while len(_BASES) >= 4:
            _BASES.pop(next(iter(_BASES)))
        _BASES[key] = maps.map_base(units, pop.level, extent, cache=cache, labels=labels)
    return _BASES[key]


def node_map(ev, pop: Population, node, year, lang, base=None, geometry=None, cache=None, highlight=None,
             caption=None) -> Image | None:
    """A tier map of ``node``'s scores in ``year`` (tier 1 darkest, with its legend); None without boundaries."""
    base = base or population_base(ev, pop, year, lang, geometry, cache)
    if base is None:
        return None
    cl = "en" if lang == "en" else "zh"
    config = _tier_config(ev, node)
    t = tiers(ev, config=config)
    t = t[t["year"] == year]
    by_unit = {str(u): int(k) for u, k in zip(t["unit"], t["tier"]) if pd.notna(k)}
    highlight_label = names(ev, highlight, cl) if highlight is not None else None
    fig = maps.tier_map(base, by_unit, [config.label(k, cl) for k in range(1, len(config.cuts) + 2)],
                        f"{label(ev, node, cl)} {year}", text("tier", cl), missing_label=text("no_data", cl),
                        inset_label=text("south_china_sea", cl), highlight=highlight, highlight_label=highlight_label)
    return Image(data_uri(fig, dpi=110, tight=True), caption or label(ev, node, lang),
                 f"map:{pop.level or 'units'}:{node}")


__all__ = ["node_map", "population_base", "map_labels", "DEFAULT_CUTS"]
