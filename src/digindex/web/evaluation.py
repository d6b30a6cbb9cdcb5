"""Evaluation runs on locked data, previews and publication (through digindex's public API).

A run for year ``Y`` evaluates the framework, separately for the county and the city
population, on every *locked* submission of years up to ``Y`` (earlier years are needed
for base-year thresholds and imputation) and stores the results of year ``Y``. With
``uncertainty_runs`` > 0 it also stores each unit's 90 % rank interval (5th-95th
percentile over Monte Carlo replications of the framework's declared uncertain choices,
or of :data:`DEFAULT_UNCERTAINTY` when it declares none).

Publishing a run makes it version ``n + 1`` of its year; published results are immutable
(enforced by database triggers). A correction is a new run, published as the next
version with a change note.
"""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from . import indicators, units
from .authz import Principal, require_role
from .errors import Conflict, Invalid, NotFound
from .models import EvaluationRun, Publication, RunResult, Submission, iso, utcnow
from .workflow import audit

DEFAULT_UNCERTAINTY = {"choices": [
    {"id": "aspect_weights", "perturb": "weights", "levels": [2], "noise": 0.25},
    {"id": "aggregation", "step": "aggregate", "alternatives": ["arithmetic", "geometric"]},
]}


def _frame(subs: list[Submission], ind_ids: list[str]) -> pd.DataFrame:
    return inputs_frame([(s.unit, s.year, s.values or {}) for s in subs], ind_ids)


def inputs_frame(records, ind_ids: list[str]) -> pd.DataFrame:
    """(unit, year, values) records as the wide table digindex reads."""
    rows = [{"unit": unit, "parent": units.get(unit).parent, "year": year, **{k: values.get(k) for k in ind_ids}}
            for unit, year, values in records]
    return pd.DataFrame(rows, columns=["unit", "parent", "year", *ind_ids])


def _evaluate(df: pd.DataFrame, fw_name: str):
    from .. import InputError, evaluate, load_data

    fw = indicators.load(fw_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "locked_values.csv"
        df.to_csv(path, index=False)
        try:
            panel = load_data([path], framework=fw)
            return fw, panel, evaluate(fw, panel)
        except InputError as exc:
            raise Invalid("the evaluation failed on the locked data",
                          problems=[{"sheet": "", "cell": "", "problem": str(p).replace(str(path), "locked data")}
                                    for p in exc.problems])


def _intervals(fw, panel, ev, year: int, runs: int) -> dict:
    """unit -> (5th, 95th percentile rank) in ``year`` over ``runs`` replications."""
    import inspect

    from ..uncertainty import problem_from_framework, run_uncertainty

    problem = fw.settings.get("uncertainty") or problem_from_framework(fw, override=DEFAULT_UNCERTAINTY)
    kwargs = {"year": year} if "year" in inspect.signature(run_uncertainty).parameters else {}
    res = run_uncertainty(fw, panel, runs=runs, sensitivity=False, problem=problem, check=False, **kwargs)
    if kwargs:  # ranks are already within ``year``
        ranks, codes = np.asarray(res.ranks, dtype=float), list(res.units)
    else:  # older digindex: scores of every (unit, year) row; rank the rows of ``year`` here
        keys = ev.scores_table()
        mask = (keys["year"] == year).to_numpy()
        ranks = np.apply_along_axis(lambda row: pd.Series(row).rank(ascending=False, method="min").to_numpy(), 1,
                                    res.scores[:, mask])
        codes = list(keys["unit"][mask])
    with warnings.catch_warnings():  # a unit without any score has no interval (NaN)
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(ranks, 5, axis=0), np.nanpercentile(ranks, 95, axis=0)
    return {u: (float(a), float(b)) for u, a, b in zip(codes, lo, hi) if not np.isnan(a)}


def _results(population: str, fw, panel, ev, year: int, runs: int) -> list[dict]:
    from ..analytics import tiers

    res = ev.results()
    res = res[res["year"] == year]
    raw = ev.stage("raw")
    raw = raw[raw["year"] == year].drop(columns="year").set_index("unit")
    raw_values = {(u, n): float(v) for (u, n), v in raw.stack().items() if not pd.isna(v)}
    tier = {}
    if fw.settings.get("tiers") is not None:
        t = tiers(ev)
        tier = dict(zip(t.loc[t["year"] == year, "unit"], t.loc[t["year"] == year, "tier"]))
    intervals = _intervals(fw, panel, ev, year, runs) if runs > 0 else {}
    root = fw.tree.id
    out = []
    for r in res.itertuples(index=False):
        score = None if pd.isna(r.score) else float(r.score)
        lo_hi = intervals.get(r.unit) if r.node == root else None
        out.append({"population": population, "unit": r.unit, "year": int(r.year), "node": r.node,
                    "level": int(r.level), "score": score, "rank": None if pd.isna(r.rank) else int(r.rank),
                    "rank_in_parent": (None if population == "city" or pd.isna(r.rank_in_parent)
                                       else int(r.rank_in_parent)),
                    "raw": raw_values.get((r.unit, r.node)) if r.level == 1 else None,
                    "tier": (int(tier[r.unit]) if r.node == root and r.unit in tier and not pd.isna(tier[r.unit])
                             else None),
                    "rank_lo": lo_hi[0] if lo_hi else None, "rank_hi": lo_hi[1] if lo_hi else None})
    return out


def run_evaluation(db, p: Principal, year: int, settings, uncertainty_runs: int | None = None) -> int:
    """Evaluate the locked data for ``year``; returns the new (preview) run's id."""
    require_role(p, "admin")
    runs = settings.uncertainty_runs if uncertainty_runs is None else int(uncertainty_runs)
    if not 0 <= runs <= 2000:
        raise Invalid("uncertainty_runs must be between 0 and 2000")
    info = indicators.info(settings.framework)
    with db.read() as s:
        subs = list(s.scalars(select(Submission).where(Submission.state == "locked", Submission.year <= year)
                              .order_by(Submission.unit, Submission.year)))
    if not any(x.year == year for x in subs):
        raise Invalid(f"no locked data for {year}: lock approved submissions first")
    rows, summary = [], {"populations": {}, "inputs": {str(x.id): x.version for x in subs if x.year == year},
                         "uncertainty_runs": runs}
    inputs = {}
    for population in ("county", "city"):
        members = [x for x in subs if units.get(x.unit) and units.get(x.unit).level == population]
        if not any(x.year == year for x in members):
            continue
        inputs[population] = [[x.unit, x.year, dict(x.values or {})] for x in members]
        fw, panel, ev = _evaluate(_frame(members, info.indicator_ids), settings.framework)
        rows.extend(_results(population, fw, panel, ev, year, runs))
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
        audit(s, p, "run", "run", run.id, None, None, {"year": year, "rows": len(rows)})
        return run.id


def publish(db, p: Principal, run_id: int, change_note: str = "") -> Publication:
    """Publish a preview run as the next version of its year (a note is needed from v2 on)."""
    require_role(p, "admin")
    try:
        with db.write() as s:
            run = s.get(EvaluationRun, run_id)
            if run is None:
                raise NotFound(f"no run {run_id}")
            if run.status != "preview":
                raise Conflict(f"run {run_id} is already {run.status}")
            latest = s.scalar(select(func.max(Publication.version)).where(Publication.year == run.year)) or 0
            if latest and not (change_note or "").strip():
                raise Invalid(f"{run.year} already has version {latest}: a correction needs a change note saying "
                              "what changed and why")
            pub = Publication(year=run.year, version=latest + 1, run_id=run.id, change_note=(change_note or "").strip(),
                              published_by=p.id or None, published_at=utcnow())
            s.add(pub)
            run.status = "published"
            s.flush()
            audit(s, p, "publish", "publication", pub.id, None, None,
                  {"year": pub.year, "version": pub.version, "run": run.id, "note": pub.change_note})
            return pub
    except IntegrityError:
        raise Conflict("another publication of this year happened at the same time: reload and try again")


def list_runs(session, year: int | None = None) -> list[dict]:
    stmt = select(EvaluationRun).order_by(EvaluationRun.id.desc())
    if year is not None:
        stmt = stmt.where(EvaluationRun.year == year)
    pubs = {x.run_id: x for x in session.scalars(select(Publication))}
    return [run_dict(r, pubs.get(r.id)) for r in session.scalars(stmt)]


def run_dict(run: EvaluationRun, pub: Publication | None = None) -> dict:
    return {"id": run.id, "year": run.year, "status": run.status, "framework": run.framework,
            "created_at": iso(run.created_at), "summary": run.summary,
            "version": pub.version if pub else None, "change_note": pub.change_note if pub else None}


def preview(session, run_id: int, population: str = "county", node: str | None = None) -> dict:
    """A run's results at ``node`` with rank changes against the current published version."""
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    node = node or indicators.info().root
    cur = session.scalars(select(Publication).where(Publication.year == run.year)
                          .order_by(Publication.version.desc())).first()
    old = {}
    if cur is not None and cur.run_id != run.id:
        old = {r.unit: r for r in session.scalars(select(RunResult).where(
            RunResult.run_id == cur.run_id, RunResult.population == population, RunResult.node == node))}
    rows = []
    for r in session.scalars(select(RunResult).where(RunResult.run_id == run_id, RunResult.population == population,
                                                     RunResult.node == node).order_by(RunResult.rank)):
        u = units.get(r.unit)
        prev = old.get(r.unit)
        rows.append({"unit": r.unit, "name": u.name if u else r.unit, "score": r.score, "rank": r.rank,
                     "rank_in_parent": r.rank_in_parent, "tier": r.tier, "rank_lo": r.rank_lo, "rank_hi": r.rank_hi,
                     "published_rank": prev.rank if prev else None,
                     "published_score": prev.score if prev else None})
    pub = session.scalars(select(Publication).where(Publication.run_id == run_id)).first()
    return {"run": run_dict(run, pub), "population": population, "node": node,
            "compared_with": {"version": cur.version, "run": cur.run_id} if old else None, "rows": rows}
