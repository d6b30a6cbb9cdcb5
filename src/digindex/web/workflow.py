"""Submissions: create, edit values and notes (optimistic locking), gated transitions, history.

Every change is written to the audit log in the same transaction as the change itself
(one row per changed field, old -> new), every state change to ``transitions``, and every
new version of a submission to ``submission_revisions`` (its values and notes as they are
after the change), so any two versions can be compared value by value.

Every edit and every transition names the version it was made against. A missing version
or a version that is no longer current is refused with 409 and nothing is written.

Submitting is gated: every indicator needs a value or a note saying why it is missing,
and every value outside the plausibility bounds (:mod:`.plausibility`) a note explaining it.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import formatting
from . import indicators, plausibility, units
from .authz import Principal, check_action, require_edit, require_role, require_unit
from .errors import Conflict, Invalid, NotFound
from .messages import pair, t
from .models import AuditEntry, Revision, Submission, Transition, User, iso, utcnow

SYSTEM = Principal(id=0, username="system", role="admin", region=None, via="system")
MAX_NOTE = 2000


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit(session, p: Principal, action: str, object_type: str, object_id, field: str | None = None,
          old=None, new=None) -> None:
    session.add(AuditEntry(user_id=p.id or None, username=p.username, action=action, object_type=object_type,
                           object_id=str(object_id), field=field, old=_json(old), new=_json(new), at=utcnow()))


def record_revision(session, p: Principal, sub: Submission, action: str) -> None:
    """Keep the submission as it is now (after a flush gave it its new version)."""
    session.add(Revision(submission_id=sub.id, version=sub.version, action=action, state=sub.state,
                         values=dict(sub.values or {}), notes=dict(sub.notes or {}), user_id=p.id or None,
                         username=p.username, at=utcnow()))


def ind_name(ind) -> dict:
    return pair(ind.label("zh"), ind.label("en"))


def validate_values(values: dict, fw: str = "zhejiang", sheet: str = "") -> tuple[dict, list]:
    """(clean values, errors); errors are ``{sheet, cell, problem}`` (numbers and ranges only)."""
    info = indicators.info(fw)
    clean, errors = {}, []
    for key, raw in (values or {}).items():
        ind = info.indicator(key)
        if ind is None:
            errors.append({"sheet": sheet, "cell": key, "problem": t("unknown_indicator", id=repr(key))})
            continue
        value, problem = indicators.parse_number(raw)
        problem = problem or indicators.check_range(ind, value)
        if problem:
            errors.append({"sheet": sheet, "cell": key, "problem": problem})
        else:
            clean[key] = value
    return clean, errors


def clean_notes(notes: dict | None, fw: str = "zhejiang", sheet: str = "") -> tuple[dict, list]:
    """({indicator: text or None}, errors) from notes as sent."""
    info = indicators.info(fw)
    clean, errors = {}, []
    for key, text in (notes or {}).items():
        if info.indicator(key) is None:
            errors.append({"sheet": sheet, "cell": key, "problem": t("unknown_indicator", id=repr(key))})
            continue
        text = "" if text is None else str(text).strip()
        if len(text) > MAX_NOTE:
            errors.append({"sheet": sheet, "cell": key, "problem": t("note_too_long", n=MAX_NOTE)})
            continue
        clean[key] = text or None
    return clean, errors


def get_submission(session, p: Principal, sid: int, for_update: bool = False) -> Submission:
    """The submission ``sid`` if ``p`` may see it; otherwise the same 404 whether it exists or not."""
    stmt = select(Submission).where(Submission.id == sid)
    if for_update and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    sub = session.scalars(stmt).first()
    if sub is None:
        raise NotFound(t("not_found"))
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
        raise Invalid(t("submission_city", unit=unit))
    if not 1990 <= int(year) <= 2100:
        raise Invalid(t("year_out_of_range", year=formatting.year(year)))
    try:
        with db.write() as s:
            existing = s.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year)).first()
            if existing is not None:
                raise Conflict(t("submission_exists", unit=unit, year=formatting.year(year), id=existing.id),
                               id=existing.id, version=existing.version)
            sub = Submission(unit=unit, year=int(year), state="draft", values={}, notes={}, source="web", comment="",
                             created_by=p.id or None, updated_by=p.id or None, created_at=utcnow(),
                             updated_at=utcnow())
            s.add(sub)
            s.flush()
            audit(s, p, "create", "submission", sub.id, None, None, {"unit": unit, "year": int(year)})
            record_revision(s, p, sub, "create")
            return sub
    except IntegrityError:
        with db.read() as s:
            existing = s.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year)).first()
        raise Conflict(t("submission_exists", unit=unit, year=formatting.year(year),
                         id=existing.id if existing else "?"), id=existing.id if existing else None)


def _conflict(s, sub: Submission, expected: int | None) -> Conflict:
    who = s.get(User, sub.updated_by).username if sub.updated_by else "system"
    if expected is None:
        return Conflict(t("version_required", version=sub.version), version=sub.version, expected=None,
                        state=sub.state)
    return Conflict(t("changed_meanwhile", who=who, when=formatting.timestamp(sub.updated_at, seconds=True),
                      version=sub.version, expected=expected),
                    version=sub.version, expected=expected, state=sub.state)


def _version(value) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def update_values(db, p: Principal, sid: int, values: dict, expected_version, source: str = "web",
                  replace: bool = False, notes: dict | None = None) -> tuple[Submission, list]:
    """Set indicator values (``replace``: the whole set, else only the keys given) and notes.

    Returns the submission and its plausibility flags. Invalid values raise
    :class:`Invalid` with one problem per field; a missing or stale ``expected_version``
    raises :class:`Conflict`. Nothing is written unless everything is valid.
    """
    expected = _version(expected_version)
    try:
        with db.write() as s:
            sub = get_submission(s, p, sid, for_update=True)
            require_edit(p, sub)
            if expected is None or expected != sub.version:
                raise _conflict(s, sub, expected)
            clean, errors = validate_values(values)
            clean_n, note_errors = clean_notes(notes)
            if errors or note_errors:
                raise Invalid(t("values_refused", n=len(errors) + len(note_errors)), problems=errors + note_errors)
            old, old_notes = dict(sub.values or {}), dict(sub.notes or {})
            merged = dict(clean) if replace else {**old, **clean}  # a key sent empty clears its value
            new = {k: v for k, v in merged.items() if v is not None}
            new_notes = {k: v for k, v in {**old_notes, **clean_n}.items() if v}
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            changed_notes = sorted(k for k in set(old_notes) | set(new_notes) if old_notes.get(k) != new_notes.get(k))
            if changed or changed_notes:
                sub.values, sub.notes = new, new_notes
                sub.source = source
                sub.updated_by = p.id or None
                sub.updated_at = utcnow()
                for k in changed:
                    audit(s, p, "update", "submission", sub.id, k, old.get(k), new.get(k))
                for k in changed_notes:
                    audit(s, p, "note", "submission", sub.id, f"note:{k}", old_notes.get(k), new_notes.get(k))
                s.flush()
                record_revision(s, p, sub, "edit")
            return sub, quality(s, sub)["flags"]
    except StaleDataError:
        with db.read() as s:
            sub = s.get(Submission, sid)
            raise _conflict(s, sub, expected)


def quality(session, sub: Submission, fw: str = "zhejiang") -> dict:
    """What stands between a submission and submitting it: values missing without a reason,
    plausibility flags (each with its note, if any), and the unexplained ones."""
    info = indicators.info(fw)
    values, notes = dict(sub.values or {}), dict(sub.notes or {})
    last = last_year_values(session, sub.unit, sub.year)
    peers = plausibility.peer_values(session, sub.unit, sub.year, info.peer_min)
    flags = plausibility.flags(info, values, last, peers)
    for f in flags:
        f["note"] = notes.get(f["indicator"])
        f["cell"] = f["indicator"]
        f["name"] = ind_name(info.indicator(f["indicator"]))
    missing = [{"indicator": i.id, "cell": i.id, "note": notes.get(i.id)}
               for i in info.indicators if values.get(i.id) is None]
    problems = [{"sheet": "", "cell": m["indicator"],
                 "problem": t("gate_missing", indicator=ind_name(info.indicator(m["indicator"])))}
                for m in missing if not m["note"]]
    problems += [{"sheet": "", "cell": f["indicator"],
                  "problem": t("gate_unexplained", indicator=ind_name(info.indicator(f["indicator"])),
                               flag=f["problem"])}
                 for f in flags if not f["note"]]
    return {"missing": missing, "flags": flags, "blocking": problems,
            "present": len(info.indicators) - len(missing), "total": len(info.indicators)}


def transition(db, p: Principal, sid: int, action: str, comment: str = "", expected_version=None) -> Submission:
    """Take ``action`` on the submission at ``expected_version`` (required: else 409)."""
    expected = _version(expected_version)
    try:
        with db.write() as s:
            sub = get_submission(s, p, sid, for_update=True)
            target = check_action(p, sub, action, comment)
            if expected is None or expected != sub.version:
                raise _conflict(s, sub, expected)
            if action == "submit":
                blocking = quality(s, sub)["blocking"]
                if blocking:
                    raise Invalid(t("submit_blocked", n=len(blocking)), problems=blocking)
            _move(s, p, sub, action, target, comment)
            return sub
    except StaleDataError:
        with db.read() as s:
            sub = s.get(Submission, sid)
            raise _conflict(s, sub, expected)


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
    s.flush()
    record_revision(s, p, sub, action)


def lock_year(db, p: Principal, year: int) -> int:
    """Lock every approved submission of ``year``; returns how many were locked."""
    require_role(p, "admin")
    with db.write() as s:
        subs = list(s.scalars(select(Submission).where(Submission.year == year, Submission.state == "approved")))
        for sub in subs:
            _move(s, p, sub, "lock", "locked")
        return len(subs)


def revisions(session, sid: int) -> list[Revision]:
    return list(session.scalars(select(Revision).where(Revision.submission_id == sid).order_by(Revision.version)))


def value_diff(a: Revision | None, b: Revision) -> list[dict]:
    """The values and notes that differ between two revisions (``a`` None: everything in ``b``)."""
    va, vb = (dict(a.values or {}) if a else {}), dict(b.values or {})
    na, nb = (dict(a.notes or {}) if a else {}), dict(b.notes or {})
    out = []
    for k in sorted(set(va) | set(vb) | set(na) | set(nb)):
        if va.get(k) != vb.get(k) or na.get(k) != nb.get(k):
            out.append({"indicator": k, "old": va.get(k), "new": vb.get(k), "old_note": na.get(k),
                        "new_note": nb.get(k)})
    return out


def history(session, p: Principal, sid: int) -> dict:
    """State changes, and every version of the submission with what changed from the one before."""
    sub = get_submission(session, p, sid)
    trans = session.scalars(select(Transition).where(Transition.submission_id == sid).order_by(Transition.id))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "submission",
                                                       AuditEntry.object_id == str(sid)).order_by(AuditEntry.id))
    revs = revisions(session, sid)
    info = indicators.info()
    versions = [{"version": r.version, "action": r.action, "state": r.state, "by": r.username, "at": iso(r.at),
                 "changes": [{**c, "name": ind_name(info.indicator(c["indicator"]))} for c in value_diff(prev, r)]}
                for prev, r in zip([None] + revs[:-1], revs)]
    return {"submission": sub.id,
            "transitions": [{"action": t_.action, "from": t_.from_state, "to": t_.to_state, "by": t_.username,
                             "at": iso(t_.at), "comment": t_.comment} for t_ in trans],
            "versions": versions,
            "audit": [audit_dict(e) for e in entries]}


def diff(session, p: Principal, sid: int, a: int, b: int) -> dict:
    """Value by value, version ``a`` against version ``b`` of a submission."""
    get_submission(session, p, sid)
    revs = {r.version: r for r in revisions(session, sid)}
    if a not in revs or b not in revs:
        raise NotFound(t("not_found"))
    return {"submission": sid, "a": a, "b": b, "changes": value_diff(revs[a], revs[b])}


def audit_dict(e: AuditEntry) -> dict:
    return {"id": e.id, "at": iso(e.at), "user": e.username, "action": e.action,
            "object_type": e.object_type, "object_id": e.object_id, "field": e.field,
            "old": json.loads(e.old) if e.old is not None else None,
            "new": json.loads(e.new) if e.new is not None else None}


def last_year_values(session, unit: str, year: int) -> dict:
    prev = session.scalars(select(Submission).where(Submission.unit == unit, Submission.year == year - 1)).first()
    return dict(prev.values or {}) if prev is not None else {}


def submission_dict(sub: Submission, p: Principal | None = None, quality_: dict | None = None) -> dict:
    from .authz import allowed_actions

    u = units.get(sub.unit)
    out = {"id": sub.id, "unit": sub.unit, "name": u.name if u else sub.unit, "name_en": u.name_en if u else "",
           "year": sub.year, "state": sub.state, "version": sub.version, "values": dict(sub.values or {}),
           "notes": dict(sub.notes or {}), "source": sub.source, "comment": sub.comment,
           "updated_at": iso(sub.updated_at)}
    if p is not None:
        out["actions"] = allowed_actions(p, sub)
    if quality_ is not None:
        out["quality"] = {"present": quality_["present"], "total": quality_["total"],
                          "missing": quality_["missing"], "flags": quality_["flags"],
                          "blocking": quality_["blocking"]}
    return out
