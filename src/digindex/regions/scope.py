"""The scope of a resolution: the whole country, or one province, city or county.

``--units-in`` names it: 全国 / 中国 / China / CN for the whole country, or any region by
code or name (浙江, 33, 嘉兴, Xinjiang ...). Unit names in data files are then looked up
among the units of the scope (its code prefix).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError, Problem
from .registry import Region, Registry, is_country, registry as _registry
from .resolve import lookup

COUNTRY = "全国"


@dataclass(frozen=True)
class Scope:
    """Where unit names are looked up: ``region`` None means the whole country."""

    region: Region | None = None

    @property
    def prefix(self) -> str:
        """The code prefix of the units in scope ('' for the whole country)."""
        return self.region.code if self.region else ""

    @property
    def label(self) -> str:
        """全国, or the region's name."""
        return self.region.name if self.region else COUNTRY

    @property
    def option(self) -> str:
        """How to write this scope on the command line (--units-in ...)."""
        return self.region.short_name if self.region else COUNTRY

    def __contains__(self, code: str) -> bool:
        return str(code).startswith(self.prefix)


def parse_scope(text, registry: Registry | None = None, option: str = "--units-in") -> Scope:
    """The scope named by ``text``: a name of the country, or a region by code or name.

    A region that is ambiguous (吉林: the province or its city) is read at the highest
    level it names (吉林省); write the code to choose another.
    """
    reg = registry or _registry()
    if isinstance(text, Scope):
        return text
    if is_country(text):
        return Scope(None)
    try:
        return Scope(lookup(text, registry=reg))
    except InputError as exc:
        for level in ("province", "prefecture", "county"):
            found = reg.find(text, level=level)
            if len(found) == 1:
                return Scope(found[0])
        raise InputError([Problem(f"{option}: {p.message}",
                                  fix=(p.fix + " " if p.fix else "") + "(or 全国 for the whole country)")
                          for p in exc.problems]) from None


def common_scope(codes, registry: Registry | None = None) -> Scope:
    """The narrowest province or city that holds every code (the whole country if none)."""
    reg = registry or _registry()
    codes = [str(c) for c in codes]
    if not codes:
        return Scope(None)
    for length in (4, 2):
        head = codes[0][:length]
        if len(codes[0]) >= length and all(c.startswith(head) for c in codes) and head in reg:
            return Scope(reg[head])
    return Scope(None)
