"""Write derived tables atomically, and derive-then-evaluate (``digindex run --registry``).

:func:`write_derived` writes, each file under a temporary name first and
renamed into place (:func:`digindex.files.atomic_path`):

- ``OUT`` (``.csv``, ``.parquet`` or ``.xlsx``): unit, year, derived indicators;
- ``<OUT stem>_validation.json``: per registry the input, accepted and rejected
  counts, the count per reason with examples, records placed by coordinates;
- ``<OUT stem>_rejected/<registry>.csv``: every rejected record with ``reason``
  and ``detail`` (the offending value); ``row`` is the spreadsheet row for CSV
  and Excel inputs.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..files import atomic_path
from .api import Derivation, derive_with_reports

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")


def write_table(df: pd.DataFrame, path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(Problem(f"cannot write a table as {suffix!r}", file=str(path),
                                 fix="use .csv, .parquet or .xlsx"))
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        elif suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                df.to_excel(xw, sheet_name="derived", index=False)
    return path


def write_reports(derivation: Derivation, out: Path) -> list[Path]:
    """The validation JSON and the rejected-record files beside ``out``."""
    written = []
    report = out.with_name(out.stem + "_validation.json")
    with atomic_path(report) as tmp:
        tmp.write_text(json.dumps(derivation.summary(), ensure_ascii=False, indent=2, default=str) + "\n",
                       encoding="utf-8")
    written.append(report)
    folder = out.with_name(out.stem + "_rejected")
    for name, rep in derivation.reports.items():
        if rep.rejected_rows is not None and len(rep.rejected_rows):
            written.append(write_table(rep.rejected_rows, folder / f"{name}.csv"))
    return written


def write_derived(framework, registries: dict, out, stats_table=None, engine: str = "duckdb",
                  spark_master: str | None = None, **options) -> Derivation:
    """Derive (see :func:`digindex.microdata.derive`) and write ``out`` plus its reports."""
    out = Path(out)
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(Problem(f"cannot write a table as {out.suffix!r}", file=str(out),
                                 fix="use .csv, .parquet or .xlsx"))
    derivation = derive_with_reports(framework, registries, stats_table, engine, spark_master, **options)
    write_table(derivation.table, out)
    write_reports(derivation, out)
    return derivation


def _columns_of(path) -> list[str]:
    from ..data.readers import read_table

    return list(read_table(path).columns)


def run_with_registries(framework, registries: dict, data=(), out=None, regions=None, stats_table=None,
                        engine: str = "duckdb", spark_master: str | None = None, sheet: str | None = None,
                        lang: str = "en", *, charts: bool = False, scope: str = "aspects", store=None,
                        **options):
    """Derive the micro-data indicators, then evaluate with the other data: (Evaluation, Derivation).

    ``data``: the files with the other indicators and the denominators; they are
    also the statistics table unless ``stats_table`` is given. They must not
    hold the derived indicators themselves. With ``out``, the results are
    written as by ``digindex run`` (``charts``, ``scope``; with ``store`` the run is recorded
    there) plus ``derived.csv``, ``derived_validation.json`` and ``derived_rejected/``.
    """
    from ..data import load_data
    from ..engine import evaluate
    from ..export import run_record, write_results
    from ..framework import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    files = [data] if isinstance(data, (str, Path)) else list(data)
    stats = stats_table if stats_table is not None else (files or None)
    derivation = derive_with_reports(fw, registries, stats, engine, spark_master, **options)
    derived = list(derivation.specs)
    for f in files:
        clash = sorted(set(_columns_of(f)) & set(derived))
        if clash:
            raise InputError(Problem(f"column(s) {', '.join(clash)} are both in this file and derived "
                                     "from the registries", file=str(f),
                                     fix="remove those columns from the data, or drop --registry"))
    with tempfile.TemporaryDirectory(prefix="digindex-derived-") as tmp:
        derived_file = write_table(derivation.table, Path(tmp) / "derived.csv")
        panel = load_data([*files, derived_file], framework=fw, regions=regions, sheet=sheet)
        panel.files = {k: v for k, v in panel.files.items() if k != str(derived_file)}
    result = evaluate(fw, panel)
    if out is not None:
        out = Path(out)
        record = run_record(result, None if isinstance(framework, Framework) else str(framework),
                            {"data": [str(f) for f in files],
                             "registries": {k: str(v) for k, v in registries.items()},
                             "engine": engine, "regions": str(regions) if regions else None,
                             "sheet": sheet, "lang": lang, "out": str(out)})
        table = result.results_table()  # for the files and the store
        write_results(result, out, record, lang=lang, charts=charts, scope=scope, table=table)
        write_table(derivation.table, out / "derived.csv")
        write_reports(derivation, out / "derived.csv")
        if store is not None:
            from ..store import record_run

            record_run(store, result, record, table=table)
    return result, derivation


def parse_registries(items: list[str]) -> dict[str, str]:
    """``["enterprises=ent.parquet", ...]`` (the ``--registry NAME=FILE`` options) as a dict."""
    from .schema import SCHEMAS

    out, problems = {}, []
    for item in items or []:
        name, sep, path = str(item).partition("=")
        name = name.strip()
        if not sep or not name or not path.strip():
            problems.append(Problem(f"--registry needs NAME=FILE, not {item!r}",
                                    fix=f"e.g. --registry enterprises=enterprises.parquet ({', '.join(SCHEMAS)})"))
        elif name not in SCHEMAS:
            problems.append(Problem(f"unknown registry {name!r} in --registry {item!r}",
                                    fix=f"use one of: {', '.join(SCHEMAS)}"))
        elif name in out:
            problems.append(Problem(f"registry {name!r} is given twice", fix="give each registry once"))
        else:
            out[name] = path.strip()
    if problems:
        raise InputError(problems)
    return out


def parse_years(text: str | None) -> list[int] | None:
    """``"2017-2022"`` or ``"2019,2021"`` (the ``--years`` option) as a list of years."""
    if text in (None, ""):
        return None
    years: list[int] = []
    try:
        for part in str(text).split(","):
            lo, _, hi = part.strip().partition("-")
            years += list(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise InputError(Problem(f"--years must be like 2017-2022 or 2019,2021, not {text!r}")) from None
    return sorted(set(years))
