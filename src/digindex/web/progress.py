"""Reporting progress of a year: each county's state and data quality, and each city's counts.

A county without a submission for the year is *not started*. For each submission: its
state, version, last change, how many of the indicators have values, how many values are
flagged as implausible (:mod:`.plausibility`) and how many of those still lack an
explanation. Admins see the province, reviewers their city, reporters their county.
"""
from __future__ import annotations

from sqlalchemy import select

from . import indicators, plausibility, units
from .authz import STATES, Principal
from .messages import pair
from .models import Submission, iso

KINDS = ("not_started",) + STATES


def _scope(p: Principal) -> list:
    if p.role == "reporter":
        return [units.get(p.region)]
    if p.role == "reviewer":
        return units.counties(p.region)
    return units.counties()


def progress(session, p: Principal, year: int, fw: str = "zhejiang") -> dict:
    info = indicators.info(fw)
    scope = _scope(p)
    subs = {s.unit: s for s in session.scalars(select(Submission).where(
        Submission.year == year, Submission.unit.in_([u.code for u in scope])))}
    pool = plausibility.peer_pool(session, year, info.peer_min)
    last = {s.unit: dict(s.values or {}) for s in session.scalars(select(Submission).where(
        Submission.year == year - 1, Submission.unit.in_([u.code for u in scope])))}
    counties, cities = [], {}
    for u in sorted(scope, key=lambda x: (x.parent, x.code)):
        sub = subs.get(u.code)
        row = {"unit": u.code, "name": pair(u.name, u.name_en), "city": u.parent, "state": sub.state if sub else
               "not_started", "id": sub.id if sub else None, "version": sub.version if sub else None,
               "updated_at": iso(sub.updated_at) if sub else None, "present": 0, "total": len(info.indicators),
               "flags": 0, "unexplained": 0, "missing_without_reason": 0}
        if sub is not None:
            values, notes = dict(sub.values or {}), dict(sub.notes or {})
            flags = plausibility.flags(info, values, last.get(u.code, {}), plausibility.peers_of(pool, u.code))
            row.update(present=sum(values.get(i.id) is not None for i in info.indicators), flags=len(flags),
                       unexplained=sum(1 for f in flags if not notes.get(f["indicator"])),
                       missing_without_reason=sum(1 for i in info.indicators
                                                  if values.get(i.id) is None and not notes.get(i.id)))
        counties.append(row)
        c = cities.setdefault(u.parent, {"city": u.parent, "name": pair(units.get(u.parent).name,
                                                                          units.get(u.parent).name_en),
                                         "counties": 0, **{k: 0 for k in KINDS}, "flags": 0})
        c["counties"] += 1
        c[row["state"]] += 1
        c["flags"] += row["flags"]
    total = {k: sum(c[k] for c in cities.values()) for k in ("counties", *KINDS, "flags")}
    return {"year": year, "counties": counties, "cities": list(cities.values()), "total": total,
            "states": list(KINDS)}

