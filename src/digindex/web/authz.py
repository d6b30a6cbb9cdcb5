"""Who may do what: roles, regional scope and submission actions (checked on the server).

- ``admin`` (province): everything;
- ``reviewer`` (a city, 4-digit code): sees, approves and returns the submissions of that
  city's counties; cannot edit values, lock, run or publish;
- ``reporter`` (a county, 6-digit code): sees, edits and submits its own county's
  submissions only.

Objects outside a user's scope answer 404 (their existence is not revealed); actions a
role may never take answer 403.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import units
from .errors import Conflict, Forbidden, NotFound
from .messages import t

ROLES = ("admin", "reviewer", "reporter")
STATES = ("draft", "submitted", "approved", "returned", "locked")
STATE_TEXTS = {"draft": t("draft"), "submitted": t("submitted"), "approved": t("approved"),
               "returned": t("returned"), "locked": t("locked"), "not_started": t("not_started")}
ACTION_TEXTS = {"submit": t("submit"), "approve": t("approve"), "return": t("return"), "lock": t("lock"),
                "reopen": t("reopen")}
EDITABLE = ("draft", "returned")
# action: (states it applies to, resulting state, roles that may take it, comment required)
ACTIONS = {
    "submit": (("draft", "returned"), "submitted", ("reporter", "admin"), False),
    "approve": (("submitted",), "approved", ("reviewer", "admin"), False),
    "return": (("submitted", "approved"), "returned", ("reviewer", "admin"), True),
    "lock": (("approved",), "locked", ("admin",), False),
    "reopen": (("locked",), "returned", ("admin",), True),
}


@dataclass(frozen=True)
class Principal:
    id: int
    username: str
    role: str
    region: str | None
    via: str = "session"          # session | token | system
    csrf: str | None = None
    session_id: int | None = None
    read_only: bool = False       # a read-only API token: GET only

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def can_see_unit(p: Principal, unit: str) -> bool:
    if p.role == "admin":
        return units.get(unit) is not None
    u = units.get(unit)
    if u is None:
        return False
    if p.role == "reviewer":
        return u.level == "county" and u.parent == p.region
    if p.role == "reporter":
        return u.code == p.region
    return False


ROLE_TEXTS = {"admin": t("role_admin"), "reviewer": t("role_reviewer"), "reporter": t("role_reporter")}


def role_text(role: str):
    """The role's name as a catalogue text."""
    return ROLE_TEXTS.get(role, role)


def require_role(p: Principal, *roles: str) -> None:
    if p.role not in roles:
        raise Forbidden(t("needs_role", mine=role_text(p.role)))


def require_unit(p: Principal, unit: str) -> None:
    """A unit outside the user's scope is 'not found' to them: the same answer as a unit or
    object that does not exist."""
    if not can_see_unit(p, unit):
        raise NotFound(t("not_found"))


def require_edit(p: Principal, sub) -> None:
    require_unit(p, sub.unit)
    require_role(p, "reporter", "admin")
    if sub.state not in EDITABLE:
        raise Conflict(t("not_editable", state=STATE_TEXTS[sub.state]), state=sub.state, version=sub.version)


def check_action(p: Principal, sub, action: str, comment: str) -> str:
    """The state ``action`` leads to, or an error saying why it is not allowed."""
    from .errors import Invalid

    if action not in ACTIONS:
        raise Invalid(t("unknown_action", action=repr(action)[:40], actions=", ".join(map(repr, ACTIONS))))
    require_unit(p, sub.unit)
    states, target, roles, needs_comment = ACTIONS[action]
    require_role(p, *roles)
    if sub.state not in states:
        raise Conflict(t("action_not_allowed", action=ACTION_TEXTS[action], state=STATE_TEXTS[sub.state]),
                       state=sub.state, version=sub.version)
    if needs_comment and not (comment or "").strip():
        raise Invalid(t("comment_required", action=ACTION_TEXTS[action]))
    return target


def allowed_actions(p: Principal, sub) -> list[str]:
    if not can_see_unit(p, sub.unit):
        return []
    return [a for a, (states, _t, roles, _c) in ACTIONS.items() if p.role in roles and sub.state in states]
