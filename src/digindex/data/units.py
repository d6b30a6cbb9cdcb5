"""Units named by code or by name, resolved through the region registry.

With ``units_in`` (a province or city, by code or name, e.g. ``33`` or 浙江), a data
file's unit column may hold GB/T 2260 codes, Chinese names with or without suffix
(桐乡 / 桐乡市) or pinyin (Tongxiang): every value becomes its code, an unknown
name gets a "did you mean" error naming the file, row and column, and units without
a parent in the data take their parent from the registry.
"""
from __future__ import annotations

import pandas as pd

from ..errors import InputError, Problem


def scope_of(units_in: str) -> dict:
    """``{"province": ...}`` or ``{"city": ...}`` for a scope given by code or name."""
    from ..regions import lookup

    try:
        region = lookup(units_in)
    except InputError as exc:
        raise InputError([Problem(f"--units-in: {p.message}", fix=p.fix) for p in exc.problems]) from None
    if region.level == "province":
        return {"province": region.code}
    if region.level == "prefecture":
        return {"city": region.code}
    raise InputError(Problem(f"--units-in must be a province or a prefecture city, not {region.name}",
                             fix="give e.g. 33 or 浙江, or 3304 or 嘉兴"))


def resolve_units(unit: pd.Series, scope: dict, file: str, sheet: str | None, column: str,
                  row_offset: int) -> pd.Series:
    """The unit column with every code or name replaced by its GB/T 2260 code."""
    from ..regions.resolve import resolve_column

    codes = resolve_column(unit.tolist(), file=file, sheet=sheet, column=column, row_offset=row_offset,
                           **scope)
    return pd.Series(codes, index=unit.index, dtype=object)


def registry_parents(units) -> dict[str, str]:
    """Each unit's parent code from the registry."""
    from ..regions import registry

    reg = registry()
    return {u: reg[u].parent for u in units if u in reg and reg[u].parent}


def registry_names(units) -> dict[str, str]:
    from ..regions import registry

    reg = registry()
    return {u: reg[u].name for u in units if u in reg}
