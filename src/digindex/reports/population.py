"""Who a report speaks about: the population an evaluation ranks, its peer groups, and the words for them.

A report names its units the way an official text does, and the words follow the units:

- **level** (what the units are): provinces 省（区、市）, prefecture cities 设区市 (地级行政区 when some
  are 自治州, 地区 or 盟), counties 县（市、区）; units that are not GB/T 2260 codes of one level are
  地区 / units;
- **extent** (the smallest region holding every unit): the nation (全国), a province (全省; 全区 for an
  autonomous region, 全市 for a municipality) or a city (全市; 全州, 全盟, 全地区); none for units outside
  the registry, which are "全部N个地区" / "N units overall";
- **peers** (the group a unit is also ranked in): the group of a groups file (东部 → 东部地区,
  ``--groups``); else the units' parents when there are several of them (the city of a county: 嘉兴市;
  the province of a city of the nation); else none.

So one narrative template gives "在全国31个省（区、市）中排名第5位", "在东部地区11个省（区、市）中排名
第2位" and "在嘉兴市7个县（市、区）中排名第2位". Every word comes from :mod:`digindex.i18n`.

Peers are the panel's parents: :func:`with_peers` returns the evaluation with the groups in place of
the parents (scores unchanged), so every rank, median and disparity "within parent" of
:mod:`digindex.explain` and :mod:`digindex.analytics` becomes "within group".
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..formatting import score_digits
from ..i18n import langs, text

# the word of an extent (全国, 全省 ...) by the registry type of the region
WHERE_KEY = {"nation": "where_nation", "省": "where_province", "自治区": "where_region",
             "特别行政区": "where_region", "直辖市": "where_municipality", "地级市": "where_city",
             "自治州": "where_prefecture", "盟": "where_league", "地区": "where_district", "other": "where_all"}
# the noun of a level
NOUN_KEY = {"province": "noun_provinces", "prefecture": "noun_cities", "county": "noun_counties", None: "noun_units",
            "prefecture_mixed": "noun_prefectures"}  # cities with 自治州, 地区 or 盟 among them
# group names with a translation (东部 / 东部地区 both)
GROUP_KEY = {"东部": "group_east", "中部": "group_central", "西部": "group_west", "东北": "group_northeast"}
# the headers of a peer group by its kind: rank within, median, gap to the median, the column naming it
PEER_KEYS = {"group": ("rank_in_group", "median_group", "gap_group", "of_group"),
             "province": ("rank_in_province", "median_in_province", "gap_province", "of_province"),
             "city": ("rank_in_city", "median_city", "gap_city", "in_city")}


def both(key: str, **fields) -> dict:
    """``{"zh": ..., "en": ...}`` of a catalogue key: a field that takes each language's value.
    (The reports' one lookup of a computed key: tests/test_i18n.py knows the keys it takes.)"""
    return {lg: text(key, lg, **fields) for lg in ("zh", "en")}


def said(words: dict, lang: str) -> str:
    """``{zh, en}`` words in ``lang``: each language once (a name the same in both shows once)."""
    parts = [words[lg] for lg in langs(lang)]
    return parts[0] if len(set(parts)) == 1 else " ".join(parts)


def unit_names(ev, unit) -> dict:
    """A unit's name ``{zh, en}``: the registry's for GB/T 2260 codes, else the data's."""
    from ..explain._base import name_of

    return {lg: name_of(ev, unit, lg) for lg in ("zh", "en")}


def node_labels(ev, node) -> dict:
    """A node's label ``{zh, en}``."""
    from ..explain._base import node_label

    return {lg: node_label(ev, node, lg) for lg in ("zh", "en")}


def names(ev, unit, lang: str) -> str:
    return said(unit_names(ev, unit), lang)


def label(ev, node, lang: str) -> str:
    return said(node_labels(ev, node), lang)


def points(pop) -> dict:
    """The unit of a score in a sentence: 分 / points on a 0–100 scale, nothing on a 0–1 scale."""
    return both("points_suffix") if pop.hundred else {"zh": "", "en": ""}


def capital(words: dict) -> dict:
    """The English side with a capital letter (for titles)."""
    return {**words, "en": words["en"][:1].upper() + words["en"][1:]}


def heading(units: dict, key: str, lang: str, suffix="", **fields) -> str:
    """``{units}{what}`` in each language: 县（市、区）排名表 / Counties: ranking."""
    def en(t):  # a capital only for a proper name or an acronym
        return t if len(t) > 1 and t[1].isupper() else t[:1].lower() + t[1:]

    what = both(key, **fields)
    parts = [f"{units['zh']}{what['zh']}" if lg == "zh" else f"{units['en']}: {en(what['en'])}" for lg in langs(lang)]
    return " ".join(parts) + (f" {suffix}" if suffix != "" else "")


@dataclass(frozen=True)
class Population:
    """The population of an evaluation: its level, extent and peer groups (see the module doc)."""

    level: str | None          # province | prefecture | county | None (not GB/T 2260 units of one level)
    extent: str | None         # "" the nation, a province or city code, None outside the registry
    extent_type: str           # "nation", the registry type of the extent region, or "other"
    noun_key: str
    peer_kind: str | None      # group | province | city | None
    digits: int                # decimals of a score
    hundred: bool = True       # scores on a 0–100 scale (分 / points in sentences), not 0–1

    # -- words (dicts {zh, en} to pass as fields; text(key, lang) for headers)
    def where(self) -> dict:
        """全国 / 全省 / 全区 ... and "in China" / "in the province" / "overall"."""
        return both(WHERE_KEY.get(self.extent_type, "where_all"))

    def noun(self) -> dict:
        return both(self.noun_key)

    def title(self) -> dict:
        """The units as a title: 县（市、区） / Counties."""
        return capital(self.noun())

    def among(self, n: int) -> dict:
        """全省90个县（市、区） / 90 counties in the province."""
        return both("among_all", where=self.where(), n=n, noun=self.noun())

    def peer_among(self, peer: str, n: int) -> dict:
        """嘉兴市7个县（市、区） / 7 counties in Jiaxing City."""
        return both("among_peer", peer=self.peer_name(peer), n=n, noun=self.noun())

    def peer_name(self, peer) -> dict:
        """A peer group's name: 东部地区 / eastern China, or the parent region's name."""
        if peer is None:
            return {"zh": "", "en": ""}
        if self.peer_kind == "group":
            label = str(peer)
            key = GROUP_KEY.get(label[:-2] if label.endswith("地区") else label)
            return both(key) if key else {"zh": label, "en": label}
        return {lg: region_name(peer, lg) for lg in ("zh", "en")}

    def rank_header(self, lang: str) -> str:
        return text("rank_where", lang, where=self.where())

    def median_header(self, lang: str) -> str:
        return text("median_where", lang, where=self.where())

    def peer_header(self, what: str, lang: str) -> str:
        """``what``: rank, median, gap or column (the header of the column naming the peer group)."""
        keys = PEER_KEYS[self.peer_kind or "group"]
        return said(both(keys[("rank", "median", "gap", "column").index(what)]), lang)

    def peer_noun(self) -> dict:
        """The peer groups as a noun in a sentence: 地区 / region, 所在市 / city."""
        return {"zh": self.peer_header("column", "zh"), "en": self.peer_header("column", "en").lower()}

    def as_dict(self) -> dict:
        return {"level": self.level, "extent": self.extent, "extent_name": (
            {lg: region_name(self.extent, lg) for lg in ("zh", "en")} if self.extent else None),
                "where": self.where(), "noun": self.noun(), "peer_kind": self.peer_kind, "digits": self.digits,
                "hundred": self.hundred}


def region_name(code, lang: str) -> str:
    """A registry region's name (code as it is when unknown)."""
    from ..regions import registry

    region = registry().get(str(code))
    if region is None:
        return str(code)
    return region.name if lang == "zh" else region.name_en


def with_peers(ev, groups: dict | None):
    """``ev`` with ``groups`` ({unit: group}) as its units' parents, scores unchanged (None: ``ev``).

    A re-evaluation (``explain.target_gap``) starts from the original panel, kept as the origin.
    """
    if not groups:
        return ev
    groups = {str(k): str(v) for k, v in groups.items()}
    missing = sorted({str(u) for u in ev.panel.units} - set(groups))
    if missing:
        from ..errors import InputError, Problem

        raise InputError(Problem(f"units without a group: {', '.join(missing[:10])}",
                                 fix="give every unit of the data a group in the groups file"))
    panel = replace(ev.panel, parents=groups, origin=getattr(ev.panel, "origin", None) or ev.panel, digest=None)
    return replace(ev, panel=panel)


def describe(ev) -> Population:
    """The :class:`Population` of an evaluation (after :func:`with_peers`)."""
    from ..regions import registry

    reg = registry()
    units = sorted({str(u) for u in ev.panel.units})
    known = ev.panel.regions()  # the one rule of which units are Chinese regions
    regions = [known.get(u) for u in units]
    chinese = all(r is not None for r in regions)
    levels = {r.level for r in regions} if chinese else set()
    level = levels.pop() if len(levels) == 1 else None
    extent = _extent(units) if chinese else None
    if extent is None:
        extent_type = "other"
    elif extent == "":
        extent_type = "nation"
    else:
        extent_type = reg[extent].type
    noun = NOUN_KEY[level]
    if level == "prefecture" and any(r.type != "地级市" for r in regions):
        noun = NOUN_KEY["prefecture_mixed"]
    return Population(level=level, extent=extent, extent_type=extent_type, noun_key=noun,
                      peer_kind=_peer_kind(ev), digits=decimals(ev), hundred=on_hundred_scale(ev))


def _extent(codes: list[str]) -> str:
    """The deepest region holding every code: a city, a province or "" (the nation)."""
    for length in (4, 2):
        prefixes = {c[:length] for c in codes}
        if len(prefixes) == 1 and all(len(c) > length for c in codes):
            from ..regions import registry

            prefix = prefixes.pop()
            if prefix in registry():
                return prefix
    return ""


def _peer_kind(ev) -> str | None:
    """group, province or city: what the units' parents are (None with fewer than two). Parents
    that are not registry regions (东部, a user's regions) are groups."""
    parents = {ev.panel.parents.get(str(u)) for u in set(ev.panel.units)} - {None}
    if not ev.panel.has_parents or len(parents) < 2:
        return None
    from ..regions import registry

    reg = registry()
    levels = [reg.get(p).level if reg.get(p) is not None else None for p in parents]
    if None in levels:
        return "group"
    return "province" if levels.count("province") > len(levels) / 2 else "city"


def peers_of(ev) -> dict:
    """{unit: its peer group} (empty without peers)."""
    return dict(ev.panel.parents) if _peer_kind(ev) else {}


def rekey(ev, mapping: dict | None, values: bool = False) -> dict | None:
    """``mapping`` keyed by the evaluation's units: a key that is a unit's name rather than its code
    (a geometry or neighbours file written with names) becomes the unit; ``values``: the same for
    the values (lists of units). Other keys stay as they are."""
    if mapping is None:
        return None
    units = {str(u) for u in ev.panel.units}
    by_name = {}
    for u in units:
        for lg in ("zh", "en"):
            by_name.setdefault(unit_names(ev, u)[lg], u)
    for u, n in (ev.panel.names or {}).items():
        by_name.setdefault(str(n), str(u))

    def one(k):
        k = str(k)
        return k if k in units else by_name.get(k, k)

    return {one(k): ([one(x) for x in v] if values else v) for k, v in mapping.items()}


def shown(ev) -> dict:
    """{node: scores per panel row} as the evaluation publishes them (``Evaluation.scores_table``:
    rounded when the framework declares ``publish``), so that every score shown agrees with its rank."""
    store = ev.__dict__.setdefault("_digindex_reports", {})
    if "shown" not in store:
        table = ev.scores_table()
        store["shown"] = {n: table[n].to_numpy(dtype=float) for n in ev.node_order}
    return store["shown"]


def on_hundred_scale(ev) -> bool:
    """Whether the scores go beyond 1 (a 0–100 scale: 分 / points in sentences)."""
    values = [np.asarray(ev.scores[n.id], dtype=float) for n in [ev.framework.tree, *ev.framework.tree.children]]
    finite = np.concatenate([v[np.isfinite(v)] for v in values])
    return bool(finite.size) and float(np.max(np.abs(finite))) > 1 + 1e-9


def decimals(ev) -> int:
    """Decimals of a score: the framework's ``publish: {decimals: N}`` if declared, else by the
    scores' scale (3 for scores within 0–1, 1 for 0–100; :func:`digindex.formatting.score_digits`)."""
    publish = ev.framework.settings.get("publish")
    declared = getattr(publish, "decimals", None)
    if declared is None and isinstance(publish, dict):
        declared = publish.get("decimals")
    if declared is not None:
        return int(declared)
    values = [np.asarray(ev.scores[n.id], dtype=float) for n in [ev.framework.tree, *ev.framework.tree.children]]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    return score_digits(float(np.max(np.abs(finite))) if finite.size else 1.0)


__all__ = ["Population", "describe", "with_peers", "peers_of", "decimals", "region_name", "both", "capital", "heading",
           "said", "names", "label", "unit_names", "node_labels", "points", "rekey", "shown"]
