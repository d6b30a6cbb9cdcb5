"""Zhejiang's 11 cities and 90 county-level units for the web app, with search keys.

Search matches Chinese names (full or short), pinyin (``tongxiang``), pinyin of the full
name, initials (``tx``) and the GB/T 2260 code, case-insensitively.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

PROVINCE = "33"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    name_en: str
    short: str
    pinyin: str
    initials: str
    parent: str
    level: str   # city | county

    @property
    def population(self) -> str:
        return self.level

    def label(self, lang: str) -> str:
        return self.name if lang == "zh" else self.name_en

    @property
    def keys(self) -> str:
        parts = [self.code, self.name, self.short, self.pinyin, self.name_en, self.initials,
                 self.pinyin.replace("'", "")]
        return " ".join(p.lower() for p in parts)


def _initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(s[:1] for s in lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    from ..regions import registry

    reg = registry()
    out: dict[str, Unit] = {}
    for city in reg.children(PROVINCE):
        out[city.code] = Unit(city.code, city.name, city.name_en, city.short_name, city.pinyin,
                              _initials(city.short_name), PROVINCE, "city")
        for c in reg.children(city.code):
            out[c.code] = Unit(c.code, c.name, c.name_en, c.short_name, c.pinyin, _initials(c.short_name),
                               city.code, "county")
    return out


def get(code) -> Unit | None:
    return units().get(str(code).strip())


def counties(city: str | None = None) -> list[Unit]:
    return [u for u in units().values() if u.level == "county" and (city is None or u.parent == city)]


def cities() -> list[Unit]:
    return [u for u in units().values() if u.level == "city"]


def matches(unit: Unit, query: str) -> bool:
    q = (query or "").strip().lower().replace("'", "").replace(" ", "")
    if not q:
        return True
    return any(q in k.replace("'", "").replace(" ", "") for k in unit.keys.split(" ")) or q in unit.keys
