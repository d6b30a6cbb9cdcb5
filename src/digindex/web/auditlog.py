"""The audit log: filtered queries and exports (CSV and Excel) for the province admin.

Filters: a date range (``date_from``/``date_to``, calendar days in Asia/Shanghai, both
included), the user name, the object type and id, and the action. Times are shown in
Asia/Shanghai.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import formatting
from ..i18n import text
from .errors import Invalid
from .messages import t
from .models import AuditEntry
from .security import escape_cell
from .workflow import audit_dict

LIMIT = 5000
# what the codes stored in the log mean, in the page's language
ACTION_TEXTS = {"create": t("act_create"), "update": t("act_update"), "note": t("act_note"), "submit": t("submit"),
                "approve": t("approve"), "return": t("return"), "lock": t("lock"), "reopen": t("reopen"),
                "import": t("act_import"), "run": t("run"), "publish": t("publish"),
                "request_publish": t("request_publication"), "lockout": t("act_lockout"), "unlock": t("act_unlock"),
                "password": t("act_password"), "revoke": t("revoke")}
OBJECT_TEXTS = {"submission": t("obj_submission"), "user": t("obj_user"), "api_token": t("obj_api_token"),
                "run": t("obj_run"), "publication": t("obj_publication")}


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(t("bad_date", field=name, value=repr(value)[:20]))


def query(session, date_from: str | None = None, date_to: str | None = None, user: str | None = None,
          object_type: str | None = None, object_id: str | None = None, action: str | None = None,
          limit: int = 500) -> list[dict]:
    """Audit entries matching every filter given, newest first (at most ``limit``)."""
    zone = ZoneInfo(formatting.TIME_ZONE)
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(int(limit), LIMIT)))
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    def utc(day: date) -> datetime:  # the start of a calendar day in Asia/Shanghai
        return datetime.combine(day, time(), zone).astimezone(timezone.utc)

    if start:
        stmt = stmt.where(AuditEntry.at >= utc(start))
    if end:
        stmt = stmt.where(AuditEntry.at < utc(end + timedelta(days=1)))
    if user:
        stmt = stmt.where(AuditEntry.username == user.strip())
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type.strip())
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id.strip())
    if action:
        stmt = stmt.where(AuditEntry.action == action.strip())
    return [audit_dict(e) for e in session.scalars(stmt)]


FIELD_TEXTS = {"state": t("state"), "comment": t("comment"), "password": t("password"),
               "locked_until": t("account_locked"), "active": t("status"), "revoked_at": t("revoked")}


def view(entries: list[dict]) -> list[dict]:
    """Entries for the page: what a field and a state mean as catalogue texts, None as '—',
    recorded objects (dicts) as their JSON (shown as code)."""
    from .authz import STATE_TEXTS

    def show(field, value):
        if value is None:
            return formatting.MISSING
        if field == "state" and value in STATE_TEXTS:
            return STATE_TEXTS[value]
        return value

    out = []
    for e in entries:
        field = e["field"] or ""
        name = FIELD_TEXTS.get(field) or (t("note_of", id=field[5:]) if field.startswith("note:") else field)
        out.append({**e, "field_text": name, "old_text": show(field, e["old"]), "new_text": show(field, e["new"]),
                    "old_code": isinstance(e["old"], (dict, list)), "new_code": isinstance(e["new"], (dict, list))})
    return out


def label(texts: dict, code: str, lang: str) -> str:
    """The meaning of a stored code in ``lang`` (the code itself when it has no text)."""
    return texts[code].render(lang) if code in texts else code


def _cell(value) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def table(entries: list[dict], lang: str) -> tuple[list, list]:
    lg = "zh" if lang == "zh" else "en"
    header = [text("time", lg), text("username", lg), text("audit_action", lg), text("audit_object", lg),
              text("audit_object_id", lg), text("audit_field", lg), text("audit_old", lg), text("audit_new", lg)]
    rows = [[formatting.timestamp(e["at"], seconds=True), e["user"], label(ACTION_TEXTS, e["action"], lg),
             label(OBJECT_TEXTS, e["object_type"], lg), e["object_id"], e["field"] or "", _cell(e["old"]),
             _cell(e["new"])] for e in entries]
    return header, rows


def to_csv(entries: list[dict], lang: str) -> bytes:
    header, rows = table(entries, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in [header] + rows:
        w.writerow([escape_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(entries: list[dict], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = table(entries, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = "audit"
    ws.append([escape_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([escape_cell(v) for v in row])
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
