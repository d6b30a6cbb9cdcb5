"""Write an evaluation's outputs (results, weights, log, regional analytics, run.json).

All or nothing: the files are written through :class:`digindex.files.AtomicBatch`, so a
failed run leaves no partial output.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .files import AtomicBatch, excel_safe
from .version import __version__


EXCEL_TABLES = {"tiers", "disparity", "disparity_groups"}


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
        # row: each unit-year on its own; year: compared within each year; panel: pooled over the panel
        "scopes": evaluation.scopes(),
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
                excel_safe(sheet).to_excel(xw, sheet_name=f"level {level}", index=False)
            _, table = framework_to_table(fw)
            excel_safe(table).to_excel(xw, sheet_name="framework", index=False)
            evaluation.weights.to_excel(xw, sheet_name="weights", index=False)
            for name, table in regional.items():
                if name in EXCEL_TABLES:  # the long per-node tables stay in their CSV files
                    excel_safe(table).to_excel(xw, sheet_name=name[:31], index=False)
            flat = pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False, default=str)}
                                 for k, v in record.items()])
            flat.to_excel(xw, sheet_name="run", index=False)
        batch.path("run.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return [final for _, final in batch.pending]
