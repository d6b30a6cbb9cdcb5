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
DataUnitsInOpt = typer.Option(None, "--units-in", help="Resolve unit codes or names within China (全国) or a "
                              "province, city or county (e.g. 33 or 浙江).")
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
    units_in: Optional[str] = DataUnitsInOpt,
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
        table.insert(2, "name", table["unit"].map(result.panel.labels(lang)).fillna(""))
    year = _latest_year(result)
    title = f"{fw.label(lang)} — {text('top_n', lang, n=top)}" + (f", {fmt_year(year)}" if year is not None else "")
    if result.panel.synthetic:
        title = f"{text('synthetic', lang)} — {title}"
    show = Table(title=title)
    headers = {"rank": text("col_rank", lang), "unit": text("col_unit", lang), "name": text("col_name", lang),
               "parent": text("parent", lang), "score": text("col_score", lang)}
    for c in table.columns:
        show.add_column(headers.get(c, str(c)), justify="right" if c in ("rank", "score") else "left")
    for row in table.itertuples(index=False, name=None):
        show.add_row(*[_cell(c, v) for c, v in zip(table.columns, row)])
    out.print(show)
    files = "results.csv, results.parquet, results.xlsx, run.json" + (", charts" if not no_charts else "")
    out.print(text("results_written", lang, folder=out_dir, files=files), markup=False, soft_wrap=True)
    if not no_store:
        out.print(text("run_recorded", lang, store=store), markup=False, soft_wrap=True)


def _files_and_charts(out_dir: Path, write, draw) -> None:
    """``write(out_dir)`` the files and ``draw(batch)`` the charts into ``out_dir``/charts, all
    or nothing: the charts are drawn first and renamed into place once the files are written."""
    from .charts import FOLDER
    from .files import AtomicBatch

    if draw is None:
        write(out_dir)
        return
    with AtomicBatch(out_dir / FOLDER) as charts:
        draw(charts)
        write(out_dir)


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
    units_in: Optional[str] = DataUnitsInOpt,
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
                   units_in: Optional[str] = DataUnitsInOpt, level: Optional[str] = LevelOpt,
                   layout: Optional[str] = LayoutOpt):
    """Print the indicator tree with the weights used (in the parent and in the index) and methods."""
    from . import evaluate, load_data, load_framework
    from .engine.weights import weight_table

    _check_lang(lang)
    fw = load_framework(framework)
    evaluation = None
    if data:
        evaluation = evaluate(fw, load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in,
                                            level=level, layout=layout))
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
    units_in: Optional[str] = DataUnitsInOpt,
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
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
    panel = load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in, level=level,
                      layout=layout)
    with _progress() as progress:
        result = run_uncertainty(fw, panel, runs=runs, seed=seed, design_file=design,
                                 sensitivity=not no_sensitivity, problem=problem, progress=progress,
                                 year=year)
    from .charts import uncertainty_charts

    _files_and_charts(out_dir, result.write,
                      None if no_charts else lambda batch: uncertainty_charts(result, batch, names=panel.labels(),
                                                                              framework=fw, synthetic=panel.synthetic))
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
    # what tells runs apart, in ~110 columns: the run's time to the second, hashes to 12 digits
    # (as git shortens them; 'runs show' has them whole)
    columns = {"run_id": "run", "time": "time (UTC)", "framework_id": "framework",
               "framework_sha256": "framework sha256", "data_sha256": "data sha256",
               "results_sha256": "results sha256", "digindex_version": "digindex", "n_rows": "rows"}
    for c, header in columns.items():
        show.add_column(header, justify="right" if c == "n_rows" else "left", no_wrap=True)
    for row in table.to_dict("records"):
        show.add_row(*[_run_cell(c, row[c]) for c in columns])
    out.print(show)


def _run_cell(column: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if column.endswith("sha256"):
        return str(value)[:12]
    if column == "time":
        from datetime import datetime, timezone

        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        when = when.astimezone(timezone.utc) if when.tzinfo else when
        return when.strftime("%Y-%m-%d %H:%M:%S")
    if column == "n_rows":
        return integer(value)
    return str(value)


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
    units_in: Optional[str] = DataUnitsInOpt,
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
    no_charts: bool = typer.Option(False, "--no-charts", help="Do not draw the charts (PNG and SVG)."),
):
    """JRC-style statistical audit: coverage, statistics, correlations, α, PCA, importance."""
    from . import evaluate, load_data, load_framework
    from .audit import run_audit

    fw = load_framework(framework)
    evaluation = evaluate(fw, load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in,
                                        level=level, layout=layout))
    result = run_audit(evaluation)
    from .charts import audit_charts

    _files_and_charts(out_dir, result.write,
                      None if no_charts else lambda batch: audit_charts(evaluation, result, batch))
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


report_app = typer.Typer(no_args_is_help=True, help="Unit profiles and bulletins, for any population of units.")
app.add_typer(report_app, name="report")

ReportFramework = typer.Option(None, "--framework", help="Framework file (default: the built-in zhejiang).")
ReportUnitsIn = typer.Option(None, "--units-in", help="Resolve unit names within China (全国) or a province, "
                             "city or county (e.g. 33 or 浙江), as in run.")
ReportGroups = typer.Option(None, "--groups", help="Groups file (unit, group; e.g. 东部/中部/西部): rank each "
                            "unit within its group too.")
ReportGeometry = typer.Option(None, "--geometry", help="GeoJSON or shapefile of the units (for units that are "
                              "not Chinese regions): maps and contiguity.")
ReportGeometryColumn = typer.Option(None, "--geometry-column", help="The column naming the units in --geometry "
                                    "(default: unit, code, id or name).")


def _report_evaluation(data, regions, framework, sheet=None, units_in=None, level=None, layout=None):
    """The evaluation of one population (None without data)."""
    from . import evaluate, load_data, load_framework
    from .frameworks import builtin_framework_path

    if not data:
        return None
    fw = load_framework(framework or builtin_framework_path("zhejiang"))
    panel = load_data(data, framework=fw, regions=regions, sheet=sheet, units_in=units_in, level=level, layout=layout)
    _print_notes(panel)
    return evaluate(fw, panel)


def _report_inputs(evs, groups, geometry, geometry_column, units_in, level, neighbours=None):
    """The groups, geometry and neighbours files, keyed by the units of the evaluations."""
    from .data.unitfiles import load_groups
    from .regions.boundaries import read_geometry, read_neighbours
    from .reports.population import rekey

    units = sorted({str(u) for ev in evs for u in ev.panel.units})
    out = {"groups": load_groups(groups, units_in=units_in, level=level, units=units) if groups else None,
           "geometry": read_geometry(geometry, geometry_column) if geometry else None,
           "neighbours": read_neighbours(neighbours) if neighbours else None}
    for ev in evs:
        out["geometry"] = rekey(ev, out["geometry"])
        out["neighbours"] = rekey(ev, out["neighbours"], values=True)
    return out


def _report_unit(ev, unit: str) -> str:
    """The unit of the evaluation that ``unit`` names: its code, its name in the data, or a region name."""
    from .regions import lookup
    from .reports.population import describe, unit_names

    units = sorted({str(u) for u in ev.panel.units})
    if unit in units:
        return unit
    for u in units:
        if unit in unit_names(ev, u).values() or ev.panel.names.get(u) == unit:
            return u
    level = describe(ev).level
    try:
        code = lookup(unit, level=level).code if level else lookup(unit).code
    except Exception:  # noqa: BLE001 - an unknown or ambiguous name is reported below
        code = None
    if code in units:
        return code
    shown = ", ".join(f"{u} ({unit_names(ev, u)['zh']})" if unit_names(ev, u)["zh"] != u else u for u in units[:8])
    raise InputError(f"unit {unit!r} is not in the data (it has {len(units)} units: {shown}"
                     f"{' ...' if len(units) > 8 else ''}); give a unit code or name of the data")


def _report_format(out_file: Path) -> str:
    from .reports import FORMATS

    fmt = out_file.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError(f"--out must end in .html, .pdf or .xlsx, not {out_file.name!r}")
    return fmt


@report_app.command("profile")
@guarded
def report_profile(
    unit: str = typer.Argument(..., help="Unit code (e.g. 330483, 33) or name (桐乡市, 浙江)."),
    data: List[Path] = typer.Option(..., "--data", help="Data of the unit's population; repeatable."),
    out_file: Path = typer.Option(..., "--out", help="Output file: .html, .pdf or .xlsx."),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    framework: Optional[Path] = ReportFramework,
    sheet: Optional[str] = typer.Option(None, "--sheet"),
    units_in: Optional[str] = ReportUnitsIn,
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
    groups: Optional[Path] = ReportGroups,
    geometry: Optional[Path] = ReportGeometry,
    geometry_column: Optional[str] = ReportGeometryColumn,
    lang: str = typer.Option("both", "--lang", help="zh, en or both."),
    target_rank: Optional[int] = typer.Option(None, "--target-rank"),
    year: Optional[int] = typer.Option(None, "--year"),
):
    """A unit's profile: score, ranks in the population and its group, tier, trend, aspects, indicators,
    strengths and weaknesses, the change, a locator map and the narrative."""
    from .reports import profile_report

    fmt = _report_format(out_file)
    ev = _report_evaluation(data, regions, framework, sheet, units_in, level, layout)
    inputs = _report_inputs([ev], groups, geometry, geometry_column, units_in, level)
    path = profile_report(ev, _report_unit(ev, unit), out_file, lang=lang, format=fmt, target_rank=target_rank,
                          year=year, groups=inputs["groups"], geometry=inputs["geometry"])
    out.print(f"wrote {path}")


@report_app.command("bulletin")
@guarded
def report_bulletin(
    data: Optional[List[Path]] = typer.Option(None, "--data", help="Data of one population (e.g. the 31 "
                                              "provinces, or every county of China); repeatable."),
    counties: Optional[Path] = typer.Option(None, "--counties", help="County data (a second population)."),
    cities: Optional[Path] = typer.Option(None, "--cities", help="City data (a second population)."),
    out_file: Path = typer.Option(..., "--out", help="Output file: .html, .pdf or .xlsx."),
    regions: Optional[Path] = typer.Option(None, "--regions"),
    framework: Optional[Path] = ReportFramework,
    sheet: Optional[str] = typer.Option(None, "--sheet"),
    units_in: Optional[str] = ReportUnitsIn,
    level: Optional[str] = LevelOpt,
    layout: Optional[str] = LayoutOpt,
    groups: Optional[Path] = ReportGroups,
    geometry: Optional[Path] = ReportGeometry,
    geometry_column: Optional[str] = ReportGeometryColumn,
    neighbours: Optional[Path] = typer.Option(None, "--neighbours", help="Neighbours file (unit, neighbour: "
                                              "one pair per row) for Moran's I instead of shared borders."),
    permutations: int = typer.Option(999, "--permutations", help="Permutations of the Moran's I test."),
    lang: str = typer.Option("zh", "--lang", help="zh, en or both."),
    year: Optional[int] = typer.Option(None, "--year"),
):
    """The bulletin: overview, rankings, tiers, movers, disparity, Moran's I, tier maps and annexes."""
    from .reports import bulletin_report

    if not data and counties is None and cities is None:
        raise InputError("give --data (or --counties and/or --cities)")
    fmt = _report_format(out_file)
    evs = [_report_evaluation(files, regions, framework, sheet, units_in, level, layout)
           for files in (data, [cities] if cities else None, [counties] if counties else None)]
    evs = [ev for ev in evs if ev is not None]
    inputs = _report_inputs(evs, groups, geometry, geometry_column, units_in, level, neighbours)
    path = bulletin_report(evs, out_file, lang=lang, format=fmt, year=year, permutations=permutations, **inputs)
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


# -- digindex analyse KIND: the regional-research analyses (digindex.analyses) -----------------

analyse_app = typer.Typer(no_args_is_help=True, help="Regional-research analyses of a run's scores or a "
                          "table: dagum, kde, markov, spatial-markov, convergence, coupling, obstacle, grey, "
                          "ellipse, moran.")
app.add_typer(analyse_app, name="analyse")
ResultsOpt = typer.Option(None, "--results", help="A run's output folder (digindex run --out).")
NodeOpt = typer.Option(None, "--node", help="Node of the run to analyse (default: the root).")
DataOpt = typer.Option(None, "--data", help="Or a table in long layout: unit, [year], value, ...")
ValueOpt = typer.Option(None, "--value", help="The table's column to analyse (default: value or score).")
OutOpt = typer.Option(..., "--out", help="Folder for the CSV files, the workbook and the charts.")
UnitsInOpt = typer.Option(None, "--units-in", help="Resolve unit names of the table and of --groups as "
                          "regions within China (全国) or a province, city or county.")
AnLangOpt = typer.Option("both", "--lang", help="Labels of charts and grades: zh, en or both.")
GroupsOpt = typer.Option(None, "--groups", help="Groups file: unit, group (default: the run's parents).")
WeightsOpt = typer.Option(None, "--weights", help="Spatial weights: CSV unit,neighbour[,weight], GAL/GWT, "
                          "or GeoJSON/shapefile (default: shared borders of Chinese units).")
GeometryOpt = typer.Option(None, "--geometry", help="GeoJSON or shapefile with the units' polygons or points.")
UnitColumnOpt = typer.Option(None, "--unit-column", help="The unit column of --weights/--geometry files.")
NodesOpt = typer.Option(None, "--nodes", help="Subsystems or indicators: nodes of the run or columns of "
                        "the table, a,b,c.")
NodeWeightsOpt = typer.Option(None, "--node-weights", help="Weights of --nodes, a,b,c (default: equal; "
                              "obstacle from a run: the run's weights).")
ScaleOpt = typer.Option(1.0, "--scale", help="Divide the values by this first (100 for 0–100 scores).")
ClassesOpt = typer.Option(4, "--classes", help="Number of classes (quantiles).")
PooledOpt = typer.Option(False, "--pooled-classes", help="Quantiles over all years instead of per year.")


def _analyse(kind: str, results, node, data, value, out_dir, units_in, level, lang, **options) -> None:
    from .analyses import analyse

    _check_lang_both(lang)
    analysis = analyse(kind, results=results, node=node, data=data, value=value, units_in=units_in,
                       level=level, out=out_dir, lang=lang, **options)
    for note in analysis.notes:
        err.print(f"note: {note}", markup=False)
    first = next(iter(analysis.tables.values())).head(12)
    if "year" in first:
        first = first.assign(year=[fmt_year(y) if y is not None and y == y else "" for y in first["year"]])
    out.print(first.to_string(index=False), markup=False)
    out.print(f"written to {out_dir}/: " + ", ".join(p.name for p in analysis.meta.get("files", [])))


def _check_lang_both(lang: str) -> None:
    if lang not in ("zh", "en", "both"):
        raise InputError(f"--lang must be zh, en or both, not {lang!r}")


@analyse_app.command("dagum")
@guarded
def analyse_dagum(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
                  value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, groups: Optional[Path] = GroupsOpt,
                  units_in: Optional[str] = UnitsInOpt, level: Optional[str] = LevelOpt, lang: str = AnLangOpt):
    """Dagum Gini decomposition by groups: within, net between, transvariation (Dagum基尼系数)."""
    _analyse("dagum", results, node, data, value, out_dir, units_in, level, lang, groups=groups)


@analyse_app.command("kde")
@guarded
def analyse_kde(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
                value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, units_in: Optional[str] = UnitsInOpt,
                level: Optional[str] = LevelOpt, lang: str = AnLangOpt,
                bandwidth: str = typer.Option("silverman", "--bandwidth", help="silverman, scott or a number."),
                kernel: str = typer.Option("gau", "--kernel", help="gau, epa, uni, tri, biw, triw or cos."),
                points: int = typer.Option(200, "--points", help="Grid points of the density.")):
    """Kernel density of the scores per year, with its peaks (核密度估计)."""
    _analyse("kde", results, node, data, value, out_dir, units_in, level, lang, bandwidth=bandwidth,
             kernel=kernel, points=points)


@analyse_app.command("markov")
@guarded
def analyse_markov(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
                   value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, units_in: Optional[str] = UnitsInOpt,
                   level: Optional[str] = LevelOpt, lang: str = AnLangOpt, classes: int = ClassesOpt,
                   pooled_classes: bool = PooledOpt):
    """Markov chain of quantile classes: transitions, steady state, first-passage times (马尔可夫链)."""
    _analyse("markov", results, node, data, value, out_dir, units_in, level, lang, classes=classes,
             pooled_classes=pooled_classes)


@analyse_app.command("spatial-markov")
@guarded
def analyse_spatial_markov(
        results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
        value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, units_in: Optional[str] = UnitsInOpt,
        level: Optional[str] = LevelOpt, lang: str = AnLangOpt, classes: int = ClassesOpt,
        pooled_classes: bool = PooledOpt, weights: Optional[Path] = WeightsOpt,
        geometry: Optional[Path] = GeometryOpt, unit_column: Optional[str] = UnitColumnOpt,
        lag_classes: Optional[int] = typer.Option(None, "--lag-classes", help="Classes of the spatial lag "
                                                  "(default: --classes)."),
        relative: bool = typer.Option(False, "--relative", help="Divide each value by its year's mean first.")):
    """Spatial Markov chain conditioned on the neighbours' class, with the Q and LR tests (空间马尔可夫链)."""
    _analyse("spatial-markov", results, node, data, value, out_dir, units_in, level, lang, classes=classes,
             pooled_classes=pooled_classes, weights=weights, geometry=geometry, unit_column=unit_column,
             lag_classes=lag_classes, relative=relative)


@analyse_app.command("convergence")
@guarded
def analyse_convergence(
        results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
        value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, units_in: Optional[str] = UnitsInOpt,
        level: Optional[str] = LevelOpt, lang: str = AnLangOpt,
        controls: Optional[str] = typer.Option(None, "--controls", help="Control columns (or nodes) for "
                                               "conditional β convergence, a,b.")):
    """σ convergence and absolute, conditional and fixed-effects β convergence (σ收敛、β收敛)."""
    _analyse("convergence", results, node, data, value, out_dir, units_in, level, lang, controls=controls)


def _floats(text_value: Optional[str], option: str):
    if text_value is None:
        return None
    from .analytics.research import parse_list

    items = parse_list(text_value, option) if "," in text_value else [text_value.strip()]
    try:
        return [float(v) for v in items]
    except ValueError:
        raise InputError(f"{option} must be numbers a,b,c, not {text_value!r}") from None


@analyse_app.command("coupling")
@guarded
def analyse_coupling(results: Optional[Path] = ResultsOpt, data: Optional[Path] = DataOpt, out_dir: Path = OutOpt,
                     nodes: str = NodesOpt, node_weights: Optional[str] = NodeWeightsOpt,
                     units_in: Optional[str] = UnitsInOpt, level: Optional[str] = LevelOpt,
                     lang: str = AnLangOpt, scale: float = ScaleOpt,
                     modified: bool = typer.Option(False, "--modified", help="The corrected coupling degree of "
                                                   "Wang Shujia et al. (2021).")):
    """Coupling C, development T and coordination D between subsystems, with grades (耦合协调度)."""
    _analyse("coupling", results, None, data, None, out_dir, units_in, level, lang, nodes=nodes,
             node_weights=_floats(node_weights, "--node-weights"), modified=modified, scale=scale)


@analyse_app.command("obstacle")
@guarded
def analyse_obstacle(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt,
                     data: Optional[Path] = DataOpt, out_dir: Path = OutOpt, nodes: Optional[str] = NodesOpt,
                     node_weights: Optional[str] = NodeWeightsOpt, units_in: Optional[str] = UnitsInOpt,
                     level: Optional[str] = LevelOpt, lang: str = AnLangOpt, scale: float = ScaleOpt,
                     top: int = typer.Option(5, "--top", help="How many top obstacles per unit and year.")):
    """Obstacle degree of every indicator and aspect, and each unit's top obstacles (障碍度)."""
    _analyse("obstacle", results, node, data, None, out_dir, units_in, level, lang, nodes=nodes,
             node_weights=_floats(node_weights, "--node-weights"), scale=scale, top=top)


@analyse_app.command("grey")
@guarded
def analyse_grey(results: Optional[Path] = ResultsOpt, data: Optional[Path] = DataOpt, out_dir: Path = OutOpt,
                 nodes: str = NodesOpt, node_weights: Optional[str] = NodeWeightsOpt,
                 units_in: Optional[str] = UnitsInOpt, level: Optional[str] = LevelOpt, lang: str = AnLangOpt,
                 rho: float = typer.Option(0.5, "--rho", help="Distinguishing coefficient ρ (0, 1]."),
                 reference: Optional[str] = typer.Option(None, "--reference", help="Compare with this unit "
                                                         "instead of the ideal.")):
    """Grey relational grade of each unit against the ideal or a reference unit (灰色关联分析)."""
    _analyse("grey", results, None, data, None, out_dir, units_in, level, lang, nodes=nodes,
             node_weights=_floats(node_weights, "--node-weights"), rho=rho, reference=reference)


@analyse_app.command("ellipse")
@guarded
def analyse_ellipse(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt,
                    data: Optional[Path] = DataOpt, value: Optional[str] = ValueOpt, out_dir: Path = OutOpt,
                    geometry: Optional[Path] = GeometryOpt, unit_column: Optional[str] = UnitColumnOpt,
                    units_in: Optional[str] = UnitsInOpt, level: Optional[str] = LevelOpt, lang: str = AnLangOpt):
    """Standard deviational ellipse of the score-weighted centroids per year (标准差椭圆)."""
    _analyse("ellipse", results, node, data, value, out_dir, units_in, level, lang, geometry=geometry,
             unit_column=unit_column)


@analyse_app.command("moran")
@guarded
def analyse_moran(results: Optional[Path] = ResultsOpt, node: Optional[str] = NodeOpt, data: Optional[Path] = DataOpt,
                  value: Optional[str] = ValueOpt, out_dir: Path = OutOpt, weights: Optional[Path] = WeightsOpt,
                  geometry: Optional[Path] = GeometryOpt, unit_column: Optional[str] = UnitColumnOpt,
                  units_in: Optional[str] = UnitsInOpt, level: Optional[str] = LevelOpt, lang: str = AnLangOpt,
                  permutations: int = typer.Option(999, "--permutations", help="Permutations (0: normal test)."),
                  seed: int = typer.Option(0, "--seed")):
    """Global Moran's I and LISA per year (空间自相关)."""
    _analyse("moran", results, node, data, value, out_dir, units_in, level, lang, weights=weights,
             geometry=geometry, unit_column=unit_column, permutations=permutations, seed=seed)


def _add_web_commands() -> None:
    """``digindex serve`` and ``digindex admin ...`` from the web package."""
    from .web.cli import admin_app as web_admin_app, serve_command

    app.command("serve")(serve_command)
    app.add_typer(web_admin_app, name="admin")


_add_web_commands()


def _keep_freed_memory() -> None:
    """Let glibc's malloc keep the memory a command frees instead of giving it back at once.

    A command is one short process that makes and drops many large tables: by default the
    freed memory goes back to the system and every next table is faulted in page by page
    again (a national run spent 1.5-2 s in the kernel, 0.3-0.5 s of it on this). Only here,
    in the console script: a program that imports digindex keeps its own malloc settings."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): its own defaults
        return
    m_trim_threshold, m_top_pad = -1, -2
    mallopt(m_trim_threshold, (1 << 31) - 1)  # free memory at the top of the heap is kept
    mallopt(m_top_pad, 256 << 20)  # the heap grows 256 MB at a time (address space, not memory)


def _collect_less_often() -> None:
    """The cycle collector runs after 50,000 new objects instead of 700: a national run made
    370 collections (0.17 s); tables are arrays, so few objects are garbage in cycles."""
    import gc

    gc.set_threshold(50_000, 20, 10)


def entrypoint():  # pragma: no cover - console script
    _keep_freed_memory()
    _collect_less_often()
    try:
        app()
    finally:
        # The process ends here: its objects need not be searched for cycles once more (after a
        # national run, the garbage collector's passes at exit took 0.15 s of the 0.2 s it spends
        # exiting). Exit handlers and finalisers still run.
        import gc

        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
