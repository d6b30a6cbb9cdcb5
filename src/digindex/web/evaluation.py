"""Evaluation runs on locked data, previews and publication (through digindex's public API).

A run for year ``Y`` evaluates the framework, separately for the county and the city
population, on every *locked* submission of years up to ``Y``: the same evaluation as
``digindex run`` on those rows (:func:`evaluate_records`). Because the built-in framework
pools its thresholds over the years it is given, every year's score depends on the years
in the run; a run therefore stores the results of **every year it covers**, all on its one
basis, with each year's change from the previous one (:func:`digindex.analytics.changes`),
tiers (:func:`digindex.analytics.tiers`) and, for ``Y``, each unit's 90 % rank interval
with ``uncertainty_runs`` > 0. Scores, ranks and tiers are the evaluation's own: the web
never ranks or rounds. It also stores the profile of every unit of ``Y``, built by
``digindex.reports.unit_profile`` from the same evaluation (:mod:`.profiles`), so that the
profile pages and the API show the content of the PDF's builder without evaluating.

Publishing a run makes it version ``n + 1`` of its year; published results are immutable
(enforced by database triggers). Publishing shows the coverage: when units are missing, it
needs ``confirm_missing`` and a note, and the missing units are kept with the publication
(shown as not reported). With the ``four_eyes`` setting a second admin must approve.
A correction is a new run, published as the next version with a change note.
"""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ..version import __version__
from . import indicators, units
from .authz import Principal, require_role
from .errors import Conflict, Invalid, NotFound
from .messages import pair, t
from .models import EvaluationRun, Publication, RunProfile, RunResult, Submission, User, iso, utcnow
from .workflow import audit

DEFAULT_UNCERTAINTY = {"choices": [
    {"id": "aspect_weights", "perturb": "weights", "levels": [2], "noise": 0.25},
    {"id": "aggregation", "step": "aggregate", "alternatives": ["arithmetic", "geometric"]},
]}
POPULATIONS = ("county", "city")


def inputs_frame(records, ind_ids: list[str]) -> pd.DataFrame:
    """(unit, year, values) records as the wide table digindex reads."""
    rows = [{"unit": unit, "parent": units.get(unit).parent, "year": year, **{k: values.get(k) for k in ind_ids}}
            for unit, year, values in records]
    return pd.DataFrame(rows, columns=["unit", "parent", "year", *ind_ids])


def evaluate_records(records, fw_name: str):
    """(framework, panel, evaluation) of (unit, year, values) records: the rows written as the
    CSV ``digindex run`` reads, loaded and evaluated by the same public functions."""
    from .. import InputError, evaluate, load_data

    fw = indicators.load(fw_name)
    df = inputs_frame(records, indicators.info(fw_name).indicator_ids)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "locked_values.csv"
        df.to_csv(path, index=False)
        try:
            panel = load_data([path], framework=fw)
            return fw, panel, evaluate(fw, panel)
        except InputError as exc:
            raise Invalid(t("evaluation_failed"),
                          problems=[{"sheet": "", "cell": "", "problem": str(p).replace(str(path), "locked data")}
                                    for p in exc.problems])


def _intervals(fw, panel, year: int, runs: int) -> dict:
    """unit -> (5th, 95th percentile rank) in ``year`` over ``runs`` replications."""
    from ..uncertainty import problem_from_framework, run_uncertainty

    problem = fw.settings.get("uncertainty") or problem_from_framework(fw, override=DEFAULT_UNCERTAINTY)
    res = run_uncertainty(fw, panel, runs=runs, sensitivity=False, problem=problem, check=False, year=year)
    ranks, codes = np.asarray(res.ranks, dtype=float), list(res.units)
    with warnings.catch_warnings():  # a unit without any score has no interval (NaN)
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(ranks, 5, axis=0), np.nanpercentile(ranks, 95, axis=0)
    return {u: (float(a), float(b)) for u, a, b in zip(codes, lo, hi) if not np.isnan(a)}


def _none(x, cast=float):
    return None if x is None or pd.isna(x) else cast(x)


def result_rows(population: str, fw, panel, ev, year: int, runs: int) -> list[dict]:
    """The rows stored for a run: every (unit, year, node) of the evaluation, year <= ``year``."""
    from ..analytics import changes, tiers

    res = ev.results()
    res = res[res["year"] <= year]
    raw = ev.stage("raw").set_index(["unit", "year"])
    raw_values = {(u, int(y), n): float(v) for (u, y, n), v in raw.stack().items() if not pd.isna(v)}
    tier = {}
    if fw.settings.get("tiers") is not None:
        tt = tiers(ev)
        tier = {(u, int(y)): _none(k, int) for u, y, k in zip(tt["unit"], tt["year"], tt["tier"])}
    ch = changes(ev)
    change = {(u, int(y), n): (int(py), _none(sc), _none(rc, int))
              for u, y, n, py, sc, rc in zip(ch["unit"], ch["year"], ch["node"], ch["prev_year"], ch["score_change"],
                                             ch["rank_change"])}
    intervals = _intervals(fw, panel, year, runs) if runs > 0 else {}
    root = fw.tree.id
    out = []
    for r in res.itertuples(index=False):
        y = int(r.year)
        lo_hi = intervals.get(r.unit) if r.node == root and y == year else None
        prev_year, score_change, rank_change = change.get((r.unit, y, r.node), (None, None, None))
        out.append({"population": population, "unit": r.unit, "year": y, "node": r.node, "level": int(r.level),
                    "score": _none(r.score), "rank": _none(r.rank, int),
                    "rank_in_parent": None if population == "city" else _none(r.rank_in_parent, int),
                    "raw": raw_values.get((r.unit, y, r.node)) if r.level == 1 else None,
                    "tier": tier.get((r.unit, y)) if r.node == root else None,
                    "rank_lo": lo_hi[0] if lo_hi else None, "rank_hi": lo_hi[1] if lo_hi else None,
                    "prev_year": prev_year, "score_change": score_change, "rank_change": rank_change})
    return out


def unit_profiles(population: str, ev, year: int) -> list[dict]:
    """The ``run_profiles`` rows of a run: the profile of every unit with a score in ``year``, as
    ``digindex.reports.unit_profile`` (the one profile builder) gives it (:mod:`.profiles`)."""
    from ..reports import unit_profile

    res = ev.results()
    scored = res[(res["year"] == year) & (res["node"] == ev.framework.tree.id) & res["score"].notna()]
    return [{"population": population, "unit": str(u), "year": year,
             "profile": unit_profile(ev, str(u), year=year).to_dict()} for u in sorted(scored["unit"])]


def run_evaluation(db, p: Principal, year: int, settings, uncertainty_runs: int | None = None) -> int:
    """Evaluate the locked data of years up to ``year``; returns the new (preview) run's id."""
    require_role(p, "admin")
    runs = settings.uncertainty_runs if uncertainty_runs is None else int(uncertainty_runs)
    if not 0 <= runs <= 2000:
        raise Invalid(t("uncertainty_runs_range"))
    info = indicators.info(settings.framework)
    with db.read() as s:
        subs = list(s.scalars(select(Submission).where(Submission.state == "locked", Submission.year <= year)
                              .order_by(Submission.unit, Submission.year)))
    if not any(x.year == year for x in subs):
        raise Invalid(t("no_locked_data", year=year))
    rows, profile_rows, inputs = [], [], {}
    summary = {"populations": {}, "inputs": {str(x.id): x.version for x in subs if x.year == year},
               "uncertainty_runs": runs, "software": __version__}
    for population in POPULATIONS:
        members = [x for x in subs if units.get(x.unit) and units.get(x.unit).level == population]
        if not any(x.year == year for x in members):
            continue
        inputs[population] = [[x.unit, x.year, dict(x.values or {})] for x in members]
        fw, panel, ev = evaluate_records(inputs[population], settings.framework)
        rows.extend(result_rows(population, fw, panel, ev, year, runs))
        profile_rows.extend(unit_profiles(population, ev, year))
        present = {x.unit for x in members if x.year == year}
        expected = {u.code for u in (units.counties() if population == "county" else units.cities())}
        summary["populations"][population] = {
            "units": len(present), "expected": len(expected), "missing": sorted(expected - present),
            "years": sorted({x.year for x in members}),
            "log": [str(e.as_dict().get("message", ""))[:200] for e in ev.log[:20]]}
    with db.write() as s:
        run = EvaluationRun(year=year, status="preview", framework=info.id, framework_sha256=info.sha256,
                            summary=summary, inputs=inputs, created_by=p.id or None, created_at=utcnow())
        s.add(run)
        s.flush()
        s.execute(insert(RunResult), [{**r, "run_id": run.id} for r in rows])
        if profile_rows:
            s.execute(insert(RunProfile), [{**r, "run_id": run.id} for r in profile_rows])
        audit(s, p, "run", "run", run.id, None, None, {"year": year, "rows": len(rows)})
        return run.id


def missing_units(run: EvaluationRun) -> dict:
    return {pop: list(s.get("missing", [])) for pop, s in (run.summary or {}).get("populations", {}).items()
            if s.get("missing")}


def publish(db, p: Principal, run_id: int, change_note: str = "", confirm_missing: bool = False,
            four_eyes: bool = False) -> dict:
    """Publish a preview run as the next version of its year.

    From version 2 on a change note is needed; with units missing, ``confirm_missing`` and a
    note. With ``four_eyes`` the first admin's call records the request (status
    ``requested``) and a second admin's call publishes it. Returns
    ``{"status": "published" | "requested", ...}``.
    """
    require_role(p, "admin")
    note = (change_note or "").strip()
    try:
        with db.write() as s:
            run = s.get(EvaluationRun, run_id)
            if run is None:
                raise NotFound(t("not_found"))
            if run.status == "published":
                raise Conflict(t("run_already_published", run=run_id))
            request = (run.summary or {}).get("request")
            if run.status == "requested":  # the second pair of eyes
                if request and request.get("by") == p.id:
                    raise Conflict(t("four_eyes_same_admin"), status="requested")
                note, confirm_missing = request.get("note", ""), bool(request.get("confirm_missing"))
            latest = s.scalar(select(func.max(Publication.version)).where(Publication.year == run.year)) or 0
            if latest and not note:
                raise Invalid(t("correction_needs_note", year=run.year, version=latest))
            missing = missing_units(run)
            if missing and not (confirm_missing and note):
                raise Conflict(t("publish_missing_confirm", n=sum(map(len, missing.values()))),
                               missing=missing, needs_confirmation=True)
            if four_eyes and run.status == "preview":
                run.summary = {**(run.summary or {}), "request": {
                    "by": p.id, "username": p.username, "at": iso(utcnow()), "note": note,
                    "confirm_missing": bool(confirm_missing)}}
                run.status = "requested"
                audit(s, p, "request_publish", "run", run.id, None, None, {"year": run.year, "note": note})
                return {"status": "requested", "year": run.year, "run": run.id}
            requester = (request or {}).get("by") if run.status == "requested" else None
            pub = Publication(year=run.year, version=latest + 1, run_id=run.id, change_note=note, missing=missing,
                              published_by=requester or p.id or None,
                              approved_by=(p.id or None) if requester else None, published_at=utcnow())
            s.add(pub)
            run.status = "published"
            s.flush()
            audit(s, p, "publish", "publication", pub.id, None, None,
                  {"year": pub.year, "version": pub.version, "run": run.id, "note": pub.change_note,
                   "missing": missing})
            return {"status": "published", "year": pub.year, "version": pub.version, "run": run.id,
                    "change_note": pub.change_note, "missing": missing}
    except IntegrityError:
        raise Conflict(t("publish_race"))


def list_runs(session, year: int | None = None) -> list[dict]:
    stmt = select(EvaluationRun).order_by(EvaluationRun.id.desc())
    if year is not None:
        stmt = stmt.where(EvaluationRun.year == year)
    pubs = {x.run_id: x for x in session.scalars(select(Publication))}
    return [run_dict(r, pubs.get(r.id)) for r in session.scalars(stmt)]


def run_dict(run: EvaluationRun, pub: Publication | None = None) -> dict:
    summary = run.summary or {}
    return {"id": run.id, "year": run.year, "status": run.status, "framework": run.framework,
            "created_at": iso(run.created_at), "summary": summary, "missing": missing_units(run),
            "request": summary.get("request"),
            "version": pub.version if pub else None, "change_note": pub.change_note if pub else None}


def preview(session, run_id: int, population: str = "county", node: str | None = None) -> dict:
    """A run's results of its year at ``node``, with the currently published ranks beside them
    and the units it is missing (not reported)."""
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(t("not_found"))
    node = node or indicators.info().root
    cur = session.scalars(select(Publication).where(Publication.year == run.year)
                          .order_by(Publication.version.desc())).first()
    old = {}
    if cur is not None and cur.run_id != run.id:
        old = {r.unit: r for r in session.scalars(select(RunResult).where(
            RunResult.run_id == cur.run_id, RunResult.population == population, RunResult.node == node,
            RunResult.year == run.year))}
    rows = []
    for r in session.scalars(select(RunResult).where(RunResult.run_id == run_id, RunResult.population == population,
                                                     RunResult.node == node, RunResult.year == run.year)
                             .order_by(RunResult.rank, RunResult.unit)):
        u = units.get(r.unit)
        prev = old.get(r.unit)
        rows.append({"unit": r.unit, "name": u.name if u else r.unit, "name_en": u.name_en if u else r.unit,
                     "reported": True, "score": r.score, "rank": r.rank,
                     "rank_in_parent": r.rank_in_parent, "tier": r.tier, "rank_lo": r.rank_lo, "rank_hi": r.rank_hi,
                     "published_rank": prev.rank if prev else None,
                     "published_score": prev.score if prev else None})
    for code in missing_units(run).get(population, []):
        u = units.get(code)
        rows.append({"unit": code, "name": u.name, "name_en": u.name_en, "reported": False, "score": None,
                     "rank": None, "rank_in_parent": None, "tier": None, "rank_lo": None, "rank_hi": None,
                     "published_rank": None, "published_score": None})
    pub = session.scalars(select(Publication).where(Publication.run_id == run_id)).first()
    out = run_dict(run, pub)
    out["missing_named"] = {pop: [{"unit": c, "name": pair(units.get(c).name, units.get(c).name_en)} for c in codes]
                            for pop, codes in out["missing"].items()}
    if out["request"]:
        who = session.get(User, out["request"]["by"]) if out["request"].get("by") else None
        out["request"]["username"] = who.username if who else out["request"].get("username")
    return {"run": out, "population": population, "node": node,
            "compared_with": {"version": cur.version, "run": cur.run_id} if old else None, "rows": rows}
