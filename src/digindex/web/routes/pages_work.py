"""HTML pages of the reporting workflow: login, submissions, values, uploads, transitions."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import auth, indicators, units, workflow
from ..authz import EDITABLE, STATES, Principal, allowed_actions
from ..deps import CSRF_COOKIE, SESSION_COOKIE, client_address, page_user, state
from ..errors import Conflict, Invalid, Locked, TooLarge, TooManyRequests, Unauthenticated, WebError
from ..pages import render
from ..security import new_token, same
from ..xlsx_template import build_template
from .api_auth import set_session_cookie

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    value = value or "/work"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/work"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/work"):
    csrf = request.cookies.get(CSRF_COOKIE) or new_token(24)
    resp = render(request, "login.html", {"csrf": csrf, "next": _safe_next(next)})
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=state(request).settings.secure_cookies)
    return resp


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request):
    st = state(request)
    form = await request.form()
    nxt = _safe_next(form.get("next"))
    csrf = request.cookies.get(CSRF_COOKIE) or new_token(24)
    if not same(form.get("csrf_token"), request.cookies.get(CSRF_COOKIE)):
        resp = render(request, "login.html",
                      {"csrf": csrf, "next": nxt, "message": "security token expired: try again"}, status=403)
    else:
        try:
            token, _p = auth.login(st.db, st.settings, st.limiter, str(form.get("username", "")),
                                   str(form.get("password", "")), client_address(request))
        except (Unauthenticated, Locked, TooManyRequests) as exc:
            resp = render(request, "login.html", {"csrf": csrf, "next": nxt, "message": exc.message}, status=exc.status)
        else:
            resp = RedirectResponse(nxt, status_code=303)
            set_session_cookie(resp, token, st.settings)
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=st.settings.secure_cookies)
    return resp


@router.post("/logout")
def logout(request: Request, p: Principal = Depends(page_user)):
    auth.logout(state(request).db, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


def _my_units(p: Principal) -> list:
    if p.role == "reporter":
        return [units.get(p.region)]
    if p.role == "reviewer":
        return units.counties(p.region)
    return units.counties()


@router.get("/work", response_class=HTMLResponse)
def work(request: Request, year: int | None = None, p: Principal = Depends(page_user)):
    st_filter = request.query_params.get("state") or None
    with state(request).db.read() as s:
        subs = [workflow.submission_dict(x, p) for x in workflow.list_submissions(s, p, year, st_filter)]
    from datetime import date

    return render(request, "work.html", {"subs": subs, "my_units": _my_units(p), "year": year, "state": st_filter,
                                         "states": STATES, "default_year": date.today().year - 1})


@router.post("/work/submissions")
async def create(request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    try:
        year = int(str(form.get("year", "")))
    except ValueError:
        raise Invalid("the year must be a whole number")
    try:
        sub = workflow.create_submission(state(request).db, p, str(form.get("unit", "")), year)
    except Conflict as exc:
        if exc.detail.get("id"):
            return RedirectResponse(f"/work/submissions/{exc.detail['id']}", status_code=303)
        raise
    return RedirectResponse(f"/work/submissions/{sub.id}", status_code=303)


def submission_page(request: Request, p: Principal, sid: int, status: int = 200, message: str = "",
                    is_error: bool = False, problems=None, warnings=None, form_values=None):
    info = indicators.info(state(request).settings.framework)
    with state(request).db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last = workflow.last_year_values(s, sub.unit, sub.year)
        hist = workflow.history(s, p, sid)
    d = workflow.submission_dict(sub, p)
    editable = sub.state in EDITABLE and p.role in ("reporter", "admin")
    actions = [a for a in allowed_actions(p, sub)]
    return render(request, "submission.html", {
        "sub": d, "indicators": info.indicators, "last": last, "history": hist, "editable": editable,
        "actions": actions, "message": message, "is_error": is_error, "problems": problems or [],
        "warnings": warnings or [], "form_values": form_values if form_values is not None else d["values"]},
        status=status)


@router.get("/work/submissions/{sid}", response_class=HTMLResponse)
def submission(sid: int, request: Request, p: Principal = Depends(page_user)):
    return submission_page(request, p, sid)


def _failed(request, p, sid, exc: WebError, form_values=None):
    return submission_page(request, p, sid, status=exc.status, message=exc.message, is_error=True,
                           problems=exc.detail.get("problems"), warnings=exc.detail.get("warnings"),
                           form_values=form_values)


@router.post("/work/submissions/{sid}/values", response_class=HTMLResponse)
async def save_values(sid: int, request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    values = {k[2:]: (str(v).strip() or None) for k, v in form.items() if k.startswith("v_")}
    try:
        sub, warnings = workflow.update_values(state(request).db, p, sid, values, int(form.get("version", 0)), "web",
                                               replace=True)
    except (Invalid, Conflict) as exc:
        return _failed(request, p, sid, exc, {k: v or "" for k, v in values.items()})
    return submission_page(request, p, sid, message="saved", warnings=warnings)


@router.post("/work/submissions/{sid}/upload", response_class=HTMLResponse)
async def upload(sid: int, request: Request, p: Principal = Depends(page_user)):
    from .api_work import _apply_upload

    st = state(request)
    form = await request.form()
    file = form.get("file")
    if file is None or not hasattr(file, "read"):
        raise Invalid("choose a file to upload")
    data = await file.read(st.settings.max_upload_bytes + 1)
    try:
        result = await _apply_upload(st, p, sid, int(form.get("version", 0)), data)
    except (Invalid, Conflict, TooLarge) as exc:
        return _failed(request, p, sid, exc)
    return submission_page(request, p, sid, message="saved", warnings=result["warnings"])


@router.post("/work/submissions/{sid}/transition", response_class=HTMLResponse)
async def transition(sid: int, request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    try:
        version = int(form.get("version")) if form.get("version") else None
        workflow.transition(state(request).db, p, sid, str(form.get("action", "")), str(form.get("comment", "")),
                            version)
    except (Invalid, Conflict) as exc:
        return _failed(request, p, sid, exc)
    return RedirectResponse(f"/work/submissions/{sid}", status_code=303)


@router.get("/work/submissions/{sid}/template")
def template(sid: int, request: Request, p: Principal = Depends(page_user)):
    with state(request).db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last = workflow.last_year_values(s, sub.unit, sub.year)
        unit, year, current = sub.unit, sub.year, dict(sub.values or {})
    body = build_template(unit, year, last, current)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="digindex_template_{unit}_{year}.xlsx"'})
