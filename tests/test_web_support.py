"""Shared helpers of the web tests (no tests here): databases, users and clients.

A "world" is a database with SYNTHETIC demo data (the data of ``digindex demo``: 2017-2022
imported as locked data, except Tongxiang 2022, which tests submit through the workflow;
results of 2021 and 2022 published, 2022 v1 with Tongxiang confirmed as not reported),
the users below and a few 2023 submissions (Nanhu's complete and submitted). It is
built once per backend and process, then copied for each test (a file copy for SQLite,
``CREATE DATABASE ... TEMPLATE`` for PostgreSQL), so every test starts from the same state.
"""
from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from digindex.web import testing  # noqa: E402
from digindex.web.admin import CLI  # noqa: E402
from digindex.web.auth import create_user  # noqa: E402
from digindex.web.db import Database, migrate  # noqa: E402

with warnings.catch_warnings():  # starlette's TestClient announces a future httpx2 switch
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: E402,F401

PASSWORD = "correct horse battery"
USERS = {  # username: (role, region)
    "admin": ("admin", None),
    "rev_jx": ("reviewer", "3304"),      # Jiaxing: Tongxiang and Nanhu are its counties
    "rev_hz": ("reviewer", "3301"),      # Hangzhou
    "rep_tx": ("reporter", "330483"),    # Tongxiang
    "rep_nh": ("reporter", "330402"),    # Nanhu, Jiaxing
    "rep_sc": ("reporter", "330102"),    # Shangcheng, Hangzhou
}
NEXT_YEAR = 2023
BACKENDS = ["sqlite", "postgresql"]


@lru_cache(maxsize=1)
def demo_table():
    from digindex.web.seed import demo_table as build

    return build()


def _populate(url: str, exclude=(("330483", 2022),), publish_years=(2021, 2022)) -> dict:
    from digindex.web import workflow
    from digindex.web.authz import Principal
    from digindex.web.seed import seed_demo

    settings = testing.test_settings(url)
    seed_demo(settings=settings, table=demo_table(), years=list(publish_years), exclude=exclude)
    db = Database(url)
    ids = {}
    try:
        for name, (role, region) in USERS.items():
            ids[name] = create_user(db, CLI, name, PASSWORD, role, region, "", settings)["id"]
        for name in ("rep_tx", "rep_nh", "rep_sc"):
            role, region = USERS[name]
            p = Principal(ids[name], name, role, region, "system")
            sub = workflow.create_submission(db, p, region, NEXT_YEAR)
            ids[f"sub_{region}"] = sub.id
        p = Principal(ids["rep_nh"], "rep_nh", "reporter", "330402", "system")
        complete_and_submit(db, p, ids["sub_330402"])
    finally:
        db.dispose()
    return ids


class World:
    """A built template database of one backend; ``copy(tmp_path)`` gives a fresh URL."""

    def __init__(self, backend: str, kind: str = "world"):
        self.backend, self.kind = backend, kind
        populate = kind == "world"  # "empty": migrated, nothing else
        if backend == "sqlite":
            self.dir = Path(tempfile.mkdtemp(prefix=f"digindex-{kind}-"))
            atexit.register(shutil.rmtree, self.dir, True)
            self.template = self.dir / "template.db"
            url = f"sqlite:///{self.template}"
        else:
            if not testing.postgres_available():
                pytest.skip("PostgreSQL server binaries are not installed")
            url = testing.postgres().create_database(name=f"tmpl_{kind}")
        migrate(url)
        self.ids = _populate(url) if populate else {}
        if backend == "sqlite":
            con = sqlite3.connect(self.template)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()

    def copy(self, tmp_path: Path) -> str:
        if self.backend == "sqlite":
            target = tmp_path / f"{self.kind}.db"
            shutil.copyfile(self.template, target)
            return f"sqlite:///{target}"
        return testing.postgres().create_database(template=f"tmpl_{self.kind}")


_WORLDS: dict = {}


def world(backend: str, kind: str = "world") -> World:
    key = (backend, kind)
    if key not in _WORLDS:
        _WORLDS[key] = World(backend, kind)
    return _WORLDS[key]


def complete_and_submit(db, p, sid: int) -> int:
    """Fill every value (1 % above last year's), explain whatever is flagged, submit; the new version."""
    from digindex.web import workflow

    with db.read() as s:
        sub = workflow.get_submission(s, p, sid)
        last, version = workflow.last_year_values(s, sub.unit, sub.year), sub.version
    sub, flags = workflow.update_values(db, p, sid, fill_values(last), version)
    if flags:
        sub, _f = workflow.update_values(db, p, sid, {}, sub.version,
                                         notes={f["indicator"]: "checked with the statistics bureau" for f in flags})
    return workflow.transition(db, p, sid, "submit", "", sub.version).version


def app_for(url: str, migrate: bool = True, **settings):
    from digindex.web import create_app

    return create_app(settings=testing.test_settings(url, **settings), migrate=migrate)


def client_for(url: str, lang: str = "en", **settings):
    """A test client whose requests prefer ``lang`` (Accept-Language), as a browser's would."""
    from fastapi.testclient import TestClient

    return TestClient(app_for(url, **settings), base_url="http://127.0.0.1", headers={"Accept-Language": lang})


def login(client, username: str, password: str = PASSWORD) -> dict:
    """Log in through the JSON API; later writes carry the CSRF header automatically."""
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r.json()


def fill_values(last: dict | None = None) -> dict:
    """Plausible values for every indicator (1 % above last year's where known)."""
    from digindex.web import indicators

    out = {}
    for ind in indicators.info().indicators:
        base = (last or {}).get(ind.id)
        out[ind.id] = round(base * 1.01, 4) if base else (50.0 if ind.hi == 100 else 10.0)
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_env(backend: str, tmp_path) -> dict:
    """A fresh copy of the world: {url, ids, backend}."""
    w = world(backend)
    return {"url": w.copy(tmp_path), "ids": w.ids, "backend": backend}


def client(env, lang: str = "en", **settings):
    return client_for(env["url"], lang, **settings)


def upload(c, sid, version, data):
    return c.post(f"/api/submissions/{sid}/upload", data={"version": str(version)},
                  files={"file": ("filled.xlsx", data, XLSX)})
