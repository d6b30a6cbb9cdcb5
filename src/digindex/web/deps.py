"""Request plumbing: the app state, who is asking, CSRF checks and language."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from . import auth
from .authz import Principal
from .errors import Forbidden, Unauthenticated
from .security import same

SESSION_COOKIE = "digindex_session"
CSRF_COOKIE = "digindex_csrf"
LANG_COOKIE = "digindex_lang"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class WebState:
    db: object
    settings: object
    public: object
    limiter: object
    templates: object


def state(request: Request) -> WebState:
    return request.app.state.web


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def principal(request: Request) -> Principal | None:
    """The user behind the request (bearer token first, then the session cookie), or None."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    st = state(request)
    header = request.headers.get("authorization", "")
    p = None
    if header.lower().startswith("bearer "):
        p = auth.from_api_token(st.db, header[7:].strip())
        if p is None:
            request.state.principal = None
            raise Unauthenticated("the API token is unknown, revoked or expired")
    else:
        p = auth.from_session(st.db, request.cookies.get(SESSION_COOKIE))
    request.state.principal = p
    return p


def api_user(request: Request) -> Principal:
    """A logged-in user for the JSON API; cookie sessions must send ``X-CSRF-Token`` on writes."""
    p = principal(request)
    if p is None:
        raise Unauthenticated("log in (session cookie) or send 'Authorization: Bearer <API token>'")
    if p.via == "session" and request.method not in SAFE_METHODS:
        if not same(request.headers.get("x-csrf-token"), p.csrf):
            raise Forbidden("missing or wrong X-CSRF-Token header (read it from /api/auth/me)")
    return p


def api_optional(request: Request) -> Principal | None:
    return principal(request)


async def page_user(request: Request) -> Principal:
    """A logged-in user for HTML pages; form posts must carry the session's CSRF token."""
    p = principal(request)
    if p is None:
        raise Unauthenticated("log in first", redirect="/login?next=" + request.url.path)
    if request.method not in SAFE_METHODS:
        form = await request.form()
        if not same(form.get("csrf_token"), p.csrf):
            raise Forbidden("the form's security token is missing or out of date: reload the page and try again")
    return p


def lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in ("zh", "en"):
        return q
    c = request.cookies.get(LANG_COOKIE)
    if c in ("zh", "en"):
        return c
    return "zh"
