"""Helpers for testing the web app against real servers (used by tests/test_web_*.py).

- :func:`test_settings`: fast password hashing, no Monte Carlo by default;
- :class:`Postgres`: a throw-away PostgreSQL cluster on 127.0.0.1 (``initdb`` into a
  temporary directory, ``pg_ctl start`` on a free port, password authentication), run as
  the ``postgres`` user when we are root; :func:`postgres` gives one per process;
- :class:`ServerProcess`: ``python -m digindex.web serve`` in a subprocess, to be killed
  and restarted.
"""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from .config import Settings

TEST_ENV = {"DIGINDEX_WEB_ARGON2": "1,8192,1", "DIGINDEX_WEB_UNCERTAINTY_RUNS": "0"}


def test_settings(db_url: str, **over) -> Settings:
    return replace(Settings(db_url=db_url), argon2=(1, 8192, 1), uncertainty_runs=0, **over)


test_settings.__test__ = False  # not a pytest test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server binary (``initdb``, ``pg_ctl``) on PATH or in Debian's versioned dirs."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


class Postgres:
    """A private PostgreSQL cluster on 127.0.0.1; ``url(db)`` gives SQLAlchemy URLs."""

    USER, PASSWORD = "digindex", "digindex-test-pw"

    def __init__(self):
        self.initdb, self.pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        # as root the cluster runs as 'postgres', which must be able to reach the directory
        base = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
        self.dir = Path(tempfile.mkdtemp(prefix="digindex-pg-", dir=base))
        self.data = self.dir / "data"
        self.port = free_port()
        self.runas = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise FileNotFoundError("runuser not found: cannot run PostgreSQL as non-root")
            self.runas = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        pwfile = self.dir / "pw"
        pwfile.write_text(self.PASSWORD)
        if self.runas:
            shutil.chown(pwfile, "postgres")
        self._run([self.initdb, "-D", str(self.data), "-U", self.USER, "--pwfile", str(pwfile),
                   "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"])
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c max_connections=200")
        self._run([self.pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-o", opts, "-w", "start"])
        self._n = 0
        atexit.register(self.stop)

    def _run(self, cmd):
        subprocess.run(self.runas + cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.USER}:{self.PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (optionally a copy of ``template``); returns its URL."""
        import psycopg

        self._n += 1
        name = name or f"t{os.getpid()}_{self._n}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.USER} password={self.PASSWORD} "
                             "dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


_PG: Postgres | None = None


def postgres() -> Postgres:
    """One PostgreSQL cluster per test process (stopped at exit)."""
    global _PG
    if _PG is None:
        _PG = Postgres()
    return _PG


def postgres_available() -> bool:
    return bool(pg_bin("initdb") and pg_bin("pg_ctl"))


class ServerProcess:
    """``python -m digindex.web serve`` on a free loopback port, in its own process group."""

    def __init__(self, db_url: str, env: dict | None = None, log: Path | None = None):
        self.db_url, self.port = db_url, free_port()
        self.env = {**os.environ, **TEST_ENV, **(env or {})}
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "ServerProcess":
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, "-m", "digindex.web", "serve", "--db", self.db_url,
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, open transactions are simply cut off."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
