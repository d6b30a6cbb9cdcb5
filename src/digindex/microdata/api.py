"""derive(): registries in, a wide indicator table (unit, year, derived indicators) out.

::

    from digindex.microdata import derive, write_derived
    table = derive("zhejiang.yaml", {"enterprises": "ent.parquet", "projects": "proj.csv", ...},
                   stats_table="counties.csv")                 # DuckDB in-process
    table = derive(fw, regs, stats_table=stats, engine="spark")  # the same on PySpark
    write_derived(fw, regs, "out/derived.csv", stats_table=stats)  # plus validation report and
                                                                   # rejected records

Rows: the (unit, year) rows of the statistics table (its units must be at
``level``), or, without one, every unit with accepted records × ``years``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..regions import normalise_code
from . import compile as comp
from .engines import connect, engine_name, from_pandas
from .read import open_registry
from .spec import DeriveSpec, framework_specs
from .units import level_of, region_map
from .validate import RegistryReport, check_registry


@dataclass
class Derivation:
    """A derived indicator table with the validation reports of its registries."""

    table: pd.DataFrame
    reports: dict[str, RegistryReport]
    engine: str
    seconds: float
    specs: dict[str, DeriveSpec] = field(default_factory=dict)

    def problems(self) -> list[Problem]:
        return [p for r in self.reports.values() for p in r.problems()]

    def summary(self) -> dict:
        return {"engine": self.engine, "seconds": round(self.seconds, 3),
                "indicators": list(self.specs), "rows": len(self.table),
                "registries": [r.to_dict() for r in self.reports.values()]}


def _framework(framework, extra: dict | None = None):
    from ..framework import Framework, load_framework
    from .spec import parse_spec

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    problems = []  # the framework's own derive blocks were checked when it was read
    specs = framework_specs(fw)
    for name, raw in (extra or {}).items():
        spec, errs = parse_spec(name, raw)
        problems += [Problem(m, fix=f) for _, m, f in errs]
        if spec is not None:
            specs[name] = spec
    if problems:
        raise InputError(problems)
    if not specs:
        raise InputError(Problem(f"framework {fw.id!r} has no indicator with a 'derive:' block",
                                 file=fw.source, fix="add derive: to the micro-data indicators"))
    return fw, specs


def read_stats(stats_table, level: str) -> pd.DataFrame:
    """The statistics table (unit, year, denominators) from a DataFrame or file(s)."""
    if isinstance(stats_table, pd.DataFrame):
        df, files = stats_table.copy(), "stats_table"
    else:
        paths = [stats_table] if isinstance(stats_table, (str, Path)) else list(stats_table)
        files = ", ".join(str(p) for p in paths)
        parts = []
        for p in paths:
            # Parquet keeps its types (no round trip through text); other files are read as text
            part = _read_parquet(p) if Path(p).suffix.lower() == ".parquet" else _read_text(p)
            parts.append(part.rename(columns={c: c.lower() for c in part.columns if c.lower() in ("unit", "year")}))
        df = pd.concat(parts, ignore_index=True).replace("", None)
    cols = {c.lower(): c for c in df.columns}
    if "unit" not in cols or "year" not in cols:
        raise InputError(Problem("the statistics table needs columns 'unit' and 'year'", file=files,
                                 fix="use the wide data layout: unit, year, population, gdp, ..."))
    df = df.rename(columns={cols["unit"]: "unit", cols["year"]: "year"})
    codes = pd.unique(df["unit"].to_numpy(dtype=object))  # each distinct unit normalised once
    df["unit"] = df["unit"].to_numpy(dtype=object)
    df["unit"] = df["unit"].map({u: normalise_code(u) or str(u) for u in codes}).astype(object)
    year = pd.to_numeric(df["year"], errors="coerce")
    if year.isna().any():
        raise InputError(Problem("the statistics table has rows without a year", file=files, column="year"))
    df["year"] = year.astype("int64")
    if not df.duplicated(["unit", "year"]).any():
        return df.reset_index(drop=True)
    # several files: rows of one (unit, year) are combined; two different values are an error
    values = df.drop(columns=["unit", "year"])
    clash = values.groupby([df["unit"], df["year"]]).nunique() > 1
    if clash.to_numpy().any():
        (u, y), col = next((k, c) for c in clash.columns for k in clash.index[clash[c]])
        raise InputError(Problem(f"the statistics table has two values of {col!r} for unit {u}, year {y}",
                                 file=files, column=col, fix="keep one row per unit and year"))
    return df.groupby(["unit", "year"], as_index=False, sort=False).first()


def _read_parquet(path) -> pd.DataFrame:
    """One Parquet file read directly (pandas' reader sets up Arrow datasets first); a folder
    of part files through pandas."""
    if Path(path).is_file():
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).read().to_pandas()
    return pd.read_parquet(path)


def _read_text(path) -> pd.DataFrame:
    """A text or spreadsheet file (the data layer's reader, imported only when needed)."""
    from ..data.readers import read_table

    return read_table(path)


def _check_units(stats: pd.DataFrame, level: str) -> None:
    known = set(region_map(level)["unit"].to_numpy(dtype=object))
    odd = sorted(set(pd.unique(stats["unit"].to_numpy(dtype=object))) - known)
    if odd:
        raise InputError(Problem(f"{len(odd)} unit(s) of the statistics table are not {level}-level units: "
                                 f"{', '.join(odd[:5])}" + (" ..." if len(odd) > 5 else ""),
                                 column="unit", fix="use level=prefecture for cities, province for provinces, "
                                 "or remove those rows"))


def _registries(registries: dict, specs) -> dict[str, str]:
    needed = {s.source for s in specs.values()}
    if "software_revenue" in needed:
        needed.add("enterprises")
    missing = sorted(needed - set(registries))
    if missing:
        raise InputError([Problem(f"indicator(s) {', '.join(i for i, s in specs.items() if s.source == m)} "
                                  f"derive from registry {m!r}, which was not given",
                                  fix=f"pass --registry {m}=FILE") for m in missing])
    order = ["enterprises"] + sorted(needed - {"enterprises"})
    return {name: registries[name] for name in order if name in needed}


def derive_with_reports(framework, registries: dict, stats_table=None, engine: str = "duckdb",
                        spark_master: str | None = None, *, level: str = "county", years=None,
                        units=None, digits: int | None = 6, spark_conf: dict | None = None,
                        spark_session=None, con=None, extra: dict | None = None,
                        validate: bool = True) -> Derivation:
    """Validate the registries and derive every ``derive:`` indicator; see :func:`derive`."""
    start = time.perf_counter()
    _, specs = _framework(framework, extra)
    level = level_of(level)
    stats = read_stats(stats_table, level) if stats_table is not None else None
    need_per = sorted({s.per for s in specs.values() if s.per})
    if need_per and stats is None:
        raise InputError(Problem(f"indicators divide by {', '.join(need_per)}: a statistics table is needed",
                                 fix="pass --stats FILE (unit, year, " + ", ".join(need_per) + ")"))
    if stats is not None:
        _check_units(stats, level)
        absent = [c for c in need_per if c not in stats.columns]
        if absent:
            raise InputError(Problem(f"the statistics table has no column(s) {', '.join(absent)}",
                                     fix="add them (columns unit, year, population, gdp, ...)"))
    paths = _registries(registries, specs)
    con = con or connect(engine, spark_master, spark_conf, spark_session)
    code_map = region_map(level)
    rmap = from_pandas(con, code_map)
    provinces = sorted({u[:2] for u in stats["unit"]}) if stats is not None else None
    accepted, reports, caches = {}, {}, []
    try:
        for name, path in paths.items():
            source = open_registry(con, name, path)
            acc, report, cached = check_registry(con, source, rmap, accepted.get("enterprises"), provinces,
                                                 full=validate)
            accepted[name], reports[name] = acc, report
            caches.append(cached)
        panel = _panel(stats, accepted, units, years, code_map)
        out_years = sorted(panel["year"].unique().tolist())
        lags = max([s.growth or 0 for s in specs.values()])
        comp_years = sorted(set(out_years) | {y - k for y in out_years for k in range(1, lags + 1)})
        unknown = tuple(n for n, r in reports.items() if r.pending == "unknown_enterprise")
        deferred = {n: r.deferred for n, r in reports.items() if r.deferred is not None}
        agg, unmatched, counted = comp.aggregate(con, accepted, list(specs.values()), comp_years, unknown,
                                                 deferred, code_map)
        known = set(code_map["code"].to_numpy(dtype=object)) if counted else set()
        for name, rep in reports.items():  # trusted registries: the counts of the same query
            if name not in counted:
                continue
            rep.input_rows = sum(counted[name].values())
            bad = unmatched.get(name, 0) if name in unknown else \
                sum(n for code, n in counted[name].items() if code not in known)
            rep.accepted, rep.rejected = rep.input_rows - bad, bad
            rep.reasons = {rep.pending: bad} if bad else {}
        full = _with_lag_rows(panel, comp_years, stats)
        index = pd.MultiIndex.from_frame(full[["unit", "year"]])
        agg = agg.set_index(["unit", "year"]).reindex(index)  # aligned once for every indicator
        rows = index.get_indexer(pd.MultiIndex.from_frame(panel[["unit", "year"]]))
        table = panel[["unit", "year"]].copy()
        for ind, spec in specs.items():
            values = comp.finish(spec, agg, full, index=index).to_numpy(dtype=float)
            v = np.where(rows >= 0, values[rows], np.nan)
            table[ind] = np.round(v, digits) if digits is not None else v
            if _is_count(spec) and np.all(np.isfinite(v)):
                table[ind] = table[ind].astype("int64")
    finally:
        for release in caches:
            release()
    return Derivation(table.reset_index(drop=True), reports, engine_name(con),
                      time.perf_counter() - start, specs)


def _is_count(spec: DeriveSpec) -> bool:
    """Plain counts (no denominator, factor or growth) stay whole numbers."""
    return spec.measure in ("count", "distinct") and spec.per is None and spec.growth is None \
        and spec.factor == 1


def _panel(stats, accepted, units, years, code_map) -> pd.DataFrame:
    if stats is not None:
        panel = stats
        if units is not None:
            panel = panel[panel["unit"].isin([str(u) for u in units])]
        if years is not None:
            panel = panel[panel["year"].isin([int(y) for y in years])]
        return panel.reset_index(drop=True)
    if years is None:
        raise InputError(Problem("without a statistics table, give the years to derive",
                                 fix="pass years=[...] (--years 2017-2022) or --stats FILE"))
    if units is None:
        found = set()
        for acc in accepted.values():
            if "unit" in acc.columns:
                found |= set(acc.select("unit").distinct().to_pandas()["unit"].astype(str))
            else:  # trusted records: their region codes' units
                codes = acc.select(comp.CODE).distinct().to_pandas()[comp.CODE]
                units_of = dict(zip(code_map["code"].to_numpy(dtype=object), code_map["unit"].to_numpy(dtype=object)))
                found |= set(codes.map(units_of).dropna().astype(str))
        units = sorted(found)
    grid = [(str(u), int(y)) for u in units for y in years]
    return pd.DataFrame(grid, columns=["unit", "year"])


def _with_lag_rows(panel, comp_years, stats) -> pd.DataFrame:
    """The panel plus rows for earlier years that growth needs (stats values where known)."""
    units = panel["unit"].unique()
    grid = pd.DataFrame({"unit": np.repeat(np.asarray(units, dtype=object), len(comp_years)),
                         "year": np.tile(np.asarray(comp_years, dtype="int64"), len(units))})
    source = stats if stats is not None else panel
    full = grid.merge(source, on=["unit", "year"], how="left")
    return full.drop_duplicates(["unit", "year"]).reset_index(drop=True)


def derive(framework, registries: dict, stats_table=None, engine: str = "duckdb",
           spark_master: str | None = None, **options) -> pd.DataFrame:
    """Wide table ``unit, year, <derived indicators>`` from the registries.

    ``registries`` maps registry names (enterprises, projects, platforms,
    software_revenue) to files (CSV, Excel, Parquet, or Parquet URIs the engine
    reads). ``stats_table`` (DataFrame or file) gives the rows and the
    denominators. Options: ``level`` (county, prefecture, province), ``years``,
    ``units``, ``digits`` (rounding, default 6), ``spark_conf``,
    ``spark_session``, ``extra`` (more columns to derive: {name: derive block},
    e.g. a denominator), ``validate`` (default True; False trusts the records and
    checks only their region codes). The validation reports are in ``table.attrs["validation"]``.
    """
    result = derive_with_reports(framework, registries, stats_table, engine, spark_master, **options)
    table = result.table
    table.attrs["validation"] = [r.to_dict() for r in result.reports.values()]
    return table
