"""The evaluated framework as the web app sees it: aspects, indicators, their rules, value checks.

Each indicator carries the rules of ``indicator_rules.yaml`` (see that file): the decimals it
is shown with, the range outside which a value is refused, and the plausibility bounds
(:mod:`.plausibility`) beyond which a value needs an explanation. Texts are catalogue
messages (:func:`~digindex.web.messages.t`), shown in the page's language.
"""
from __future__ import annotations

import math
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import formatting
from ..framework.model import text_in
from .messages import Msg, t

RULES_FILE = Path(__file__).resolve().parent / "indicator_rules.yaml"
_LOCK = threading.RLock()  # the method registry is filled on first use: load frameworks one at a time
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# The framework's units of measure in both languages (units not listed are shown as written).
UNIT_TEXTS = {
    "connections per 100 residents": t("uom_connections_per_100"),
    "enterprises per 10,000 residents": t("uom_enterprises_per_10k"),
    "index": t("uom_index"),
    "parcels per resident": t("uom_parcels_per_resident"),
    "per 100 employees": t("uom_per_100_employees"),
    "per 100 enterprises": t("uom_per_100_enterprises"),
    "platforms": t("uom_platforms"),
    "stations/km²": t("uom_stations_km2"),
    "transactions per resident": t("uom_transactions_per_resident"),
    "users per 100 residents": t("uom_users_per_100"),
    "working days": t("uom_working_days"),
    "yuan per resident": t("uom_yuan_per_resident"),
}


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
    decimals: int = 2
    yoy: float | None = None
    peer_z: float | None = None
    peer_scale: str = "linear"

    def label(self, lang: str) -> str:
        return text_in(self.name, lang, self.id)

    @property
    def unit_text(self) -> Msg | str:
        return UNIT_TEXTS.get(self.unit, self.unit)

    def unit_label(self, lang: str) -> str:
        u = self.unit_text
        return u.render(lang) if isinstance(u, Msg) else u

    def show(self, value) -> str:
        """``value`` with this indicator's decimals and thousands separators."""
        return formatting.number(value, self.decimals)

    def range_text(self) -> str:
        lo = "" if self.lo is None else formatting.exact(self.lo)
        hi = "" if self.hi is None else formatting.exact(self.hi)
        return f"[{lo}, {hi}]" if self.hi is not None else f"≥ {lo}"

    def hint(self, lang: str = "zh") -> str:
        better = t("higher_is_better") if self.direction > 0 else t("lower_is_better")
        yoy = t("hint_yoy", share=formatting.percent(self.yoy, 0)) if self.yoy is not None else ""
        return t("hint", unit=self.unit_text, range=self.range_text(), better=better, yoy=yoy).render(lang)


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
    score_decimals: int = 2   # the framework's publication precision (``publish: {decimals: N}``)
    peer_min: int = 10

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def indicator(self, iid: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == iid), None)

    def node_name(self, node: str, lang: str) -> str:
        return text_in(self.names.get(node), lang, node)

    def score(self, value, signed: bool = False) -> str:
        """A published score (or change of score) as text, at the publication precision."""
        return formatting.number(value, self.score_decimals, signed=signed)


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
        return _info(name, os.environ.get("DIGINDEX_WEB_INDICATOR_RULES") or str(RULES_FILE))


def publish_decimals(fw) -> int:
    """The decimals a framework publishes its scores with (``publish: {decimals: N}``), default 2."""
    spec = fw.settings.get("publish")
    d = getattr(spec, "decimals", None)
    if d is None and isinstance(spec, dict):
        d = spec.get("decimals")
    return 2 if d is None else int(d)


def number(v) -> float | None:
    return None if v is None else float(v)


def read_rules(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as f:
        rules = yaml.safe_load(f) or {}
    return {"defaults": rules.get("defaults") or {}, "units": rules.get("units") or {},
            "indicators": rules.get("indicators") or {}, "peer_min": int(rules.get("peer_min", 10))}


def _rule(rules: dict, leaf) -> dict:
    return {**rules["defaults"], **rules["units"].get((leaf.unit or "").strip(), {}),
            **rules["indicators"].get(leaf.id, {})}


@lru_cache(maxsize=4)
def _info(name: str, rules_path: str) -> FrameworkInfo:
    import hashlib

    fw = load(name)
    rules = read_rules(rules_path)
    aspects, indicators, names = [], [], {}
    for node in fw.tree.walk():
        names[node.id] = dict(node.name or {})
    for aspect in fw.tree.children:
        aspects.append((aspect.id, dict(aspect.name or {})))
        for leaf in aspect.walk():
            if leaf.children:
                continue
            r = _rule(rules, leaf)
            indicators.append(Indicator(leaf.id, aspect.id, dict(leaf.name or {}), leaf.unit or "",
                                        int(leaf.direction or 1), dict(leaf.settings.get("definition") or {}),
                                        number(r.get("min")), number(r.get("max")), int(r.get("decimals", 2)),
                                        number(r.get("yoy")), number(r.get("peer_z")), r.get("peer_scale", "linear")))
    digest = hashlib.sha256(framework_path(name).read_bytes()).hexdigest()
    return FrameworkInfo(fw.id, fw.tree.id, dict(fw.name or {}), tuple(aspects), tuple(indicators), names,
                         dict(fw.levels), digest, publish_decimals(fw), rules["peer_min"])


def parse_number(raw) -> tuple[float | None, Msg | None]:
    """(value, problem) for a cell or form value; empty gives (None, None)."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, t("not_a_number", value=repr(raw))
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
                return None, t("formula_text_refused", char=repr(shown[0]), value=repr(shown))
            return None, t("not_a_number", value=repr(shown))
        value = float(text)
    if not math.isfinite(value):
        return None, t("not_finite")
    return value, None


def check_range(ind: Indicator, value: float | None) -> Msg | None:
    """Why ``value`` is refused for ``ind`` (outside its range), or None."""
    if value is None:
        return None
    if ind.lo is not None and value < ind.lo:
        return t("value_below_min", lo=formatting.exact(ind.lo), unit=ind.unit_text)
    if ind.hi is not None and value > ind.hi:
        return t("value_above_max", hi=formatting.exact(ind.hi), unit=ind.unit_text)
    return None
