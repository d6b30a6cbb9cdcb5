"""Write files atomically: temporary names first, then renames (a bottom-layer helper).

A failed writer leaves no partial output: every file is written under a temporary
name in the target folder and only renamed into place once it (or, with
:class:`AtomicBatch`, every file of the batch) is complete.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd


def _default_mode() -> int:
    """0o666 less the umask: what a plain open() would give (mkstemp makes files 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class AtomicBatch:
    """Write several files, then rename them all into place at the end."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.pending: list[tuple[Path, Path]] = []
        self._created: Path | None = None  # the folder, when this batch made it

    def path(self, name: str) -> Path:
        if self._created is None and not self.folder.exists():
            self._created = self.folder
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        self.pending.append((Path(tmp), self.folder / name))
        return Path(tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            mode = _default_mode()
            for tmp, final in self.pending:
                os.chmod(tmp, mode)
                os.replace(tmp, final)
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        if exc_type is not None and self._created is not None:  # leave no new empty folder behind
            with contextlib.suppress(OSError):
                self._created.rmdir()
        return False


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Cells starting with = + - @ are text, never formulas, in exported sheets."""
    out = df.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c])):
            out[c] = out[c].astype(object).map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
    return out


__all__ = ["AtomicBatch", "atomic_path", "excel_safe"]
