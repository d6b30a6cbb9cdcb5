"""JSON API: province administration (users, import, locking, runs, publication, audit)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import auditlog, auth, evaluation, imports, workflow
from ..authz import Principal, require_role
from ..deps import api_user, lang, respond, state
from ..models import User

router = APIRouter(prefix="/api/admin", tags=["admin"])


def admin_user(p: Principal = Depends(api_user)) -> Principal:
    require_role(p, "admin")
    return p


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str
    region: str | None = None
    display_name: str = ""


class UserPatch(BaseModel):
    active: bool | None = None
    password: str | None = Field(None, max_length=256)
    unlock: bool = False


class RunBody(BaseModel):
    year: int
    uncertainty_runs: int | None = Field(None, ge=0, le=2000)


class PublishBody(BaseModel):
    change_note: str = Field("", max_length=4000)
    confirm_missing: bool = Field(False, description="publish although units are missing (needs a note)")


@router.get("/users", summary="All users")
def users(request: Request, p: Principal = Depends(admin_user)):
    with state(request).db.read() as s:
        return [auth.user_dict(u) for u in s.scalars(select(User).order_by(User.id))]


@router.post("/users", status_code=201, summary="Create a user (admin, reviewer of a city, reporter of a county)")
def create_user(body: NewUser, request: Request, p: Principal = Depends(admin_user)):
    st = state(request)
    return auth.create_user(st.db, p, body.username, body.password, body.role, body.region, body.display_name,
                            st.settings)


@router.patch("/users/{uid}", summary="Activate/deactivate, reset the password, unlock")
def patch_user(uid: int, body: UserPatch, request: Request, p: Principal = Depends(admin_user)):
    st = state(request)
    return auth.update_user(st.db, p, uid, st.settings, body.active, body.password, body.unlock)


@router.post("/import", summary="Import accepted data (wide CSV/Excel: unit, year, indicators) as locked")
async def import_data(request: Request, file: UploadFile = File(...), p: Principal = Depends(admin_user)):
    st = state(request)
    data = await file.read(st.settings.max_upload_bytes + 1)

    def work():
        rows = imports.prepare(imports.read_table(data, file.filename or "upload.csv", st.settings),
                               st.settings.framework)
        return imports.import_values(st.db, p, rows)

    return await run_in_threadpool(work)


@router.post("/years/{year}/lock", summary="Lock every approved submission of a year")
def lock_year(year: int, request: Request, p: Principal = Depends(admin_user)):
    return {"locked": workflow.lock_year(state(request).db, p, year)}


@router.get("/runs", summary="Evaluation runs, newest first")
def runs(request: Request, year: int | None = None, p: Principal = Depends(admin_user)):
    with state(request).db.read() as s:
        return evaluation.list_runs(s, year)


@router.post("/runs", status_code=201, summary="Evaluate the locked data of a year (a preview)")
async def create_run(body: RunBody, request: Request, p: Principal = Depends(admin_user)):
    st = state(request)
    run_id = await run_in_threadpool(evaluation.run_evaluation, st.db, p, body.year, st.settings,
                                     body.uncertainty_runs)
    with st.db.read() as s:
        return respond(request, evaluation.preview(s, run_id))


@router.get("/runs/{run_id}", summary="Preview a run (compared with the published version)")
def get_run(run_id: int, request: Request, population: str = "county", node: str | None = None,
            p: Principal = Depends(admin_user)):
    with state(request).db.read() as s:
        return evaluation.preview(s, run_id, population, node)


@router.post("/runs/{run_id}/publish", summary="Publish a run as the next version of its year (with missing units: "
                                             "confirm_missing and a note; with four-eyes: a second admin approves)")
def publish(run_id: int, body: PublishBody, request: Request, p: Principal = Depends(admin_user)):
    st = state(request)
    out = evaluation.publish(st.db, p, run_id, body.change_note, body.confirm_missing, st.settings.four_eyes)
    st.public.invalidate()
    return out


@router.get("/audit", summary="The audit log, newest first; filters: dates (Asia/Shanghai), user, object, action; "
                              "format csv or xlsx to download")
def audit_log(request: Request, date_from: str | None = None, date_to: str | None = None, user: str | None = None,
              object_type: str | None = None, object_id: str | None = None, action: str | None = None,
              limit: int = 500, format: str = Query("json", pattern="^(json|csv|xlsx)$"),
              p: Principal = Depends(admin_user)):
    with state(request).db.read() as s:
        entries = auditlog.query(s, date_from, date_to, user, object_type, object_id, action, limit)
    if format == "json":
        return entries
    lg = lang(request)
    body = auditlog.to_csv(entries, lg) if format == "csv" else auditlog.to_xlsx(entries, lg)
    media = "text/csv; charset=utf-8" if format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="audit.{format}"'})
