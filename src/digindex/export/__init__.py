"""Write an evaluation's outputs (results, weights, log, regional analytics, run.json, charts).

All or nothing: the files are written through :class:`digindex.files.AtomicBatch`, so a
failed run leaves no partial output. The large files are written side by side (DuckDB's
CSV writer, pyarrow's Parquet writer and zlib release the interpreter), results.xlsx by
:mod:`.workbook`.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..charts import FOLDER as CHARTS
from ..files import AtomicBatch
from ..version import __version__
from .tabular import sha256_file, write_csv, write_parquet


def run_record(evaluation, framework_file: str | None, options: dict) -> dict:
    """run.json: version, time, inputs with their hashes, options, methods, scopes and each
    node's weights with its method's details."""
    import hashlib

    from ..data.readers import sha256_of
    from ..framework.yaml_io import dump_framework_yaml
    from .weights import weights_record

    fw = evaluation.framework
    return {
        "digindex_version": __version__,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "framework": {
            "id": fw.id,
            "file": framework_file,
            "sha256": sha256_of(framework_file) if framework_file and Path(framework_file).exists() else None,
            "content_sha256": hashlib.sha256(dump_framework_yaml(fw).encode()).hexdigest(),
        },
        "data": [{"file": f, "sha256": h} for f, h in evaluation.panel.files.items()],
        "options": options,
        "methods": evaluation.methods,
        # row: each unit-year on its own; year: compared within each year; panel: pooled over the panel
        "scopes": evaluation.scopes(),
        "units": int(len(set(evaluation.panel.units))),
        "years": sorted({y for y in evaluation.panel.years if y is not None}),
        "log_entries": len(evaluation.log),
        "weights": weights_record(evaluation),
    }


def write_results(evaluation, out_dir: str | Path, record: dict, lang: str = "en", *, charts=False,
                  scope: str = "aspects", table=None, jobs=()) -> list[Path]:
    """Write results.csv/.parquet/.xlsx, weights.csv, log.csv, the regional analytics
    (changes and growth_yoy for the nodes of ``scope``: the root and the aspects, or ``all``;
    disparity, disparity_groups, tiers: those that apply), with ``charts`` the run's charts
    (PNG and SVG), and run.json into ``out_dir``, all or nothing. ``table``: the evaluation's
    ``results_table()`` when the caller has it already. ``record["results_sha256"]``
    is set to the hash of results.csv; notes on what results.xlsx leaves out go to
    ``record["notes"]``. ``jobs``: callables run beside the writers (the run store's insert).
    ``charts``: True, or a :func:`chart_job` the caller started earlier (before reading the data)."""
    out_dir = Path(out_dir)
    # the charts: drawn by a child process meanwhile (started before any thread), into their own
    # folder, renamed into place with the other files (the pool's jobs finish first: contexts
    # exit in reverse order)
    drawing = chart_job(out_dir) if charts is True else charts or None
    try:
        table = evaluation.results_table() if table is None else table
        paths = _write(evaluation, out_dir, record, lang, table, scope, drawing, jobs)
    except BaseException:
        if drawing is not None:
            drawing.cancel()
        raise
    return paths


def chart_job(out_dir):
    """The chart process of a run writing into ``out_dir``: start it before any thread, as
    early as possible (it loads matplotlib meanwhile)."""
    from ..charts import ChartJob

    return ChartJob(near=Path(out_dir).parent)


def _write(evaluation, out_dir: Path, record: dict, lang: str, table, scope: str, drawing, jobs) -> list[Path]:
    from ..analytics import TABLES, regional_tables
    from ..charts import CHART_TABLES
    from .weights import weights_table
    from .workbook import write_workbook

    with AtomicBatch(out_dir) as batch, AtomicBatch(out_dir / CHARTS) as chart_batch, \
            ThreadPoolExecutor(max_workers=4 + len(jobs), initializer=_give_way) as pool:
        # what needs only the results starts at once, beside the regional tables
        background = [pool.submit(job) for job in jobs]
        if drawing is not None:
            drawing.give_results(evaluation)  # (done already when the caller gave it earlier)
        csv_path = batch.path("results.csv")
        results_hash = pool.submit(lambda: (write_csv(table, csv_path), sha256_file(csv_path))[1])
        writes = [pool.submit(write_parquet, table, batch.path("results.parquet"))]
        # the tables the charts read first (the chart process draws with them meanwhile), then the others
        first = CHART_TABLES if drawing is not None else ()
        made = regional_tables(evaluation, lang=lang, scope=scope, tables=first)
        if drawing is not None:
            drawing.give_regional(made)
        made |= regional_tables(evaluation, lang=lang, scope=scope, tables=[t for t in TABLES if t not in first])
        regional = {t: made[t] for t in TABLES if t in made}  # in the order of TABLES
        writes += [pool.submit(write_csv, frame, batch.path(f"{name}.csv")) for name, frame in regional.items()]
        writes += [pool.submit(write_csv, weights_table(evaluation), batch.path("weights.csv")),
                   pool.submit(write_csv, evaluation.log_table(), batch.path("log.csv"))]
        # results.xlsx here: its rows are the longest work left inside the interpreter; the
        # writers (DuckDB, pyarrow: mostly outside it) fill the gaps
        notes = write_workbook(batch.path("results.xlsx"), evaluation, dict(record), regional, lang)
        if drawing is not None:
            drawing.finish(chart_batch)
        for future in writes + background:
            future.result()
        record["results_sha256"] = results_hash.result()
        if notes:
            record["notes"] = notes
        batch.path("run.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return [final for _, final in batch.pending + chart_batch.pending]


def _give_way() -> None:
    """A writer thread runs at a lower priority (Linux: a thread's own nice value) than the
    main thread and the chart process, so that the work on the longest path (the charts, the
    workbook) is not starved by the writers beside it."""
    import os
    import threading

    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(os.getpriority(os.PRIO_PROCESS, me) + 5, 19))
    except (AttributeError, OSError):  # no per-thread priorities here: the same work, in another order
        pass


__all__ = ["run_record", "write_results", "chart_job"]
