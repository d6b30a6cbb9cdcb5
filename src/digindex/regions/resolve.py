"""Look units up by code or name, and resolve data columns of codes or names to codes.

Errors are :class:`~digindex.errors.InputError` subclasses, so the command line
reports them like any other bad input: ambiguous names list every candidate,
unknown names suggest the closest ones (difflib), retired codes and names say
what became of the unit (:mod:`digindex.regions.changes`).
"""
from __future__ import annotations

import difflib
import warnings
from ..errors import InputError, Problem
from .changes import RegionChange, change_for
from .names import key, to_pinyin
from .registry import (LEVEL_WORDS, Region, Registry, is_country, level_name, normalise_code,
                       registry as _registry)


MAX_SUGGESTED = 20  # did-you-mean searches per column (each scans every name)


class RegionChangeWarning(UserWarning):
    """An old code or name was mapped to its current successor."""


class AmbiguousRegion(InputError):
    """A name matches several units; ``candidates`` lists them."""

    def __init__(self, problem: Problem, candidates: list[Region]):
        super().__init__(problem)
        self.candidates = candidates


class UnknownRegion(InputError):
    """No unit matches; ``suggestions`` lists the closest names."""

    def __init__(self, problem: Problem, suggestions: list[Region]):
        super().__init__(problem)
        self.suggestions = suggestions


def scope_prefix(reg: Registry, province=None, city=None) -> str:
    """The code prefix of the scope given by ``province`` and/or ``city`` ('' for none)."""
    prefix = ""
    if province is not None:
        prefix = lookup(province, registry=reg, level="province").code
    if city is not None:
        found = lookup(city, registry=reg, level="prefecture", province=province)
        prefix = found.code
    return prefix


def _scope_text(province, city) -> str:
    parts = [f"province {province}" if province is not None else "",
             f"city {city}" if city is not None else ""]
    text = ", ".join(p for p in parts if p)
    return f" in {text}" if text else ""


def lookup(query, *, province=None, city=None, level: str | None = None,
           registry: Registry | None = None, where: dict | None = None,
           suggestions: bool = True, within: str | None = None) -> Region:
    """The one unit that ``query`` names.

    ``query`` is a code (330483, "330483", 330400), a Chinese name with or without its
    suffix (桐乡市, 桐乡; 新疆, 内蒙古 for the autonomous regions), pinyin or an English
    name (Tongxiang, tongxiang city, Xinjiang, Inner Mongolia, Tibet), case-insensitive.
    ``province`` / ``city`` restrict the search (by code or name); ``within`` is a code
    prefix ('' for the whole country) that does the same for callers that resolved the
    scope already. ``level`` is province, prefecture (or city) or county: only units of
    that level match, so ``lookup('吉林', level='province')`` is 吉林省. ``where`` (file,
    row, column) is added to error messages; ``suggestions=False`` skips the did-you-mean
    search.
    """
    reg = registry or _registry()
    where = where or {}
    prefix = scope_prefix(reg, province, city) if within is None else within
    lv = level_name(level)
    found = reg.find(query, within=prefix, level=lv)
    if len(found) == 1:
        return found[0]
    scope = _scope_text(province, city) or (f" in {reg.describe(reg[prefix])}" if prefix else "")
    if found:
        names = "; ".join(reg.describe(r) for r in found)
        raise AmbiguousRegion(Problem(
            f"{query!r} matches {len(found)} units{scope}: {names}",
            fix="write the unit's code, or give its province or city (e.g. a 'parent', 城市 or 所属市 column "
                "or the province/city option)", **where), found)
    change = change_for(query)
    if change is not None and all(c.startswith(prefix) for c in change.successors):
        return _follow_change(reg, query, change, where)
    if is_country(query):
        raise UnknownRegion(Problem(
            f"{query!r} names the whole country, not one of its units",
            fix="delete the national-total row (units are provinces, cities or counties); "
                "to resolve names across China use --units-in 全国", **where), [])
    if lv is not None:
        other = reg.find(query, within=prefix)
        if other:
            names = "; ".join(f"{reg.describe(r)}, {LEVEL_WORDS[r.level]}" for r in other)
            raise UnknownRegion(Problem(
                f"{query!r} is not {LEVEL_WORDS[lv]}{scope}: it is {names}",
                fix=f"correct the name, or drop the level ({lv}) to take units of any level",
                **where), other)
    close = suggest(query, reg, prefix, lv) if suggestions else []
    if close:
        fix = "did you mean " + " or ".join(reg.describe(r) for r in close) + "?"
    else:
        fix = "use the GB/T 2260 code or the unit's Chinese name (see docs/regions.md)"
    digits = str(query).strip().split(".")[0]
    if digits.isdigit() and normalise_code(query) is None:
        message = f"{query!r} is not a GB/T 2260 code (codes have 2, 4 or 6 digits)"
    else:
        kind = "code" if digits.isdigit() else "region"
        message = f"unknown {kind} {query!r}{scope}"
    raise UnknownRegion(Problem(message, fix=fix, **where), close)


def _follow_change(reg: Registry, query, change: RegionChange, where: dict) -> Region:
    successors = [reg.get(c) for c in change.successors]
    if change.successor is None:
        names = " and ".join(reg.describe(r) for r in successors if r)
        raise InputError(Problem(
            f"{query!r} no longer exists ({change.year}): {change.note}",
            fix=f"split its data between {names}, or assign it to one of them explicitly",
            **where))
    region = successors[0]
    warnings.warn(RegionChangeWarning(
        f"{query!r} is the old {change.old_name} ({change.old_code}); read as "
        f"{reg.describe(region)}. {change.note}"), stacklevel=3)
    return region


def suggest(query, reg: Registry | None = None, prefix: str = "", level: str | None = None,
            n: int = 3, cutoff: float = 0.6) -> list[Region]:
    """The units whose names are closest to ``query`` (difflib ratios).

    A Chinese query is also compared by its pinyin, so a wrong character with the
    right sound (桐相 for 桐乡) finds the unit.
    """
    reg = reg or _registry()
    code = normalise_code(query) or (str(query).strip() if str(query).strip().isdigit() else None)
    if code is not None:  # a mistyped code: compare with the codes of the same length
        codes = [r.code for r in reg if r.code.startswith(prefix) and len(r.code) == len(code)
                 and (level is None or r.level == level)]
        def prefix_len(c: str) -> int:
            return next((i for i, (a, b) in enumerate(zip(c, code)) if a != b), len(code))
        near = [c for c in codes if prefix_len(c) >= len(code) - 2]
        near.sort(key=lambda c: (-prefix_len(c), abs(int(c) - int(code)), c))
        return [reg[c] for c in near[:n]]
    keys = reg.keys_within(prefix, level)
    q = key(query)
    probes = [q]
    if any("\u4e00" <= ch <= "\u9fff" for ch in q):
        probes.append(key(to_pinyin(q)))
    best: dict[str, tuple[float, float]] = {}
    matcher = difflib.SequenceMatcher()
    for k, codes in keys.items():
        matcher.set_seq2(k)
        ratios = []
        for p in probes:
            matcher.set_seq1(p)
            ok = matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
            ratios.append(matcher.ratio() if ok else 0.0)
        # rank by the best ratio; ties go to the closest in the query's own script
        if max(ratios) >= cutoff:
            for code in codes:
                old = best.get(code, (0.0, 0.0))
                best[code] = (max(old[0], max(ratios)), max(old[1], ratios[0]))
    ranked = sorted(best, key=lambda c: (-best[c][0], -best[c][1], c))
    out = [reg[c] for c in ranked]
    return out[:n]
