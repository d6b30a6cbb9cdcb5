"""HTML pages of the public dashboard (no login): map and ranking, profiles, comparison."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ...i18n import text
from .. import units
from ..deps import SESSION_COOKIE, lang, state
from ..errors import NotFound
from ..pages import render

router = APIRouter(include_in_schema=False)
# the catalogue keys dashboard.js reads from page_data.labels
DASHBOARD_LABELS = ("rank", "score", "rank_in_city", "tier", "change", "interval", "version", "published",
                    "change_note")


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request):
    lg = lang(request)
    return render(request, "dashboard.html",
                  {"page_data": {"lang": lg, "labels": {k: text(k, lg) for k in DASHBOARD_LABELS}}})


@router.get("/units/{code}", response_class=HTMLResponse)
async def profile(code: str, request: Request, year: int | None = None):
    pub = state(request).public
    snap = pub.fresh() or await run_in_threadpool(pub.snapshot)
    if units.get(code) is None:
        raise NotFound(f"no unit {code}")
    lg = lang(request)
    anonymous = SESSION_COOKIE not in request.cookies and "lang" not in request.query_params

    def build():
        p = snap.profile(code, lg)
        years = [int(y) for y in p["years"]]
        y = year if year in years else (years[-1] if years else None)
        cur = p["years"].get(str(y)) if y else None
        chart = {"lang": lg, "trend": p["trend"], "aspects": cur["aspects"] if cur else [],
                 "labels": {"score": text("score", lg), "rank": text("rank_province", lg)}}
        from ..reports import available

        return render(request, "profile.html", {"p": p, "cur": cur, "year": y, "years": years, "chart_data": chart,
                                                "pdf": available()})

    if not anonymous:
        return await run_in_threadpool(build)
    key = ("profile_html", code, lg, year)
    body = snap.peek(key) or await run_in_threadpool(snap.memo, key, lambda: build().body)
    return HTMLResponse(body)


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request, year_a: int | None = None, year_b: int | None = None, node: str | None = None,
                  population: str = "county"):
    pub = state(request).public
    snap = pub.fresh() or await run_in_threadpool(pub.snapshot)
    lg = lang(request)
    years = snap.years
    ctx = {"years": years, "rows": [], "nodes": snap.meta(lg)["nodes"], "population": population}
    if years:
        year_b = year_b if year_b in years else years[-1]
        year_a = year_a if year_a in years else (years[-2] if len(years) > 1 else years[-1])
        node = node if node in snap.info.names else snap.info.root
        population = population if population in ("county", "city") else "county"
        rows = await run_in_threadpool(snap.compare, year_a, year_b, node, population, lg)
        ctx.update(year_a=year_a, year_b=year_b, node=node, population=population, rows=rows)
    return render(request, "compare.html", ctx)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    return state(request).templates.TemplateResponse(request, "docs.html", {})


@router.get("/healthz")
def healthz():
    return Response(b'{"ok":true}', media_type="application/json")
