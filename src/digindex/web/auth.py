"""Users, login sessions and API tokens.

Passwords are argon2id hashes. A login creates a server-side session (only a SHA-256
digest of the cookie value is stored) with its own CSRF token. After
``login_max_failures`` consecutive failures an account is locked for ``lockout_minutes``;
login attempts are also rate-limited per client address. An unknown user, a wrong password
and a locked account get the same answer (401, one message, the same argon2 cost), so a
login reveals neither which user names exist nor which are locked. API tokens
(``Authorization: Bearer ...``) act as their user (read-only tokens: GET only), are shown
once and stored as digests. Users change their own password (the current one is needed;
their other sessions end).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update

from .. import formatting
from . import units
from .authz import ROLES, Principal, require_role
from .errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthenticated
from .messages import t
from .models import ApiToken, LoginSession, User, utcnow
from .security import hash_password, needs_rehash, new_token, password_problem, token_hash, verify_password
from .workflow import audit


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they are UTC."""
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=timezone.utc)


def check_role_region(role: str, region: str | None) -> str | None:
    if role not in ROLES:
        raise Invalid(t("bad_role", roles=", ".join(ROLES)))
    if role == "admin":
        return None
    u = units.get(region or "")
    want = "city" if role == "reviewer" else "county"
    if u is None or u.level != want:
        raise Invalid(t("region_needs_county" if want == "county" else "region_needs_city",
                        region=repr(region or "")[:20]))
    return u.code


def create_user(db, p: Principal, username: str, password: str, role: str, region: str | None = None,
                display_name: str = "", settings=None) -> dict:
    require_role(p, "admin")
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise Invalid(t("bad_username"))
    problem = password_problem(password, username)
    if problem:
        raise Invalid(problem)
    region = check_role_region(role, region)
    params = settings.argon2 if settings else (3, 65536, 4)
    hashed = hash_password(password, params)
    with db.write() as s:
        if s.scalars(select(User).where(User.username == username)).first():
            raise Conflict(t("user_exists", username=repr(username)))
        user = User(username=username, display_name=display_name or username, password_hash=hashed, role=role,
                    region=region, active=True, failed_logins=0, created_at=utcnow())
        s.add(user)
        s.flush()
        audit(s, p, "create", "user", user.id, None, None, {"username": username, "role": role, "region": region})
        return user_dict(user)


def update_user(db, p: Principal, uid: int, settings, active: bool | None = None, password: str | None = None,
                unlock: bool = False) -> dict:
    require_role(p, "admin")
    with db.write() as s:
        user = s.get(User, uid)
        if user is None:
            raise NotFound(t("not_found"))
        if active is not None and active != user.active:
            audit(s, p, "update", "user", uid, "active", user.active, active)
            user.active = active
            if not active:
                s.execute(delete(LoginSession).where(LoginSession.user_id == uid))
        if password:
            problem = password_problem(password, user.username)
            if problem:
                raise Invalid(problem)
            user.password_hash = hash_password(password, settings.argon2)
            audit(s, p, "update", "user", uid, "password", "***", "***")
            s.execute(delete(LoginSession).where(LoginSession.user_id == uid))
        if unlock and (user.locked_until or user.failed_logins):
            audit(s, p, "unlock", "user", uid, "locked_until", str(user.locked_until), None)
            user.locked_until, user.failed_logins = None, 0
        return user_dict(user)


def user_dict(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role, "region": u.region,
            "active": u.active, "locked_until": aware(u.locked_until).isoformat() if u.locked_until else None}


def _principal(u: User, via: str, csrf: str | None = None, sid: int | None = None,
               read_only: bool = False) -> Principal:
    return Principal(id=u.id, username=u.username, role=u.role, region=u.region, via=via, csrf=csrf, session_id=sid,
                     read_only=read_only)


def login(db, settings, limiter, username: str, password: str, client: str) -> tuple[str, Principal]:
    """Check the password; on success a new session token (the cookie value) and principal.

    Unknown user, wrong password, inactive or locked account: the same :class:`Unauthenticated`.
    """
    if not limiter.hit(client):
        raise TooManyRequests(t("too_many_logins"))
    now = utcnow()
    with db.read() as s:
        user = s.scalars(select(User).where(User.username == (username or "").strip())).first()
        stored = user.password_hash if user is not None and user.active else None
        locked_until = aware(user.locked_until) if user is not None else None
        uid = user.id if user is not None else None
    locked = bool(locked_until and locked_until > now)
    ok = verify_password(None if locked else stored, password or "", settings.argon2)  # same cost either way
    if not ok:
        if not locked:
            _record_failure(db, settings, uid, now)  # committed before the error is raised
        raise Unauthenticated(t("login_failed", n=settings.login_max_failures,
                                minutes=formatting.integer(settings.lockout_minutes)))
    with db.write() as s:
        user = s.get(User, uid)
        user.failed_logins, user.locked_until = 0, None
        if needs_rehash(user.password_hash, settings.argon2):
            user.password_hash = hash_password(password, settings.argon2)
        token, csrf = new_token(), new_token(24)
        sess = LoginSession(token_hash=token_hash(token), user_id=uid, csrf_token=csrf, created_at=now,
                            expires_at=now + timedelta(hours=settings.session_hours))
        s.add(sess)
        s.execute(delete(LoginSession).where(LoginSession.user_id == uid, LoginSession.expires_at < now))
        s.flush()
        return token, _principal(user, "session", csrf, sess.id)


def change_password(db, p: Principal, settings, current: str, new: str) -> None:
    """A user's own password change: the current password is needed; other sessions end."""
    if p.via != "session":
        raise Forbidden(t("password_needs_session"))
    with db.read() as s:
        user = s.get(User, p.id)
        stored = user.password_hash if user is not None else None
        username = user.username if user is not None else ""
    if not verify_password(stored, current or "", settings.argon2):
        raise Invalid(t("current_password_wrong"), problems=[{"sheet": "", "cell": "current_password",
                                                               "problem": t("current_password_wrong")}])
    problem = password_problem(new, username)
    if problem:
        raise Invalid(problem, problems=[{"sheet": "", "cell": "new_password", "problem": problem}])
    with db.write() as s:
        user = s.get(User, p.id)
        user.password_hash = hash_password(new, settings.argon2)
        s.execute(delete(LoginSession).where(LoginSession.user_id == p.id, LoginSession.id != p.session_id))
        audit(s, p, "password", "user", p.id, "password", "***", "***")


def _record_failure(db, settings, uid: int | None, now: datetime) -> None:
    """Count a failed login (atomically); lock the account when the limit is reached."""
    if uid is None:
        return
    with db.write() as s:
        s.execute(update(User).where(User.id == uid).values(failed_logins=User.failed_logins + 1))
        user = s.get(User, uid)
        s.refresh(user)
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            audit(s, Principal(0, "system", "admin", None, "system"), "lockout", "user", uid,
                  "locked_until", None, user.locked_until.isoformat())


def logout(db, token: str | None) -> None:
    if token:
        with db.write() as s:
            s.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def from_session(db, token: str | None) -> Principal | None:
    if not token:
        return None
    with db.read() as s:
        row = s.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                        .where(LoginSession.token_hash == token_hash(token))).first()
        if row is None:
            return None
        sess, user = row
        if not user.active or aware(sess.expires_at) <= utcnow():
            return None
        return _principal(user, "session", sess.csrf_token, sess.id)


def from_api_token(db, token: str | None) -> Principal | None:
    if not token:
        return None
    with db.read() as s:
        row = s.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                        .where(ApiToken.token_hash == token_hash(token))).first()
        if row is None:
            return None
        tok, user = row
        if not user.active or tok.revoked_at is not None or (tok.expires_at and aware(tok.expires_at) <= utcnow()):
            return None
        return _principal(user, "token", read_only=bool(tok.read_only))


def create_api_token(db, p: Principal, name: str, days: int | None = None, read_only: bool = False) -> dict:
    if p.via != "session" and p.via != "system":
        raise Forbidden(t("token_needs_session"))
    name = (name or "").strip()[:128] or "token"
    token = "dgx_" + new_token()
    with db.write() as s:
        row = ApiToken(user_id=p.id, name=name, token_hash=token_hash(token), prefix=token[:10], created_at=utcnow(),
                       expires_at=utcnow() + timedelta(days=days) if days else None, read_only=bool(read_only))
        s.add(row)
        s.flush()
        audit(s, p, "create", "api_token", row.id, None, None,
              {"name": name, "prefix": row.prefix, "read_only": bool(read_only)})
        return {**token_dict(row), "token": token}


def list_api_tokens(session, p: Principal) -> list[dict]:
    return [token_dict(t) for t in session.scalars(select(ApiToken).where(ApiToken.user_id == p.id)
                                                   .order_by(ApiToken.id))]


def revoke_api_token(db, p: Principal, tid: int) -> dict:
    with db.write() as s:
        tok = s.get(ApiToken, tid)
        if tok is None or (tok.user_id != p.id and not p.is_admin):
            raise NotFound(t("not_found"))
        if tok.revoked_at is None:
            tok.revoked_at = utcnow()
            audit(s, p, "revoke", "api_token", tid, "revoked_at", None, tok.revoked_at.isoformat())
        return token_dict(tok)


def token_dict(tok: ApiToken) -> dict:
    return {"id": tok.id, "name": tok.name, "prefix": tok.prefix, "created_at": aware(tok.created_at).isoformat(),
            "expires_at": aware(tok.expires_at).isoformat() if tok.expires_at else None,
            "revoked": tok.revoked_at is not None, "read_only": bool(tok.read_only)}
