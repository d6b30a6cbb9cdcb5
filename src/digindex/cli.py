"""The ``digindex`` command line: a thin layer over the public API.

Exit codes: 0 ok; 2 bad input (one line per problem on stderr); 1 internal error.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from .errors import InputError
from .formatting import exact, integer, number, percent, year as fmt_year
from .i18n import text
from .version import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="digindex: composite-index evaluation, from framework to published ranks.")
framework_app = typer.Typer(no_args_is_help=True, help="Inspect and convert framework files.")
app.add_typer(framework_app, name="framework")

out = Console(width=None if sys.stdout.isatty() else 160)  # logs and pipes get full tables
err = Console(stderr=True, highlight=False, soft_wrap=True)


def guarded(fn):
    """Turn InputError into exit 2 and anything unexpected into exit 1, no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                err.print(f"error: {problem}", markup=False)
            raise typer.Exit(2)
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written", markup=False)
            raise typer.Exit(130)
        except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
            if os.environ.get("DIGINDEX_DEBUG"):
                raise
            err.print(f"internal error: {type(exc).__name__}: {exc} "
                      "(set DIGINDEX_DEBUG=1 for details and please report it)", markup=False)
            raise typer.Exit(1)

    return wrapper


LangOpt = typer.Option("en", "--lang", help="Language of names in output: en or zh.")
LevelOpt = typer.Option(None, "--level", help="province, city or county: the level of the units "
                        "(with --units-in; default: inferred from the names).")
LayoutOpt = typer.Option(None, "--layout", help="auto (default), wide, long or yearbook (one sheet "
                         "per indicator, years as columns).")


def _check_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise InputError(f"--lang must be 'en' or 'zh', not {lang!r}")
    return lang


@app.callback(invoke_without_command=True)
def main(version: bool = typer.Option(False, "--version", help="Print the version and exit.")):
    if version:
        out.print(f"digindex {__version__}")
        raise typer.Exit(0)


@app.command()
@guarded
def run(
    framework: Path = typer.Argument(..., help="Framework file (.yaml, .csv or .xlsx)."),
    data: List[Path] = typer.Option(..., "--data", help="Data file (CSV, Excel or Parquet); repeatable."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for results."),
    regions: Optional[Path] = typer.Option(None, "--regions", help="Regions file: unit, parent[, name]."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet to read."),
    lang: str = LangOpt,
    top: int = typer.Option(10, "--top", help="How many units to print."),
    units_in: Optional[str] = typer.Option(None, "--units-in", help="Resolve unit codes or names "
                                           "within China (全国) or a province, city or county (e.g. 33 or 浙江)."),
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
    registry: Optional[List[str]] = typer.Option(None, "--registry", help="NAME=FILE micro-data registry: "
                                                 "derive the framework's 'derive:' indicators first."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb or spark (for --registry)."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master"),
    store: Path = typer.Option(Path("digindex.duckdb"), "--store", help="Run store (DuckDB file) that "
                               "records the run (see 'digindex runs')."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not record the run in the run store."),
    no_charts: bool = typer.Option(False, "--no-charts", help="Do not draw the charts (PNG and SVG)."),
    all_nodes: bool = typer.Option(False, "--all-nodes", help="changes.csv and growth_yoy.csv for every "
                                   "node (default: the index and its aspects)."),
):
    """Evaluate FRAMEWORK on the data and write results to --out (and record the run)."""
    from . import run as run_api

    _check_lang(lang)
    options = dict(charts=not no_charts, scope="all" if all_nodes else "aspects",
                   store=None if no_store else store)
    if registry:
        from . import load_framework
        from .microdata import parse_registries, run_with_registries

        result, derivation = run_with_registries(
            load_framework(framework), parse_registries(registry), data=data, out=out_dir, regions=regions,
            engine=engine, spark_master=spark_master, sheet=sheet, lang=lang, **options)
        for problem in derivation.problems():
            err.print(f"warning: {problem}", markup=False)
    else:
        result = run_api(framework, data, regions=regions, out=out_dir, sheet=sheet, lang=lang,
                         units_in=units_in, level=level, layout=layout, **options)
    _print_notes(result.panel.origin or result.panel)
    _print_written_notes(out_dir)
    fw = result.framework
    table = result.top(top)
    if result.panel.names:
        table.insert(2, "name", table["unit"].map(result.panel.names).fillna(""))
    year = _latest_year(result)
    title = f"{fw.label(lang)} — {text('top_n', lang, n=top)}" + (f", {fmt_year(year)}" if year is not None else "")
    show = Table(title=title)
    for c in table.columns:
        show.add_column(str(c), justify="right" if c in ("rank", "score") else "left")
    for row in table.itertuples(index=False, name=None):
        show.add_row(*[_cell(c, v) for c, v in zip(table.columns, row)])
    out.print(show)
    out.print(f"results written to {out_dir}/ (results.csv, results.parquet, results.xlsx, run.json"
              + (", charts" if not no_charts else "") + ")")
    if not no_store:
        out.print(f"run recorded in {store} (digindex runs list --store {store})")


def _print_written_notes(out_dir: Path) -> None:
    """What the written files say they leave out (run.json's notes: a sheet too large for the
    workbook), one line each on stderr."""
    import json

    record = out_dir / "run.json"
    if record.exists():
        for note in json.loads(record.read_text(encoding="utf-8")).get("notes", []):
            err.print(f"note: {note}", markup=False)


def _cell(column, v) -> str:
    """A cell of the results table: years plain, other numbers with 3 decimals."""
    if column == "year":
        return fmt_year(v)
    return number(v, 3) if isinstance(v, float) else str(v)


def _print_notes(panel) -> None:
    """The panel's notes and warnings (digindex.errors.Note), one line each on stderr."""
    for note in getattr(panel, "notes", None) or []:
        err.print(f"{getattr(note, 'severity', 'note')}: {note}", markup=False)


def _latest_year(result):
    years = [y for y in result.panel.years if y is not None]
    return max(years) if years else None


@app.command()
@guarded
def validate(
    framework: Path = typer.Argument(..., help="Framework file."),
    data: Optional[List[Path]] = typer.Option(None, "--data", help="Data file(s) to check too."),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    sheet: Optional[str] = typer.Option(None, "--sheet"),
    units_in: Optional[str] = typer.Option(None, "--units-in", help="Resolve unit codes or names "
                                           "within China (全国) or a province, city or county."),
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
    choices: Optional[Path] = typer.Option(None, "--choices", help="An uncertainty --choices file to "
                                           "check against the framework too."),
):
    """Check a framework (every key and method, as run, audit, uncertainty and report would), and
    data against it, without evaluating."""
    from . import load_framework

    fw = load_framework(framework)  # every key parsed and checked, with its line
    keys = sorted(fw.settings) + sorted({k for n in fw.nodes.values() for k in n.settings} - set(fw.settings))
    out.print(f"framework {fw.id!r}: {len(fw.indicators)} indicators, {len(fw.aggregates)} aggregates"
              + (f" (keys checked: {', '.join(keys)})" if keys else "") + " — ok")
    if choices is not None:
        from .uncertainty.problem import read_choices_file

        problem = read_choices_file(fw, choices)
        out.print(f"uncertainty choices {choices}: {len(problem.choices)} choices — ok")
    if data:
        from . import load_data

        panel = load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in,
                          level=level, layout=layout)
        _print_coverage(panel, fw.indicator_ids)
        _print_notes(panel)
        n_units = len(set(panel.units))
        n_years = len({y for y in panel.years})
        out.print(f"data: {n_units} units × {n_years} period(s), "
                  f"{int(panel.table[fw.indicator_ids].isna().sum().sum())} missing values — ok")


def _print_coverage(panel, indicators, most: int = 40) -> None:
    """Coverage per file, and per unit (the lowest ``most`` when there are more)."""
    files = Table(title="coverage per file")
    for c in ("file", "units", "years", "indicators", "cells", "missing", "coverage"):
        files.add_column(c, justify="left" if c == "file" else "right")
    for r in panel.sources.itertuples(index=False):
        files.add_row(str(r.file), str(r.units), str(r.years), str(r.indicators), str(r.cells),
                      str(r.missing), f"{r.coverage:.1%}")
    out.print(files)
    units = panel.coverage(indicators).sort_values("coverage", kind="stable")
    shown = units.head(most)
    title = "coverage per unit" + (f" (the {most} lowest of {len(units)})" if len(units) > most else "")
    table = Table(title=title)
    for c in ("unit", "name", "years", "cells", "missing", "coverage"):
        table.add_column(c, justify="left" if c in ("unit", "name") else "right")
    for r in shown.itertuples(index=False):
        table.add_row(str(r.unit), str(r.name), str(r.years), str(r.cells), str(r.missing),
                      f"{r.coverage:.1%}")
    out.print(table)


@framework_app.command("show")
@guarded
def framework_show(framework: Path = typer.Argument(...), lang: str = LangOpt,
                   data: Optional[List[Path]] = typer.Option(
                       None, "--data", help="Data file(s): compute data-driven weights (entropy, CRITIC ...) on them."),
                   regions: Optional[Path] = typer.Option(None, "--regions"),
                   sheet: Optional[str] = typer.Option(None, "--sheet"),
                   units_in: Optional[str] = typer.Option(None, "--units-in")):
    """Print the indicator tree with the weights used (in the parent and in the index) and methods."""
    from . import evaluate, load_data, load_framework
    from .engine.weights import weight_table

    _check_lang(lang)
    fw = load_framework(framework)
    evaluation = None
    if data:
        evaluation = evaluate(fw, load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in))
    weights = weight_table(fw, evaluation).set_index("node")

    def label(node):
        line = f"[bold]{node.id}[/bold] {node.label(lang)}"
        if node.id in weights.index:
            row = weights.loc[node.id]
            if row["source"] == "needs data":
                line += "  w: from the data (give --data to compute it)"
            else:
                line += (f"  w={percent(row['weight'], 1)} in parent, {percent(row['effective_weight'], 1)} "
                         "in index" + (" (from the data)" if row["source"] == "data" else ""))
        if node.is_indicator:
            bits = [f"dir={node.direction:+d}"]
            if node.unit:
                bits.append(node.unit)
            if node.transform:
                bits.append(node.transform)
            bits.append(str(fw.method_for("normalise", node)))
            return line + "  [dim]" + ", ".join(bits) + "[/dim]"
        return line + f"  [dim]{fw.method_for('aggregate', node)}; weights {fw.method_for('weights', node)}[/dim]"

    def add(tree, node):
        for c in node.children:
            add(tree.add(label(c)), c)

    root = Tree(label(fw.tree))
    add(root, fw.tree)
    out.print(f"{fw.label(lang)} ({fw.id})")
    out.print(root)


@framework_app.command("keys")
@guarded
def framework_keys_command():
    """List the framework keys subsystems register: where each may be written and who reads it."""
    from .framework.keys import framework_keys

    table = Table(title="framework keys (besides the tree, methods and weights)")
    for c in ("key", "where", "owner", "what"):
        table.add_column(c)
    for key in framework_keys():
        table.add_row(key.name, ", ".join(p for p in ("top", "indicator", "aggregate") if p in key.where),
                      key.owner.removeprefix("digindex."), key.doc)
    out.print(table)


@framework_app.command("convert")
@guarded
def framework_convert(source: Path = typer.Argument(...), target: Path = typer.Argument(...)):
    """Convert a framework between YAML and the flat table (CSV or Excel)."""
    from . import load_framework, save_framework

    fw = load_framework(source)
    save_framework(fw, target)
    out.print(f"wrote {target}")


@app.command()
@guarded
def uncertainty(
    framework: Path = typer.Argument(..., help="Framework file with an 'uncertainty:' section."),
    data: List[Path] = typer.Option(..., "--data", help="Data file(s)."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for results."),
    runs: int = typer.Option(1000, "--runs", help="Base sample size N (N·(G+2) evaluations with sensitivity)."),
    seed: int = typer.Option(0, "--seed"),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    sheet: Optional[str] = typer.Option(None, "--sheet"),
    design: Optional[Path] = typer.Option(None, "--design", help="Replay this design CSV exactly."),
    choices: Optional[Path] = typer.Option(None, "--choices", help="YAML with an 'uncertainty:' section "
                                           "that overrides the framework's."),
    sampling: Optional[str] = typer.Option(None, "--sampling", help="sobol or lhs."),
    no_sensitivity: bool = typer.Option(False, "--no-sensitivity", help="Ranks only, no Sobol indices."),
    year: Optional[int] = typer.Option(None, "--year", help="Year whose ranks are analysed (default: latest)."),
    no_charts: bool = typer.Option(False, "--no-charts", help="Do not draw the charts (PNG and SVG)."),
):
    """Monte Carlo uncertainty and Sobol sensitivity analysis of the ranks."""
    from dataclasses import replace

    from . import load_data, load_framework
    from .uncertainty import problem_from_framework, run_uncertainty
    from .uncertainty.problem import read_choices_file

    fw = load_framework(framework)
    problem = read_choices_file(fw, choices) if choices is not None else problem_from_framework(fw)
    if sampling:
        if sampling not in ("sobol", "lhs"):
            raise InputError(f"--sampling must be sobol or lhs, not {sampling!r}")
        problem = replace(problem, sampling=sampling)
    panel = load_data(data, framework=fw, regions=regions, sheet=sheet)
    with _progress() as progress:
        result = run_uncertainty(fw, panel, runs=runs, seed=seed, design_file=design,
                                 sensitivity=not no_sensitivity, problem=problem, progress=progress,
                                 year=year)
    result.write(out_dir)
    if not no_charts:
        from .charts import FOLDER, uncertainty_charts

        uncertainty_charts(result, out_dir / FOLDER, names=panel.names)
    top = result.summary.sort_values("nominal_rank").head(10)
    show = Table(title=f"{fw.label()} — {text('uncertainty', 'en')} ({integer(len(result.design))} evaluations)")
    for c in ("unit", "nominal_rank", "median_rank", "p05_rank", "p95_rank"):
        show.add_column(c, justify="left" if c == "unit" else "right")
    for row in top.itertuples(index=False):
        show.add_row(str(row.unit), *[exact(getattr(row, c), 6) for c in
                                      ("nominal_rank", "median_rank", "p05_rank", "p95_rank")])
    out.print(show)
    if result.sensitivity is not None:
        overall = result.sensitivity[result.sensitivity.output == "mean_abs_rank_shift"]
        for r in overall.itertuples(index=False):
            out.print(f"  {r.choice}: S1 = {number(r.S1, 3)} [{number(r.S1_low, 3)}, {number(r.S1_high, 3)}], "
                      f"ST = {number(r.ST, 3)} [{number(r.ST_low, 3)}, {number(r.ST_high, 3)}]")
        c = result.convergence
        out.print(f"  convergence (largest change of an index from N/2 to N): overall {number(c['overall'], 3)}; "
                  f"units' own ranks: median {number(c['units_median'], 3)}, "
                  f"95th percentile {number(c['units_p95'], 3)}")
    out.print(f"results written to {out_dir}/")


def _progress():
    """A rich progress bar on stderr, as a callable(done, total)."""
    import contextlib

    from rich.progress import Progress

    @contextlib.contextmanager
    def ctx():
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("replications", total=None)

            def update(done, total):
                bar.update(task, completed=done, total=total)

            yield update

    return ctx()


@app.command()
@guarded
def demo(
    data_dir: Path = typer.Option(Path("demo-data"), "--data-dir", help="Where the SYNTHETIC demo data live."),
    out_dir: Path = typer.Option(Path("out/zhejiang"), "--out", help="Folder for results."),
    store: Path = typer.Option(Path("digindex.duckdb"), "--store", help="Run store (DuckDB file)."),
    unit: str = typer.Option("330483", "--unit", help="The unit to follow (default 桐乡市 Tongxiang)."),
):
    """The main job: evaluate every Zhejiang city and county (SYNTHETIC demo data) and report."""
    from .mainjob import run_main_job, summary_tables
    from .summary import print_summary

    err.print("[bold yellow]SYNTHETIC DATA 合成数据[/] — demonstration values, not official statistics; "
              "framework modelled on, not identical to, the provincial method")
    with err.status("working") as status:
        job = run_main_job(data_dir, out_dir, store, progress=lambda m: status.update(m))
    print_summary(out, job, summary_tables(job, unit))


@app.command("demo-data")
@guarded
def demo_data(out_dir: Path = typer.Option(Path("demo-data"), "--out"),
              seed: Optional[int] = typer.Option(None, "--seed")):
    """Generate the SYNTHETIC Zhejiang demonstration data (same seed, same bytes)."""
    from .demo import DEFAULT_SEED, generate

    paths = generate(out_dir, seed=DEFAULT_SEED if seed is None else seed)
    for name, path in paths.items():
        out.print(f"{name}: {path}")


runs_app = typer.Typer(no_args_is_help=True, help="The run store: list, show and compare runs.")
app.add_typer(runs_app, name="runs")
StoreOpt = typer.Option(Path("digindex.duckdb"), "--store", help="Run store (DuckDB file).")


@runs_app.command("list")
@guarded
def runs_list(store: Path = StoreOpt):
    """Every recorded run, oldest first."""
    from .store import list_runs

    table = list_runs(store)
    if table.empty:
        out.print(f"no runs recorded in {store}")
        return
    show = Table(title=f"runs in {store}")
    for c in table.columns:
        show.add_column(str(c))
    for row in table.itertuples(index=False):
        show.add_row(*[str(v) for v in row])
    out.print(show)


@runs_app.command("show")
@guarded
def runs_show(run_id: str = typer.Argument(..., help="r1, r2, ..., latest or previous."),
              store: Path = StoreOpt, top: int = typer.Option(10, "--top")):
    """One run's record and its best units."""
    import json as _json

    from .store import get_run

    run = get_run(store, run_id)
    out.print_json(_json.dumps(run.record, default=str, ensure_ascii=False))
    res = run.results
    root = res.loc[res["level"] == res["level"].max()]
    latest = root["year"].max()
    best = root[root["year"] == latest].sort_values("rank").head(top)
    out.print(best[["unit", "year", "score", "rank"]].to_string(index=False))


@runs_app.command("diff")
@guarded
def runs_diff(run_a: str = typer.Argument(...), run_b: str = typer.Argument(...), store: Path = StoreOpt):
    """Which units changed rank between two runs, and why (framework, data or both)."""
    from .store import diff_runs

    diff = diff_runs(store, run_a, run_b)
    out.print(diff.summary(), markup=False)
    if len(diff.changes):
        out.print(diff.changes.head(30).to_string(index=False), markup=False)


@app.command()
@guarded
def audit(
    framework: Path = typer.Argument(...),
    data: List[Path] = typer.Option(..., "--data"),
    out_dir: Path = typer.Option(..., "--out"),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    sheet: Optional[str] = typer.Option(None, "--sheet"),
    no_charts: bool = typer.Option(False, "--no-charts", help="Do not draw the charts (PNG and SVG)."),
):
    """JRC-style statistical audit: coverage, statistics, correlations, α, PCA, importance."""
    from . import evaluate, load_data, load_framework
    from .audit import run_audit

    fw = load_framework(framework)
    evaluation = evaluate(fw, load_data(data, framework=fw, regions=regions, sheet=sheet))
    result = run_audit(evaluation)
    result.write(out_dir)
    if not no_charts:
        from .charts import FOLDER, audit_charts

        audit_charts(evaluation, result, out_dir / FOLDER)
    flags = result.flags()
    out.print(f"audit written to {out_dir}/ ({len(flags)} flags)")
    if len(flags):
        out.print(flags.head(20).to_string(index=False), markup=False)


@app.command("import-coinr")
@guarded
def import_coinr(imeta: Path = typer.Argument(..., help="COINr iMeta table (CSV or Excel)."),
                 idata: Path = typer.Argument(..., help="COINr iData table."),
                 out_dir: Path = typer.Option(..., "--out"),
                 framework_id: Optional[str] = typer.Option(None, "--id")):
    """Convert COINr-style iMeta/iData tables into a digindex framework and data file."""
    from .importers import write_coinr_import

    paths = write_coinr_import(imeta, idata, out_dir, framework_id=framework_id)
    for p in (paths.values() if isinstance(paths, dict) else paths):
        out.print(f"wrote {p}")


report_app = typer.Typer(no_args_is_help=True, help="Region profiles and the province bulletin.")
app.add_typer(report_app, name="report")


def _zhejiang_evaluation(data: Optional[Path], regions: Optional[Path], framework: Optional[Path]):
    from . import evaluate, load_data, load_framework
    from .frameworks import builtin_framework_path

    fw = load_framework(framework or builtin_framework_path("zhejiang"))
    if data is None:
        return None
    return evaluate(fw, load_data(data, framework=fw, regions=regions))


@report_app.command("profile")
@guarded
def report_profile(
    unit: str = typer.Argument(..., help="Unit code (e.g. 330483) or name (桐乡市)."),
    data: Path = typer.Option(..., "--data", help="Data of the unit's population (counties or cities)."),
    out_file: Path = typer.Option(..., "--out", help="Output file: .html, .pdf or .xlsx."),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    framework: Optional[Path] = typer.Option(None, "--framework", help="Default: the built-in zhejiang."),
    lang: str = typer.Option("both", "--lang", help="zh, en or both."),
    target_rank: Optional[int] = typer.Option(None, "--target-rank"),
    year: Optional[int] = typer.Option(None, "--year"),
):
    """A region profile: score, ranks, tier, trend, aspects, indicators, strengths, narrative."""
    from .regions import lookup
    from .reports import profile_report

    ev = _zhejiang_evaluation(data, regions, framework)
    code = unit if unit in set(ev.panel.units) else lookup(unit).code
    fmt = out_file.suffix.lstrip(".").lower()
    path = profile_report(ev, code, out_file, lang=lang, format=fmt, target_rank=target_rank, year=year)
    out.print(f"wrote {path}")


@report_app.command("bulletin")
@guarded
def report_bulletin(
    counties: Optional[Path] = typer.Option(None, "--counties", help="County data."),
    cities: Optional[Path] = typer.Option(None, "--cities", help="City data."),
    out_file: Path = typer.Option(..., "--out", help="Output file: .html, .pdf or .xlsx."),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    framework: Optional[Path] = typer.Option(None, "--framework"),
    lang: str = typer.Option("zh", "--lang", help="zh, en or both."),
    year: Optional[int] = typer.Option(None, "--year"),
):
    """The province bulletin: rankings, tiers, movers, disparity, Moran's I, maps and annexes."""
    from .reports import bulletin_report

    if counties is None and cities is None:
        raise InputError("give --counties and/or --cities data")
    ev_counties = _zhejiang_evaluation(counties, regions, framework)
    ev_cities = _zhejiang_evaluation(cities, regions, framework)
    fmt = out_file.suffix.lstrip(".").lower()
    path = bulletin_report(ev_counties, ev_cities, out_file, lang=lang, format=fmt, year=year)
    out.print(f"wrote {path}")


@app.command()
@guarded
def derive(
    framework: Path = typer.Argument(...),
    registry: List[str] = typer.Option(..., "--registry", help="NAME=FILE (CSV, Parquet or Excel); repeatable."),
    out_file: Path = typer.Option(..., "--out", help="Derived indicator table: .csv, .parquet or .xlsx."),
    stats: Optional[Path] = typer.Option(None, "--stats", help="Statistics table with the denominators."),
    level: str = typer.Option("county", "--level", help="county, prefecture or province."),
    years: Optional[str] = typer.Option(None, "--years", help="e.g. 2017-2022 (needed without --stats)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (in-process) or spark."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", help="Spark master URL (default local)."),
    no_validate: bool = typer.Option(False, "--no-validate", help="Skip record validation."),
):
    """Derive indicators from enterprise, project and platform registries (DuckDB or Spark)."""
    from . import load_framework
    from .microdata import parse_registries, parse_years, write_derived

    derivation = write_derived(load_framework(framework), parse_registries(registry), out_file,
                               stats_table=stats, engine=engine, spark_master=spark_master, level=level,
                               years=parse_years(years), validate=not no_validate)
    for problem in derivation.problems():
        err.print(f"warning: {problem}", markup=False)
    out.print(f"wrote {out_file} (validation report and rejected records beside it)")


@app.command("methods")
@guarded
def list_methods(family: Optional[str] = typer.Argument(None, help="impute, treat, normalise, weights or aggregate."),
                 markdown: bool = typer.Option(False, "--markdown", help="Print docs/methods.md.")):
    """List every registered method with its parameters."""
    from .methods import FAMILIES, methods

    if markdown:
        from .methods.docs import render_markdown

        sys.stdout.write(render_markdown())
        return
    if family is not None and family not in FAMILIES:
        raise InputError(f"unknown family {family!r}; use one of {', '.join(FAMILIES)}")
    table = Table(title="digindex methods")
    for c in ("family", "name", "parameters", "summary"):
        table.add_column(c)
    for spec in methods(family):
        params = ", ".join(n if d == "required" else f"{n}={d!r}" for n, _, d in spec.parameters())
        table.add_row(spec.family, spec.name, params, spec.summary)
    out.print(table)


def _add_web_commands() -> None:
    """``digindex serve`` and ``digindex admin ...`` from the web package."""
    from .web.cli import admin_app as web_admin_app, serve_command

    app.command("serve")(serve_command)
    app.add_typer(web_admin_app, name="admin")


_add_web_commands()


def entrypoint():  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
