"""The gated workflow and its transparency, through the JSON API (SQLite; the same code runs on
PostgreSQL in test_web_api/test_web_authz): submitting needs every value or a reason, and an
explanation of every implausible value; every transition and edit names its version;
publishing shows coverage and needs a confirmation for missing units (optionally a second
admin); reporting progress, value-level history and the audit log with its exports."""
from __future__ import annotations

import csv
import re
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from test_web_support import NEXT_YEAR, client, login, make_env

from digindex.web import indicators  # noqa: E402

N = len(indicators.info().indicators)


@pytest.fixture
def env(tmp_path):
    return make_env("sqlite", tmp_path)


def _get(c, sid):
    return c.get(f"/api/submissions/{sid}").json()


def test_an_empty_draft_cannot_be_submitted(env):
    rep = client(env)
    login(rep, "rep_tx")
    sid = env["ids"]["sub_330483"]
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 1})
    assert r.status_code == 422 and r.json()["message"].startswith(f"{N} item(s) block submitting")
    assert len(r.json()["problems"]) == N and "has no value and no reason why" in r.json()["problems"][0]["problem"]
    assert _get(rep, sid)["state"] == "draft" and _get(rep, sid)["version"] == 1
    # the same refusal in Chinese
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 1},
                 headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.json()["problems"][0]["problem"] == "“固定宽带用户中FTTH用户占比”没有数值，也没有说明原因"
    # a reason for every missing value is enough (nothing is invented)
    r = rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "notes": {
        i.id: "统计部门尚未发布 / not yet released" for i in indicators.info().indicators}})
    assert r.status_code == 200 and r.json()["quality"]["blocking"] == []
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 2})
    assert r.status_code == 200 and r.json()["state"] == "submitted"


def test_implausible_values_need_an_explanation_and_reach_the_reviewer(env):
    rep, rev = client(env), client(env)
    login(rep, "rep_sc"), login(rev, "rev_hz")
    sid = env["ids"]["sub_330102"]                                              # Shangcheng, 2022 locked
    from digindex.web.seed import demo_table

    t = demo_table()
    last = t[(t["unit"] == "330102") & (t["year"] == NEXT_YEAR - 1)].iloc[0]
    values = {i.id: float(last[i.id]) for i in indicators.info().indicators}
    values["cloud_ent_rate"] = round(values["cloud_ent_rate"] * 3.2, 3)     # +220 % (bound: +-100 %)
    r = rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": values})
    assert r.status_code == 200
    flags = r.json()["quality"]["flags"]
    assert [(f["indicator"], f["kind"]) for f in flags if f["kind"] == "yoy"] == [("cloud_ent_rate", "yoy")]
    yoy = next(f for f in flags if f["kind"] == "yoy")
    assert yoy["problem"].startswith("changed by +220% from last year's") and "beyond the plausible ±100%" in \
        yoy["problem"]
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 2})
    assert r.status_code == 422 and any(p["cell"] == "cloud_ent_rate" and "explain it" in p["problem"]
                                        for p in r.json()["problems"])
    notes = {f["indicator"]: "新增上云补贴政策，企业集中上云" for f in flags}
    r = rep.put(f"/api/submissions/{sid}/values", json={"version": 2, "notes": notes})
    r = rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 3})
    assert r.status_code == 200, r.text
    seen = rev.get(f"/api/submissions/{sid}").json()["quality"]["flags"]       # the reviewer sees flag and note
    assert {(f["indicator"], f["note"]) for f in seen} >= {("cloud_ent_rate", "新增上云补贴政策，企业集中上云")}
    page = rev.get(f"/work/submissions/{sid}").text
    assert 'id="warnings"' in page and "新增上云补贴政策" in page
    prog = rev.get("/api/progress", params={"year": NEXT_YEAR}).json()
    mine = next(r for r in prog["counties"] if r["unit"] == "330102")
    assert mine["state"] == "submitted" and mine["flags"] == len(flags) and mine["unexplained"] == 0


def test_every_transition_names_its_version(env):
    rev, adm, rep = client(env), client(env), client(env)
    login(rev, "rev_jx"), login(adm, "admin"), login(rep, "rep_nh")
    sid = env["ids"]["sub_330402"]                                              # submitted by Nanhu
    v = _get(rev, sid)["version"]
    r = rev.post(f"/api/submissions/{sid}/transition", json={"action": "approve"})
    assert r.status_code == 409 and "which version" in r.json()["message"] and r.json()["version"] == v
    assert rev.post(f"/api/submissions/{sid}/transition", json={"action": "approve", "version": v}).status_code == 200
    # the admin acted on the page as it was before the approval: refused, the approval stands
    r = adm.post(f"/api/submissions/{sid}/transition", json={"action": "return", "comment": "check", "version": v})
    assert r.status_code == 409 and "was changed by rev_jx" in r.json()["message"]
    assert _get(adm, sid)["state"] == "approved"
    # pages post their version too; a stale one shows the conflict instead of overwriting
    token = adm.get("/api/auth/me").json()["csrf_token"]
    r = adm.post(f"/work/submissions/{sid}/transition", data={"csrf_token": token, "action": "return",
                                                              "comment": "x", "version": str(v)})
    assert r.status_code == 409 and "was changed by rev_jx" in r.text
    r = rep.put(f"/api/submissions/{sid}/values", json={"values": {"ftth_share": 1.0}})
    assert r.status_code == 409


def test_value_history_and_diff(env):
    rep = client(env)
    login(rep, "rep_tx")
    sid = env["ids"]["sub_330483"]
    rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 90.0, "users_5g": 30}})
    rep.put(f"/api/submissions/{sid}/values", json={"version": 2, "values": {"ftth_share": 91.5},
                                                    "notes": {"users_5g": "口径调整"}})
    hist = rep.get(f"/api/submissions/{sid}/history").json()
    assert [(v["version"], v["action"]) for v in hist["versions"]] == [(1, "create"), (2, "edit"), (3, "edit")]
    assert hist["versions"][2]["changes"] == [
        {"indicator": "ftth_share", "name": "FTTH share of fixed-broadband users", "old": 90.0, "new": 91.5,
         "old_note": None, "new_note": None},
        {"indicator": "users_5g", "name": "5G users per 100 residents", "old": 30.0, "new": 30.0, "old_note": None,
         "new_note": "口径调整"}]
    d = rep.get(f"/api/submissions/{sid}/diff", params={"a": 1, "b": 3}).json()["changes"]
    assert {c["indicator"]: (c["old"], c["new"]) for c in d} == {"ftth_share": (None, 91.5), "users_5g": (None, 30.0)}
    assert rep.get(f"/api/submissions/{sid}/diff", params={"a": 1, "b": 9}).status_code == 404
    page = rep.get(f"/work/submissions/{sid}").text
    assert page.count('data-version="3"') == 2 and page.count('data-version="2"') == 2


def test_progress_per_county_and_city(env):
    adm, rev, rep = client(env), client(env), client(env)
    login(adm, "admin"), login(rev, "rev_jx"), login(rep, "rep_tx")
    p = adm.get("/api/progress", params={"year": NEXT_YEAR}).json()
    assert p["total"]["counties"] == 90 and p["total"]["submitted"] == 1 and p["total"]["draft"] == 2
    assert p["total"]["not_started"] == 87 and len(p["cities"]) == 11
    jx = next(c for c in p["cities"] if c["city"] == "3304")
    assert (jx["counties"], jx["submitted"], jx["draft"], jx["not_started"]) == (7, 1, 1, 5)
    mine = rev.get("/api/progress", params={"year": NEXT_YEAR}).json()
    assert {r["unit"][:4] for r in mine["counties"]} == {"3304"} and len(mine["counties"]) == 7
    assert [r["unit"] for r in rep.get("/api/progress", params={"year": NEXT_YEAR}).json()["counties"]] == ["330483"]
    page = adm.get("/work/progress", params={"year": NEXT_YEAR}, headers={"Accept-Language": "zh"}).text
    assert "报送进度" in page and "未开始" in page
    assert len(re.findall(r'<tr data-unit="\d+" data-state="not_started">', page)) == 87


def test_publishing_shows_coverage_and_needs_confirmation(env):
    adm = client(env)
    login(adm, "admin")
    run = adm.post("/api/admin/runs", json={"year": 2022, "uncertainty_runs": 0}).json()
    assert run["run"]["missing"] == {"county": ["330483"]}
    assert run["rows"][-1] == {**run["rows"][-1], "unit": "330483", "reported": False}
    rid = run["run"]["id"]
    r = adm.post(f"/api/admin/runs/{rid}/publish", json={"change_note": "rerun"})
    assert r.status_code == 409 and r.json()["needs_confirmation"] and r.json()["missing"] == {"county": ["330483"]}
    assert "1 unit(s) have not reported" in r.json()["message"]
    r = adm.post(f"/api/admin/runs/{rid}/publish", json={"change_note": "", "confirm_missing": True})
    assert r.status_code in (409, 422)                                         # a confirmation needs a note
    r = adm.post(f"/api/admin/runs/{rid}/publish", json={"change_note": "rerun without Tongxiang",
                                                         "confirm_missing": True})
    assert r.json()["version"] == 2 and r.json()["missing"] == {"county": ["330483"]}
    rows = client(env).get("/api/public/ranking", params={"year": 2022, "city": "3304"}).json()["rows"]
    assert [(r["unit"], r["reported"]) for r in rows][-1] == ("330483", False) and len(rows) == 7
    assert [r["rank_in_parent"] for r in rows] == [1, 2, 3, 4, 5, 6, None]
    page = adm.get(f"/work/admin/runs/{rid}").text
    assert 'id="coverage"' in page and "89/90" in page


def test_four_eyes_publication(env):
    from digindex.web.auth import create_user
    from digindex.web.authz import Principal
    from digindex.web.db import Database
    from digindex.web.testing import test_settings

    db = Database(env["url"])
    try:
        create_user(db, Principal(0, "t", "admin", None, "system"), "admin2", "another long password", "admin",
                    None, "", test_settings(env["url"]))
    finally:
        db.dispose()
    a, b = client(env, four_eyes=True), client(env, four_eyes=True)
    login(a, "admin"), login(b, "admin2", "another long password")
    rid = a.post("/api/admin/runs", json={"year": 2021, "uncertainty_runs": 0}).json()["run"]["id"]
    r = a.post(f"/api/admin/runs/{rid}/publish", json={"change_note": "recomputed"})
    assert r.json()["status"] == "requested"
    assert client(env).get("/api/public/meta").json()["versions"]["2021"][0]["version"] == 1   # not yet
    r = a.post(f"/api/admin/runs/{rid}/publish", json={})
    assert r.status_code == 409 and "Another province admin" in r.json()["message"]
    r = b.post(f"/api/admin/runs/{rid}/publish", json={})
    assert r.json()["status"] == "published" and r.json()["version"] == 2 and r.json()["change_note"] == "recomputed"
    log = a.get("/api/admin/audit", params={"object_type": "publication"}).json()
    assert log[0]["user"] == "admin2" and log[0]["action"] == "publish"


def test_audit_log_filters_and_exports(env):
    import openpyxl

    adm, rep = client(env), client(env)
    login(adm, "admin"), login(rep, "rep_tx")
    sid = env["ids"]["sub_330483"]
    rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 90.0}})
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    got = adm.get("/api/admin/audit", params={"user": "rep_tx", "action": "update", "object_id": str(sid),
                                              "date_from": today.isoformat(), "date_to": today.isoformat()}).json()
    assert [(e["field"], e["new"]) for e in got] == [("ftth_share", 90.0)]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert adm.get("/api/admin/audit", params={"user": "rep_tx", "date_from": tomorrow}).json() == []
    assert adm.get("/api/admin/audit", params={"date_from": "yesterday"}).status_code == 422
    r = adm.get("/api/admin/audit", params={"user": "rep_tx", "format": "csv"}, headers={"Accept-Language": "zh"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "用户名", "操作"] and rows[1][1:3] == ["rep_tx", "修改数值"]
    when = datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S")                  # Asia/Shanghai wall time
    assert abs(when - datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)) < timedelta(minutes=5)
    r = adm.get("/work/admin/audit", params={"user": "rep_tx", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["audit"]
    assert ws["B2"].value == "rep_tx" and ws["C2"].value == "change a value" and ws["F2"].value == "ftth_share"
    page = adm.get("/work/admin/audit", params={"object_type": "submission"}, headers={"Accept-Language": "zh"}).text
    assert "审计日志" in page and "修改数值" in page
