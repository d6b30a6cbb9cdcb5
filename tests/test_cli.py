"""The command line: outputs, exit codes, no tracebacks, atomic writes, conversion."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from digindex import load_framework
from digindex.cli import app
from digindex.data.readers import sha256_of
from digindex.framework import framework_to_dict
from conftest import EXAMPLES

runner = CliRunner()
DESI = EXAMPLES / "desi2022"
DIGINDEX = [sys.executable, "-m", "digindex.cli"]


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "out"
    r = cli("run", DESI / "framework.yaml", "--data", DESI / "data.csv", "--out", out)
    assert r.exit_code == 0, r.output
    assert "FI" in r.output  # Finland leads DESI 2022
    names = sorted(p.name for p in out.iterdir())
    assert names == ["changes.csv", "charts", "disparity.csv", "growth_yoy.csv", "log.csv", "results.csv",
                     "results.parquet", "results.xlsx", "run.json", "weights.csv"]
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert charts == [f"{c}.{e}" for c in ("aspects", "ranking", "trends_top") for e in ("png", "svg")]
    res = pd.read_csv(out / "results.csv")
    assert list(res.columns) == ["unit", "year", "node", "level", "score", "rank"]
    assert len(res) == 168 * (33 + 10 + 4 + 1)
    pd.testing.assert_frame_equal(res, pd.read_parquet(out / "results.parquet").astype({"year": "int64", "rank": "int64"}),
                                  check_dtype=False)
    record = json.loads((out / "run.json").read_text())
    assert record["framework"]["sha256"] == sha256_of(DESI / "framework.yaml")
    assert record["data"][0]["sha256"] == sha256_of(DESI / "data.csv")
    assert record["digindex_version"] and record["time"] and record["options"]["lang"] == "en"
    book = pd.ExcelFile(out / "results.xlsx")
    assert book.sheet_names == ["About", "Index scores", "Index ranks", "Aspects scores", "Aspects ranks",
                                "Level-2 nodes scores", "Level-2 nodes ranks", "Indicators scores",
                                "Indicators ranks", "Weights", "Methods", "Framework", "Disparity", "Run"]
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["digindex.duckdb"]  # the run is recorded
    assert "run recorded in digindex.duckdb" in r.output


def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path):
    bad = tmp_path / "d.csv"
    bad.write_text("unit,year,1a1\nAT,2022,abc\n")
    proc = subprocess.run(DIGINDEX + ["run", str(DESI / "framework.yaml"), "--data", str(bad),
                                      "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines)
    assert any("row 2, column '1a1': not a number: 'abc'" in line for line in lines)
    assert not (tmp_path / "o").exists()


def test_internal_error_exits_1_without_traceback(tmp_path, monkeypatch):
    import digindex

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(digindex, "evaluate", boom)
    r = cli("run", DESI / "framework.yaml", "--data", DESI / "data.csv", "--out", tmp_path / "o")
    assert r.exit_code == 1
    assert "internal error: RuntimeError: kaput" in r.output and "Traceback" not in r.output


def test_failed_write_leaves_no_partial_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("previous results\n")

    def fail(*a, **k):
        raise OSError("disk full")

    import pyarrow.parquet

    monkeypatch.setattr(pyarrow.parquet, "write_table", fail)  # fails in a writer thread
    r = cli("run", DESI / "framework.yaml", "--data", DESI / "data.csv", "--out", out)
    assert r.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]  # no temporary or new files
    assert (out / "results.csv").read_text() == "previous results\n"  # the old output is untouched


def test_validate_and_show(tmp_path):
    r = cli("validate", DESI / "framework.yaml", "--data", DESI / "data.csv")
    assert r.exit_code == 0 and "33 indicators" in r.output and "28 units" in r.output
    r = cli("framework", "show", EXAMPLES / "hdi2021" / "framework.yaml", "--lang", "zh")
    assert r.exit_code == 0 and "人类发展指数" in r.output and "出生时预期寿命" in r.output
    r = cli("framework", "show", DESI / "framework.yaml")
    assert "w=40.0% in parent, 10.0% in index" in r.output  # 2c Mobile broadband: 40 % of Connectivity (25 %)
    r = cli("framework", "show", DESI / "framework.yaml", "--lang", "fr")
    assert r.exit_code == 2


def test_reading_a_framework_imports_no_numeric_library():
    # issue 16: `digindex validate` of a framework alone stays quick; only a framework whose
    # goalposts are transformed (ln, log10) needs numpy, to transform them
    code = ("import sys; from digindex import load_framework; load_framework(sys.argv[1]); "
            "print(' '.join(m for m in ('numpy', 'pandas', 'pyarrow', 'scipy') if m in sys.modules))")
    for example, loaded in (("desi2022", ""), ("asem", ""), ("hdi2021", "numpy")):
        proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / example / "framework.yaml")],
                              capture_output=True, text=True, check=True)
        assert proc.stdout.strip() == loaded, example


def test_help_and_validating_a_framework_import_no_numeric_library():
    # issue 16: `digindex --help` and `digindex validate` on a framework spend ≤ 0.3 s on imports
    # (typer 0.29 would import pydantic for --help, and check every option through it: pyproject
    # keeps typer below 0.29)
    code = ("import sys, atexit\n"
            "atexit.register(lambda: print(' '.join(m for m in ('numpy', 'pandas', 'pyarrow', 'scipy',"
            " 'pydantic', 'matplotlib') if m in sys.modules), file=sys.stderr))\n"
            "from digindex.cli import app\n"
            "sys.argv = ['digindex', *sys.argv[1:]]\n"
            "app()")
    for args, loaded in ((["--help"], ""),  # (methods' options are pydantic models: validate reads them)
                         (["validate", str(EXAMPLES / "asem" / "framework.yaml")], "pydantic")):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stderr.strip() == loaded, (args, proc.stderr)


def test_lazy_package_names_stay_functions_when_their_submodule_is_imported():
    # engine.evaluate and analytics.changes/tiers are functions named like their modules:
    # importing the module first must not make the package's name the module
    code = ("import types, digindex.engine.evaluate, digindex.analytics.changes, digindex.analytics.tiers\n"
            "from digindex import evaluate\n"
            "from digindex.analytics import changes, tiers\n"
            "assert not any(isinstance(f, types.ModuleType) for f in (evaluate, changes, tiers))\n"
            "assert evaluate.__module__ == 'digindex.engine.evaluate' and tiers.__name__ == 'tiers'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_convert_round_trip(tmp_path, suffix):
    for example in ("desi2022", "hdi2021"):
        src = EXAMPLES / example / "framework.yaml"
        table = tmp_path / f"{example}{suffix}"
        back = tmp_path / f"{example}.yaml"
        assert cli("framework", "convert", src, table).exit_code == 0
        assert cli("framework", "convert", table, back).exit_code == 0
        original = framework_to_dict(load_framework(src))
        assert framework_to_dict(load_framework(table)) == original
        assert framework_to_dict(load_framework(back)) == original


def test_table_framework_gives_identical_results(tmp_path):
    table = tmp_path / "desi.xlsx"
    cli("framework", "convert", DESI / "framework.yaml", table)
    a, b = tmp_path / "a", tmp_path / "b"
    cli("run", DESI / "framework.yaml", "--data", DESI / "data.csv", "--out", a)
    cli("run", table, "--data", DESI / "data.csv", "--out", b)
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()


def test_methods_lists_registry():
    r = cli("methods")
    assert r.exit_code == 0 and "minmax" in r.output and "goalposts" in r.output


def test_methods_doc_is_in_sync_with_the_registry():
    from digindex.methods.docs import render_markdown

    doc = (EXAMPLES.parent / "docs" / "methods.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "regenerate with: digindex methods --markdown > docs/methods.md"
    for name in ("efficacy", "winsorise_log", "entropy", "ahp", "topsis", "mpi", "reference_ratio"):
        assert f"### `{name}`" in doc


def test_table_form_keeps_derive_definitions_and_sources():
    """The bureau workbook carries everything the YAML does, micro-data derivations included."""
    from digindex.frameworks import builtin_framework_path

    yaml_fw = load_framework(builtin_framework_path("zhejiang"))
    xlsx_fw = load_framework(builtin_framework_path("zhejiang", "xlsx"))
    assert framework_to_dict(xlsx_fw) == framework_to_dict(yaml_fw)
    assert xlsx_fw.nodes["core_ent_density"].extra["derive"]["source"] == "enterprises"


def test_data_marked_synthetic_are_said_to_be_in_the_table_workbook_and_charts(tmp_path):
    """A data file named *SYNTHETIC* (as the examples' and the demo's are): the printed table,
    the workbook's first sheet and every chart title say so; real data are not marked."""
    import shutil

    from openpyxl import load_workbook

    from digindex import evaluate, load_data
    from digindex.charts import _Context
    from digindex.charts.run import _title

    marked = tmp_path / "desi_SYNTHETIC.csv"
    shutil.copy(DESI / "data.csv", marked)
    for data, synthetic in ((marked, True), (DESI / "data.csv", False)):
        out = tmp_path / data.stem
        r = cli("run", DESI / "framework.yaml", "--data", data, "--out", out, "--no-charts", "--no-store")
        assert r.exit_code == 0, r.output
        assert ("SYNTHETIC DATA" in r.output) is synthetic
        assert f"results written to {out}/" in r.output
        about = load_workbook(out / "results.xlsx", read_only=True).worksheets[0]
        second = [row[0] for row in about.iter_rows(min_row=2, max_row=2, values_only=True)][0]
        assert (second == "SYNTHETIC DATA: The data are synthetic (their files are named SYNTHETIC), "
                          "not official statistics.") is synthetic
        ev = evaluate(load_framework(DESI / "framework.yaml"), load_data(data))
        assert ev.panel.synthetic is synthetic
        title = _title(_Context.of(ev), "chart_ranking", year="2022")  # as the chart process titles them
        assert title.startswith("合成数据 SYNTHETIC DATA\n") is synthetic
    # in Chinese, the table's title and the closing lines are Chinese
    r = cli("run", DESI / "framework.yaml", "--data", marked, "--out", tmp_path / "zh", "--no-charts",
            "--lang", "zh", "--store", tmp_path / "s.duckdb")
    assert "合成数据 —" in r.output and f"结果已写入 {tmp_path / 'zh'}/" in r.output
    assert f"本次运行已记录于 {tmp_path / 's.duckdb'}" in r.output
