"""The JSON API and the pages behind it, on SQLite and on a real PostgreSQL server:
the reporting workflow end to end, optimistic locking, publication and corrections,
immutability, public results, downloads and imports (security: test_web_security.py)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import create_engine, text

from test_web_support import BACKENDS, NEXT_YEAR, PASSWORD, client, fill_values, login, make_env, upload

from digindex.web import indicators  # noqa: E402
from digindex.web.db import normalise_url  # noqa: E402


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path):
    return make_env(request.param, tmp_path)


def filled_template(c, sid, edit=None) -> bytes:
    import openpyxl

    r = c.get(f"/api/submissions/{sid}/template")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb["data"]
    for row in range(2, ws.max_row + 1):
        hi = indicators.info().indicator(ws[f"A{row}"].value).hi or 1e12
        ws[f"G{row}"] = min(hi, round((ws[f"F{row}"].value or 10.0) * 1.02, 4))
    if edit:
        edit(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def explain_flags(c, sid, body) -> int:
    """Explain every flagged value of a submission (as its reporter would); the new version."""
    flags = body["quality"]["flags"]
    if not flags:
        return body["version"]
    r = c.put(f"/api/submissions/{sid}/values", json={"version": body["version"], "notes": {
        f["indicator"]: "confirmed with the statistics bureau" for f in flags}})
    assert r.status_code == 200, r.text
    assert r.json()["quality"]["blocking"] == []
    return r.json()["version"]


def test_workflow_from_template_to_published_correction(env):
    rep, rev, adm = client(env), client(env), client(env)
    login(rep, "rep_tx"), login(rev, "rev_jx"), login(adm, "admin")
    r = rep.post("/api/submissions", json={"unit": "330483", "year": 2022})
    assert r.status_code == 201, r.text
    sid, version = r.json()["id"], r.json()["version"]

    bad = filled_template(rep, sid, edit=lambda ws: ws.__setitem__("G5", "12,3x"))
    r = upload(rep, sid, version, bad)
    assert r.status_code == 422
    assert r.json()["problems"] == [{"sheet": "data", "cell": "G5",
                                     "problem": f"{indicators.info().indicators[3].id}: not a number: '12,3x'"}]
    assert rep.get(f"/api/submissions/{sid}").json()["version"] == version      # nothing saved

    r = upload(rep, sid, version, filled_template(rep, sid))
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "upload" and len(r.json()["values"]) == len(indicators.info().indicators)
    version = explain_flags(rep, sid, r.json())
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": version})
    assert r.json()["state"] == "submitted", r.text
    version = r.json()["version"]
    r = rev.post(f"/api/submissions/{sid}/transition", json={"action": "return", "comment": "", "version": version})
    assert r.status_code == 422 and "comment" in r.json()["message"]
    r = rev.post(f"/api/submissions/{sid}/transition", json={"action": "return", "comment": "check 5G users",
                                                             "version": version})
    assert r.json()["state"] == "returned" and r.json()["comment"] == "check 5G users"
    r = rep.put(f"/api/submissions/{sid}/values", json={"version": r.json()["version"], "values": {"users_5g": 61.2}})
    assert r.status_code == 200
    version = explain_flags(rep, sid, r.json())
    version = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": version}
                       ).json()["version"]
    r = rev.post(f"/api/submissions/{sid}/transition", json={"action": "approve", "version": version})
    assert r.json()["state"] == "approved"
    assert adm.post("/api/admin/years/2022/lock").json() == {"locked": 1}

    hist = rep.get(f"/api/submissions/{sid}/history").json()
    assert [t["action"] for t in hist["transitions"]] == ["submit", "return", "submit", "approve", "lock"]
    assert any(a["field"] == "users_5g" and a["new"] == 61.2 for a in hist["audit"])

    r = adm.post("/api/admin/runs", json={"year": 2022, "uncertainty_runs": 40})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["run"]["summary"]["populations"]["county"]["units"] == 90 and run["run"]["missing"] == {}
    assert run["compared_with"]["version"] == 1                                  # against the published v1
    assert all(row["rank_lo"] is not None for row in run["rows"])
    r = adm.post(f"/api/admin/runs/{run['run']['id']}/publish", json={"change_note": ""})
    assert r.status_code == 422 and "change note" in r.json()["message"]       # a correction needs a note
    r = adm.post(f"/api/admin/runs/{run['run']['id']}/publish", json={"change_note": "Tongxiang 2022 added"})
    assert r.json()["version"] == 2 and r.json()["status"] == "published"
    assert adm.post(f"/api/admin/runs/{run['run']['id']}/publish", json={"change_note": "again"}).status_code == 409

    pub = client(env)
    ranking = pub.get("/api/public/ranking", params={"year": 2022}).json()
    assert ranking["version"]["version"] == 2 and ranking["version"]["note"] == "Tongxiang 2022 added"
    assert len(ranking["rows"]) == 90 and all(row["reported"] for row in ranking["rows"])
    prof = pub.get("/api/public/units/330483").json()
    assert prof["total"]["rank_lo"] is not None and prof["total"]["n_in_parent"] == 7 and prof["reported"]
    old = pub.get("/api/public/ranking", params={"year": 2022, "version": 1}).json()   # superseded, retrievable
    assert old["version"]["version"] == 1 and not old["basis"]["current"]
    assert [r["unit"] for r in old["rows"] if not r["reported"]] == ["330483"]


def test_published_results_are_immutable(env):
    engine = create_engine(normalise_url(env["url"]))
    try:
        with engine.connect() as conn:
            run_id = conn.execute(text("SELECT run_id FROM publications ORDER BY id LIMIT 1")).scalar()
        for sql in (f"UPDATE run_results SET score = 0 WHERE run_id = {run_id}",
                    f"DELETE FROM run_results WHERE run_id = {run_id}",
                    "UPDATE publications SET change_note = 'x'", "DELETE FROM publications"):
            with pytest.raises(Exception, match="immutable"):
                with engine.begin() as conn:
                    conn.execute(text(sql))
    finally:
        engine.dispose()


def test_optimistic_locking_conflict_loses_nothing(env):
    a, b = client(env), client(env)
    login(a, "rep_tx"), login(b, "admin")
    sid = env["ids"]["sub_330483"]
    v = a.get(f"/api/submissions/{sid}").json()["version"]
    r = a.put(f"/api/submissions/{sid}/values", json={"version": v, "values": {"ftth_share": 91.0}})
    assert r.status_code == 200
    r = b.put(f"/api/submissions/{sid}/values", json={"version": v, "values": {"ftth_share": 92.0}})
    assert r.status_code == 409
    body = r.json()
    assert "changed by rep_tx" in body["message"] and body["version"] == v + 1 and body["expected"] == v
    r = b.put(f"/api/submissions/{sid}/values", json={"values": {"ftth_share": 92.0}})   # no version at all
    assert r.status_code == 409 and "which version" in r.json()["message"]
    assert a.get(f"/api/submissions/{sid}").json()["values"] == {"ftth_share": 91.0}
    entries = b.get("/api/admin/audit", params={"object_type": "submission", "object_id": str(sid)}).json()
    changes = [(e["old"], e["new"]) for e in entries if e["field"] == "ftth_share"]
    assert changes == [(None, 91.0)]
    r = a.put(f"/api/submissions/{sid}/values", json={"version": v + 1, "values": {"ftth_share": 101}})
    assert r.status_code == 422 and r.json()["problems"][0]["cell"] == "ftth_share"


def test_state_rules(env):
    rep = client(env)
    login(rep, "rep_nh")
    sid = env["ids"]["sub_330402"]                                               # submitted
    version = rep.get(f"/api/submissions/{sid}").json()["version"]
    r = rep.put(f"/api/submissions/{sid}/values", json={"version": version, "values": {"ftth_share": 1}})
    assert r.status_code == 409 and "submitted" in r.json()["message"]
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "lock", "version": version})
    assert r.status_code == 403
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "fly", "version": version})
    assert r.status_code == 422
    r = rep.post("/api/submissions", json={"unit": "330402", "year": NEXT_YEAR})
    assert r.status_code == 409 and r.json()["id"] == sid


def test_public_api_filters_compare_and_downloads(env):
    import openpyxl

    c = client(env)
    meta = c.get("/api/public/meta", params={"lang": "en"}).json()
    assert meta["years"] == [2021, 2022] and meta["nodes"][0]["id"] == "zj_dei" and len(meta["cities"]) == 11
    assert [v["version"] for v in meta["versions"]["2022"]] == [1] and meta["versions"]["2022"][0]["missing"] == {
        "county": ["330483"]}
    full = c.get("/api/public/ranking", params={"year": 2021}).json()["rows"]
    assert len(full) == 90 and [r["rank"] for r in full] == sorted(r["rank"] for r in full)
    for q in ("桐乡", "tongxiang", "tx", "TX", "330483", "txs"):
        rows = c.get("/api/public/ranking", params={"year": 2021, "q": q}).json()["rows"]
        assert [r["unit"] for r in rows] == ["330483"], q
    jx = c.get("/api/public/ranking", params={"year": 2021, "city": "3304", "node": "dig_ind"}).json()["rows"]
    assert len(jx) == 7 and {r["parent"] for r in jx} == {"3304"}
    cities = c.get("/api/public/ranking", params={"year": 2021, "population": "city", "lang": "en"}).json()["rows"]
    assert len(cities) == 11 and cities[0]["name"].endswith("City")
    cmp = c.get("/api/public/compare", params={"year_a": 2021, "year_b": 2022}).json()["rows"]
    assert len(cmp) == 90 and [r["unit"] for r in cmp if r["score_b"] is None] == ["330483"]  # not reported
    y22 = c.get("/api/public/ranking", params={"year": 2022}).json()["rows"]
    assert len(y22) == 90 and not y22[-1]["reported"] and y22[-1]["unit"] == "330483"      # listed, last
    assert y22[-1]["fmt"]["score"] == "not reported" and y22[-1]["rank"] is None
    assert c.get("/api/public/ranking", params={"year": 2022, "version": 3}).status_code == 404
    assert c.get("/api/public/ranking", params={"year": 1999}).status_code == 404
    assert c.get("/api/public/ranking", params={"node": "nope"}).status_code == 422
    r = c.get("/api/public/download", params={"year": 2021, "format": "csv"})
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode()) and len(r.text.splitlines()) == 91
    r = c.get("/api/public/download", params={"year": 2022, "format": "xlsx", "lang": "en"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["results"]
    assert ws.max_row == 91 and ws["A1"].value == "rank" and ws["E91"].value == "not reported"
    assert ws["E2"].number_format == "0.00"
    assert c.get("/api/public/units/999999").status_code == 404


def test_exports_escape_formula_text(env):
    import openpyxl

    adm = client(env)
    login(adm, "admin")
    run = adm.post("/api/admin/runs", json={"year": 2021, "uncertainty_runs": 0}).json()["run"]["id"]
    note = "=HYPERLINK(\"http://evil\",\"x\")"
    assert adm.post(f"/api/admin/runs/{run}/publish", json={"change_note": note}).json()["version"] == 2
    r = client(env).get("/api/public/download", params={"year": 2021, "format": "xlsx"})
    about = {row[0].value: row[1] for row in openpyxl.load_workbook(io.BytesIO(r.content))["about"].iter_rows()}
    assert about["Change note"].value == "'" + note and about["Change note"].data_type == "s"


def test_admin_import_reports_cells(env):
    adm = client(env)
    login(adm, "admin")
    ids = [i.id for i in indicators.info().indicators]
    good = fill_values()
    header = "unit,year," + ",".join(ids)
    row = lambda unit, vals: f"{unit},2024," + ",".join(str(vals[i]) for i in ids)  # noqa: E731
    bad = dict(good, broadband_speed="fast")
    csv = "\n".join([header, row("330483", good), row("330402", bad)]).encode()
    r = adm.post("/api/admin/import", files={"file": ("d.csv", csv, "text/csv")})
    assert r.status_code == 422 and r.json()["problems"] == [
        {"sheet": "data", "cell": "D3", "problem": "not a number: 'fast'"}]
    r = adm.post("/api/admin/import", files={"file": ("d.csv", csv, "text/csv")}, headers={"Accept-Language": "zh"})
    assert r.json()["problems"][0]["problem"] == "不是数值：'fast'" and r.json()["message"] == "有1处问题，未导入任何数据。"
    csv = "\n".join([header, row("330483", good), row("南湖区", good)]).encode()
    r = adm.post("/api/admin/import", files={"file": ("d.csv", csv, "text/csv")})
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}


def test_pages_login_and_form_workflow(env):
    c = client(env)
    r = c.get("/work", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page = c.get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post("/login", data={"username": "rep_tx", "password": "nope nope nope", "csrf_token": csrf, "next": "/work"})
    assert r.status_code == 401 and "wrong user name or password" in r.text
    r = c.post("/login", data={"username": "rep_tx", "password": PASSWORD, "csrf_token": "forged", "next": "/work"})
    assert r.status_code == 403
    r = c.post("/login", data={"username": "rep_tx", "password": PASSWORD, "csrf_token": csrf,
                               "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/work"
    token = c.get("/api/auth/me").json()["csrf_token"]
    sid = env["ids"]["sub_330483"]
    r = c.post(f"/work/submissions/{sid}/values", data={"csrf_token": token, "version": "1", "v_ftth_share": "abc"})
    assert r.status_code == 422 and "not a number" in r.text and 'value="abc"' in r.text
    r = c.post(f"/work/submissions/{sid}/values", data={"csrf_token": token, "version": "1", "v_ftth_share": "90",
                                                         "n_users_5g": "5G 统计口径调整"})
    assert r.status_code == 200 and "saved" in r.text
    assert c.get(f"/api/submissions/{sid}").json()["values"] == {"ftth_share": 90.0}
    assert c.get(f"/api/submissions/{sid}").json()["notes"] == {"users_5g": "5G 统计口径调整"}
    r = c.get("/?lang=en")
    assert "Results" in r.text and "digindex_lang=en" in r.headers["set-cookie"]
    assert "评价结果" in c.get("/?lang=zh").text
    assert "桐乡市" in client(env, "zh").get("/units/330483").text
    assert "Tongxiang City" in client(env, "en").get("/units/330483").text


def test_profile_pdf_through_reports(tmp_path):
    from digindex.web import reports

    if not reports.available():
        pytest.skip("digindex.reports / WeasyPrint not installed")
    c = client(make_env("sqlite", tmp_path))
    r = c.get("/api/public/units/330483/report.pdf", params={"year": 2021, "lang": "en"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    assert c.get("/api/public/units/330483/report.pdf", params={"year": 2022}).status_code == 404  # not reported
    assert 'id="pdf-link"' in c.get("/units/330483?year=2021").text
