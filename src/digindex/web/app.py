"""The FastAPI application: ``create_app(db_url)``."""
from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import formatting
from ..version import __version__
from .config import Settings
from .db import Database, ensure_schema
from .deps import WebState, lang, lang_of_scope
from .errors import Forbidden, Invalid, NotFound, Unauthenticated, WebError
from .messages import t
from .pages import render
from .published import PublicData
from .security import RateLimiter

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"same-origin"), (b"content-security-policy", CSP.encode())]


class _BodyTooLarge(Exception):
    pass


class Guard:
    """Pure ASGI middleware: security headers on every response; request bodies over
    ``limit`` bytes are refused with 413 (by Content-Length, or while streaming)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": list(message.get("headers", [])) + HEADERS}
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._too_large(scope, send_with_headers)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await self._too_large(scope, send_with_headers)

    async def _too_large(self, scope, send):
        message = t("body_too_large", limit=formatting.integer(self.limit)).render(lang_of_scope(scope))
        body = json.dumps({"error": "too_large", "message": message}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(db_url: str | None = None, settings: Settings | None = None, migrate: bool = True) -> FastAPI:
    """The web app on the database at ``db_url`` (default: ``Settings.from_env``).

    The schema is migrated to the latest Alembic revision first (unless ``migrate`` is
    False).
    """
    settings = settings or Settings.from_env(db_url)
    if migrate:
        ensure_schema(settings.db_url)
    from . import indicators, units

    indicators.info(settings.framework)  # load the framework and regions now, not in concurrent first requests
    units.units()
    db = Database(settings.db_url)
    @asynccontextmanager
    async def lifespan(_app):
        yield
        db.dispose()

    app = FastAPI(title="digindex web", lifespan=lifespan, version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Public results, the reporting workflow and administration of digindex. "
                              "Authenticate with a session cookie (plus X-CSRF-Token on writes) or "
                              "'Authorization: Bearer <API token>'.")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters.update(num=formatting.number, exact=formatting.exact, integer=formatting.integer,
                                 rank=formatting.rank, rank_range=formatting.rank_range, year=formatting.year,
                                 when=formatting.timestamp)
    app.state.web = WebState(db, settings, PublicData(db, settings),
                             RateLimiter(settings.login_rate, settings.login_window_s), templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from .routes import api_admin, api_auth, api_public, api_work, pages_admin, pages_public, pages_work

    for module in (api_auth, api_public, api_work, api_admin, pages_public, pages_work, pages_admin):
        app.include_router(module.router)

    def answer(request: Request, exc: WebError):
        """JSON for the API, an HTML page (in the page's language) for everything else."""
        if request.url.path.startswith("/api/") and request.url.path != "/api/docs":
            return JSONResponse(exc.payload(lang(request)), status_code=exc.status)
        if isinstance(exc, Unauthenticated) and exc.detail.get("redirect"):
            return RedirectResponse(exc.detail["redirect"], status_code=303)
        return render(request, "error.html", {"error": exc}, status=exc.status)

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError):
        return answer(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        kinds = {404: (NotFound, t("not_found")), 405: (WebError, t("method_not_allowed")),
                 403: (Forbidden, t("forbidden"))}
        cls, message = kinds.get(exc.status_code, (WebError, t("error")))
        err = cls(message)
        err.status = exc.status_code
        return answer(request, err)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = [{"sheet": "", "cell": ".".join(str(x) for x in e.get("loc", ())[1:]) or "",
                     "problem": t("param_missing") if e.get("type") == "missing" else t("param_invalid")}
                    for e in exc.errors()[:20]]
        return answer(request, Invalid(t("bad_request"), problems=problems))

    app.add_middleware(Guard, limit=settings.max_upload_bytes + 256 * 1024)
    return app
