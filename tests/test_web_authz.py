"""The authorisation matrix: every endpoint × every role, on SQLite and PostgreSQL.

Roles: anonymous, the province admin, the Jiaxing reviewer (Tongxiang's city), the Hangzhou
reviewer, Tongxiang's reporter (the owner), Nanhu's reporter (same city, another county)
and Shangcheng's reporter (another city). Each denied request must answer exactly the
expected status (401 / 403 / 404, or a redirect to the login page) and change nothing in
the database; each allowed request must get past authorisation (2xx, or a business
answer such as 409/422). ``test_matrix_covers_every_route`` fails when a route is added
without a row here.
"""
from __future__ import annotations

import contextlib
import hashlib

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from test_web_support import BACKENDS, NEXT_YEAR, PASSWORD, app_for, fill_values, world

from digindex.web.db import normalise_url  # noqa: E402

ROLES = ["anon", "rep_nh", "rep_sc", "rev_hz", "rev_jx", "rep_tx", "admin"]


def exp(default, **roles):
    """Expectation per role: 'ok', 'any', 'login' or an HTTP status."""
    return {r: roles.get(r, default) for r in ROLES}


PUBLIC = exp("ok")
USER = exp("ok", anon=401)
USER_PAGE = exp("ok", anon="login")
ADMIN = exp(403, anon=401, admin="ok")
ADMIN_PAGE = exp(403, anon="login", admin="ok")
TX_READ = exp(404, anon=401, admin="ok", rev_jx="ok", rep_tx="ok")
TX_EDIT = exp(404, anon=401, admin="ok", rep_tx="ok", rev_jx=403)
NH_REVIEW = exp(404, anon=401, admin="ok", rev_jx="ok", rep_nh=403)
TX_NEW = exp(404, anon=401, admin="ok", rep_tx="ok", rev_jx=403, rev_hz=403)


def page(e):
    return {r: ("login" if v == 401 else v) for r, v in e.items()}


def template_bytes() -> bytes:
    from digindex.web.xlsx_template import build_template

    return build_template("330483", NEXT_YEAR, {}, fill_values())


def import_csv() -> bytes:
    vals = fill_values()
    return ("unit,year," + ",".join(vals) + "\n330483,2025," + ",".join(str(v) for v in vals.values())).encode()


XLSX = ("t.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# name: (method, path, kind, body, expectation, mutating)
ENDPOINTS = {
    "api_login": ("POST", "/api/auth/login", "api", {"json": {"username": "rep_sc", "password": PASSWORD}}, PUBLIC,
                  True),
    "api_logout": ("POST", "/api/auth/logout", "api", {}, USER, True),
    "api_me": ("GET", "/api/auth/me", "api", {}, USER, False),
    "tokens_list": ("GET", "/api/tokens", "api", {}, USER, False),
    "tokens_create": ("POST", "/api/tokens", "api", {"json": {"name": "x"}}, USER, True),
    "tokens_revoke": ("DELETE", "/api/tokens/{admin_token}", "api", {}, exp(404, anon=401, admin="ok"), True),
    "api_password": ("POST", "/api/auth/password", "api", {"json": {"current_password": "not the password",
                                                                    "new_password": "a long new password"}}, USER,
                     True),
    "public_meta": ("GET", "/api/public/meta", "api", {}, PUBLIC, False),
    "public_ranking": ("GET", "/api/public/ranking?city=3304&q=tx", "api", {}, PUBLIC, False),
    "public_unit": ("GET", "/api/public/units/330483", "api", {}, PUBLIC, False),
    "public_report": ("GET", "/api/public/units/330483/report.pdf?year=2021", "api", {}, PUBLIC, False),
    "public_compare": ("GET", "/api/public/compare?year_a=2021&year_b=2022", "api", {}, PUBLIC, False),
    "public_download": ("GET", "/api/public/download?format=xlsx", "api", {}, PUBLIC, False),
    "public_versions": ("GET", "/api/public/versions?year=2022&a=1&b=1", "api", {}, PUBLIC, False),
    "progress": ("GET", f"/api/progress?year={NEXT_YEAR}", "api", {}, USER, False),
    "subs_list": ("GET", "/api/submissions", "api", {}, USER, False),
    "subs_create": ("POST", "/api/submissions", "api", {"json": {"unit": "330483", "year": 2030}}, TX_NEW, True),
    "sub_get": ("GET", "/api/submissions/{sub_330483}", "api", {}, TX_READ, False),
    "sub_values": ("PUT", "/api/submissions/{sub_330483}/values", "api",
                   {"json": {"version": 1, "values": {"ftth_share": 90}}}, TX_EDIT, True),
    "sub_upload": ("POST", "/api/submissions/{sub_330483}/upload", "api", {"upload": True}, TX_EDIT, True),
    "sub_submit": ("POST", "/api/submissions/{sub_330483}/transition", "api",
                   {"json": {"action": "submit"}}, TX_EDIT, True),
    "sub_approve": ("POST", "/api/submissions/{sub_330402}/transition", "api",
                    {"json": {"action": "approve"}}, NH_REVIEW, True),
    "sub_history": ("GET", "/api/submissions/{sub_330483}/history", "api", {}, TX_READ, False),
    "sub_diff": ("GET", "/api/submissions/{sub_330483}/diff?a=1&b=1", "api", {}, TX_READ, False),
    "sub_template": ("GET", "/api/submissions/{sub_330483}/template", "api", {}, TX_READ, False),
    "new_template": ("GET", "/api/template?unit=330483&year=2030", "api", {}, TX_NEW, False),
    "admin_users": ("GET", "/api/admin/users", "api", {}, ADMIN, False),
    "admin_user_create": ("POST", "/api/admin/users", "api", {"json": {
        "username": "newbie", "password": "a long password", "role": "reporter", "region": "330482"}}, ADMIN, True),
    "admin_user_patch": ("PATCH", "/api/admin/users/{rep_sc}", "api", {"json": {"unlock": True}}, ADMIN, True),
    "admin_import": ("POST", "/api/admin/import", "api", {"import": True}, ADMIN, True),
    "admin_lock_year": ("POST", "/api/admin/years/2023/lock", "api", {}, ADMIN, True),
    "admin_runs": ("GET", "/api/admin/runs", "api", {}, ADMIN, False),
    "admin_run_create": ("POST", "/api/admin/runs", "api", {"json": {"year": 2021, "uncertainty_runs": 0}}, ADMIN,
                         True),
    "admin_run_get": ("GET", "/api/admin/runs/1", "api", {}, ADMIN, False),
    "admin_publish": ("POST", "/api/admin/runs/1/publish", "api", {"json": {"change_note": "x"}}, ADMIN, True),
    "admin_audit": ("GET", "/api/admin/audit", "api", {}, ADMIN, False),
    "page_home": ("GET", "/", "page", {}, PUBLIC, False),
    "page_unit": ("GET", "/units/330483", "page", {}, PUBLIC, False),
    "page_compare": ("GET", "/compare", "page", {}, PUBLIC, False),
    "page_versions": ("GET", "/compare/versions", "page", {}, PUBLIC, False),
    "page_progress": ("GET", "/work/progress", "page", {}, USER_PAGE, False),
    "page_account": ("GET", "/work/account", "page", {}, USER_PAGE, False),
    "page_password": ("POST", "/work/account/password", "page", {"data": {
        "current_password": "not the password", "new_password": "a long new one", "new_password2": "a long new one"}},
        USER_PAGE, True),
    "page_token_create": ("POST", "/work/account/tokens", "page", {"data": {"name": "t", "read_only": "1"}},
                          USER_PAGE, True),
    "page_token_revoke": ("POST", "/work/account/tokens/{admin_token}/revoke", "page", {"data": {}},
                          page(exp(404, anon=401, admin="ok")), True),
    "page_admin_audit": ("GET", "/work/admin/audit?user=admin&format=csv", "page", {}, ADMIN_PAGE, False),
    "page_docs": ("GET", "/api/docs", "page", {}, PUBLIC, False),
    "page_health": ("GET", "/healthz", "page", {}, PUBLIC, False),
    "page_login": ("GET", "/login", "page", {}, PUBLIC, False),
    "page_login_post": ("POST", "/login", "page", {"data": {"username": "x", "password": "y"}}, exp("any"), True),
    "page_logout": ("POST", "/logout", "page", {"data": {}}, USER_PAGE, True),
    "page_work": ("GET", "/work", "page", {}, USER_PAGE, False),
    "page_sub_create": ("POST", "/work/submissions", "page", {"data": {"unit": "330483", "year": "2030"}},
                        page(TX_NEW), True),
    "page_sub": ("GET", "/work/submissions/{sub_330483}", "page", {}, page(TX_READ), False),
    "page_sub_values": ("POST", "/work/submissions/{sub_330483}/values", "page",
                        {"data": {"version": "1", "v_ftth_share": "90"}}, page(TX_EDIT), True),
    "page_sub_upload": ("POST", "/work/submissions/{sub_330483}/upload", "page",
                        {"upload": True, "data": {"version": "1"}}, page(TX_EDIT), True),
    "page_sub_transition": ("POST", "/work/submissions/{sub_330402}/transition", "page",
                            {"data": {"action": "approve"}}, page(NH_REVIEW), True),
    "page_sub_template": ("GET", "/work/submissions/{sub_330483}/template", "page", {}, page(TX_READ), False),
    "page_admin": ("GET", "/work/admin", "page", {}, ADMIN_PAGE, False),
    "page_admin_users": ("POST", "/work/admin/users", "page", {"data": {"username": "newbie", "password":
                         "a long password", "role": "reporter", "region": "330482"}}, ADMIN_PAGE, True),
    "page_admin_lock": ("POST", "/work/admin/lock", "page", {"data": {"year": "2023"}}, ADMIN_PAGE, True),
    "page_admin_run": ("POST", "/work/admin/runs", "page", {"data": {"year": "2021", "uncertainty_runs": "0"}},
                       ADMIN_PAGE, True),
    "page_admin_run_get": ("GET", "/work/admin/runs/1", "page", {}, ADMIN_PAGE, False),
    "page_admin_publish": ("POST", "/work/admin/runs/1/publish", "page", {"data": {"change_note": "x"}}, ADMIN_PAGE,
                           True),
    "page_admin_import": ("POST", "/work/admin/import", "page", {"import": True, "data": {}}, ADMIN_PAGE, True),
}


# Every change of a submission row bumps its version (optimistic locking), so the sum of
# versions changes whenever any submission does.
FINGERPRINT = ("SELECT count(*), sum(version) FROM submissions",
               "SELECT count(*), sum(failed_logins), sum(CASE WHEN active THEN 1 ELSE 0 END), "
               "count(locked_until) FROM users",
               "SELECT count(*) FROM audit_log", "SELECT count(*) FROM transitions", "SELECT count(*) FROM runs",
               "SELECT count(*) FROM publications", "SELECT count(*), count(revoked_at) FROM api_tokens",
               "SELECT count(*) FROM login_sessions")


class Session:
    """One world copy with a logged-in client per role."""

    def __init__(self, backend: str, tmp_path):
        from fastapi.testclient import TestClient

        w = world(backend)
        self.url, self.ids = w.copy(tmp_path), dict(w.ids)
        self.engine = create_engine(normalise_url(self.url), poolclass=NullPool)
        app = app_for(self.url, migrate=False, login_rate=10_000)
        self.clients, self.csrf = {}, {}
        self.stack = contextlib.ExitStack()
        for role in ROLES:  # entered clients keep one event-loop thread each (much faster)
            c = self.stack.enter_context(TestClient(app, base_url="http://127.0.0.1"))
            if role != "anon":
                r = c.post("/api/auth/login", json={"username": role, "password": PASSWORD})
                self.csrf[role] = r.json()["csrf_token"]
                c.headers["X-CSRF-Token"] = self.csrf[role]
            self.clients[role] = c
        r = self.clients["admin"].post("/api/tokens", json={"name": "admin-token"})
        self.ids["admin_token"] = r.json()["id"]

    def close(self) -> None:
        self.stack.close()
        self.engine.dispose()

    def fingerprint(self) -> str:
        """A digest of everything a request could change."""
        with self.engine.connect() as conn:
            parts = [repr(conn.execute(text(sql)).all()) for sql in FINGERPRINT]
        return hashlib.sha256("".join(parts).encode()).hexdigest()

    def call(self, role: str, name: str):
        method, path, kind, body, _e, _m = ENDPOINTS[name]
        kwargs = {"follow_redirects": False}
        if "json" in body:
            kwargs["json"] = body["json"]
        if "data" in body:
            kwargs["data"] = dict(body["data"], **({"csrf_token": self.csrf[role]} if role in self.csrf else {}))
        if body.get("upload"):
            kwargs["files"] = {"file": (XLSX[0], template_bytes(), XLSX[2])}
            kwargs.setdefault("data", {"version": "1"})
        if body.get("import"):
            kwargs["files"] = {"file": ("d.csv", import_csv(), "text/csv")}
        return self.clients[role].request(method, path.format(**self.ids), **kwargs)


def verdict(resp, expected) -> str | None:
    """None when the response matches the expectation, else a description."""
    s = resp.status_code
    if s >= 500:
        return f"server error {s}"
    if expected == "any":
        return None
    to_login = s in (302, 303) and resp.headers.get("location", "").startswith("/login")
    if expected == "login":
        return None if to_login else f"expected a redirect to /login, got {s}"
    if expected == "ok":
        return f"expected to pass authorisation, got {s}" if s in (401, 403, 404) or to_login else None
    return None if s == expected else f"expected {expected}, got {s}"


_READ_SESSIONS: dict = {}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_role(name, backend, tmp_path, tmp_path_factory):
    expected = ENDPOINTS[name][4]
    if ENDPOINTS[name][5]:
        sess = Session(backend, tmp_path)
    else:  # read-only endpoints share one world copy per backend
        if backend not in _READ_SESSIONS:
            _READ_SESSIONS[backend] = Session(backend, tmp_path_factory.mktemp("read"))
        sess = _READ_SESSIONS[backend]
    problems = []
    order = sorted(ROLES, key=lambda r: expected[r] in ("ok", "any"))  # denied roles first
    for role in order:
        before = sess.fingerprint() if expected[role] not in ("ok", "any") else None
        resp = sess.call(role, name)
        why = verdict(resp, expected[role])
        if why:
            problems.append(f"{role}: {why} ({resp.text[:120]!r})")
        if before is not None and sess.fingerprint() != before:
            problems.append(f"{role}: a denied request changed the database")
    if ENDPOINTS[name][5]:
        sess.close()
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_reporter_cannot_reach_another_countys_submission(tmp_path):
    sess = Session("sqlite", tmp_path)
    nh = sess.clients["rep_nh"]
    sid = sess.ids["sub_330483"]
    for method, path, kw in [("GET", f"/api/submissions/{sid}", {}), ("GET", f"/api/submissions/{sid}/history", {}),
                             ("PUT", f"/api/submissions/{sid}/values", {"json": {"version": 1, "values": {}}}),
                             ("POST", f"/api/submissions/{sid}/transition", {"json": {"action": "submit"}}),
                             ("GET", "/api/template?unit=330483&year=2024", {}),
                             ("POST", "/api/submissions", {"json": {"unit": "330483", "year": 2024}})]:
        assert nh.request(method, path, **kw).status_code == 404, path
    listed = {s["unit"] for s in nh.get("/api/submissions").json()}
    assert listed == {"330402"}
    hz = {s["unit"] for s in sess.clients["rev_hz"].get("/api/submissions").json()}
    assert len(hz) == 13 and all(u.startswith("3301") for u in hz)
    assert {s["unit"] for s in sess.clients["rev_jx"].get("/api/submissions", params={"year": NEXT_YEAR}).json()} == {
        "330483", "330402"}


def test_matrix_covers_every_route():
    from fastapi.routing import APIRoute

    app = app_for(world("sqlite").copy(__import__("pathlib").Path(__import__("tempfile").mkdtemp())))
    routes = {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods}
    covered = {(m, p.split("?")[0].replace("{sub_330483}", "{sid}").replace("{sub_330402}", "{sid}")
                .replace("{admin_token}", "{token_id}").replace("{rep_sc}", "{uid}").replace("/1/", "/{run_id}/")
                .replace("runs/1", "runs/{run_id}").replace("units/330483", "units/{code}")
                .replace("years/2023", "years/{year}"))
               for m, p, *_ in ENDPOINTS.values()}
    missing = routes - covered
    assert not missing, f"routes without an authorisation row: {sorted(missing)}"
