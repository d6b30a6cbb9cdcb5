"""Zhejiang's 11 cities and 90 county-level units for the web app, and how they are searched.

Search rule (the API's ``q``, the dashboard's search box and :func:`matches`):

1. The query is normalised: Unicode NFKC, lower case, spaces, apostrophes, hyphens and dots
   removed. An empty query matches every unit.
2. Only digits: the query is the start of the GB/T 2260 code (``3304`` finds Jiaxing's units).
3. Any Chinese character: the query is part of the Chinese name (``桐乡``, ``乡市``).
4. Latin letters: the query is the *start* of one of the unit's Latin keys: the pinyin of
   its short name (``tongxiang``), the pinyin of its full name (``tongxiangshi``), its
   English name (``tongxiangcity``), or the initials of its short or full name (``tx``,
   ``txs``). The pinyin is the regions registry's (place-name readings such as 乐清
   Yueqing); initials are the first letters of its syllables.

Only prefixes of whole keys match, never a piece from the middle of one or across two
keys, so ``tx`` finds 桐乡 only, not 西湖区 (whose English name ends in ``…district``) or
萧山区, and ``xiang`` finds no unit whose name merely contains the syllable.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PROVINCE = "33"
_DROP = re.compile(r"[\s'’\-.·]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    name_en: str
    short: str
    pinyin: str
    pinyin_full: str
    initials: str
    initials_full: str
    parent: str
    level: str   # city | county

    @property
    def population(self) -> str:
        return self.level

    def label(self, lang: str) -> str:
        return self.name if lang == "zh" else self.name_en

    @property
    def latin_keys(self) -> tuple[str, ...]:
        """The Latin keys a query may start (see the module docstring)."""
        keys = (self.pinyin, self.pinyin_full, self.name_en, self.initials, self.initials_full)
        return tuple(dict.fromkeys(normalise(k) for k in keys if k))

    @property
    def search(self) -> dict:
        """What the dashboard's script needs to apply the same rule in the browser."""
        return {"code": self.code, "name": self.name, "latin": list(self.latin_keys)}


def normalise(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text or "")).lower())


def _syllables(text: str, pinyin: str) -> list[str]:
    """The syllables of ``text`` read as ``pinyin`` (the registry's, e.g. Yueqing for 乐清)."""
    from pypinyin import Style, pinyin as readings

    target = normalise(pinyin)
    options = [r or [""] for r in readings(text, style=Style.NORMAL, heteronym=True)]

    def search(i: int, pos: int) -> list[str] | None:
        if i == len(options):
            return [] if pos == len(target) else None
        for syl in options[i]:
            if syl and target.startswith(syl, pos):
                rest = search(i + 1, pos + len(syl))
                if rest is not None:
                    return [syl] + rest
        return None

    found = search(0, 0)
    return found if found is not None else [o[0] for o in options]


def _initials(text: str, pinyin: str) -> str:
    return "".join(s[:1] for s in _syllables(text, pinyin))


def _unit(region, parent: str, level: str) -> Unit:
    short_syl = _syllables(region.short_name, region.pinyin)
    full_syl = _syllables(region.name, region.pinyin_full)
    return Unit(region.code, region.name, region.name_en, region.short_name, region.pinyin, region.pinyin_full,
                "".join(s[:1] for s in short_syl), "".join(s[:1] for s in full_syl), parent, level)


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    from ..regions import registry

    reg = registry()
    out: dict[str, Unit] = {}
    for city in reg.children(PROVINCE):
        out[city.code] = _unit(city, PROVINCE, "city")
        for c in reg.children(city.code):
            out[c.code] = _unit(c, city.code, "county")
    return out


def get(code) -> Unit | None:
    return units().get(str(code).strip())


def counties(city: str | None = None) -> list[Unit]:
    return [u for u in units().values() if u.level == "county" and (city is None or u.parent == city)]


def cities() -> list[Unit]:
    return [u for u in units().values() if u.level == "city"]


def matches(unit: Unit, query: str) -> bool:
    """Whether ``query`` finds ``unit`` (the rule of the module docstring)."""
    q = normalise(query)
    if not q:
        return True
    if q.isdigit():
        return unit.code.startswith(q)
    if _HAN.search(q):
        return q in unit.name
    return any(k.startswith(q) for k in unit.latin_keys)
