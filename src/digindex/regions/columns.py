"""Resolve many unit names at once: infer their level, then look each distinct name up once.

The level of a column of names is inferred from the names themselves: the level at which
most of them name a unit (31 names that are all provinces -> province). A name is then
looked up at that level first, so a province wins over a same-named city or county
(吉林 -> 吉林省, 海南 -> 海南省 in a provincial panel); a name with no unit at that level is
looked up at any level (a province's own row in a county panel). Given a level instead
(``--level``), every name must be a unit of that level.

A name may come with a context: the code prefix of the region it lies in, from a
province or city column beside it (朝阳区 with 北京 is 110105, with 长春 220104).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import InputError, Problem
from .registry import Region, Registry, is_country, level_name, registry as _registry
from .resolve import MAX_SUGGESTED, lookup

ORDER = ("province", "prefecture", "county")


@dataclass
class Name:
    """One distinct name to resolve, where it first occurs and how often."""

    text: str
    within: str = ""     # code prefix of its context region ('' for none)
    where: dict = field(default_factory=dict)  # file, sheet, row, column of its first occurrence
    count: int = 1

    @property
    def key(self) -> tuple[str, str]:
        return self.within, self.text


@dataclass
class Resolution:
    """The codes of the names that resolved, the level used and every problem."""

    codes: dict[tuple[str, str], str]
    level: str | None
    inferred: bool
    problems: list[Problem]


def blank(text: str) -> bool:
    return text == "" or text.lower() == "nan"


def candidates(reg: Registry, text: str, within: str, prefix: str, level: str | None,
               strict: bool = False) -> list[Region]:
    """The units ``text`` may name: at ``level`` first, then (unless ``strict``) at any level;
    within its context first, then anywhere in the scope (``prefix``)."""
    for where in dict.fromkeys((within or prefix, prefix)):
        if level is not None:
            found = reg.find(text, within=where, level=level)
            if found:
                return found
        found = [] if strict and level is not None else reg.find(text, within=where)
        if found:
            return found
    return []


def infer_level(names: Iterable[Name | str], prefix: str = "", registry: Registry | None = None
                ) -> str | None:
    """The level at which most names name a unit (None if no name does, or on a tie)."""
    reg = registry or _registry()
    counts: Counter = Counter()
    for name in names:
        name = name if isinstance(name, Name) else Name(str(name))
        if blank(name.text) or is_country(name.text):
            continue
        found = reg.find(name.text, within=name.within or prefix)
        counts.update({r.level for r in found})
    if not counts:
        return None
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def resolve_names(names: list[Name], *, prefix: str = "", level: str | None = None,
                  registry: Registry | None = None, explain: bool = True) -> Resolution:
    """Resolve every name (see the module docstring); problems are collected, not raised.

    ``level`` given: only units of that level match. Otherwise the level is inferred.
    ``explain=False`` leaves out names that do not name one unit, without problems (nor
    did-you-mean searches, nor renamed units).
    """
    reg = registry or _registry()
    given = level_name(level)
    lv = given or infer_level(names, prefix, reg)
    codes: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for name in names:
        if blank(name.text):
            problems.append(Problem("empty region", fix="fill in a code or name, or delete the row",
                                    **name.where))
            continue
        found = candidates(reg, name.text, name.within, prefix, lv, strict=given is not None)
        if len(found) == 1:
            codes[name.key] = found[0].code
            continue
        if not explain:
            continue
        try:  # the lookup explains the failure (or follows a renamed unit)
            region = lookup(name.text, within=name.within or prefix,
                            level=given or (lv if found and any(r.level == lv for r in found) else None),
                            registry=reg, where=name.where, suggestions=len(problems) < MAX_SUGGESTED)
            codes[name.key] = region.code
        except InputError as exc:
            more = name.count - 1
            levels = len({r.level for r in found}) > 1
            for p in exc.problems:
                msg = p.message + (f" (and {more} more rows)" if more else "")
                fix = (p.fix or "") + ("; or say which level the units are (--level province, "
                                       "city or county)" if levels else "")
                problems.append(Problem(msg, p.file, p.sheet, p.row, p.column, p.line, fix or None))
    return Resolution(codes, lv, given is None, problems)


def distinct_names(values, *, file=None, sheet=None, column="unit", row_offset: int = 2,
                   within: list[str] | None = None) -> list[Name]:
    """The distinct (context, text) pairs of a column, with their first row and count."""
    seen: dict[tuple[str, str], Name] = {}
    for i, v in enumerate(values):
        text = "" if v is None else str(v).strip()
        ctx = within[i] if within is not None else ""
        item = seen.get((ctx, text))
        if item is None:
            seen[(ctx, text)] = Name(text, ctx, {"file": file, "sheet": sheet, "row": i + row_offset,
                                                 "column": column})
        else:
            item.count += 1
    return list(seen.values())


def resolve_column(values: Iterable, *, file: str | None = None, column: str = "unit",
                   sheet: str | None = None, row_offset: int = 2, province=None, city=None,
                   level: str | None = None, registry: Registry | None = None,
                   within: str | None = None) -> list[str]:
    """Codes for a data column of codes or names, in order.

    Each distinct value is looked up once. Without ``level`` the column's level is
    inferred (see :func:`infer_level`). ``province`` / ``city`` (by code or name) or
    ``within`` (a code prefix) limit the search. Every unknown, ambiguous or retired
    value is reported together in one InputError, each naming ``file``, its first row
    (``row_offset`` is the spreadsheet row of the first value) and ``column``. Old codes
    or names of renamed or merged units resolve to their successor with a
    :class:`~digindex.regions.RegionChangeWarning`.
    """
    from .resolve import scope_prefix

    reg = registry or _registry()
    values = list(values)
    prefix = within if within is not None else scope_prefix(reg, province, city)
    names = distinct_names(values, file=file, sheet=sheet, column=column, row_offset=row_offset)
    result = resolve_names(names, prefix=prefix, level=level, registry=reg)
    if result.problems:
        raise InputError(result.problems)
    return [result.codes[("", "" if v is None else str(v).strip())] for v in values]
