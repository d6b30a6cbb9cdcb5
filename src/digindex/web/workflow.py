"""Submissions: create, edit values (optimistic locking), state transitions, history.

Every change is written to the audit log in the same transaction as the change itself
(one row per changed field, old -> new), and every state change to ``transitions``.
An update must name the version it was based on; if the submission changed since, the
update is refused with :class:`~digindex.web.errors.Conflict` and nothing is written.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from . import indicators, units
from .authz import Principal, check_action, require_edit, require_role, require_unit
from .errors import Conflict, Invalid, NotFound
from .models import AuditEntry, Submission, Transition, User, iso, utcnow

SYSTEM = Principal(id=0, username="system", role="admin", region=None, via="system")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit(session, p: Principal, action: str, object_type: str, object_id, field: str | None = None,
          old=None, new=None) -> None:
    session.add(AuditEntry(user_id=p.id or None, username=p.username, action=action, object_type=object_type,
                           object_id=str(object_id), field=field, old=_json(old), new=_json(new), at=utcnow()))


def validate_values(values: dict, fw: str = "zhejiang", last: dict | None = None,
                    sheet: str = "form") -> tuple[dict, list, list]:
    """(clean values, errors, warnings); errors and warnings are ``{sheet, cell, problem}``."""
    info = indicators.info(fw)
    clean, errors, warnings = {}, [], []
    for key, raw in (values or {}).items():
        ind = info.indicator(key)
        if ind is None:
            errors.append({"sheet": sheet, "cell": key, "problem": f"unknown indicator {key!r}"})
            continue
        value, problem = indicators.parse_number(raw)
        if problem is None:
            problem, warning = indicators.check_value(ind, value, (last or {}).get(key))
            if warning:
                warnings.append({"sheet": sheet, "cell": key, "problem": warning})
        if problem:
            errors.append({"sheet": sheet, "cell": key, "problem": problem})
        else:
            clean[key] = value
    return clean, errors, warnings


def get_submission(session, p: Principal, sid: int, for_update: bool = False) -> Submission:
    stmt = select(Submission).where(Submission.id == sid)
    if for_update and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    sub = session.scalars(stmt).first()
    if sub is None:
        raise NotFound(f"no submission {sid}")
    require_unit(p, sub.unit)
    return sub


def list_submissions(session, p: Principal, year: int | None = None, state: str | None = None,
                     unit: str | None = None) -> list[Submission]:
    stmt = select(Submission).order_by(Submission.year.desc(), Submission.unit)
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    if state:
        stmt = stmt.where(Submission.state == state)
    if unit:
        stmt = stmt.where(Submission.unit == unit)
    if p.role == "reporter":
        stmt = stmt.where(Submission.unit == (p.region or ""))
    elif p.role == "reviewer":
        codes = [u.code for u in units.counties(p.region)] or [""]
        stmt = stmt.where(Submission.unit.in_(codes))
    return list(session.scalars(stmt))


def create_submission(db, p: Principal, unit: str, year: int) -> Submission:
    """A new draft for (unit, year); a second one for the same pair is a conflict."""
    require_role(p, "reporter", "admin")
    require_unit(p, unit)
    u = units.get(unit)
    if u.level != "county":
        raise Invalid(f"{unit} is a city: submissions are made by county-level units")
    if not 1990 <= int(year) <= 2100:
        raise Invalid(f"year {year} is out of range")
    try:
        with db.write() as s:
            existing = s.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year)).first()
            if existing is not None:
                raise Conflict(f"a submission for {unit} {year} already exists (id {existing.id})",
                               id=existing.id, version=existing.version)
            sub = Submission(unit=unit, year=int(year), state="draft", values={}, source="web", comment="",
                             created_by=p.id or None, updated_by=p.id or None, created_at=utcnow(),
                             updated_at=utcnow())
            s.add(sub)
            s.flush()
            audit(s, p, "create", "submission", sub.id, None, None, {"unit": unit, "year": int(year)})
            return sub
    except IntegrityError:
        with db.read() as s:
            existing = s.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year)).first()
        raise Conflict(f"a submission for {unit} {year} already exists (id {existing.id if existing else '?'})",
                       id=existing.id if existing else None)


def _conflict(s, sub: Submission, expected: int) -> Conflict:
    who = s.get(User, sub.updated_by).username if sub.updated_by else "someone"
    return Conflict(f"submission {sub.id} was changed by {who} at {sub.updated_at:%Y-%m-%d %H:%M:%S} UTC "
                    f"(it is now version {sub.version}; you edited version {expected}). Nothing was saved: "
                    "reload it, re-apply your changes and save again.",
                    version=sub.version, expected=expected, state=sub.state)


def update_values(db, p: Principal, sid: int, values: dict, expected_version: int, source: str = "web",
                  replace: bool = False) -> tuple[Submission, list]:
    """Set indicator values (``replace``: the whole set, else only the keys given).

    Returns the submission and the warnings. Invalid values raise :class:`Invalid` with
    one problem per field; a stale ``expected_version`` raises :class:`Conflict`.
    """
    try:
        with db.write() as s:
            sub = get_submission(s, p, sid, for_update=True)
            require_edit(p, sub)
            if int(expected_version) != sub.version:
                raise _conflict(s, sub, int(expected_version))
            last = last_year_values(s, sub.unit, sub.year)
            clean, errors, warnings = validate_values(values, last=last)
            if errors:
                raise Invalid(f"{len(errors)} value(s) refused; nothing was saved", problems=errors,
                              warnings=warnings)
            old = dict(sub.values or {})
            new = dict(clean) if replace else {**old, **clean}
            new = {k: v for k, v in new.items() if v is not None}
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            if not changed:
                return sub, warnings
            sub.values = new
            sub.source = source
            sub.updated_by = p.id or None
            sub.updated_at = utcnow()
            for k in changed:
                audit(s, p, "update", "submission", sub.id, k, old.get(k), new.get(k))
            s.flush()
            return sub, warnings
    except StaleDataError:
        with db.read() as s:
            sub = s.get(Submission, sid)
            raise _conflict(s, sub, int(expected_version))


def transition(db, p: Principal, sid: int, action: str, comment: str = "",
               expected_version: int | None = None) -> Submission:
    try:
        with db.write() as s:
            sub = get_submission(s, p, sid, for_update=True)
            if expected_version is not None and int(expected_version) != sub.version:
                raise _conflict(s, sub, int(expected_version))
            target = check_action(p, sub, action, comment)
            _move(s, p, sub, action, target, comment)
            s.flush()
            return sub
    except StaleDataError:
        with db.read() as s:
            sub = s.get(Submission, sid)
            raise _conflict(s, sub, int(expected_version or 0))


def _move(s, p: Principal, sub: Submission, action: str, target: str, comment: str = "") -> None:
    s.add(Transition(submission_id=sub.id, action=action, from_state=sub.state, to_state=target,
                     user_id=p.id or None, username=p.username, comment=comment or "", at=utcnow()))
    audit(s, p, action, "submission", sub.id, "state", sub.state, target)
    if action in ("return", "reopen"):
        audit(s, p, action, "submission", sub.id, "comment", sub.comment, comment)
        sub.comment = comment
    sub.state = target
    sub.updated_by = p.id or None
    sub.updated_at = utcnow()


def lock_year(db, p: Principal, year: int) -> int:
    """Lock every approved submission of ``year``; returns how many were locked."""
    require_role(p, "admin")
    with db.write() as s:
        subs = list(s.scalars(select(Submission).where(Submission.year == year, Submission.state == "approved")))
        for sub in subs:
            _move(s, p, sub, "lock", "locked")
        return len(subs)


def history(session, p: Principal, sid: int) -> dict:
    sub = get_submission(session, p, sid)
    trans = session.scalars(select(Transition).where(Transition.submission_id == sid).order_by(Transition.id))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "submission",
                                                       AuditEntry.object_id == str(sid)).order_by(AuditEntry.id))
    return {"submission": sub.id,
            "transitions": [{"action": t.action, "from": t.from_state, "to": t.to_state, "by": t.username,
                             "at": iso(t.at), "comment": t.comment} for t in trans],
            "audit": [audit_dict(e) for e in entries]}


def audit_dict(e: AuditEntry) -> dict:
    return {"id": e.id, "at": iso(e.at), "user": e.username, "action": e.action,
            "object_type": e.object_type, "object_id": e.object_id, "field": e.field,
            "old": json.loads(e.old) if e.old is not None else None,
            "new": json.loads(e.new) if e.new is not None else None}


def last_year_values(session, unit: str, year: int) -> dict:
    prev = session.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year - 1)).first()
    return dict(prev.values or {}) if prev is not None else {}


def submission_dict(sub: Submission, p: Principal | None = None) -> dict:
    from .authz import allowed_actions

    u = units.get(sub.unit)
    out = {"id": sub.id, "unit": sub.unit, "name": u.name if u else sub.unit, "name_en": u.name_en if u else "",
           "year": sub.year, "state": sub.state, "version": sub.version, "values": dict(sub.values or {}),
           "source": sub.source, "comment": sub.comment, "updated_at": iso(sub.updated_at)}
    if p is not None:
        out["actions"] = allowed_actions(p, sub)
    return out
