"""Render an HTML page from a template, in the request's language.

Its own module (not in ``app``) so that the route modules, which ``app`` includes,
do not import ``app`` back.
"""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..i18n import translator
from .deps import lang, principal
from .errors import WebError


def render(request: Request, name: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
    st = request.app.state.web
    lg = lang(request)
    try:
        user = principal(request)
    except WebError:
        user = None
    ctx = {"t": translator(lg), "lang": lg, "user": user, "path": request.url.path, **(context or {})}
    resp = st.templates.TemplateResponse(request, name, ctx, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        resp.set_cookie("digindex_lang", lg, max_age=365 * 86400, samesite="lax",
                        secure=st.settings.secure_cookies)
    return resp
