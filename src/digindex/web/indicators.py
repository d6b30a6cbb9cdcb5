"""The evaluated framework as the web app sees it: aspects, indicators, units, value checks.

Value checks (used for uploads and the web form alike):

- errors (the value is refused): not a number, a formula, text that looks like a formula,
  below the indicator's minimum or above its maximum (shares in % lie in [0, 100] unless
  listed in ``RANGES``; growth rates may be negative; everything else is >= 0);
- warnings (the value is kept): a change of more than ``JUMP`` (50 %) from last year.
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..framework.model import text_in

JUMP = 0.5
# Indicators whose range differs from the default of their unit.
RANGES = {
    "online_retail_share": (0.0, 1000.0),   # online retail can exceed retail sales of consumer goods
    "software_rev_cagr": (-100.0, 1000.0),  # a growth rate
}
_LOCK = threading.RLock()  # the method registry is filled on first use: load frameworks one at a time
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Indicator:
    id: str
    aspect: str
    name: dict
    unit: str
    direction: int
    definition: dict
    lo: float | None
    hi: float | None

    def label(self, lang: str) -> str:
        return text_in(self.name, lang, self.id)

    def hint(self, lang: str = "zh") -> str:
        lo = "" if self.lo is None else f"{self.lo:g}"
        hi = "" if self.hi is None else f"{self.hi:g}"
        rng = f"[{lo}, {hi}]" if hi else f">= {lo}"
        if lang == "zh":
            better = "越大越好" if self.direction > 0 else "越小越好"
            return f"数值，单位：{self.unit}；取值范围 {rng}；{better}；与上年相比变化超过50%会提示核对"
        better = "higher is better" if self.direction > 0 else "lower is better"
        return f"a number in {self.unit}; range {rng}; {better}; a change of over 50% from last year is flagged"


@dataclass(frozen=True)
class FrameworkInfo:
    id: str
    root: str
    name: dict
    aspects: tuple            # ((id, name), ...)
    indicators: tuple         # Indicator, framework order
    names: dict               # node id -> {zh, en}
    levels: dict
    sha256: str

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def indicator(self, iid: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == iid), None)

    def node_name(self, node: str, lang: str) -> str:
        return text_in(self.names.get(node), lang, node)


def _range(node) -> tuple[float | None, float | None]:
    if node.id in RANGES:
        return RANGES[node.id]
    if (node.unit or "").strip() == "%":
        return 0.0, 100.0
    return 0.0, None


def framework_path(name: str) -> Path:
    from ..frameworks import builtin_framework_names, builtin_framework_path

    return builtin_framework_path(name) if name in builtin_framework_names() else Path(name)


def load(name: str = "zhejiang"):
    """The :class:`~digindex.Framework` ``name`` (a built-in name or a file), loaded once."""
    with _LOCK:
        return _load(name)


@lru_cache(maxsize=4)
def _load(name: str):
    from .. import load_framework

    return load_framework(framework_path(name))


def info(name: str = "zhejiang") -> FrameworkInfo:
    with _LOCK:
        return _info(name)


@lru_cache(maxsize=4)
def _info(name: str) -> FrameworkInfo:
    import hashlib

    fw = load(name)
    aspects, indicators, names = [], [], {}
    for node in fw.tree.walk():
        names[node.id] = dict(node.name or {})
    for aspect in fw.tree.children:
        aspects.append((aspect.id, dict(aspect.name or {})))
        for leaf in aspect.walk():
            if leaf.children:
                continue
            lo, hi = _range(leaf)
            indicators.append(Indicator(leaf.id, aspect.id, dict(leaf.name or {}), leaf.unit or "",
                                        int(leaf.direction or 1), dict(leaf.settings.get("definition") or {}),
                                        lo, hi))
    digest = hashlib.sha256(framework_path(name).read_bytes()).hexdigest()
    return FrameworkInfo(fw.id, fw.tree.id, dict(fw.name or {}), tuple(aspects), tuple(indicators), names,
                         dict(fw.levels), digest)


def parse_number(raw) -> tuple[float | None, str | None]:
    """(value, problem) for a cell or form value; empty gives (None, None)."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, f"not a number: {raw!r}"
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):  # a missing value read by pandas
            return None, None
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "")
        if text == "":
            return None, None
        if text.endswith("%"):
            text = text[:-1]
        if not _NUMBER.match(text):
            shown = str(raw).strip()[:40]
            if shown.startswith(("=", "+", "-", "@")):
                return None, f"text starting with {shown[0]!r} is refused (it could run as a formula): {shown!r}"
            return None, f"not a number: {shown!r}"
        value = float(text)
    if not math.isfinite(value):
        return None, "not a finite number"
    return value, None


def check_value(ind: Indicator, value: float | None, last: float | None = None
                ) -> tuple[str | None, str | None]:
    """(error, warning) for a parsed value of ``ind`` given last year's value."""
    if value is None:
        return None, None
    if ind.lo is not None and value < ind.lo:
        return f"must be at least {ind.lo:g} ({ind.unit})", None
    if ind.hi is not None and value > ind.hi:
        return f"must be at most {ind.hi:g} ({ind.unit})", None
    if last is not None and last != 0 and abs(value - last) / abs(last) > JUMP:
        return None, f"changed by {100 * (value - last) / abs(last):+.0f}% from last year's {last:g}: please check"
    return None, None
