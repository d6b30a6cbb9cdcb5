"""Published results for the public dashboard and API: one published truth, cached per worker.

**What is published.** A publication is a version of a year: an evaluation run over every
locked year up to that year (:mod:`.evaluation`). It holds the scores, ranks and tiers of
all those years on its one basis. The dashboard, the profile pages, the PDFs, the
downloads and the API all read a publication and nothing else; ``version`` picks an
earlier one (default: the current, i.e. newest, version of the year).

**Year-on-year basis.** A year's change is taken within the publication: both years on the
basis of the publication shown (the evaluation's own change, :func:`digindex.analytics.changes`),
so that it measures the unit's development and not a change of thresholds. Beside it
the previous year's score *as published* (the current version of that year's own
publication) is shown, labelled, so readers can match it with what they saw last year.
The PDF, the Excel download, the page and the API show the same numbers.

A :class:`Snapshot` knows every publication and loads a run's results the first time they
are needed; payloads are built once and memoised. :class:`PublicData` swaps in a new
snapshot when a newer publication exists: publishing in this worker clears the cache at
once; other workers notice within ``cache_ttl_s`` seconds (one cheap ``max(id)`` query).
"""
from __future__ import annotations

import json
import threading
import time

import pandas as pd
from sqlalchemy import func, select

from .. import formatting
from . import indicators, profiles, units
from .errors import NotFound
from .messages import t
from .models import EvaluationRun, Publication, RunResult, iso

COLUMNS = ["population", "unit", "year", "node", "level", "score", "rank", "rank_in_parent", "raw", "tier",
           "rank_lo", "rank_hi", "prev_year", "score_change", "rank_change"]
POPULATIONS = ("county", "city")


def _missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _float(x) -> float | None:
    """A stored number as JSON (None when missing)."""
    return None if _missing(x) else float(x)


def _value(x) -> float | None:
    """A reported value as JSON, without float artefacts (822.36, not 822.3600000000001)."""
    return None if _missing(x) else float(f"{float(x):.12g}")


def _int(x) -> int | None:
    return None if _missing(x) else int(x)


EMPTY = pd.DataFrame(columns=COLUMNS)


class RunFrame:
    """The stored results of one run, grouped by (population, year, node) and indexed by unit."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.groups = {k: g.set_index("unit", drop=False).rename_axis(None)
                       for k, g in frame.groupby(["population", "year", "node"], sort=False)} if len(frame) else {}
        self.years = sorted({int(y) for y in frame["year"].unique()}) if len(frame) else []

    def group(self, population: str, year, node: str) -> pd.DataFrame:
        return self.groups.get((population, year, node), EMPTY)

    def row(self, population: str, year, node: str, unit: str):
        g = self.group(population, year, node)
        return g.loc[unit] if unit in g.index else None


class Snapshot:
    """Every publication known at one moment (``generation`` = the newest publication's id)."""

    def __init__(self, generation: int, pubs: dict, db, fw: str):
        self.generation, self.pubs, self.db, self.fw = generation, pubs, db, fw
        self.info = indicators.info(fw)
        self.years = sorted(pubs)
        self._frames: dict[int, RunFrame] = {}
        self._inputs: dict[int, dict] = {}
        self._profiles: dict[tuple, dict] = {}
        self._memo: dict = {}
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    @classmethod
    def load(cls, session, generation: int, db, fw: str) -> "Snapshot":
        pubs: dict[int, list] = {}
        runs = {r.id: r for r in session.execute(select(EvaluationRun.id, EvaluationRun.framework_sha256,
                                                        EvaluationRun.summary)).all()}
        for p in session.scalars(select(Publication).order_by(Publication.year, Publication.version.desc())):
            run = runs.get(p.run_id)
            pubs.setdefault(p.year, []).append({
                "year": p.year, "version": p.version, "run": p.run_id, "note": p.change_note,
                "published_at": iso(p.published_at), "missing": dict(p.missing or {}),
                "framework_sha256": run.framework_sha256 if run else None,
                "software": (run.summary or {}).get("software") if run else None})
        return cls(generation, pubs, db, fw)

    # ---- memo -----------------------------------------------------------------
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

    # ---- publications and their results ------------------------------------------
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None

    def publication(self, year: int | None, version: int | None = None) -> dict:
        """A publication (default: the current version of the latest year), or 404."""
        year = year if year is not None else self.latest_year()
        versions = self.pubs.get(year) if year is not None else None
        if not versions:
            raise NotFound(t("nothing_published") if year is None else t("not_published", year=year))
        if version is None:
            return versions[0]
        for v in versions:
            if v["version"] == version:
                return v
        raise NotFound(t("no_such_version", year=year, version=version))

    def current(self, year: int) -> dict | None:
        return self.pubs.get(year, [None])[0]

    def frame(self, run_id: int) -> RunFrame:
        hit = self._frames.get(run_id)
        if hit is not None:
            return hit
        with self._load_lock:
            if run_id not in self._frames:
                with self.db.read() as s:
                    rows = s.execute(select(*[getattr(RunResult, c) for c in COLUMNS])
                                     .where(RunResult.run_id == run_id)).all()
                self._frames[run_id] = RunFrame(pd.DataFrame(rows, columns=COLUMNS))
            return self._frames[run_id]

    def inputs(self, run_id: int) -> dict:
        """{population: {(unit, year): values}} that the run evaluated."""
        if run_id not in self._inputs:
            with self.db.read() as s:
                raw = s.scalar(select(EvaluationRun.inputs).where(EvaluationRun.id == run_id)) or {}
            self._inputs[run_id] = {pop: {(u, int(y)): dict(v) for u, y, v in recs} for pop, recs in raw.items()}
        return self._inputs[run_id]

    # ---- labels -----------------------------------------------------------------
    def tier_label(self, tier, lang: str) -> str | None:
        from ..analytics import tier_config

        if tier is None:
            return None
        cfg = tier_config(indicators.load(self.fw))
        return cfg.label(int(tier), lang) if cfg else t("tier_n", n=tier).render(lang)

    def basis(self, pub: dict, lang: str) -> dict:
        latest = self.current(pub["year"])
        return {"year": pub["year"], "version": pub["version"], "current": latest["version"] == pub["version"],
                "latest_version": latest["version"],
                "label": t("basis_label", year=pub["year"], version=pub["version"]).render(lang)}

    def _published(self, population: str, year, node: str, unit: str) -> dict | None:
        """The unit's value at ``node`` in ``year`` as that year's current publication shows it."""
        pub = self.current(year) if year is not None else None
        if pub is None:
            return None
        r = self.frame(pub["run"]).row(population, year, node, unit)
        if r is None:
            return None
        return {"year": year, "version": pub["version"], "score": _float(r["score"]), "rank": _int(r["rank"]),
                "tier": _int(r["tier"])}

    # ---- payloads -----------------------------------------------------------------
    def ranking(self, year: int | None, node: str, population: str = "county", lang: str = "zh",
                version: int | None = None) -> dict:
        pub = self.publication(year, version)
        return self.memo(("ranking", pub["year"], pub["version"], node, population, lang),
                         lambda: self._ranking(pub, node, population, lang))

    def _ranking(self, pub: dict, node: str, population: str, lang: str) -> dict:
        year, info = pub["year"], self.info
        rf = self.frame(pub["run"])
        cur, root = rf.group(population, year, node), rf.group(population, year, info.root)
        sizes: dict = {}
        for code in cur["unit"]:
            sizes[units.get(code).parent] = sizes.get(units.get(code).parent, 0) + 1
        rows = []
        for r in cur.sort_values(["rank", "unit"], kind="stable").itertuples(index=False):
            u = units.get(r.unit)
            tier = _int(root.at[r.unit, "tier"]) if r.unit in root.index else None
            prev_year = _int(r.prev_year)
            prev = rf.row(population, prev_year, node, r.unit) if prev_year is not None else None
            published = self._published(population, prev_year, node, r.unit) if prev_year is not None else None
            row = self._unit_fields(u, lang) | {
                "reported": True, "rank": _int(r.rank), "score": _float(r.score),
                "rank_in_parent": _int(r.rank_in_parent), "n_in_parent": sizes.get(u.parent),
                "tier": tier, "tier_label": self.tier_label(tier, lang),
                "rank_lo": _float(r.rank_lo), "rank_hi": _float(r.rank_hi),
                "prev_year": prev_year, "prev_score": _float(prev["score"]) if prev is not None else None,
                "prev_rank": _int(prev["rank"]) if prev is not None else None,
                "score_change": _float(r.score_change), "rank_change": _int(r.rank_change),
                "prev_published": published}
            row["fmt"] = self._fmt(row, lang)
            rows.append(row)
        for code in sorted(pub["missing"].get(population, [])):
            row = self._unit_fields(units.get(code), lang) | {
                "reported": False, "rank": None, "score": None, "rank_in_parent": None, "n_in_parent": None,
                "tier": None, "tier_label": None, "rank_lo": None, "rank_hi": None, "prev_year": None,
                "prev_score": None, "prev_rank": None, "score_change": None, "rank_change": None,
                "prev_published": None}
            row["fmt"] = self._fmt(row, lang)
            rows.append(row)
        return {"year": year, "node": node, "population": population, "version": self.version_dict(pub, lang),
                "basis": self.basis(pub, lang), "rows": rows}

    def _unit_fields(self, u, lang: str) -> dict:
        parent = units.get(u.parent)
        return {"unit": u.code, "name": u.label(lang), "name_zh": u.name, "name_en": u.name_en, "parent": u.parent,
                "parent_name": parent.label(lang) if parent else "", "search": u.search}

    def _fmt(self, row: dict, lang: str) -> dict:
        """The row's numbers as shown (one formatter, the publication's decimals)."""
        info, missing = self.info, formatting.MISSING
        if not row["reported"]:
            return {"rank": missing, "score": t("not_reported").render(lang), "score_change": missing,
                    "prev_score": missing, "prev_published": missing, "prev_published_score": missing,
                    "interval": missing,
                    "rank_in_parent": missing, "tier": missing}
        pp = row.get("prev_published")
        return {"rank": formatting.rank(row["rank"]), "score": info.score(row["score"]),
                "score_change": info.score(row["score_change"], signed=True),
                "prev_score": info.score(row["prev_score"]),
                "prev_published": (t("as_published_value", score=info.score(pp["score"]), year=pp["year"],
                                     version=pp["version"]).render(lang) if pp else missing),
                "prev_published_score": info.score(pp["score"]) if pp else missing,
                "interval": formatting.rank_range(row["rank_lo"], row["rank_hi"]),
                "rank_in_parent": formatting.rank(row["rank_in_parent"], row.get("n_in_parent")),
                "tier": row["tier_label"] or missing}

    def version_dict(self, pub: dict, lang: str) -> dict:
        return {"year": pub["year"], "version": pub["version"], "run": pub["run"], "note": pub["note"],
                "published_at": pub["published_at"], "published_at_local": formatting.timestamp(pub["published_at"]),
                "missing": pub["missing"], "current": self.current(pub["year"])["version"] == pub["version"]}

    def profile(self, code: str, lang: str = "zh", year: int | None = None, version: int | None = None) -> dict:
        u = units.get(code)
        if u is None:
            raise NotFound(t("not_found"))
        years = self.years
        pub = self.publication(year, version)
        return self.memo(("profile", code, pub["year"], pub["version"], lang),
                         lambda: self._profile(u, pub, years, lang))

    def stored_profile(self, run_id: int, population: str, unit: str, year: int) -> dict:
        """The unit's profile as the run stores it (the one builder's, :mod:`.profiles`)."""
        key = (run_id, population, unit, year)
        hit = self._profiles.get(key)
        if hit is None:
            hit = profiles.profile(self.db, run_id, population, unit, year, self.fw)
            with self._lock:
                self._profiles[key] = hit
        return hit

    def _profile(self, u, pub: dict, years: list, lang: str) -> dict:
        """The publication around the unit (versions, basis) and, when it was reported, its profile:
        the builder's content as shown (:func:`.profiles.view`), the year's scores as published
        beside the trend, and ``total``, the headline numbers with the run's rank interval."""
        from .reports import Diverged

        info, year = self.info, pub["year"]
        rf = self.frame(pub["run"])
        parent = units.get(u.parent)
        out = {"unit": u.code, "name": u.label(lang), "name_zh": u.name, "name_en": u.name_en, "level": u.level,
               "parent": u.parent, "parent_name": parent.label(lang) if parent else "", "year": year,
               "years": years, "version": self.version_dict(pub, lang), "basis": self.basis(pub, lang),
               "versions": [self.version_dict(v, lang) for v in self.pubs[year]],
               "reported": rf.row(u.level, year, info.root, u.code) is not None,
               "total": None, "profile": None, "unavailable": None}
        if not out["reported"]:
            return out
        try:
            stored = self.stored_profile(pub["run"], u.level, u.code, year)
        except (Diverged, NotFound):  # an old run the software can no longer reproduce
            out["unavailable"] = t("profile_unavailable").render(lang)
            return out
        published = {r["year"]: self._published(u.level, r["year"], info.root, u.code) for r in stored["trend"]}
        shown = profiles.view(stored, lang, info, published)
        mine = next(r for r in self.ranking(year, info.root, u.level, lang, pub["version"])["rows"]
                    if r["unit"] == u.code)
        out["profile"], out["total"] = shown, _total(shown, mine)
        return out

    def compare(self, year_a: int, year_b: int, node: str, population: str = "county", lang: str = "zh",
                version: int | None = None) -> dict:
        """Two years side by side, both on the basis of ``year_b``'s publication (``version``)."""
        pub = self.publication(year_b, version)
        return self.memo(("compare", year_a, pub["year"], pub["version"], node, population, lang),
                         lambda: self._compare(year_a, pub, node, population, lang))

    def _compare(self, year_a: int, pub: dict, node: str, population: str, lang: str) -> dict:
        info, rf = self.info, self.frame(pub["run"])
        a, b = rf.group(population, year_a, node), rf.group(population, pub["year"], node)
        rows = []
        for code in sorted(set(a.index) | set(b.index) | set(pub["missing"].get(population, []))):
            u = units.get(code)
            sa = _float(a.at[code, "score"]) if code in a.index else None
            sb = _float(b.at[code, "score"]) if code in b.index else None
            ra = _int(a.at[code, "rank"]) if code in a.index else None
            rb = _int(b.at[code, "rank"]) if code in b.index else None
            # the difference of two published scores, at the publication's precision
            change = (round(round(sb, info.score_decimals) - round(sa, info.score_decimals), info.score_decimals)
                      if sa is not None and sb is not None else None)
            published = self._published(population, year_a, node, code)
            row = {"unit": code, "name": u.label(lang), "parent": u.parent, "score_a": sa, "score_b": sb,
                   "rank_a": ra, "rank_b": rb, "score_change": change,
                   "rank_change": ra - rb if ra is not None and rb is not None else None,
                   "published_a": published, "reported_b": code in b.index}
            row["fmt"] = {"score_a": info.score(sa), "score_b": info.score(sb) if code in b.index else
                          t("not_reported").render(lang), "score_change": info.score(change, signed=True),
                          "rank_change": formatting.integer(row["rank_change"], signed=True),
                          "published_a": info.score(published["score"]) if published else formatting.MISSING}
            rows.append(row)
        rows.sort(key=lambda r: (r["rank_b"] is None, r["rank_b"] or 0, r["unit"]))
        return {"year_a": year_a, "year_b": pub["year"], "node": node, "population": population,
                "basis": self.basis(pub, lang), "rows": rows}

    def compare_versions(self, year: int, version_a: int, version_b: int, node: str, population: str = "county",
                         lang: str = "zh") -> dict:
        pa, pb = self.publication(year, version_a), self.publication(year, version_b)
        return self.memo(("versions", year, pa["version"], pb["version"], node, population, lang),
                         lambda: self._compare_versions(pa, pb, node, population, lang))

    def _compare_versions(self, pa: dict, pb: dict, node: str, population: str, lang: str) -> dict:
        """Every unit whose score (as shown), rank or tier moved between two versions, and why."""
        info, year = self.info, pa["year"]
        fa, fb = self.frame(pa["run"]), self.frame(pb["run"])
        ga, gb = fa.group(population, year, node), fb.group(population, year, node)
        ta, tb = fa.group(population, year, info.root), fb.group(population, year, info.root)
        ia, ib = self.inputs(pa["run"]).get(population, {}), self.inputs(pb["run"]).get(population, {})
        method = pa["framework_sha256"] != pb["framework_sha256"]
        software = pa["software"] != pb["software"]
        revised = {u for (u, y) in set(ia) | set(ib) if ia.get((u, y)) != ib.get((u, y))}
        rows = []
        for code in sorted(set(ga.index) | set(gb.index) | set(pa["missing"].get(population, []))
                           | set(pb["missing"].get(population, []))):
            u = units.get(code)
            ra = fa.row(population, year, node, code)
            rb = fb.row(population, year, node, code)
            sa, sb = (info.score(r["score"]) if r is not None else None for r in (ra, rb))
            ka, kb = (_int(r["rank"]) if r is not None else None for r in (ra, rb))
            tia = _int(ta.at[code, "tier"]) if code in ta.index else None
            tib = _int(tb.at[code, "tier"]) if code in tb.index else None
            if (sa, ka, tia) == (sb, kb, tib):
                continue
            reasons = []
            if (ra is None) != (rb is None):
                reasons.append(t("reason_coverage"))
            if code in revised:
                reasons.append(t("reason_own_data"))
            if revised - {code}:
                reasons.append(t("reason_others_data", n=len(revised - {code})))
            if method:
                reasons.append(t("reason_method"))
            if software:
                reasons.append(t("reason_software"))
            rows.append({"unit": code, "name": u.label(lang), "parent": u.parent,
                         "score_a": _float(ra["score"]) if ra is not None else None,
                         "score_b": _float(rb["score"]) if rb is not None else None, "rank_a": ka, "rank_b": kb,
                         "tier_a": tia, "tier_b": tib, "reasons": [r.render(lang) for r in reasons],
                         "reason_keys": [r.key for r in reasons],
                         "fmt": {"score_a": sa or t("not_reported").render(lang),
                                 "score_b": sb or t("not_reported").render(lang),
                                 "rank_a": formatting.rank(ka), "rank_b": formatting.rank(kb),
                                 "tier_a": self.tier_label(tia, lang) or formatting.MISSING,
                                 "tier_b": self.tier_label(tib, lang) or formatting.MISSING}})
        rows.sort(key=lambda r: (r["rank_b"] is None, r["rank_b"] or 0, r["unit"]))
        return {"year": year, "node": node, "population": population, "a": self.version_dict(pa, lang),
                "b": self.version_dict(pb, lang), "method_changed": method, "revised_units": sorted(revised),
                "rows": rows}

    def meta(self, lang: str = "zh") -> dict:
        def build():
            info = self.info
            return {"years": self.years, "latest": self.latest_year(), "root": info.root,
                    "framework": {"id": info.id, "name": info.node_name(info.root, lang)},
                    "score_decimals": info.score_decimals,
                    "nodes": [{"id": info.root, "name": info.node_name(info.root, lang)}]
                    + [{"id": a, "name": info.node_name(a, lang)} for a, _ in info.aspects],
                    "cities": [{"code": c.code, "name": c.label(lang)} for c in units.cities()],
                    "populations": list(POPULATIONS),
                    "versions": {str(y): [self.version_dict(v, lang) for v in vs] for y, vs in self.pubs.items()}}
        return self.memo(("meta", lang), build)


def _total(p: dict, mine: dict) -> dict:
    """The headline numbers of a profile view ``p``: score, ranks, tier and change are the builder's;
    the rank change, the run's rank interval and last year as published are the publication's
    (``mine``, the unit's row of the ranking)."""
    peer, prev, change, tier = p["peer"], p["previous"] or {}, p["change"], p["tier"]
    f = p["fmt"]
    return {"score": p["score"], "rank": p["rank"], "n": p["n"],
            "rank_in_parent": peer["rank"] if peer else None, "n_in_parent": peer["n"] if peer else None,
            "tier": tier["tier"] if tier else None, "tier_label": f["tier"] if tier else None,
            "prev_year": prev.get("year"), "prev_score": prev.get("score"), "prev_rank": prev.get("rank"),
            "score_change": change["score_change"] if change else None, "rank_change": mine["rank_change"],
            "rank_lo": mine["rank_lo"], "rank_hi": mine["rank_hi"], "prev_published": mine["prev_published"],
            "fmt": {"score": f["score"], "rank": f["rank"], "rank_in_parent": f["peer_rank"], "tier": f["tier"],
                    "score_change": change["fmt"]["score_change"] if change else formatting.MISSING,
                    "prev_score": formatting.number(prev.get("score"), p["population"]["digits"]),
                    "prev_published": mine["fmt"]["prev_published"],
                    "prev_published_score": mine["fmt"]["prev_published_score"],
                    "interval": mine["fmt"]["interval"]}}


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
                    self._snap = Snapshot.load(s, gen, self.db, self.settings.framework)
            self._checked = time.monotonic()
            return self._snap
