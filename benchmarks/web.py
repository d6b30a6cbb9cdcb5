"""Web app throughput and latency for cached published results, on loopback.

Seeds a fresh SQLite database with the SYNTHETIC demo (2017-2022 published, rank intervals
from 100 Monte Carlo runs), starts ``digindex.web`` under uvicorn (one worker) in a
subprocess, warms the cache (every URL once), then lets ``--clients`` concurrent
keep-alive HTTP/1.1 clients share a budget of ``--requests`` requests (stopping early after
``--max-seconds``): half the ranking API (every year × measure × population), half the
region profile page (every unit). Every response must be 200 with a body.

Prints the request count, errors, throughput and p50/p95/p99 latency overall and per
endpoint; the last line is ``RESULT rps=<x> p50_ms=<a> p95_ms=<b> p99_ms=<c>``.
Target on 2 cores: p95 < 100 ms.

Run: ``.venv/bin/python benchmarks/web.py [--clients 50] [--requests 6000] [--max-seconds 60]``
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from digindex.web import indicators, seed_demo, units  # noqa: E402
from digindex.web.testing import ServerProcess  # noqa: E402


def urls() -> list[tuple[str, str]]:
    info = indicators.info()
    nodes = [info.root] + [a for a, _ in info.aspects]
    ranking = [("ranking", f"/api/public/ranking?year={y}&node={n}&population={p}")
               for y in range(2017, 2023) for n in nodes for p in ("county", "city")]
    profiles = [("profile", f"/units/{u.code}") for u in units.units().values()]
    mix = []
    for a, b in zip(itertools.cycle(ranking), profiles * 2):
        mix += [a, b]
    return mix


async def fetch(reader, writer, path: str) -> tuple[int, int]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(h.split(":", 1)[1]) for h in lines[1:] if h.lower().startswith("content-length:"))
    body = await reader.readexactly(length)
    return status, len(body)


async def client(port: int, work, deadline: float, out: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for kind, path in work:
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            try:
                status, size = await fetch(reader, writer, path)
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as exc:
                errors.append(f"{path}: {exc!r}")
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            out.append((kind, (time.perf_counter() - t0) * 1000.0))
            if status != 200 or size == 0:
                errors.append(f"{path}: status {status}, {size} bytes")
    finally:
        writer.close()


async def load(port: int, mix: list, clients: int, budget: int, seconds: float):
    work = iter(itertools.islice(itertools.cycle(mix), budget))  # shared: clients take the next request
    out, errors = [], []
    t0 = time.perf_counter()
    await asyncio.gather(*(client(port, work, t0 + seconds, out, errors) for _ in range(clients)))
    return out, errors, time.perf_counter() - t0


def stats(ms) -> str:
    a = np.asarray(ms)
    p50, p95, p99 = (np.percentile(a, q) for q in (50, 95, 99))
    return f"n={len(a)} p50={p50:.1f} ms p95={p95:.1f} ms p99={p99:.1f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=6000)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--db", default=None, help="an already seeded database URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    tmp = Path(tempfile.mkdtemp(prefix="digindex-webbench-"))
    db = args.db or f"sqlite:///{tmp / 'bench.db'}"
    if not args.db:
        t = time.perf_counter()
        seed_demo(db, uncertainty_runs=100)
        print(f"seeded {db} in {time.perf_counter() - t:.1f} s (not timed below)")
    server = ServerProcess(db, env={"DIGINDEX_WEB_CACHE_TTL_S": "5"}, log=tmp / "server.log").start()
    try:
        mix = urls()
        warm, errors, _ = asyncio.run(load(server.port, mix, 4, len(mix), 300))
        if errors:
            print("warm-up errors:", errors[:5])
            return 1
        out, errors, wall = asyncio.run(load(server.port, mix, args.clients, args.requests, args.max_seconds))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    ms = [m for _k, m in out]
    rps = len(out) / wall
    print(f"{args.clients} clients, {len(out)} requests in {wall:.2f} s, {len(errors)} errors")
    for kind in ("ranking", "profile"):
        print(f"  {kind:8s} {stats([m for k, m in out if k == kind])}")
    print(f"  all      {stats(ms)}")
    for e in errors[:5]:
        print("  error:", e)
    p50, p95, p99 = (float(np.percentile(ms, q)) for q in (50, 95, 99))
    print(f"RESULT rps={rps:.0f} p50_ms={p50:.1f} p95_ms={p95:.1f} p99_ms={p99:.1f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
