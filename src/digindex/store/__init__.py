"""The run store: every recorded run in one embedded DuckDB file.

::

    from digindex.export import run_record
    from digindex.store import record_run, list_runs, get_run, diff_runs

    run_id = record_run("digindex.duckdb", result, run_record(result, "fw.yaml", {}))
    list_runs("digindex.duckdb")                 # one row per run, oldest first
    record, results = get_run("digindex.duckdb", run_id)[1:]
    diff = diff_runs("digindex.duckdb", "r1", "r2")
    diff.verdict, diff.reasons, diff.changes      # why, and which units changed rank

Run ids are sequential (``r1``, ``r2``, ...); ``latest`` and ``previous`` name
the last two. Each run is recorded in one transaction (see :mod:`.runs`).
"""
from .db import DEFAULT_STORE, connect
from .diff import VERDICTS, RunDiff, diff_runs, rank_changes, verdict
from .runs import PendingRun, StoredRun, get_run, list_runs, record_run, run_info

__all__ = [
    "DEFAULT_STORE", "connect", "record_run", "list_runs", "get_run", "run_info", "diff_runs",
    "RunDiff", "StoredRun", "VERDICTS", "verdict", "rank_changes", "PendingRun",
]
