"""Security of the web app on SQLite and PostgreSQL: API tokens, login lockout and rate
limiting, cookie flags, CSRF, upload limits (zip bombs), OpenAPI docs and headers."""
from __future__ import annotations

import io

import pytest

from test_web_support import BACKENDS, PASSWORD, client, login, make_env, upload


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path):
    return make_env(request.param, tmp_path)


def test_api_tokens(env):
    c = client(env)
    login(c, "rep_tx")
    made = c.post("/api/tokens", json={"name": "etl"})
    assert made.status_code == 201 and made.json()["token"].startswith("dgx_")
    token = made.json()["token"]
    bot = client(env)
    bot.headers["Authorization"] = f"Bearer {token}"
    assert bot.get("/api/auth/me").json()["via"] == "token"
    assert bot.get("/api/submissions").status_code == 200
    sid = env["ids"]["sub_330483"]
    r = bot.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 90}})
    assert r.status_code == 200                                                  # no CSRF needed with a token
    assert bot.post("/api/tokens", json={"name": "more"}).status_code == 403
    assert c.get("/api/tokens").json()[0]["prefix"] == token[:10]
    assert "token" not in c.get("/api/tokens").json()[0]
    assert c.delete(f"/api/tokens/{made.json()['id']}").json()["revoked"] is True
    assert bot.get("/api/submissions").status_code == 401
    bot.headers["Authorization"] = "Bearer dgx_made_up"
    assert bot.get("/api/submissions").status_code == 401


def test_login_lockout_and_unlock(env):
    c = client(env, login_max_failures=3)
    for _ in range(3):
        assert c.post("/api/auth/login", json={"username": "rep_sc", "password": "wrong password"}).status_code == 401
    r = c.post("/api/auth/login", json={"username": "rep_sc", "password": PASSWORD})
    assert r.status_code == 423 and "locked" in r.json()["message"]
    adm = client(env)
    login(adm, "admin")
    uid = next(u["id"] for u in adm.get("/api/admin/users").json() if u["username"] == "rep_sc")
    assert adm.get("/api/admin/users").json()[uid - 1]["locked_until"]
    assert adm.patch(f"/api/admin/users/{uid}", json={"unlock": True}).status_code == 200
    assert c.post("/api/auth/login", json={"username": "rep_sc", "password": PASSWORD}).status_code == 200
    log = adm.get("/api/admin/audit", params={"object_type": "user", "object_id": str(uid)}).json()
    assert {e["action"] for e in log} >= {"lockout", "unlock"}
    assert c.post("/api/auth/login", json={"username": "nobody", "password": "wrong password"}).status_code == 401


def test_login_rate_limit(env):
    c = client(env, login_rate=3)
    codes = [c.post("/api/auth/login", json={"username": "x", "password": "y" * 10}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_session_cookie_flags_and_csrf(env):
    c = client(env, secure_cookies=True)
    r = c.post("/api/auth/login", json={"username": "rep_tx", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    c = client(env)
    r = c.post("/api/auth/login", json={"username": "rep_tx", "password": PASSWORD})
    assert "secure" not in r.headers["set-cookie"].lower()
    sid = env["ids"]["sub_330483"]
    r = c.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 90}})
    assert r.status_code == 403 and "CSRF" in r.json()["message"]
    r = c.post(f"/work/submissions/{sid}/values", data={"version": "1", "v_ftth_share": "90"})
    assert r.status_code == 403
    c.headers["X-CSRF-Token"] = "wrong"
    assert c.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {}}).status_code == 403
    c.post("/api/auth/logout", headers={"X-CSRF-Token": login(c, "rep_tx")["csrf_token"]})
    assert c.get("/api/auth/me").status_code == 401


def test_upload_limits(env):
    c = client(env, max_upload_bytes=50_000)
    login(c, "rep_tx")
    sid = env["ids"]["sub_330483"]
    r = upload(c, sid, 1, b"x" * 400_000)
    assert r.status_code == 413
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<" * (40 * 1024 * 1024))
    r = upload(c, sid, 1, buf.getvalue())
    assert r.status_code in (413, 422) and r.json()["problems"]
    assert c.get(f"/api/submissions/{sid}").json()["version"] == 1


def test_openapi_docs_and_security_headers(env):
    c = client(env)
    spec = c.get("/api/openapi.json").json()
    for path in ("/api/public/ranking", "/api/submissions/{sid}/upload", "/api/admin/runs/{run_id}/publish",
                 "/api/tokens"):
        assert path in spec["paths"], path
    r = c.get("/api/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in r.text and "http" not in r.text.split("<body>")[1]
    h = c.get("/").headers
    assert "default-src 'self'" in h["content-security-policy"] and h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
