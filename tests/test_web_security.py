"""Security of the web app on SQLite and PostgreSQL: API tokens (read-only ones too), login
lockout and rate limiting without revealing user names, password change, cookie flags, CSRF,
upload limits (zip bombs, XXE and billion-laughs XML), one 404 for "does not exist" and
"not yours", HTML error pages for browsers, OpenAPI docs and headers."""
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
    assert r.status_code == 401 and "locked" in r.json()["message"]      # the right password, but locked
    unknown = c.post("/api/auth/login", json={"username": "nobody_at_all", "password": "wrong password"})
    wrong = c.post("/api/auth/login", json={"username": "rep_tx", "password": "wrong password"})
    # unknown user, wrong password and locked account: the same status and the same words
    assert {unknown.status_code, wrong.status_code} == {401} and unknown.json() == wrong.json() == r.json()
    adm = client(env)
    login(adm, "admin")
    uid = next(u["id"] for u in adm.get("/api/admin/users").json() if u["username"] == "rep_sc")
    assert adm.get("/api/admin/users").json()[uid - 1]["locked_until"]
    assert adm.patch(f"/api/admin/users/{uid}", json={"unlock": True}).status_code == 200
    assert c.post("/api/auth/login", json={"username": "rep_sc", "password": PASSWORD}).status_code == 200
    log = adm.get("/api/admin/audit", params={"object_type": "user", "object_id": str(uid)}).json()
    assert {e["action"] for e in log} >= {"lockout", "unlock"}
    assert c.post("/api/auth/login", json={"username": "nobody", "password": "wrong password"}).status_code == 401
    for _ in range(4):  # failures for an unknown name lock nothing and keep answering the same
        assert c.post("/api/auth/login", json={"username": "nobody", "password": "x" * 12}).json() == r.json()


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


def test_read_only_tokens_and_password_change(env):
    c = client(env)
    login(c, "rep_tx")
    token = c.post("/api/tokens", json={"name": "dashboard", "read_only": True}).json()["token"]
    bot = client(env)
    bot.headers["Authorization"] = f"Bearer {token}"
    sid = env["ids"]["sub_330483"]
    assert bot.get(f"/api/submissions/{sid}").status_code == 200
    r = bot.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 90}})
    assert r.status_code == 403 and "read-only" in r.json()["message"]
    assert c.get(f"/api/submissions/{sid}").json()["version"] == 1
    assert c.get("/api/tokens").json()[0]["read_only"] is True
    # password change: the current password is needed; other sessions end, this one stays
    other = client(env)
    login(other, "rep_tx")
    r = c.post("/api/auth/password", json={"current_password": "not it at all", "new_password": "a new long password"})
    assert r.status_code == 422 and "current password" in r.json()["message"]
    r = c.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and "10 characters" in r.json()["message"]
    r = c.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert r.status_code == 200
    assert c.get("/api/auth/me").status_code == 200 and other.get("/api/auth/me").status_code == 401
    assert client(env).post("/api/auth/login", json={"username": "rep_tx", "password": PASSWORD}).status_code == 401
    login(client(env), "rep_tx", "a new long password")
    assert bot.post("/api/auth/password", json={"current_password": "a new long password",
                                                "new_password": "another long one"}).status_code == 403


def _xlsx_with(part: str, xml: bytes) -> bytes:
    """The template workbook with one XML part replaced (as an attacker would craft it)."""
    import zipfile

    from digindex.web.xlsx_template import build_template

    src = zipfile.ZipFile(io.BytesIO(build_template("330483", 2023, {})))
    assert part in src.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            zf.writestr(item, xml if item.filename == part else src.read(item.filename))
    return out.getvalue()


XXE = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
       b'<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol9;</workbook>')
BROKEN = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row>')


@pytest.mark.parametrize("part, xml, words", [
    ("xl/worksheets/sheet3.xml", XXE, "document type"),      # XXE: an external entity
    ("xl/workbook.xml", LAUGHS, "document type"),            # billion laughs: nested entities
    ("xl/worksheets/sheet1.xml", BROKEN, "Cannot read the workbook"),   # truncated XML
])
def test_hostile_xml_uploads_get_422(env, part, xml, words):
    c = client(env)
    login(c, "rep_tx")
    sid = env["ids"]["sub_330483"]
    r = upload(c, sid, 1, _xlsx_with(part, xml))
    assert r.status_code == 422 and words in r.json()["message"], r.text
    assert c.get(f"/api/submissions/{sid}").json()["version"] == 1
    adm = client(env)
    login(adm, "admin")
    r = adm.post("/api/admin/import", files={"file": ("d.xlsx", _xlsx_with(part, xml), "application/octet-stream")})
    assert r.status_code == 422 and words in r.json()["message"], r.text


def test_not_found_does_not_tell_whether_it_exists(env):
    nh = client(env)
    login(nh, "rep_nh")
    theirs, nowhere = env["ids"]["sub_330483"], 987654
    a, b = nh.get(f"/api/submissions/{theirs}"), nh.get(f"/api/submissions/{nowhere}")
    assert a.status_code == b.status_code == 404 and a.json() == b.json()
    assert str(theirs) not in a.text and str(nowhere) not in b.text
    pa, pb = nh.get(f"/work/submissions/{theirs}"), nh.get(f"/work/submissions/{nowhere}")
    assert pa.status_code == pb.status_code == 404 and pa.text == pb.text
    tok = client(env)
    login(tok, "admin")
    tid = tok.post("/api/tokens", json={"name": "x"}).json()["id"]
    assert nh.delete(f"/api/tokens/{tid}").json() == nh.delete("/api/tokens/99999").json()
    assert client(env).get("/api/public/units/999999").json()["message"] == "Not found, or not yours to see."


def test_browsers_get_html_error_pages(env):
    c = client(env, "zh")
    for path, status in (("/no/such/page", 404), ("/units/999999", 404), ("/units/330483?year=abc", 200),
                         ("/work/submissions/abc", 422)):
        r = c.get(path, follow_redirects=False)
        if status == 422:  # a page behind login: first the login redirect, then the page
            login(c, "admin")
            r = c.get(path)
        assert r.status_code == status, path
        assert r.headers["content-type"].startswith("text/html"), path
    r = c.get("/no/such/page")
    assert "未找到" in r.text and "找不到所请求的内容" in r.text and '<html lang="zh-CN">' in r.text
    r = client(env).get("/no/such/page")
    assert "Not found, or not yours to see." in r.text
    r = c.get("/api/no/such")                                                   # the API stays JSON
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
