"""JSON API: the reporting workflow (submissions, values, notes, uploads, transitions, history,
templates) and the reporting progress of a year."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from .. import progress, workflow
from ..authz import Principal, require_edit, require_role, require_unit
from ..deps import api_user, respond, state
from ..errors import Invalid
from ..messages import t
from ..xlsx_template import build_template, parse_upload

router = APIRouter(prefix="/api", tags=["reporting"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NewSubmission(BaseModel):
    unit: str = Field(max_length=6)
    year: int


class ValuesBody(BaseModel):
    version: int | None = Field(None, description="the version you edited (required: else 409)")
    values: dict[str, float | str | None] = Field(default_factory=dict)
    notes: dict[str, str | None] = Field(default_factory=dict,
                                         description="per indicator: why it is missing, or what explains it")
    replace: bool = False


class TransitionBody(BaseModel):
    action: str = Field(description="submit, approve, return, lock or reopen")
    comment: str = Field("", max_length=4000)
    version: int | None = Field(None, description="the version you acted on (required: else 409)")


def _detail(request, s, sub, p) -> dict:
    return respond(request, workflow.submission_dict(sub, p, workflow.quality(s, sub)))


@router.get("/submissions", summary="Submissions you may see (filter by year, state, unit)")
def list_submissions(request: Request, year: int | None = None, state_: str | None = Query(None, alias="state"),
                     unit: str | None = None, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return [workflow.submission_dict(x, p) for x in workflow.list_submissions(s, p, year, state_, unit)]


@router.post("/submissions", status_code=201, summary="Create a draft for a county and year")
def create_submission(body: NewSubmission, request: Request, p: Principal = Depends(api_user)):
    sub = workflow.create_submission(state(request).db, p, body.unit, body.year)
    return workflow.submission_dict(sub, p)


@router.get("/submissions/{sid}", summary="One submission, with its data-quality flags and what blocks submitting")
def get_submission(sid: int, request: Request, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return _detail(request, s, workflow.get_submission(s, p, sid), p)


@router.put("/submissions/{sid}/values", summary="Set values and notes (needs the version you edited)")
def put_values(sid: int, body: ValuesBody, request: Request, p: Principal = Depends(api_user)):
    st = state(request)
    sub, flags = workflow.update_values(st.db, p, sid, body.values, body.version, "web", body.replace, body.notes)
    with st.db.read() as s:
        out = _detail(request, s, workflow.get_submission(s, p, sid), p)
    return {**out, "warnings": out["quality"]["flags"]}


@router.post("/submissions/{sid}/upload", summary="Upload a filled Excel template; errors come back cell by cell")
async def upload(sid: int, request: Request, version: int | None = Form(None), file: UploadFile = File(...),
                 p: Principal = Depends(api_user)):
    st = state(request)
    data = await file.read(st.settings.max_upload_bytes + 1)
    return respond(request, await apply_upload(st, p, sid, version, data))


async def apply_upload(st, p, sid, version, data) -> dict:
    from starlette.concurrency import run_in_threadpool

    def work():
        with st.db.read() as s:
            sub = workflow.get_submission(s, p, sid)
            unit, year = sub.unit, sub.year
        require_edit(p, sub)
        values, notes = parse_upload(data, unit, year, st.settings)
        workflow.update_values(st.db, p, sid, values, version, "upload", replace=True, notes=notes)
        with st.db.read() as s:
            sub = workflow.get_submission(s, p, sid)
            out = workflow.submission_dict(sub, p, workflow.quality(s, sub))
        return {**out, "warnings": out["quality"]["flags"]}

    return await run_in_threadpool(work)


@router.post("/submissions/{sid}/transition", summary="submit / approve / return / lock / reopen (needs the version)")
def transition(sid: int, body: TransitionBody, request: Request, p: Principal = Depends(api_user)):
    sub = workflow.transition(state(request).db, p, sid, body.action, body.comment, body.version)
    return workflow.submission_dict(sub, p)


@router.get("/submissions/{sid}/history", summary="State changes and every version with its value changes")
def history(sid: int, request: Request, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return respond(request, workflow.history(s, p, sid))


@router.get("/submissions/{sid}/diff", summary="Value by value: version a against version b")
def diff(sid: int, request: Request, a: int, b: int, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return workflow.diff(s, p, sid, a, b)


@router.get("/submissions/{sid}/template", summary="The Excel template of this submission (current values filled)")
def submission_template(sid: int, request: Request, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last = workflow.last_year_values(s, sub.unit, sub.year)
        unit, year, current, notes = sub.unit, sub.year, dict(sub.values or {}), dict(sub.notes or {})
    return _xlsx(build_template(unit, year, last, current, notes=notes), unit, year)


@router.get("/template", summary="The Excel template for a county and year")
def template(request: Request, unit: str, year: int, p: Principal = Depends(api_user)):
    require_role(p, "reporter", "admin")
    require_unit(p, unit)
    if not 1990 <= year <= 2100:
        raise Invalid(t("year_out_of_range", year=year))
    with state(request).db.read() as s:
        last = workflow.last_year_values(s, unit, year)
    return _xlsx(build_template(unit, year, last), unit, year)


@router.get("/progress", summary="Reporting progress of a year per county and per city (within your region)")
def year_progress(request: Request, year: int, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return respond(request, progress.progress(s, p, year))


def _xlsx(body: bytes, unit: str, year: int) -> Response:
    return Response(body, media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="digindex_template_{unit}_{year}.xlsx"'})
