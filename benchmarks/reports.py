"""Benchmark: every report of the SYNTHETIC demo — 90 county profiles, 11 city profiles and the bulletin.

    .venv/bin/python benchmarks/reports.py [--format pdf|html|xlsx] [--lang zh|en|both] [--workers 2]

Generates the demo data, then builds all 102 documents with a pool of worker processes
(each loads and evaluates both populations once; the bulletin is submitted first because
it is the longest task). The clock runs from the pool's start to the last file written,
so it includes the workers' start-up, loading and evaluation. The last line is
``RESULT seconds_all_reports=<t>`` (target: under 120 s on 2 cores).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

STATE: dict = {}


def _load(paths: dict, cache: str) -> None:
    from digindex import evaluate, load_data, load_framework
    from digindex.frameworks import builtin_framework_path

    os.environ["DIGINDEX_CACHE_DIR"] = cache
    fw = load_framework(builtin_framework_path("zhejiang"))
    for key in ("counties", "cities"):
        panel = load_data(paths[f"{key}_csv"], framework=fw, regions=paths["regions"])
        STATE[key] = evaluate(fw, panel)


def _task(kind: str, unit: str | None, out: str, fmt: str, lang: str) -> float:
    from digindex.reports import bulletin_report, profile_report

    t = time.perf_counter()
    if kind == "bulletin":
        bulletin_report([STATE["counties"], STATE["cities"]], Path(out) / f"bulletin.{fmt}", lang=lang, format=fmt)
    else:
        profile_report(STATE[kind], unit, Path(out) / f"profile_{unit}.{fmt}", lang=lang, format=fmt)
    return time.perf_counter() - t


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", default="pdf", choices=["pdf", "html", "xlsx"])
    ap.add_argument("--lang", default="zh", choices=["zh", "en", "both"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None, help="keep the reports here (default: a temporary folder)")
    args = ap.parse_args(argv)
    import numpy as np

    from digindex import demo

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or Path(tmp) / "reports")
        out.mkdir(parents=True, exist_ok=True)
        cache = str(Path(tmp) / "cache")
        t0 = time.perf_counter()
        paths = {k: str(v) for k, v in demo.generate(Path(tmp) / "demo").items()}
        print(f"demo data generated in {time.perf_counter() - t0:.1f} s", flush=True)
        _load(paths, cache)
        units = {k: sorted({str(u) for u in STATE[k].panel.units}) for k in ("counties", "cities")}
        tasks = [("bulletin", None)] + [(k, u) for k in ("counties", "cities") for u in units[k]]
        t1 = time.perf_counter()
        with ProcessPoolExecutor(args.workers, initializer=_load, initargs=(paths, cache)) as pool:
            futures = [pool.submit(_task, kind, unit, str(out), args.format, args.lang) for kind, unit in tasks]
            times = [f.result() for f in futures]
        total = time.perf_counter() - t1
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        files = sorted(out.glob(f"*.{args.format}"))
        print(f"{len(files)} {args.format} files ({len(tasks) - 1} profiles + bulletin), {args.workers} workers, "
              f"lang {args.lang}")
        print(f"bulletin {times[0]:.1f} s; profile median {np.median(times[1:]):.2f} s, max {np.max(times[1:]):.2f} s")
        print(f"worker CPU {cpu:.1f} s (the wall time on {args.workers} otherwise idle cores would be about "
              f"{cpu / args.workers:.1f} s); load average at the end {os.getloadavg()[0]:.2f}")
        print(f"RESULT seconds_all_reports={total:.1f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
