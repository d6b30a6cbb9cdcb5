"""JSON API: published results (no login). Payloads are cached per publication.

Every endpoint reads one publication: ``year`` (default the latest) and ``version``
(default the year's current version; earlier versions stay retrievable).
"""
from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from .. import exports, units
from ..deps import lang as request_lang
from ..deps import state
from ..errors import Invalid, NotFound
from ..messages import t

router = APIRouter(prefix="/api/public", tags=["public"])
JSON = "application/json"
LANG = Query(None, pattern="^(zh|en)$", description="zh or en (default: the request's language)")
VERSION = Query(None, ge=1, description="a version of the year (default: the current one)")


async def snapshot(request: Request):
    pub = state(request).public
    return pub.fresh() or await run_in_threadpool(pub.snapshot)


def check_node(snap, node: str | None) -> str:
    node = node or snap.info.root
    if node not in snap.info.names:
        raise Invalid(t("unknown_node", node=repr(node)[:40]))
    return node


def check_population(population: str) -> str:
    if population not in ("county", "city"):
        raise Invalid(t("bad_population"))
    return population


@router.get("/meta", summary="Published years and their versions, measures, cities")
async def meta(request: Request, lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    return Response(snap.json(("meta", lang), lambda: snap.meta(lang)), media_type=JSON)


@router.get("/ranking", summary="Ranking of a publication at a node; filter by city, search by code, name, "
                                "pinyin or initials (see the search rule in docs/web.md)")
async def ranking(request: Request, year: int | None = None, version: int | None = VERSION, node: str | None = None,
                  population: str = "county", city: str | None = None, q: str | None = None, lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    node, population = check_node(snap, node), check_population(population)
    pub = snap.publication(year, version)
    key = ("ranking", pub["year"], version, node, population, lang)
    if not city and not q:
        body = snap.peek(("json",) + key) or await run_in_threadpool(
            snap.json, key, lambda: snap.ranking(pub["year"], node, population, lang, version))
        return Response(body, media_type=JSON)
    full = await run_in_threadpool(snap.ranking, pub["year"], node, population, lang, version)
    rows = [r for r in full["rows"] if (not city or r["parent"] == city) and units.matches(units.get(r["unit"]), q)]
    return {**full, "rows": rows}


@router.get("/units/{code}", summary="Profile of a unit in a publication: scores, ranks, tier, change (on the "
                                     "publication's basis, with last year as published), trend, aspects, indicators")
async def profile(code: str, request: Request, year: int | None = None, version: int | None = VERSION,
                  lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    if units.get(code) is None:
        raise NotFound(t("not_found"))
    pub = snap.publication(year, version)
    key = ("profile", code, pub["year"], version, lang)
    body = snap.peek(("json",) + key) or await run_in_threadpool(
        snap.json, key, lambda: snap.profile(code, lang, pub["year"], version))
    return Response(body, media_type=JSON)


@router.get("/units/{code}/report.pdf", summary="PDF profile of a unit in a publication (needs digindex.reports "
                                               "and WeasyPrint)")
async def profile_pdf(code: str, request: Request, year: int | None = None, version: int | None = VERSION,
                      lang: str = LANG):
    from .. import reports

    snap = await snapshot(request)
    lang = lang or request_lang(request)
    u = units.get(code)
    if u is None:
        raise NotFound(t("not_found"))
    pub = snap.publication(year, version)
    if snap.frame(pub["run"]).row(u.level, pub["year"], snap.info.root, code) is None:
        raise NotFound(t("not_found"))
    st = state(request)
    body = await run_in_threadpool(snap.memo, ("pdf", code, pub["year"], pub["version"], lang),
                                   lambda: reports.profile_pdf(st.db, pub["run"], u.level, code, pub["year"], lang,
                                                               st.settings.framework))
    name = f"digindex_{code}_{pub['year']}_v{pub['version']}_{lang}.pdf"
    return Response(body, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/compare", summary="Two years side by side, both on the basis of year_b's publication")
async def compare(request: Request, year_a: int, year_b: int, version: int | None = VERSION,
                  node: str | None = None, population: str = "county", lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    node, population = check_node(snap, node), check_population(population)
    pub = snap.publication(year_b, version)
    if year_a not in snap.years or year_a > pub["year"]:
        raise NotFound(t("not_published", year=year_a))
    key = ("compare", year_a, pub["year"], version, node, population, lang)
    body = await run_in_threadpool(snap.json, key, lambda: snap.compare(year_a, pub["year"], node, population, lang,
                                                                        version))
    return Response(body, media_type=JSON)


@router.get("/versions", summary="Units whose score, rank or tier moved between two versions of a year, and why")
async def versions(request: Request, year: int, a: int = Query(..., ge=1), b: int = Query(..., ge=1),
                   node: str | None = None, population: str = "county", lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    node, population = check_node(snap, node), check_population(population)
    key = ("versions", year, a, b, node, population, lang)
    body = await run_in_threadpool(snap.json, key, lambda: snap.compare_versions(year, a, b, node, population, lang))
    return Response(body, media_type=JSON)


@router.get("/download", summary="A publication as CSV or Excel")
async def download(request: Request, year: int | None = None, version: int | None = VERSION,
                   population: str = "county", format: str = Query("csv", pattern="^(csv|xlsx)$"), lang: str = LANG):
    snap = await snapshot(request)
    lang = lang or request_lang(request)
    population = check_population(population)
    pub = snap.publication(year, version)

    def build():
        header, kinds, rows, _p = exports.results_table(snap, pub["year"], population, lang, pub["version"])
        if format == "csv":
            return exports.to_csv(header, kinds, rows, snap.info.score_decimals)
        return exports.to_xlsx(header, kinds, rows, exports.about_lines(snap, pub, population, lang),
                               snap.info.score_decimals)

    body = await run_in_threadpool(snap.memo, ("download", pub["year"], pub["version"], population, format, lang),
                                   build)
    name = f"digindex_{pub['year']}_{population}_v{pub['version']}.{format}"
    media = "text/csv; charset=utf-8" if format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})
