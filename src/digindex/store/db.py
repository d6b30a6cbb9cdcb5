"""The run store's DuckDB file: opening it, its schema, and clear errors.

One file (default ``./digindex.duckdb``) holds two tables::

    runs(run_id, seq, recorded_at, time, digindex_version, framework_id,
         framework_sha256, data_sha256, results_sha256, has_parents, n_rows, record)
    results(run_id, row_no, unit, year, node, level, score, rank, parent, rank_in_parent)

plus ``meta(key, value)`` with the schema version. DuckDB lets one process hold
a file for writing; a second process gets a lock error, which is reported as an
:class:`~digindex.errors.InputError` naming the holder's PID (after waiting up
to ``lock_timeout`` seconds for it to finish).
"""
from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

from ..errors import InputError, Problem

DEFAULT_STORE = "digindex.duckdb"
SCHEMA_VERSION = "1"

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, recorded_at VARCHAR NOT NULL,
        time VARCHAR, digindex_version VARCHAR, framework_id VARCHAR, framework_sha256 VARCHAR,
        data_sha256 VARCHAR, results_sha256 VARCHAR NOT NULL, has_parents BOOLEAN NOT NULL,
        n_rows BIGINT NOT NULL, record VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS results (
        run_id VARCHAR NOT NULL, row_no BIGINT NOT NULL, unit VARCHAR NOT NULL, year INTEGER,
        node VARCHAR NOT NULL, level INTEGER, score DOUBLE, rank INTEGER, parent VARCHAR,
        rank_in_parent INTEGER)""",
]


def _duckdb():
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - duckdb is a dependency
        raise InputError(Problem("the run store needs the 'duckdb' package",
                                 fix="pip install duckdb")) from exc
    return duckdb


def _open_error(path: Path, exc: Exception) -> InputError:
    text = str(exc)
    if "lock" in text.lower():
        pid = re.search(r"PID (\d+)", text)
        holder = f" (PID {pid.group(1)})" if pid else ""
        return InputError(Problem(
            f"the run store is in use by another process{holder}", file=str(path),
            fix="wait for the other digindex command to finish, or use another store file"))
    if "not a valid" in text.lower() or "database file" in text.lower():
        return InputError(Problem("this file is not a digindex run store (not a DuckDB database)",
                                  file=str(path), fix="give the path of a run store, or a new file name"))
    return InputError(Problem(f"cannot open the run store: {text}", file=str(path),
                              fix="check the path and its permissions"))


@contextlib.contextmanager
def connect(store_path, write: bool = False, lock_timeout: float = 5.0):
    """Open the store (creating it and its schema when ``write``); close it afterwards."""
    duckdb = _duckdb()
    path = Path(store_path)
    if not write and not path.exists():
        raise InputError(Problem("no run store here yet", file=str(path),
                                 fix="record a run first, or give the path of an existing store"))
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    while True:
        try:
            # writing on one thread: a run's rows take half the CPU and half the space they
            # take on two (row groups written side by side compress worse)
            con = duckdb.connect(str(path), read_only=not write, config={"threads": 1} if write else {})
            break
        except duckdb.Error as exc:
            locked = "lock" in str(exc).lower()
            if not locked or time.monotonic() >= deadline:
                raise _open_error(path, exc) from None
            time.sleep(0.1)
    try:
        if write:
            tables = _tables(con)
            if tables and "runs" not in tables:
                raise InputError(Problem("this DuckDB file holds other tables and is not a digindex run store",
                                         file=str(path), fix="give the path of a run store, or a new file name"))
            for statement in SCHEMA:
                con.execute(statement)
            con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                        [SCHEMA_VERSION])
        _check_schema(con, path)
        yield con
    finally:
        con.close()


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _check_schema(con, path: Path) -> None:
    if not {"meta", "runs", "results"} <= _tables(con):
        raise InputError(Problem("this DuckDB file is not a digindex run store", file=str(path),
                                 fix="give the path of a run store, or a new file name"))
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    version = rows[0][0] if rows else None
    if version != SCHEMA_VERSION:
        raise InputError(Problem(f"run store schema version {version!r}; this digindex reads version "
                                 f"{SCHEMA_VERSION!r}", file=str(path),
                                 fix="use the digindex version that wrote this store, or start a new store file"))
