"""Render an HTML page from a template, in the request's language.

Its own module (not in ``app``) so that the route modules, which ``app`` includes,
do not import ``app`` back. Catalogue texts in the context (:class:`~.messages.Msg`,
errors' messages and problems) are rendered in the page's language here.
"""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..i18n import translator
from .authz import role_text
from .deps import lang, principal
from .errors import WebError
from .messages import localise


def render(request: Request, name: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
    st = request.app.state.web
    lg = lang(request)
    try:
        user = principal(request)
    except WebError:
        user = None
    ctx = {k: localise(v, lg) for k, v in (context or {}).items() if not isinstance(v, WebError)}
    for k, v in (context or {}).items():
        if isinstance(v, WebError):
            ctx[k] = {"status": v.status, "message": v.text(lg), "detail": localise(v.detail, lg)}
    others = urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "message")])
    ctx.update({"t": translator(lg), "lang": lg, "user": user, "path": request.url.path,
                "lang_base": others + "&" if others else "",
                "role_label": localise(role_text(user.role), lg) if user else ""})
    resp = st.templates.TemplateResponse(request, name, ctx, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        resp.set_cookie("digindex_lang", lg, max_age=365 * 86400, samesite="lax",
                        secure=st.settings.secure_cookies)
    return resp
