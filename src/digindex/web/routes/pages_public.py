"""HTML pages of the public dashboard (no login): map and ranking, profiles, comparisons.

Every page shows one publication (``year``, ``version``: default the current version) and
says which; superseded versions stay reachable and say what replaced them.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ...i18n import text
from .. import units
from ..deps import SESSION_COOKIE, lang, state
from ..errors import NotFound
from ..messages import t
from ..pages import render

router = APIRouter(include_in_schema=False)
# the catalogue keys dashboard.js reads from page_data.labels
DASHBOARD_LABELS = ("rank", "score", "rank_in_city", "tier", "change", "interval", "version", "published",
                    "change_note", "not_reported", "prev_published", "basis_short", "superseded", "no_match",
                    "current_version")


async def _snap(request: Request):
    pub = state(request).public
    return pub.fresh() or await run_in_threadpool(pub.snapshot)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request):
    lg = lang(request)
    return render(request, "dashboard.html",
                  {"page_data": {"lang": lg, "labels": {k: text(k, lg) for k in DASHBOARD_LABELS}}})


@router.get("/units/{code}", response_class=HTMLResponse)
async def profile(code: str, request: Request, year: str | None = None, version: str | None = None):
    snap = await _snap(request)
    if units.get(code) is None:
        raise NotFound(t("not_found"))
    year_n, version_n = _int(year), _int(version)
    lg = lang(request)
    anonymous = SESSION_COOKIE not in request.cookies and "lang" not in request.query_params

    def build():
        p = snap.profile(code, lg, year_n if year_n in snap.years else None, version_n)
        from ..reports import available

        return render(request, "profile.html", {"p": p, "chart_data": chart_data(p, lg), "pdf": available()})

    if not anonymous:
        return await run_in_threadpool(build)
    key = ("profile_html", code, lg, year_n, version_n)
    body = snap.peek(key) or await run_in_threadpool(snap.memo, key, lambda: build().body)
    return HTMLResponse(body)


def chart_data(p: dict, lg: str) -> dict | None:
    """What profile.js draws: the trend (with the scores as published), the aspects (with the medians) and
    the locator map (the unit among the publication's units, coloured by tier)."""
    pr = p["profile"]
    if pr is None:
        return None
    return {"lang": lg,
            "trend": [{"year": r["year"], "score": r["score"], "rank": r["rank"],
                       "published": r["published"]["score"] if r["published"] else None} for r in pr["trend"]],
            "aspects": [{"name": a["fmt"]["name"], "score": a["score"], "median": a["median"], "label": a["fmt"]["score"]}
                        for a in pr["aspects"]],
            "map": {"unit": p["unit"],
                    "geo": f"/static/geo/zhejiang_{'cities' if p['level'] == 'city' else 'counties'}.json",
                    "ranking": f"/api/public/ranking?year={p['year']}&version={p['version']['version']}"
                               f"&population={p['level']}&lang={lg}"},
            "labels": {"score": text("score", lg), "rank": pr["fmt"]["headers"]["rank"],
                       "median": pr["fmt"]["headers"]["median"], "published": text("as_published", lg),
                       "not_reported": text("not_reported", lg),
                       "basis": p["basis"]["label"]}}


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request, year_a: str | None = None, year_b: str | None = None, version: str | None = None,
                  node: str | None = None, population: str = "county"):
    snap = await _snap(request)
    lg = lang(request)
    years = snap.years
    ctx = {"years": years, "cmp": None, "nodes": snap.meta(lg)["nodes"], "population": population}
    if years:
        yb = _int(year_b) if _int(year_b) in years else years[-1]
        earlier = [y for y in years if y < yb] or [yb]
        ya = _int(year_a) if _int(year_a) in earlier else earlier[-1]
        node = node if node in snap.info.names else snap.info.root
        population = population if population in ("county", "city") else "county"
        cmp = await run_in_threadpool(snap.compare, ya, yb, node, population, lg, _int(version))
        ctx.update(year_a=ya, year_b=yb, node=node, population=population, cmp=cmp,
                   versions=snap.pubs[yb])
    return render(request, "compare.html", ctx)


@router.get("/compare/versions", response_class=HTMLResponse)
async def compare_versions(request: Request, year: str | None = None, a: str | None = None, b: str | None = None,
                           node: str | None = None, population: str = "county"):
    snap = await _snap(request)
    lg = lang(request)
    with_versions = [y for y in snap.years if len(snap.pubs[y]) > 1]
    ctx = {"years": snap.years, "with_versions": with_versions, "cmp": None, "nodes": snap.meta(lg)["nodes"],
           "population": population}
    y = _int(year) if _int(year) in snap.years else (with_versions[-1] if with_versions else snap.latest_year())
    if y is not None:
        numbers = [v["version"] for v in snap.pubs[y]]
        vb = _int(b) if _int(b) in numbers else numbers[0]
        va = _int(a) if _int(a) in numbers else (numbers[1] if len(numbers) > 1 else numbers[0])
        node = node if node in snap.info.names else snap.info.root
        population = population if population in ("county", "city") else "county"
        cmp = await run_in_threadpool(snap.compare_versions, y, va, vb, node, population, lg)
        ctx.update(year=y, a=va, b=vb, node=node, population=population, cmp=cmp, numbers=numbers)
    return render(request, "versions.html", ctx)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    return state(request).templates.TemplateResponse(request, "docs.html", {})


@router.get("/healthz")
def healthz():
    return Response(b'{"ok":true}', media_type="application/json")
