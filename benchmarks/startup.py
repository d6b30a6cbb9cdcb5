"""Start-up: the imports of `digindex --help` and `digindex validate`, and ASEM's CSV loading.

- imports: the sum of the top-level cumulative times of ``python -X importtime -m digindex ...``
  (what Python spends importing, the interpreter's own start excluded), best of ``--repeat``;
  ``validate`` on a small file: the HDI example (framework and its 191-row data file);
- ASEM: ``load_data("examples/asem/data.csv", framework=...)`` in a warm process (imports and the
  region registry loaded), best of 20, wall and CPU time.

The last line is ``RESULT help_import_s=… validate_import_s=… asem_load_ms=…`` (targets: 0.3 s,
0.3 s, 20 ms). A busy machine lengthens all of them: the load average is printed.

Before issue 16 (the issue's figures and the first pass's own): ``--help`` 0.65-0.93 s of
imports (the issue: 0.77 s), ``validate`` 1.26 s, ASEM 69 ms (the issue: 160-440 ms, cold).
On the quiet machine after the merge: ``--help`` 0.146 s, ``validate`` 0.626 s (framework only
0.620 s) of imports; ASEM 29.3 ms (a cProfile shows ~15 pandas steps of 1-5 ms each: reading
through Arrow, building frames, the coverage notes).

Measured on a shared 2-core machine (another test suite running, load average 2.9-3.6), before
(commit 471fc92) and after (branch speed2) alternately, two runs each: ``--help`` 0.135-0.157 s
before, 0.144-0.152 s after; ``validate`` 0.654-0.856 s before, 0.670-0.673 s after (the
microdata package no longer imports its engines when a framework is read: ~50 ms); ASEM's CSV
22.5-26.0 ms before, 20.8-22.3 ms after (no change to that path: the spread is the machine's).
``validate`` cannot reach 0.3 s while it reads the data with pandas: importing pandas (with
numpy and pyarrow) alone takes 0.32-0.47 s here; typer and rich add ~0.1 s, the method and key
registrations ~0.1 s.

Issue 16, part 5 (branch startup3), measured on 2026-12-06 on the shared machine (Spark and
other suites running, load average 0.4-3.0), before (commit 6862304) and after, mostly
alternately, five runs each:

- ASEM's CSV 21.2-27.0 ms before, 13.7-18.1 ms after (14-15 ms at load 1.3-3.0): the panel
  table built once from the pivot's arrays, a small table's records as one block of Python
  objects, years and indicator tests once per distinct value, the coverage notes from the
  pivot's values, header roles looked up once (src/digindex/data). National (28,450 rows x 40
  indicators, benchmarks/national.py's CSV, best of two per process, three processes each,
  alternately at load 2.4): load_data 0.88-1.04 s before, 0.77-0.95 s after (the pivot 67 ->
  54 ms and the numbers 97 -> 63 ms, the other steps as before).
- ``validate`` of a framework alone 0.656-0.812 s before, 0.363-0.413 s after; of DESI's
  framework (no goalposts to transform) 0.684-0.797 s before, 0.259-0.262 s after. Reading a
  framework imports no pandas, pyarrow or scipy (the engine and analytics packages name their
  members on first use; the framework layer, the methods and the key owners bind numpy and
  pandas as stand-ins imported on first use, digindex.lazy.lazy_module); HDI's framework still
  imports numpy (~0.1 s), to log its goalposts for the static range check.
- ``validate`` with the 191-row data file 0.613-0.759 s before, 0.617-0.762 s after: reading
  the data needs pandas (with numpy and pyarrow, 0.3-0.45 s of it). ``--help`` 0.140-0.195 s
  before, 0.157-0.171 s after (unchanged).

``-X importtime`` does not count the own time of a module imported by ``importlib`` (the key
owners, numpy through its stand-in), only the imports within it: a few ms.

After the merge into main, with the bytecode compiled as ``make`` now does (load average 2.4):
``--help`` 0.135 s, ``validate`` with the data file 0.554 s, of the framework alone 0.287 s
(DESI's 0.219 s), ASEM's CSV 14.9 ms.

``--baseline COMMIT`` measures that commit's sources (compiled too) in the same run, the two
taking turns, and prints current / baseline. Against 6862304 (before this pass), best of 5, load
average 0.5: ``--help`` 0.122 / 0.123 s (0.99), ``validate`` with the data file 0.488 / 0.558 s
(0.87), of HDI's framework 0.259 / 0.474 s (0.55), of DESI's 0.209 / 0.474 s (0.44), ASEM's CSV
12.1 / 12.0 ms (1.01). So the ASEM figures above (21-27 -> 14-18 ms) were mostly the machine's
speed from one spell to the next: in the same run this pass did not change ASEM's load, which
is within its 20 ms at this machine's normal speed (12-15 ms) and above it in slow spells.

Run: ``.venv/bin/python benchmarks/startup.py [--repeat 5] [--baseline COMMIT]``
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import baseline_sources, compiled, env_for  # noqa: E402
HDI = ROOT / "examples" / "hdi2021"
ASEM = ROOT / "examples" / "asem"
DESI = ROOT / "examples" / "desi2022"


def import_seconds(args: list[str], src: Path = ROOT / "src") -> float:
    """Sum of the top-level cumulative import times (seconds) of ``python -X importtime -m digindex``."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "digindex", *args], env=env_for(src),
                          capture_output=True, text=True)
    total = 0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)\S", line)
        if m and len(m.group(2)) == 1:  # top level: one space before the name
            total += int(m.group(1))
    return total / 1e6


def asem_load() -> tuple[float, float]:
    from digindex import load_data, load_framework

    fw = load_framework(ASEM / "framework.yaml")
    load_data(ASEM / "data.csv", framework=fw)
    wall, cpu = [], []
    for _ in range(20):
        w, c = time.perf_counter(), time.process_time()
        load_data(ASEM / "data.csv", framework=fw)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def asem_seconds(src: Path) -> tuple[float, float]:
    """:func:`asem_load` in a process of its own, with the sources in ``src``."""
    proc = subprocess.run([sys.executable, __file__, "--asem"], env=env_for(src), capture_output=True, text=True,
                          check=True)
    wall, cpu = proc.stdout.split()[-2:]
    return float(wall), float(cpu)


def measure(sources: list[Path], repeat: int) -> list[dict]:
    """Each figure for each of ``sources``, the sources taking turns (a busy spell hits all alike):
    the best of ``repeat``."""
    validate = ["validate", str(HDI / "framework.yaml"), "--data", str(HDI / "data.csv")]
    commands = {"help": ["--help"], "validate": validate, "framework": validate[:2],
                "plain": ["validate", str(DESI / "framework.yaml")]}
    best = [{k: float("inf") for k in commands} for _ in sources]
    asem = [(float("inf"), float("inf")) for _ in sources]
    for _ in range(repeat):
        for i, src in enumerate(sources):
            for name, command in commands.items():
                best[i][name] = min(best[i][name], import_seconds(command, src))
            asem[i] = min(asem[i], asem_seconds(src))
    return [{**b, "asem": a} for b, a in zip(best, asem)]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", default=None, help="a commit measured the same way in the same run "
                    "(ratios current / baseline are printed)")
    ap.add_argument("--asem", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.asem:  # the child of asem_seconds
        wall, cpu = asem_load()
        print(wall, cpu)
        return
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        old = baseline_sources(args.baseline, Path(tmp)) if args.baseline else None
        figures = measure([compiled(ROOT / "src")] + ([old] if old is not None else []), args.repeat)
        now, before = figures[0], figures[1] if old is not None else None
    (wall, cpu) = now["asem"]
    print(f"digindex --help: {now['help']:.3f} s of imports")
    print(f"digindex validate (framework and a 191-row file): {now['validate']:.3f} s of imports; "
          f"framework only: {now['framework']:.3f} s (DESI's, no goalposts to transform: {now['plain']:.3f} s)")
    print(f"ASEM's CSV: {wall * 1000:.1f} ms (CPU {cpu * 1000:.1f} ms), best of 20")
    versus = ""
    if before is not None:
        ratios = {k: (now[k][0] / before[k][0] if k == "asem" else now[k] / before[k]) for k in now}
        print(f"baseline {args.baseline}: --help {before['help']:.3f} s, validate {before['validate']:.3f} s, "
              f"framework only {before['framework']:.3f} s, ASEM {before['asem'][0] * 1000:.1f} ms; current / "
              "baseline: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
        versus = "".join(f" ratio_{k}={v:.2f}" for k, v in ratios.items())
    print(f"RESULT help_import_s={now['help']:.3f} validate_import_s={now['validate']:.3f} "
          f"asem_load_ms={wall * 1000:.1f}" + versus)


if __name__ == "__main__":
    main()
