"""Concurrency and crash safety against a real server process (uvicorn) on loopback,
with SQLite and with PostgreSQL: 50 reporters submitting at once, many clients editing
one submission, and the server killed (SIGKILL) in the middle of uploads."""
from __future__ import annotations

import json
import socket
import threading
import urllib.parse

import httpx
import pytest
from sqlalchemy import create_engine, text

from test_web_support import BACKENDS, NEXT_YEAR, fill_values, world

from digindex.web import indicators, units  # noqa: E402
from digindex.web.auth import create_api_token, create_user  # noqa: E402
from digindex.web.authz import Principal  # noqa: E402
from digindex.web.db import Database, normalise_url  # noqa: E402
from digindex.web.testing import ServerProcess, test_settings  # noqa: E402
from digindex.web.xlsx_template import build_template  # noqa: E402

N_INDICATORS = len(indicators.info().indicators)
TAKEN = {"330483", "330402", "330102"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reporters(url: str, n: int, drafts: bool = False) -> list[dict]:
    """``n`` reporters of distinct counties, each with an API token (and a 2023 draft)."""
    from digindex.web import workflow

    settings = test_settings(url)
    db = Database(url)
    out = []
    try:
        admin = Principal(0, "test", "admin", None, "system")
        for code in [u.code for u in units.counties() if u.code not in TAKEN][:n]:
            user = create_user(db, admin, f"rep_{code}", "a long password", "reporter", code, "", settings)
            p = Principal(user["id"], user["username"], "reporter", code, "session")
            item = {"unit": code, "token": create_api_token(db, p, "bench")["token"]}
            if drafts:
                item["sid"] = workflow.create_submission(db, p, code, NEXT_YEAR).id
            out.append(item)
    finally:
        db.dispose()
    return out


def query(url: str, sql: str, **params):
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"live-{request.param}")
    url = world(request.param).copy(tmp)
    reps = reporters(url, 50)
    server = ServerProcess(url, log=tmp / "server.log").start()
    yield {"server": server, "url": url, "reporters": reps, "ids": world(request.param).ids}
    server.stop()
    assert " 500 " not in (tmp / "server.log").read_text(), "the server answered 500"


def _flow(base: str, rep: dict, barrier: threading.Barrier, results: dict) -> None:
    try:
        _flow_steps(base, rep, barrier, results)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results[rep["unit"]] = ("exception", repr(exc))


def _flow_steps(base: str, rep: dict, barrier: threading.Barrier, results: dict) -> None:
    headers = {"Authorization": f"Bearer {rep['token']}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
        barrier.wait()
        r = c.post("/api/submissions", json={"unit": rep["unit"], "year": NEXT_YEAR})
        dup = c.post("/api/submissions", json={"unit": rep["unit"], "year": NEXT_YEAR})
        if r.status_code != 201:
            results[rep["unit"]] = ("create", r.status_code, r.text)
            return
        sid = r.json()["id"]
        values = fill_values()   # a note on every value: whatever the plausibility checks flag is explained
        v = c.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": values,
                                                          "notes": {k: "checked" for k in values}})
        s = c.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 2})
        results[rep["unit"]] = (r.status_code, dup.status_code, v.status_code, s.status_code, s.json().get("state"))


def test_fifty_reporters_submit_at_once(live):
    reps, barrier, results = live["reporters"], threading.Barrier(50), {}
    threads = [threading.Thread(target=_flow, args=(live["server"].base, rep, barrier, results)) for rep in reps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50
    assert set(results.values()) == {(201, 409, 200, 200, "submitted")}, results
    codes = [r["unit"] for r in reps]
    rows = query(live["url"], "SELECT id, unit, state, version FROM submissions WHERE year = :y", y=NEXT_YEAR)
    mine = [r for r in rows if r.unit in codes]
    assert len(mine) == 50 and len({r.unit for r in mine}) == 50                      # nothing lost or doubled
    assert {(r.state, r.version) for r in mine} == {("submitted", 3)}
    ids = tuple(r.id for r in mine)
    per_sub = query(live["url"], "SELECT object_id, count(*) FROM audit_log WHERE object_type = 'submission' "
                                 f"AND object_id IN ({','.join(repr(str(i)) for i in ids)}) GROUP BY object_id")
    assert sorted(n for _, n in per_sub) == [1 + 2 * N_INDICATORS + 1] * 50      # create, values, notes, submit
    trans = query(live["url"], f"SELECT submission_id, count(*) FROM transitions WHERE submission_id IN {ids} "
                               "GROUP BY submission_id")
    assert sorted(n for _, n in trans) == [1] * 50


def test_concurrent_edits_of_one_submission_exactly_one_wins(live):
    sid, token = live["ids"]["sub_330483"], _token_for(live["url"], "rep_tx")
    barrier, out = threading.Barrier(20), []

    def edit(i):
        with httpx.Client(base_url=live["server"].base, timeout=120,
                          headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}) as c:
            barrier.wait()
            r = c.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": 60.0 + i}})
            out.append((i, r.status_code, r.json()))

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [(i, body) for i, code, body in out if code == 200]
    losers = [body for _i, code, body in out if code == 409]
    assert len(winners) == 1 and len(losers) == 19
    assert all("was changed by rep_tx" in b["message"] and b["version"] == 2 for b in losers)
    (row,) = query(live["url"], "SELECT version FROM submissions WHERE id = :i", i=sid)
    assert row.version == 2
    audit = query(live["url"], "SELECT new FROM audit_log WHERE object_type = 'submission' AND object_id = :i "
                               "AND field = 'ftth_share'", i=str(sid))
    assert [float(a.new) for a in audit] == [60.0 + winners[0][0]]


def _token_for(url: str, username: str) -> str:
    db = Database(url)
    try:
        (uid, region), = query(url, "SELECT id, region FROM users WHERE username = :u", u=username)
        return create_api_token(db, Principal(uid, username, "reporter", region, "session"), "t")["token"]
    finally:
        db.dispose()


# ---- crash safety -------------------------------------------------------------------------
def _upload_request(base: str, rep: dict) -> httpx.Request:
    last = {i.id: 10.0 for i in indicators.info().indicators}
    body = build_template(rep["unit"], NEXT_YEAR, {}, fill_values(last))
    return httpx.Request("POST", f"{base}/api/submissions/{rep['sid']}/upload",
                         headers={"Authorization": f"Bearer {rep['token']}"}, data={"version": "1"},
                         files={"file": ("t.xlsx", body, XLSX)})


def _half_sent(server: ServerProcess, req: httpx.Request) -> socket.socket:
    """Send the headers and 60 % of the body of ``req``, then stop (the server waits for more)."""
    body = req.read()
    target = urllib.parse.urlsplit(str(req.url))
    head = [f"POST {target.path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    head += [f"{k}: {v}" for k, v in req.headers.items() if k.lower() not in ("host",)]
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: int(len(body) * 0.6)])
    return sock


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_during_uploads_then_restart(backend, tmp_path):
    url = world(backend).copy(tmp_path)
    reps = reporters(url, 8, drafts=True)
    server = ServerProcess(url, log=tmp_path / "server.log").start()
    try:
        sock = _half_sent(server, _upload_request(server.base, reps[0]))   # never finished
        ok, done = [], threading.Event()

        def upload(rep):
            try:
                with httpx.Client(timeout=120) as c:
                    r = c.send(_upload_request(server.base, rep))
                if r.status_code == 200:
                    ok.append(rep["sid"])
                    if len(ok) >= 3:
                        done.set()
            except httpx.HTTPError:
                pass                                        # the server died under us

        threads = [threading.Thread(target=upload, args=(rep,)) for rep in reps[1:]]
        for t in threads:
            t.start()
        done.wait(timeout=300)
        server.kill()                                       # SIGKILL in the middle of the burst
        sock.close()
        for t in threads:
            t.join()
        server.start()                                      # restart on the same database
        rows = query(url, "SELECT id, state, version, indicator_values AS values_, source FROM submissions "
                          "WHERE year = :y", y=NEXT_YEAR)
        by_id = {r.id: r for r in rows}
        for rep in reps:
            row = by_id[rep["sid"]]
            n_audit = query(url, "SELECT count(*) FROM audit_log WHERE object_type = 'submission' AND object_id = :i "
                                 "AND action = 'update'", i=str(rep["sid"]))[0][0]
            values = row.values_ if isinstance(row.values_, dict) else json.loads(row.values_)
            assert (row.version, len(values), n_audit) in {(1, 0, 0), (2, N_INDICATORS, N_INDICATORS)}, rep
        assert {by_id[s].version for s in ok} == {2}          # every acknowledged upload survived
        assert by_id[reps[0]["sid"]].version == 1           # the half-sent upload left no trace
        if backend == "sqlite":
            assert query(url, "PRAGMA integrity_check")[0][0] == "ok"
        with httpx.Client(timeout=120) as c:                # the restarted server works normally
            for rep in reps:
                if by_id[rep["sid"]].version == 1:
                    assert c.send(_upload_request(server.base, rep)).status_code == 200
        assert " 500 " not in (tmp_path / "server.log").read_text()
    finally:
        server.stop()
