"""JSON API: published results (no login). Payloads are cached per published version."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from .. import exports, units
from ..deps import state
from ..errors import Invalid, NotFound

router = APIRouter(prefix="/api/public", tags=["public"])
JSON = "application/json"


async def snapshot(request: Request):
    pub = state(request).public
    return pub.fresh() or await run_in_threadpool(pub.snapshot)


def _year(snap, year: int | None) -> int:
    year = year or snap.latest_year()
    if year is None or year not in snap.pubs:
        raise NotFound(f"no published results for {year}" if year else "nothing has been published yet")
    return year


def _node(snap, node: str | None) -> str:
    node = node or snap.info.root
    if node not in snap.info.names:
        raise Invalid(f"unknown node {node!r}")
    return node


def _population(population: str) -> str:
    if population not in ("county", "city"):
        raise Invalid("population must be county or city")
    return population


@router.get("/meta", summary="Published years and versions, measures, cities")
async def meta(request: Request, lang: str = Query("zh", pattern="^(zh|en)$")):
    snap = await snapshot(request)
    return Response(snap.json(("meta", lang), lambda: snap.meta(lang)), media_type=JSON)


@router.get("/ranking", summary="Ranking of a year at a node; filter by city and search (Chinese, pinyin)")
async def ranking(request: Request, year: int | None = None, node: str | None = None,
                  population: str = "county", city: str | None = None, q: str | None = None,
                  lang: str = Query("zh", pattern="^(zh|en)$")):
    snap = await snapshot(request)
    year, node, population = _year(snap, year), _node(snap, node), _population(population)
    key = ("ranking", year, node, population, lang)
    if not city and not q:
        return Response(snap.json(key, lambda: {"year": year, "node": node, "population": population,
                                                "version": snap.version(year),
                                                "rows": snap.ranking(year, node, population, lang)}), media_type=JSON)
    rows = [r for r in snap.ranking(year, node, population, lang)
            if (not city or r["parent"] == city) and units.matches(units.get(r["unit"]), q or "")]
    return {"year": year, "node": node, "population": population, "version": snap.version(year), "rows": rows}


@router.get("/units/{code}", summary="Profile of a unit: scores, ranks, tier, trend, aspects, indicators")
async def profile(code: str, request: Request, lang: str = Query("zh", pattern="^(zh|en)$")):
    snap = await snapshot(request)
    if units.get(code) is None:
        raise NotFound(f"no unit {code}")
    return Response(snap.json(("profile", code, lang), lambda: snap.profile(code, lang)), media_type=JSON)


@router.get("/units/{code}/report.pdf", summary="PDF profile of a unit (needs digindex.reports and WeasyPrint)")
async def profile_pdf(code: str, request: Request, year: int | None = None,
                      lang: str = Query("zh", pattern="^(zh|en)$")):
    from .. import reports

    snap = await snapshot(request)
    u = units.get(code)
    if u is None:
        raise NotFound(f"no unit {code}")
    year = _year(snap, year)
    if not (snap.group(u.level, year, snap.info.root)["unit"] == code).any():
        raise NotFound(f"{code} has no published result for {year}")
    st, run = state(request), snap.version(year)["run"]
    body = await run_in_threadpool(snap.memo, ("pdf", code, year, lang), lambda: reports.profile_pdf(
        st.db, run, u.level, code, year, lang, st.settings.framework))
    return Response(body, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="digindex_{code}_{year}_{lang}.pdf"'})


@router.get("/compare", summary="Scores and ranks of two years side by side")
async def compare(request: Request, year_a: int, year_b: int, node: str | None = None, population: str = "county",
                  lang: str = Query("zh", pattern="^(zh|en)$")):
    snap = await snapshot(request)
    year_a, year_b, node = _year(snap, year_a), _year(snap, year_b), _node(snap, node)
    population = _population(population)
    return Response(snap.json(("compare", year_a, year_b, node, population, lang),
                              lambda: {"year_a": year_a, "year_b": year_b, "node": node,
                                       "rows": snap.compare(year_a, year_b, node, population, lang)}), media_type=JSON)


@router.get("/download", summary="Published results of a year as CSV or Excel")
async def download(request: Request, year: int | None = None, population: str = "county",
                   format: str = Query("csv", pattern="^(csv|xlsx)$"), lang: str = Query("zh", pattern="^(zh|en)$")):
    snap = await snapshot(request)
    year, population = _year(snap, year), _population(population)
    ver = snap.version(year) or {}

    def build():
        header, rows = exports.results_table(snap, year, population, lang)
        if format == "csv":
            return exports.to_csv(header, rows)
        return exports.to_xlsx(header, rows, f"digindex {year} {population} v{ver.get('version')}", ver.get("note", ""))

    body = await run_in_threadpool(snap.memo, ("download", year, population, format, lang), build)
    name = f"digindex_{year}_{population}_v{ver.get('version')}.{format}"
    media = "text/csv; charset=utf-8" if format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})
