"""Request plumbing: the app state, who is asking, CSRF checks and language."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from . import auth
from .authz import Principal
from .errors import Forbidden, Unauthenticated
from .messages import t
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
            raise Unauthenticated(t("token_invalid"))
    else:
        p = auth.from_session(st.db, request.cookies.get(SESSION_COOKIE))
    request.state.principal = p
    return p


def api_user(request: Request) -> Principal:
    """A logged-in user for the JSON API; cookie sessions must send ``X-CSRF-Token`` on writes."""
    p = principal(request)
    if p is None:
        raise Unauthenticated(t("api_login_needed"))
    if p.read_only and request.method not in SAFE_METHODS:
        raise Forbidden(t("token_read_only"))
    if p.via == "session" and request.method not in SAFE_METHODS:
        if not same(request.headers.get("x-csrf-token"), p.csrf):
            raise Forbidden(t("csrf_header"))
    return p


def api_optional(request: Request) -> Principal | None:
    return principal(request)


async def page_user(request: Request) -> Principal:
    """A logged-in user for HTML pages; form posts must carry the session's CSRF token."""
    p = principal(request)
    if p is None:
        raise Unauthenticated(t("login_first"), redirect="/login?next=" + request.url.path)
    if request.method not in SAFE_METHODS:
        form = await request.form()
        if not same(form.get("csrf_token"), p.csrf):
            raise Forbidden(t("csrf_form"))
    return p


def pick_lang(query: str | None, cookie: str | None, accept: str | None) -> str:
    """``?lang=``, else the remembered choice (cookie), else the browser's first preference
    among Chinese and English, else Chinese."""
    for choice in (query, cookie):
        if choice in ("zh", "en"):
            return choice
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def lang(request: Request) -> str:
    """The request's language (see :func:`pick_lang`)."""
    return pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                     request.headers.get("accept-language"))


def lang_of_scope(scope) -> str:
    """The language of a raw ASGI request (for answers given before routing)."""
    from http.cookies import SimpleCookie
    from urllib.parse import parse_qs

    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is no language choice
        pass
    chosen = cookie.get(LANG_COOKIE)
    return pick_lang(query, chosen.value if chosen else None, headers.get("accept-language"))


def respond(request: Request, obj):
    """``obj`` with its catalogue texts in the request's language (for JSON answers)."""
    from .messages import localise

    return localise(obj, lang(request))
