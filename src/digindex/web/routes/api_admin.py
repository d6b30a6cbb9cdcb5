"""JSON API: province administration (users, import, locking, runs, publication, audit)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import auth, evaluation, imports, workflow
from ..authz import Principal, require_role
from ..deps import api_user, state
from ..models import AuditEntry, User

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
        return evaluation.preview(s, run_id)


@router.get("/runs/{run_id}", summary="Preview a run (compared with the published version)")
def get_run(run_id: int, request: Request, population: str = "county", node: str | None = None,
            p: Principal = Depends(admin_user)):
    with state(request).db.read() as s:
        return evaluation.preview(s, run_id, population, node)


@router.post("/runs/{run_id}/publish", summary="Publish a run as the next version of its year")
def publish(run_id: int, body: PublishBody, request: Request, p: Principal = Depends(admin_user)):
    st = state(request)
    pub = evaluation.publish(st.db, p, run_id, body.change_note)
    st.public.invalidate()
    return {"year": pub.year, "version": pub.version, "run": pub.run_id, "change_note": pub.change_note}


@router.get("/audit", summary="The audit log (newest first)")
def audit_log(request: Request, object_type: str | None = None, object_id: str | None = None, limit: int = 200,
              p: Principal = Depends(admin_user)):
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 5000)))
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    with state(request).db.read() as s:
        return [workflow.audit_dict(e) for e in s.scalars(stmt)]
