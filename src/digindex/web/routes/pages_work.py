"""HTML pages of the reporting workflow: login, submissions, values and notes, uploads,
transitions, progress, and each user's account (password, API tokens)."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import auth, indicators, progress, units, workflow
from ..authz import EDITABLE, STATE_TEXTS, STATES, Principal, allowed_actions
from ..deps import CSRF_COOKIE, SESSION_COOKIE, client_address, page_user, state
from ..errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, TooManyRequests, Unauthenticated, WebError
from ..messages import t
from ..pages import render
from ..security import new_token, same
from ..xlsx_template import build_template
from .api_auth import set_session_cookie

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    value = value or "/work"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/work"


def _int(value, default=None):
    try:
        return int(str(value)) if value not in (None, "") else default
    except ValueError:
        return default


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
        resp = render(request, "login.html", {"csrf": csrf, "next": nxt, "message": t("csrf_login")}, status=403)
    else:
        try:
            token, _p = await run_in_threadpool(auth.login, st.db, st.settings, st.limiter,
                                                str(form.get("username", "")), str(form.get("password", "")),
                                                client_address(request))
        except (Unauthenticated, TooManyRequests) as exc:
            resp = render(request, "login.html", {"csrf": csrf, "next": nxt, "message": exc.message},
                          status=exc.status)
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
def work(request: Request, year: str | None = None, p: Principal = Depends(page_user)):
    st_filter = request.query_params.get("state") or None
    st_filter = st_filter if st_filter in STATES else None
    year_n = _int(year)
    with state(request).db.read() as s:
        subs = [workflow.submission_dict(x, p) for x in workflow.list_submissions(s, p, year_n, st_filter)]
    return render(request, "work.html", {"subs": subs, "my_units": _my_units(p), "year": year_n, "state": st_filter,
                                         "states": STATES, "default_year": date.today().year - 1})


@router.post("/work/submissions")
async def create(request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    year = _int(form.get("year"))
    if year is None:
        raise Invalid(t("year_whole_number"))
    try:
        sub = workflow.create_submission(state(request).db, p, str(form.get("unit", "")), year)
    except Conflict as exc:
        if exc.detail.get("id"):
            return RedirectResponse(f"/work/submissions/{exc.detail['id']}", status_code=303)
        raise
    return RedirectResponse(f"/work/submissions/{sub.id}", status_code=303)


def submission_page(request: Request, p: Principal, sid: int, status: int = 200, message=None,
                    is_error: bool = False, problems=None, form_values=None, form_notes=None):
    info = indicators.info(state(request).settings.framework)
    with state(request).db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last = workflow.last_year_values(s, sub.unit, sub.year)
        hist = workflow.history(s, p, sid)
        quality = workflow.quality(s, sub)
    d = workflow.submission_dict(sub, p, quality)
    editable = sub.state in EDITABLE and p.role in ("reporter", "admin")
    flags = {}
    for f in quality["flags"]:
        flags.setdefault(f["indicator"], []).append(f["problem"])
    return render(request, "submission.html", {
        "sub": d, "indicators": info.indicators, "last": last, "history": hist, "editable": editable,
        "actions": allowed_actions(p, sub), "message": message, "is_error": is_error, "problems": problems or [],
        "quality": quality, "flags": flags, "state_labels": STATE_TEXTS,
        "form_values": form_values if form_values is not None else d["values"],
        "form_notes": form_notes if form_notes is not None else d["notes"]}, status=status)


@router.get("/work/submissions/{sid}", response_class=HTMLResponse)
def submission(sid: int, request: Request, p: Principal = Depends(page_user), message: str = ""):
    known = {"saved": t("saved"), "done": t("done")}
    return submission_page(request, p, sid, message=known.get(message))


def _failed(request, p, sid, exc: WebError, form_values=None, form_notes=None):
    return submission_page(request, p, sid, status=exc.status, message=exc.message, is_error=True,
                           problems=exc.detail.get("problems"), form_values=form_values, form_notes=form_notes)


@router.post("/work/submissions/{sid}/values", response_class=HTMLResponse)
async def save_values(sid: int, request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    values = {k[2:]: (str(v).strip() or None) for k, v in form.items() if k.startswith("v_")}
    notes = {k[2:]: (str(v).strip() or None) for k, v in form.items() if k.startswith("n_")}
    try:
        await run_in_threadpool(workflow.update_values, state(request).db, p, sid, values, form.get("version"),
                                "web", True, notes)
    except (Invalid, Conflict) as exc:
        return _failed(request, p, sid, exc, {k: v or "" for k, v in values.items()},
                       {k: v or "" for k, v in notes.items()})
    return RedirectResponse(f"/work/submissions/{sid}?message=saved", status_code=303)


@router.post("/work/submissions/{sid}/upload", response_class=HTMLResponse)
async def upload(sid: int, request: Request, p: Principal = Depends(page_user)):
    from .api_work import apply_upload

    st = state(request)
    form = await request.form()
    file = form.get("file")
    if file is None or not hasattr(file, "read"):
        raise Invalid(t("choose_file"))
    data = await file.read(st.settings.max_upload_bytes + 1)
    try:
        await apply_upload(st, p, sid, form.get("version"), data)
    except (Invalid, Conflict, TooLarge) as exc:
        return _failed(request, p, sid, exc)
    return RedirectResponse(f"/work/submissions/{sid}?message=saved", status_code=303)


@router.post("/work/submissions/{sid}/transition", response_class=HTMLResponse)
async def transition(sid: int, request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    try:
        await run_in_threadpool(workflow.transition, state(request).db, p, sid, str(form.get("action", "")),
                                str(form.get("comment", "")), form.get("version"))
    except (Invalid, Conflict) as exc:
        return _failed(request, p, sid, exc)
    return RedirectResponse(f"/work/submissions/{sid}?message=done", status_code=303)


@router.get("/work/submissions/{sid}/template")
def template(sid: int, request: Request, p: Principal = Depends(page_user)):
    with state(request).db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last = workflow.last_year_values(s, sub.unit, sub.year)
        unit, year, current, notes = sub.unit, sub.year, dict(sub.values or {}), dict(sub.notes or {})
    body = build_template(unit, year, last, current, notes=notes)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="digindex_template_{unit}_{year}.xlsx"'})


@router.get("/work/progress", response_class=HTMLResponse)
def progress_page(request: Request, year: str | None = None, p: Principal = Depends(page_user)):
    y = _int(year, date.today().year - 1)
    with state(request).db.read() as s:
        pr = progress.progress(s, p, y)
    return render(request, "progress.html", {"pr": pr, "year": y, "state_labels": STATE_TEXTS})


def account_page(request: Request, p: Principal, message=None, is_error: bool = False, problems=None,
                 new_token=None, status: int = 200):
    with state(request).db.read() as s:
        tokens = auth.list_api_tokens(s, p)
    return render(request, "account.html", {"tokens": tokens, "message": message, "is_error": is_error,
                                            "problems": problems or [], "new_token": new_token}, status=status)


@router.get("/work/account", response_class=HTMLResponse)
def account(request: Request, p: Principal = Depends(page_user)):
    return account_page(request, p)


@router.post("/work/account/password", response_class=HTMLResponse)
async def change_password(request: Request, p: Principal = Depends(page_user)):
    st = state(request)
    form = await request.form()
    if str(form.get("new_password", "")) != str(form.get("new_password2", "")):
        return account_page(request, p, t("passwords_differ"), True, status=422)
    try:
        await run_in_threadpool(auth.change_password, st.db, p, st.settings, str(form.get("current_password", "")),
                                str(form.get("new_password", "")))
    except (Invalid, Forbidden) as exc:
        return account_page(request, p, exc.message, True, exc.detail.get("problems"), status=exc.status)
    return account_page(request, p, t("password_changed"))


@router.post("/work/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request, p: Principal = Depends(page_user)):
    form = await request.form()
    made = auth.create_api_token(state(request).db, p, str(form.get("name", "")), _int(form.get("days")),
                                 read_only=form.get("read_only") in ("1", "on", "true"))
    return account_page(request, p, t("token_created"), new_token=made["token"], status=201)


@router.post("/work/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(token_id: int, request: Request, p: Principal = Depends(page_user)):
    try:
        auth.revoke_api_token(state(request).db, p, token_id)
    except NotFound as exc:
        return account_page(request, p, exc.message, True, status=404)
    return account_page(request, p, t("token_revoked"))
