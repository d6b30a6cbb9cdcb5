"""JSON API: login, logout, who am I, password change, API tokens."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from .. import auth
from ..authz import Principal
from ..deps import SESSION_COOKIE, api_user, client_address, respond, state

router = APIRouter(prefix="/api", tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class PasswordBody(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class TokenBody(BaseModel):
    name: str = Field("token", max_length=128)
    days: int | None = Field(None, ge=1, le=3650)
    read_only: bool = Field(False, description="a token that may only read (GET)")


def set_session_cookie(response: Response, token: str, settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")


def me_dict(p: Principal) -> dict:
    return {"id": p.id, "username": p.username, "role": p.role, "region": p.region, "via": p.via,
            "read_only": p.read_only, "csrf_token": p.csrf}


@router.post("/auth/login", summary="Log in; sets the session cookie and returns the CSRF token")
def api_login(body: LoginBody, request: Request, response: Response):
    st = state(request)
    token, p = auth.login(st.db, st.settings, st.limiter, body.username, body.password, client_address(request))
    set_session_cookie(response, token, st.settings)
    return me_dict(p)


@router.post("/auth/logout", summary="End the session")
def api_logout(request: Request, response: Response, p: Principal = Depends(api_user)):
    auth.logout(state(request).db, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/auth/me", summary="The current user (and the CSRF token of a cookie session)")
def api_me(p: Principal = Depends(api_user)):
    return me_dict(p)


@router.post("/auth/password", summary="Change your own password (your other sessions end)")
def change_password(body: PasswordBody, request: Request, p: Principal = Depends(api_user)):
    st = state(request)
    auth.change_password(st.db, p, st.settings, body.current_password, body.new_password)
    return respond(request, {"ok": True})


@router.get("/tokens", summary="Your API tokens")
def tokens(request: Request, p: Principal = Depends(api_user)):
    with state(request).db.read() as s:
        return auth.list_api_tokens(s, p)


@router.post("/tokens", status_code=201, summary="Create an API token (shown once); read_only: GET only")
def create_token(body: TokenBody, request: Request, p: Principal = Depends(api_user)):
    return auth.create_api_token(state(request).db, p, body.name, body.days, body.read_only)


@router.delete("/tokens/{token_id}", summary="Revoke an API token")
def revoke_token(token_id: int, request: Request, p: Principal = Depends(api_user)):
    return auth.revoke_api_token(state(request).db, p, token_id)
