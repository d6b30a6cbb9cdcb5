"""Sources to time: the current ones or a commit's, with their bytecode compiled as ``make``
installs it (with PYTHONDONTWRITEBYTECODE set, each process would otherwise compile digindex
again). Shared by the benchmarks that compare with ``--baseline COMMIT`` in the same run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def env_for(src: Path | None = None) -> dict:
    """The environment of a child process that imports digindex from ``src`` (default: current)."""
    return {**os.environ, "PYTHONPATH": str(src or ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def compiled(src: Path) -> Path:
    """``src`` with its bytecode compiled."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True)
    return src


def baseline_sources(commit: str, folder: Path) -> Path:
    """The sources of ``commit`` (``git archive``) in ``folder``, compiled."""
    target = folder / f"baseline-{commit}"
    if not (target / "src").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return compiled(target / "src")
