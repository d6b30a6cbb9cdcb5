"""Published results for the public dashboard and API, cached per worker.

A :class:`Snapshot` holds the latest published version of every year (one DataFrame) and
memoises the payloads built from it. :class:`PublicData` swaps in a new snapshot when a
newer publication exists: publishing in this worker clears the cache at once; other
workers notice within ``cache_ttl_s`` seconds (one cheap ``max(id)`` query).
"""
from __future__ import annotations

import json
import threading
import time

import pandas as pd
from sqlalchemy import func, select

from . import indicators, units
from .models import Publication, RunResult, iso

COLUMNS = ["population", "unit", "year", "node", "level", "score", "rank", "rank_in_parent", "raw", "tier",
           "rank_lo", "rank_hi"]


def _num(x, digits=None):
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return round(float(x), digits) if digits is not None else int(x)


class Snapshot:
    def __init__(self, generation: int, pubs: dict, frame: pd.DataFrame, fw: str):
        self.generation, self.pubs, self.frame, self.fw = generation, pubs, frame, fw
        self.info = indicators.info(fw)
        self.years = sorted(pubs)
        self._memo: dict = {}
        self._lock = threading.Lock()
        self._index = {k: g for k, g in frame.groupby(["population", "year", "node"], sort=False)} if len(frame) else {}

    @classmethod
    def load(cls, session, generation: int, fw: str) -> "Snapshot":
        pubs: dict[int, list] = {}
        for p in session.scalars(select(Publication).order_by(Publication.year, Publication.version.desc())):
            pubs.setdefault(p.year, []).append({"version": p.version, "run": p.run_id, "note": p.change_note,
                                                "published_at": iso(p.published_at)})
        runs = [v[0]["run"] for v in pubs.values()]
        rows = session.execute(select(*[getattr(RunResult, c) for c in COLUMNS]).where(RunResult.run_id.in_(runs))
                               ).all() if runs else []
        return cls(generation, pubs, pd.DataFrame(rows, columns=COLUMNS), fw)

    def peek(self, key):
        """A memoised payload, or None (never builds: safe on the event loop)."""
        return self._memo.get(key)

    def memo(self, key, build):
        hit = self._memo.get(key)
        if hit is None:
            hit = build()
            with self._lock:
                self._memo[key] = hit
        return hit

    def json(self, key, build) -> bytes:
        return self.memo(("json",) + key, lambda: json.dumps(build(), ensure_ascii=False,
                                                             separators=(",", ":")).encode("utf-8"))

    # ---- lookups ------------------------------------------------------------
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None

    def group(self, population: str, year: int, node: str) -> pd.DataFrame:
        return self._index.get((population, year, node), pd.DataFrame(columns=COLUMNS))

    def tier_label(self, tier, lang: str) -> str | None:
        from ..analytics import tier_config

        if tier is None:
            return None
        cfg = tier_config(indicators.load(self.fw))
        return cfg.label(int(tier), lang) if cfg else f"Tier {tier}"

    def version(self, year: int) -> dict | None:
        return self.pubs.get(year, [None])[0]

    # ---- payloads -----------------------------------------------------------
    def ranking(self, year: int, node: str, population: str = "county", lang: str = "zh") -> list[dict]:
        def build():
            cur = self.group(population, year, node)
            prev_year = max((y for y in self.years if y < year), default=None)
            prev = self.group(population, prev_year, node).set_index("unit") if prev_year else None
            root = self.group(population, year, self.info.root).set_index("unit")
            sizes = {}
            for code in cur["unit"]:
                u = units.get(code)
                sizes[u.parent] = sizes.get(u.parent, 0) + 1
            out = []
            for r in cur.sort_values("rank", kind="stable").itertuples(index=False):
                u, parent = units.get(r.unit), units.get(units.get(r.unit).parent)
                p = prev.loc[r.unit] if prev is not None and r.unit in prev.index else None
                tier = _num(root.at[r.unit, "tier"]) if r.unit in root.index else None
                out.append({
                    "rank": _num(r.rank), "unit": r.unit, "name": u.label(lang), "name_zh": u.name,
                    "name_en": u.name_en, "keys": u.keys, "parent": u.parent,
                    "parent_name": parent.label(lang) if parent else "", "score": _num(r.score, 2),
                    "rank_in_parent": _num(r.rank_in_parent), "n_in_parent": sizes.get(u.parent),
                    "tier": tier, "tier_label": self.tier_label(tier, lang),
                    "rank_lo": _num(r.rank_lo, 1), "rank_hi": _num(r.rank_hi, 1),
                    "prev_score": _num(p["score"], 2) if p is not None else None,
                    "prev_rank": _num(p["rank"]) if p is not None else None,
                    "score_change": (round(float(r.score) - float(p["score"]), 2) if p is not None
                                     and _num(p["score"], 2) is not None and _num(r.score, 2) is not None else None),
                    "rank_change": (int(p["rank"]) - int(r.rank) if p is not None and _num(p["rank"]) is not None
                                    and _num(r.rank) is not None else None)})
            return out
        return self.memo(("ranking", year, node, population, lang), build)

    def profile(self, code: str, lang: str = "zh") -> dict | None:
        u = units.get(code)
        if u is None:
            return None

        def build():
            rows = self.frame[self.frame["unit"] == code]
            years = sorted(int(y) for y in rows["year"].unique())
            parent = units.get(u.parent)
            out = {"unit": code, "name": u.label(lang), "name_zh": u.name, "name_en": u.name_en,
                   "level": u.level, "parent": u.parent, "parent_name": parent.label(lang) if parent else "",
                   "years": {}, "trend": []}
            for y in years:
                yr = rows[rows["year"] == y].set_index("node")
                peers = self.group(u.level, y, self.info.root)["unit"]
                n, n_parent = len(peers), sum(1 for c in peers if units.get(c).parent == u.parent)
                tot = yr.loc[self.info.root] if self.info.root in yr.index else None
                total = None if tot is None else {
                    "score": _num(tot["score"], 2), "rank": _num(tot["rank"]), "n": n,
                    "rank_in_parent": _num(tot["rank_in_parent"]), "n_in_parent": n_parent,
                    "tier": _num(tot["tier"]), "tier_label": self.tier_label(_num(tot["tier"]), lang),
                    "rank_lo": _num(tot["rank_lo"], 1), "rank_hi": _num(tot["rank_hi"], 1)}
                aspects = [{"node": a, "name": self.info.node_name(a, lang),
                            "score": _num(yr.at[a, "score"], 2) if a in yr.index else None,
                            "rank": _num(yr.at[a, "rank"]) if a in yr.index else None,
                            "rank_in_parent": _num(yr.at[a, "rank_in_parent"]) if a in yr.index else None}
                           for a, _n in self.info.aspects]
                inds = [{"node": i.id, "aspect": i.aspect, "name": i.label(lang), "unit": i.unit,
                         "raw": _num(yr.at[i.id, "raw"], 4) if i.id in yr.index else None,
                         "score": _num(yr.at[i.id, "score"], 2) if i.id in yr.index else None,
                         "rank": _num(yr.at[i.id, "rank"]) if i.id in yr.index else None}
                        for i in self.info.indicators]
                out["years"][str(y)] = {"total": total, "aspects": aspects, "indicators": inds,
                                        "version": self.version(y)}
                if total:
                    out["trend"].append({"year": y, "score": total["score"], "rank": total["rank"],
                                         "rank_in_parent": total["rank_in_parent"]})
            return out
        return self.memo(("profile", code, lang), build)

    def compare(self, year_a: int, year_b: int, node: str, population: str = "county", lang: str = "zh") -> list[dict]:
        def build():
            a = self.group(population, year_a, node).set_index("unit")
            b = self.group(population, year_b, node).set_index("unit")
            out = []
            for code in sorted(set(a.index) | set(b.index)):
                u = units.get(code)
                sa = _num(a.at[code, "score"], 2) if code in a.index else None
                sb = _num(b.at[code, "score"], 2) if code in b.index else None
                ra = _num(a.at[code, "rank"]) if code in a.index else None
                rb = _num(b.at[code, "rank"]) if code in b.index else None
                out.append({"unit": code, "name": u.label(lang), "keys": u.keys, "parent": u.parent,
                            "score_a": sa, "score_b": sb, "rank_a": ra, "rank_b": rb,
                            "score_change": round(sb - sa, 2) if sa is not None and sb is not None else None,
                            "rank_change": ra - rb if ra is not None and rb is not None else None})
            return sorted(out, key=lambda r: (r["rank_b"] is None, r["rank_b"] or 0))
        return self.memo(("compare", year_a, year_b, node, population, lang), build)

    def meta(self, lang: str = "zh") -> dict:
        def build():
            return {"years": self.years, "latest": self.latest_year(), "root": self.info.root,
                    "framework": {"id": self.info.id, "name": self.info.node_name(self.info.root, lang)},
                    "nodes": [{"id": self.info.root, "name": self.info.node_name(self.info.root, lang)}]
                    + [{"id": a, "name": self.info.node_name(a, lang)} for a, _ in self.info.aspects],
                    "cities": [{"code": c.code, "name": c.label(lang)} for c in units.cities()],
                    "populations": sorted({p for p, _y, _n in self._index}),
                    "versions": {str(y): v for y, v in self.pubs.items()}}
        return self.memo(("meta", lang), build)


class PublicData:
    """The worker's view of what is published (see the module docstring)."""

    def __init__(self, db, settings):
        self.db, self.settings = db, settings
        self._snap: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._snap, self._checked = None, 0.0

    def fresh(self) -> Snapshot | None:
        """The cached snapshot if it was checked recently (no database access), else None."""
        snap = self._snap
        if snap is not None and time.monotonic() - self._checked < self.settings.cache_ttl_s:
            return snap
        return None

    def snapshot(self) -> Snapshot:
        snap = self.fresh()
        if snap is not None:
            return snap
        with self._lock:
            with self.db.read() as s:
                gen = s.scalar(select(func.max(Publication.id))) or 0
                if self._snap is None or self._snap.generation != gen:
                    self._snap = Snapshot.load(s, gen, self.settings.framework)
            self._checked = time.monotonic()
            return self._snap
