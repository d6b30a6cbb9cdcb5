"""HTML pages of the province admin: users, import, locking, runs, previews, publication."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import auth, evaluation, imports, workflow
from ..authz import Principal, require_role
from ..deps import page_user, state
from ..errors import Conflict, Invalid, TooLarge
from ..models import User
from ..pages import render

router = APIRouter(include_in_schema=False)


async def admin_page_user(request: Request, p: Principal = Depends(page_user)) -> Principal:
    require_role(p, "admin")
    return p


def admin_page(request: Request, p: Principal, message: str = "", problems=None, status: int = 200):
    st = state(request)
    with st.db.read() as s:
        users = [auth.user_dict(u) for u in s.scalars(select(User).order_by(User.id))]
        runs = evaluation.list_runs(s)
    return render(request, "admin.html", {"users": users, "runs": runs, "message": message, "problems": problems or [],
                                          "default_year": date.today().year - 1,
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
        return admin_page(request, p, exc.message, status=exc.status)
    return admin_page(request, p, f"created {u['username']}")


@router.post("/work/admin/lock", response_class=HTMLResponse)
async def lock(request: Request, p: Principal = Depends(admin_page_user)):
    f = await request.form()
    n = workflow.lock_year(state(request).db, p, int(str(f.get("year", "0")) or 0))
    return admin_page(request, p, f"locked {n}")


@router.post("/work/admin/runs")
async def run(request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    runs = str(f.get("uncertainty_runs", "")).strip()
    try:
        run_id = await run_in_threadpool(evaluation.run_evaluation, st.db, p, int(str(f.get("year", "0"))),
                                         st.settings, int(runs) if runs else None)
    except (Invalid, ValueError) as exc:
        return admin_page(request, p, getattr(exc, "message", str(exc)), getattr(exc, "detail", {}).get("problems"),
                          status=422)
    return RedirectResponse(f"/work/admin/runs/{run_id}", status_code=303)


@router.get("/work/admin/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: int, request: Request, p: Principal = Depends(admin_page_user), message: str = ""):
    with state(request).db.read() as s:
        pv = evaluation.preview(s, run_id)
    return render(request, "run.html", {"pv": pv, "message": message})


@router.post("/work/admin/runs/{run_id}/publish", response_class=HTMLResponse)
async def publish(run_id: int, request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    try:
        pub = evaluation.publish(st.db, p, run_id, str(f.get("change_note", "")))
    except (Invalid, Conflict) as exc:
        with st.db.read() as s:
            pv = evaluation.preview(s, run_id)
        return render(request, "run.html", {"pv": pv, "message": exc.message}, status=exc.status)
    st.public.invalidate()
    return RedirectResponse(f"/work/admin/runs/{run_id}?message=published+v{pub.version}", status_code=303)


@router.post("/work/admin/import", response_class=HTMLResponse)
async def import_data(request: Request, p: Principal = Depends(admin_page_user)):
    st = state(request)
    f = await request.form()
    file = f.get("file")
    if file is None or not hasattr(file, "read"):
        raise Invalid("choose a file to import")
    data = await file.read(st.settings.max_upload_bytes + 1)
    try:
        table = await run_in_threadpool(imports.read_table, data, file.filename or "", st.settings)
        rows = await run_in_threadpool(imports.prepare, table, st.settings.framework)
        counts = await run_in_threadpool(imports.import_values, st.db, p, rows)
    except (Invalid, TooLarge) as exc:
        return admin_page(request, p, exc.message, exc.detail.get("problems"), status=exc.status)
    return admin_page(request, p, f"imported: {counts}")
