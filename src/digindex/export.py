"""Write evaluation results atomically: temporary names first, then renames.

A failed run leaves no partial output: every file is written under a temporary
name in the target folder and only renamed into place once all of them exist.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__


EXCEL_TABLES = {"tiers", "disparity", "disparity_groups"}


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

    def path(self, name: str) -> Path:
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
        return False


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Cells starting with = + - @ are text, never formulas, in exported sheets."""
    out = df.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c])):
            out[c] = out[c].astype(object).map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
    return out


def run_record(evaluation, framework_file: str | None, options: dict) -> dict:
    from .data.readers import sha256_of
    from .framework.yaml_io import dump_framework_yaml

    import hashlib

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
        "units": int(len(set(evaluation.panel.units))),
        "years": sorted({y for y in evaluation.panel.years if y is not None}),
        "log_entries": len(evaluation.log),
    }


def write_results(evaluation, out_dir: str | Path, record: dict, lang: str = "en") -> list[Path]:
    """Write results.csv/.parquet/.xlsx, weights.csv, log.csv, the regional analytics
    (changes, growth_yoy, disparity, disparity_groups, tiers: those that apply) and
    run.json into ``out_dir``, all or nothing."""
    from .framework.table_io import framework_to_table

    from .analytics import regional_tables

    out_dir = Path(out_dir)
    results = evaluation.results()
    fw = evaluation.framework
    regional = regional_tables(evaluation, lang=lang)
    with AtomicBatch(out_dir) as batch:
        for name, table in regional.items():  # changes, growth, disparity, tiers
            table.to_csv(batch.path(f"{name}.csv"), index=False)
        results.to_csv(batch.path("results.csv"), index=False)
        results.assign(year=results["year"].astype("Int64")).to_parquet(
            batch.path("results.parquet"), index=False)
        evaluation.weights.to_csv(batch.path("weights.csv"), index=False)
        evaluation.log_table().to_csv(batch.path("log.csv"), index=False)
        with pd.ExcelWriter(batch.path("results.xlsx"), engine="xlsxwriter") as xw:
            scores = evaluation.scores_table()
            keys = [c for c in ("unit", "year", "parent") if c in scores]
            for level in sorted(set(fw.levels.values()), reverse=True):
                ids = [n for n in evaluation.node_order if fw.levels[n] == level]
                sheet = scores[keys + ids].rename(columns={n: fw.nodes[n].label(lang) for n in ids})
                _excel_safe(sheet).to_excel(xw, sheet_name=f"level {level}", index=False)
            _, table = framework_to_table(fw)
            _excel_safe(table).to_excel(xw, sheet_name="framework", index=False)
            evaluation.weights.to_excel(xw, sheet_name="weights", index=False)
            for name, table in regional.items():
                if name in EXCEL_TABLES:  # the long per-node tables stay in their CSV files
                    _excel_safe(table).to_excel(xw, sheet_name=name[:31], index=False)
            flat = pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False, default=str)}
                                 for k, v in record.items()])
            flat.to_excel(xw, sheet_name="run", index=False)
        batch.path("run.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return [final for _, final in batch.pending]
