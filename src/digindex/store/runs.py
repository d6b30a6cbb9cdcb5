"""Record runs in the store and read them back.

Run ids are sequential: ``r1``, ``r2``, ... in the order runs were recorded
(``seq`` = 1 + the largest recorded ``seq``, taken inside the recording
transaction). An interrupted recording consumes no id. ``"latest"`` and
``"previous"`` name the last and second-to-last run.

A run is recorded in ONE transaction: its row in ``runs`` and every row of
``evaluation.results()`` are committed together or not at all, so a process
killed mid-recording leaves the earlier runs intact and no partial run (DuckDB
only makes a transaction durable at COMMIT; an uncommitted one is discarded
when the file is next opened).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .db import DEFAULT_STORE, connect

RESULT_COLUMNS = ["unit", "year", "node", "level", "score", "rank", "parent", "rank_in_parent"]
CHUNK_ROWS = 50_000


class StoredRun(NamedTuple):
    """A recorded run: its id, its run record and its tidy results."""

    run_id: str
    record: dict
    results: pd.DataFrame


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def framework_hash(record: dict, evaluation=None) -> str | None:
    """The framework's content hash from the record (file hash as a fallback)."""
    fw = record.get("framework") or {}
    value = fw.get("content_sha256") or fw.get("sha256")
    if value is None and evaluation is not None:
        from ..framework.yaml_io import dump_framework_yaml

        value = _sha(dump_framework_yaml(evaluation.framework))
    return value


def data_hash(record: dict, evaluation=None) -> str | None:
    """One hash for all data files: sha256 of their sorted sha256s (paths ignored).

    Without file hashes (data built in memory) the panel table's CSV is hashed.
    """
    hashes = sorted(d.get("sha256") or "" for d in record.get("data") or [])
    if hashes and all(hashes):
        return _sha("\n".join(hashes))
    if evaluation is not None:
        return _sha(evaluation.panel.table.to_csv(index=False))
    return None


def results_hash(results) -> str:
    """sha256 of the results (a DataFrame or an Arrow table) as CSV: of results.csv (floats written to
    round-trip exactly)."""
    import tempfile

    from ..export.tabular import sha256_file, write_csv

    with tempfile.TemporaryDirectory(prefix="digindex-hash-") as tmp:
        path = Path(tmp) / "results.csv"
        write_csv(results, path)
        return sha256_file(path)


def _to_store(table):
    """The results (``Evaluation.results_table()``) as the Arrow table of the ``results``
    columns after ``run_id``."""
    import pyarrow as pa

    n = len(table)

    def column(name: str, kind):
        return table.column(name).cast(kind) if name in table.column_names else pa.nulls(n, kind)

    return pa.table({
        "row_no": pa.array(np.arange(n, dtype=np.int64)),
        "unit": column("unit", pa.large_string()), "year": column("year", pa.int64()),
        "node": column("node", pa.large_string()), "level": column("level", pa.int64()),
        "score": column("score", pa.float64()), "rank": column("rank", pa.int64()),
        "parent": column("parent", pa.large_string()), "rank_in_parent": column("rank_in_parent", pa.int64()),
    })


def _insert(con, run_id: str, table, chunk_rows: int, on_progress: Callable | None) -> None:
    total = len(table)
    if on_progress is None:  # nobody to tell: one statement (chunks cost a third more)
        chunk_rows = max(total, 1)
    for start in range(0, max(total, 1), chunk_rows):
        con.register("_chunk", table.slice(start, chunk_rows))
        try:
            con.execute("INSERT INTO results SELECT ?, * FROM _chunk", [run_id])
        finally:
            con.unregister("_chunk")
        if on_progress is not None:
            on_progress(min(start + chunk_rows, total), total)


class PendingRun:
    """A run being recorded, in one transaction as :func:`record_run`: the store is opened and
    the run id taken here; :meth:`insert` puts the result rows in (the caller may run it on a
    thread of its own while it writes its files); :meth:`commit` adds the run's record and
    commits; :meth:`abort` leaves no trace."""

    def __init__(self, store_path, evaluation, *, chunk_rows: int = CHUNK_ROWS,
                 on_progress: Callable[[int, int], None] | None = None, lock_timeout: float = 5.0, table=None):
        # the rows: the evaluation's results_table() (``table`` when the caller has it already)
        self.evaluation = evaluation
        self.table = evaluation.results_table() if table is None else table
        self._connection = connect(store_path or DEFAULT_STORE, write=True, lock_timeout=lock_timeout)
        self.con = self._connection.__enter__()
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.seq = self.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchall()[0][0]
        except BaseException:
            self._close(*sys.exc_info())
            raise
        self.run_id = f"r{self.seq}"
        self._chunk_rows, self._on_progress = max(int(chunk_rows), 1), on_progress
        self._inserted = False

    def insert(self) -> None:
        """Insert the result rows (once)."""
        if not self._inserted:
            _insert(self.con, self.run_id, _to_store(self.table), self._chunk_rows, self._on_progress)
            self._inserted = True

    def commit(self, run_record: dict) -> str:
        """Insert the rows if :meth:`insert` has not, add the run (``run_record``, its hashes) and
        commit; the run id."""
        try:
            self.insert()
            record = json.loads(json.dumps(run_record, default=str))
            ev, rows = self.evaluation, self.table
            fw_hash, data_sha = framework_hash(record, ev), data_hash(record, ev)
            res_hash = record.get("results_sha256") or results_hash(rows)
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self.run_id, self.seq, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 record.get("time"), record.get("digindex_version"), (record.get("framework") or {}).get("id"),
                 fw_hash, data_sha, res_hash, "parent" in rows.column_names, len(rows),
                 json.dumps(record, ensure_ascii=False, sort_keys=True)])
            self.con.execute("COMMIT")
        except BaseException:
            self.abort()
            raise
        self._close(None, None, None)
        return self.run_id

    def abort(self) -> None:
        """Roll the run back (nothing recorded, its id unused)."""
        with contextlib.suppress(Exception):  # keep the original error
            self.con.execute("ROLLBACK")
        self._close(None, None, None)

    def _close(self, *exc) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.__exit__(*exc)


def record_run(store_path, evaluation, run_record: dict, *, chunk_rows: int = CHUNK_ROWS,
               on_progress: Callable[[int, int], None] | None = None, lock_timeout: float = 5.0,
               table=None) -> str:
    """Store ``run_record`` and the evaluation's results in one transaction; return the run id.

    ``table``: ``evaluation.results_table()`` when the caller has it already; the results hash
    is the record's ``results_sha256`` when the results were written (the hash of results.csv).
    ``on_progress(rows_done, rows_total)`` is called after each chunk of
    ``chunk_rows`` result rows, inside the transaction; if it raises, nothing is
    recorded.
    """
    pending = PendingRun(store_path, evaluation, chunk_rows=chunk_rows, on_progress=on_progress,
                         lock_timeout=lock_timeout, table=table)
    return pending.commit(run_record)


LIST_COLUMNS = ["run_id", "recorded_at", "time", "framework_id", "framework_sha256", "data_sha256",
                "results_sha256", "digindex_version", "n_rows"]


def list_runs(store_path=DEFAULT_STORE, lock_timeout: float = 5.0) -> pd.DataFrame:
    """Every recorded run, oldest first (an empty table when the store does not exist)."""
    if not Path(store_path).exists():
        return pd.DataFrame(columns=LIST_COLUMNS)
    with connect(store_path, lock_timeout=lock_timeout) as con:
        return con.execute(f"SELECT {', '.join(LIST_COLUMNS)} FROM runs ORDER BY seq").df()


def resolve(con, run_id: str) -> tuple:
    """The ``runs`` row of ``run_id`` (or ``latest``/``previous``); InputError if unknown."""
    ref = str(run_id)
    if ref in ("latest", "previous"):
        offset = 0 if ref == "latest" else 1
        cur = con.execute("SELECT * FROM runs ORDER BY seq DESC LIMIT 1 OFFSET ?", [offset])
    else:
        cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [ref])
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        ids = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY seq").fetchall()]
        shown = ", ".join(ids[-10:]) if ids else "none recorded yet"
        raise InputError(Problem(f"no run {ref!r} in the store",
                                 fix=f"use a run id from 'digindex runs list' ({shown})"))
    return dict(zip(cols, rows[0]))


def _from_store(df: pd.DataFrame, has_parents: bool) -> pd.DataFrame:
    out = pd.DataFrame({
        "unit": df["unit"].astype(str),
        "year": pd.Series([None if pd.isna(y) else int(y) for y in df["year"]], dtype=object),
        "node": df["node"].astype(str),
        "level": df["level"].astype("int64"),
        "score": df["score"].astype(float),
        "rank": df["rank"].astype("Int64"),
    })
    if has_parents:
        out["parent"] = df["parent"].astype(str)
        out["rank_in_parent"] = df["rank_in_parent"].astype("Int64")
    return out


def get_run(store_path, run_id: str, lock_timeout: float = 5.0) -> StoredRun:
    """One run: ``StoredRun(run_id, record, results)``, results as ``Evaluation.results()``."""
    with connect(store_path, lock_timeout=lock_timeout) as con:
        row = resolve(con, run_id)
        df = con.execute(f"SELECT {', '.join(RESULT_COLUMNS)} FROM results WHERE run_id = ? ORDER BY row_no",
                         [row["run_id"]]).df()
    return StoredRun(row["run_id"], json.loads(row["record"]), _from_store(df, bool(row["has_parents"])))


def run_info(store_path, run_id: str, lock_timeout: float = 5.0) -> dict:
    """The ``runs`` row of one run (hashes, version, row count) without its results."""
    with connect(store_path, lock_timeout=lock_timeout) as con:
        row = resolve(con, run_id)
    row["record"] = json.loads(row["record"])
    return row
