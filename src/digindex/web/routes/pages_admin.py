"""HTML pages of the province admin: users, import, locking, runs, previews, publication, audit log."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import auditlog, auth, evaluation, imports, workflow
from ..authz import ROLES, Principal, require_role, role_text
from ..deps import lang, page_user, state
from ..errors import Conflict, Invalid, NotFound, TooLarge
from ..messages import t
from ..models import User
from ..pages import render

router = APIRouter(include_in_schema=False)


async def admin_page_user(request: Request, p: Principal = Depends(page_user)) -> Principal:
    require_role(p, "admin")
    return p


def _int(value, default=None):
    try:
        return int(str(value)) if value not in (None, "") else default
    except ValueError:
        return default


def admin_page(request: Request, p: Principal, message=None, problems=None, status: int = 200,
               is_error: bool = False):
    st = state(request)
    with st.db.read() as s:
        users = [auth.user_dict(u) for u in s.scalars(select(User).order_by(User.id))]
        runs = evaluation.list_runs(s)
    for u in users:
        u["role_label"] = role_text(u["role"])
    return render(request, "admin.html", {"users": users, "runs": runs, "message": message, "problems": problems or [],
                                          "is_error": is_error, "default_year": date.today().year - 1,
                                          "roles": [(r, role_text(r)) for r in ROLES],
                                          "uncertainty_runs": st.settings.uncertainty_runs}, status=status)


@router.get("/work/admin", response_class=HTMLResponse)
def admin(request: Request, p: Principal = Depends(admin_page_user)):
    return admin_page(request, p)


@router.post("/work/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    try:
        u = await run_in_threadpool(auth.create_user, st.db, p, str(f.get("username", "")), str(f.get("password", "")),
                                    str(f.get("role", "")), str(f.get("region", "")) or None, "", st.settings)
    except (Invalid, Conflict) as exc:
        return admin_page(request, p, exc.message, status=exc.status, is_error=True)
    return admin_page(request, p, t("user_created", username=u["username"]))


@router.post("/work/admin/lock", response_class=HTMLResponse)
async def lock(request: Request, p: Principal = Depends(admin_page_user)):
    f = await request.form()
    year = _int(f.get("year"))
    if year is None:
        return admin_page(request, p, t("year_whole_number"), status=422, is_error=True)
    n = workflow.lock_year(state(request).db, p, year)
    return admin_page(request, p, t("locked_n", n=n, year=year))


@router.post("/work/admin/runs")
async def run(request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    year = _int(f.get("year"))
    runs = _int(f.get("uncertainty_runs"))
    try:
        if year is None:
            raise Invalid(t("year_whole_number"))
        run_id = await run_in_threadpool(evaluation.run_evaluation, st.db, p, year, st.settings, runs)
    except Invalid as exc:
        return admin_page(request, p, exc.message, exc.detail.get("problems"), status=422, is_error=True)
    return RedirectResponse(f"/work/admin/runs/{run_id}", status_code=303)


def run_page(request: Request, run_id: int, message=None, is_error: bool = False, status: int = 200,
             population: str = "county", note: str = ""):
    with state(request).db.read() as s:
        pv = evaluation.preview(s, run_id, population if population in ("county", "city") else "county")
    return render(request, "run.html", {"pv": pv, "message": message, "is_error": is_error, "note": note,
                                        "four_eyes": state(request).settings.four_eyes}, status=status)


@router.get("/work/admin/runs/{run_id}", response_class=HTMLResponse)
def run_view(run_id: int, request: Request, p: Principal = Depends(admin_page_user), message: str = "",
             population: str = "county"):
    known = {"published": t("published_ok"), "requested": t("publish_requested")}
    return run_page(request, run_id, known.get(message), population=population)


@router.post("/work/admin/runs/{run_id}/publish", response_class=HTMLResponse)
async def publish(run_id: int, request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    try:
        out = evaluation.publish(st.db, p, run_id, str(f.get("change_note", "")),
                                 f.get("confirm_missing") in ("1", "on", "true"), st.settings.four_eyes)
    except (Invalid, Conflict, NotFound) as exc:
        if isinstance(exc, NotFound):
            raise
        return run_page(request, run_id, exc.message, True, exc.status, note=str(f.get("change_note", "")))
    st.public.invalidate()
    return RedirectResponse(f"/work/admin/runs/{run_id}?message={out['status']}", status_code=303)


@router.post("/work/admin/import", response_class=HTMLResponse)
async def import_data(request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    file = f.get("file")
    if file is None or not hasattr(file, "read"):
        return admin_page(request, p, t("choose_file"), status=422, is_error=True)
    data = await file.read(st.settings.max_upload_bytes + 1)
    try:
        table = await run_in_threadpool(imports.read_table, data, file.filename or "", st.settings)
        rows = await run_in_threadpool(imports.prepare, table, st.settings.framework)
        counts = await run_in_threadpool(imports.import_values, st.db, p, rows)
    except (Invalid, TooLarge) as exc:
        return admin_page(request, p, exc.message, exc.detail.get("problems"), status=exc.status, is_error=True)
    return admin_page(request, p, t("imported", **counts))


@router.get("/work/admin/audit")
def audit_page(request: Request, p: Principal = Depends(admin_page_user), date_from: str = "", date_to: str = "",
               user: str = "", object_type: str = "", object_id: str = "", action: str = "", format: str = "html"):
    filters = {"date_from": date_from, "date_to": date_to, "user": user, "object_type": object_type,
               "object_id": object_id, "action": action}
    try:
        with state(request).db.read() as s:
            entries = auditlog.query(s, **filters, limit=auditlog.LIMIT if format in ("csv", "xlsx") else 500)
    except Invalid as exc:
        return render(request, "audit.html", {"entries": [], "filters": filters, "message": exc.message,
                                              "actions": {}, "objects": {}}, status=422)
    if format in ("csv", "xlsx"):
        lg = lang(request)
        body = auditlog.to_csv(entries, lg) if format == "csv" else auditlog.to_xlsx(entries, lg)
        media = "text/csv; charset=utf-8" if format == "csv" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media,
                        headers={"content-disposition": f'attachment; filename="audit.{format}"'})
    return render(request, "audit.html", {"entries": auditlog.view(entries), "filters": filters, "message": None,
                                          "actions": auditlog.ACTION_TEXTS, "objects": auditlog.OBJECT_TEXTS})
