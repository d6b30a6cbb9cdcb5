"""Uncertainty analysis speed: batched replications against a plain rebuild-per-replication loop.

ASEM (COINr's example, 51 units × 49 indicators) with COINr's four vignette assumptions:
winsorisation max_points 1–5; min-max [1, 100] or z-score (mean 10, sd 2); pillar and
sub-index weights × (1 + 0.25·U(−1, 1)); arithmetic or geometric mean.

Prints ms per replication for N = 10,000, the best of ``--repeat`` runs (set-up included:
parsing the choices, the data matrix, imputation and the nominal stages, the safety
check, every distinct treated and normalised matrix, the design, the replications, ranks
and rank statistics; only reading the files is outside), the ratio to COINr's published 0.14 s per replication, the ratio to a
loop that rebuilds the whole index through the public API once per replication (measured
here, in the same run), and a scale case of 2,845 units × 40 indicators × 1,000
replications in a subprocess, with its peak memory.

Run: ``.venv/bin/python benchmarks/uncertainty.py [--runs 10000] [--loop 40]``
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from digindex import evaluate, load_data, load_framework  # noqa: E402
from digindex.uncertainty import decode, problem_from_framework, run_uncertainty, unit_points  # noqa: E402
from digindex.framework.parse import _normalise_context  # noqa: E402
from digindex.uncertainty.model import framework_variant  # noqa: E402

COINR_SECONDS_PER_REPLICATION = 0.14  # ../shared/domain.md §3, COINr 1.1.14 on this machine class

COINR_ASSUMPTIONS = yaml.safe_load(
    (ROOT / "examples" / "asem" / "uncertainty.yaml").read_text(encoding="utf-8"))["uncertainty"]


def asem():
    fw = load_framework(ROOT / "examples" / "asem" / "framework.yaml")
    return fw, load_data(ROOT / "examples" / "asem" / "data.csv", framework=fw)


def batched_seconds(fw, panel, runs: int) -> float:
    # nothing carries over from an earlier repetition: the panel's memoised matrices and the
    # memoised normalisation contexts are dropped (the stage cache is new in every run)
    panel._matrices.clear()
    _normalise_context.cache_clear()
    start = time.perf_counter()
    problem = problem_from_framework(fw, COINR_ASSUMPTIONS)
    run_uncertainty(fw, panel, runs=runs, seed=1, sensitivity=False, problem=problem)
    return time.perf_counter() - start


def loop_seconds_per_replication(fw, panel, n: int) -> float:
    problem = problem_from_framework(fw, COINR_ASSUMPTIONS)
    design = decode(problem, unit_points(problem, n, seed=1))
    start = time.perf_counter()
    for row in design.to_dict("records"):
        ev = evaluate(framework_variant(fw, problem, row), panel)
        ev.ranks_table()
    return (time.perf_counter() - start) / n


SCALE_SCRIPT = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
sys.path.insert(0, sys.argv[1])
from digindex import load_data, load_framework
from digindex.uncertainty import problem_from_framework, run_uncertainty
from pathlib import Path
tmp = Path(sys.argv[2])
rng = np.random.default_rng(0)
n_units, n_aspects, per = 2845, 5, 8
latent = rng.normal(size=(n_units, 1))
cols = {}
for a in range(n_aspects):
    for i in range(per):
        cols[f"a{a}i{i}"] = np.exp(0.8 * latent[:, 0] + rng.normal(scale=0.7, size=n_units))
df = pd.DataFrame({"unit": [f"U{u:04d}" for u in range(n_units)],
                   "parent": [f"C{u % 330:03d}" for u in range(n_units)], **cols})
df.to_parquet(tmp / "scale.parquet")
lines = ["id: scale", "normalise: {method: minmax, scale: [1, 100]}", "tree:", "  id: index", "  children:"]
for a in range(n_aspects):
    lines += [f"    - id: a{a}", "      children:"] + [f"        - {{id: a{a}i{i}}}" for i in range(per)]
(tmp / "scale.yaml").write_text("\n".join(lines) + "\n")
fw = load_framework(tmp / "scale.yaml")
panel = load_data(tmp / "scale.parquet", framework=fw)
problem = problem_from_framework(fw, {"choices": [
    {"id": "normalisation", "step": "normalise", "alternatives": [
        {"method": "minmax", "scale": [1, 100]}, {"method": "zscore", "mean": 10, "sd": 2}]},
    {"id": "weights", "perturb": "weights", "levels": [1, 2], "noise": 0.25},
    {"id": "aggregation", "step": "aggregate", "alternatives": ["arithmetic", "geometric"]}]})
start = time.perf_counter()
run_uncertainty(fw, panel, runs=1000, seed=1, sensitivity=False, problem=problem)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))
"""


def scale_case() -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", SCALE_SCRIPT, str(ROOT / "src"), tmp],
                              capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--loop", type=int, default=40, help="replications timed in the plain loop")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    fw, panel = asem()
    batched_seconds(fw, panel, 64)  # warms imports and code paths (there is no JIT), not caches
    times = [batched_seconds(fw, panel, args.runs) for _ in range(args.repeat)]
    best = min(times)
    ms = 1000 * best / args.runs
    loop = loop_seconds_per_replication(fw, panel, args.loop)
    scale = scale_case()
    print(f"ASEM, {args.runs} replications, set-up included: best {best:.3f} s of {args.repeat} "
          f"(all: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"  {ms:.4f} ms per replication; COINr 140 ms -> {140 / ms:,.0f}x")
    print(f"  plain loop through the public API: {1000 * loop:.2f} ms per replication "
          f"-> batched is {1000 * loop / ms:,.0f}x faster")
    print(f"scale: 2,845 units x 40 indicators x 1,000 replications: {scale['seconds']:.2f} s, "
          f"peak {scale['peak_mb']:.0f} MB")
    print(f"RESULT ms_per_replication={ms:.4f} speedup_vs_coinr={140 / ms:.0f} "
          f"speedup_vs_loop={1000 * loop / ms:.0f} scale_seconds={scale['seconds']:.2f} "
          f"scale_peak_mb={scale['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
