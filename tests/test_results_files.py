"""What `digindex run` hands in: results.xlsx (wide sheets, ranks, formats, empty cells empty),
weights with their methods' details, charts, CSV files as pandas wrote them, and the run store.

The numbers in the workbook are checked against results.csv and against ranks computed here
with scipy (``rankdata(method="min")``), not against the code that wrote them.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy.stats import rankdata
from typer.testing import CliRunner

import digindex
from digindex import evaluate, load_data, load_framework
from digindex.cli import app

runner = CliRunner()
YEARS = (2020, 2021, 2022)
FRAMEWORK = """\
id: county_dei
name: {en: County digital economy, zh: 县域数字经济}
publish: {decimals: 2}
normalise: {method: minmax, pooled: true, scale: [0, 100]}
tiers: {by: quantile, cuts: [0.5]}
tree:
  id: dei
  name: {en: Digital economy, zh: 数字经济}
  weights: {method: ahp, matrix: [[1, 2, 3], ["1/2", 1, 2], ["1/3", "1/2", 1]]}
  children:
    - id: infra
      name: {en: Infrastructure, zh: 基础设施}
      weights: entropy
      children:
        - {id: x1, name: {en: Broadband, zh: 宽带}}
        - {id: x2, name: {en: Base stations, zh: 基站}}
        - {id: x3, name: {en: Data centres, zh: 数据中心}}
    - id: industry
      name: {en: Industry, zh: 产业}
      weights: critic
      children:
        - {id: x4, name: {en: Software, zh: 软件}}
        - {id: x5, name: {en: Electronics, zh: 电子}}
        - {id: x6, name: {en: Telecoms, zh: 电信}}
    - id: society
      name: {en: Society, zh: 社会}
      weights: {method: combined, a: equal, b: entropy, alpha: 0.5}
      children:
        - {id: x7, name: {en: Online services, zh: 网上服务}}
        - {id: x8, name: {en: Payments, zh: 移动支付}}
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """12 units in 3 parents, 3 years; unit u11 has no row for 2021 and u03 misses x5 in 2022."""
    root = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(16)
    rows = []
    for year in YEARS:
        for i in range(12):
            if i == 11 and year == 2021:
                continue
            row = {"unit": f"u{i:02d}", "name": f"单位{i:02d}", "parent": f"p{i % 3}", "year": year}
            row.update({f"x{k}": round(float(rng.uniform(1, 100)) * (1 + 0.1 * (year - 2020)), 4)
                        for k in range(1, 9)})
            if i == 3 and year == 2022:
                row["x5"] = None
            rows.append(row)
    pd.DataFrame(rows).to_csv(root / "data.csv", index=False)
    (root / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    return root


def run(inputs, out, *extra):
    r = runner.invoke(app, ["run", str(inputs / "fw.yaml"), "--data", str(inputs / "data.csv"), "--out", str(out),
                            *map(str, extra)])
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def en(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("en") / "out"
    run(inputs, out, "--lang", "en", "--store", out.parent / "runs.duckdb")
    return out


def _rows(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _rank(scores: pd.Series) -> pd.Series:
    """1 for the best score, ties at the minimum rank, missing scores unranked (scipy)."""
    values = scores.to_numpy(float)
    out = np.full(len(values), np.nan)
    present = ~np.isnan(values)
    out[present] = rankdata(-values[present], method="min")
    return pd.Series(out, index=scores.index)


def _expected_ranks(results: pd.DataFrame, node: str, by: list[str]) -> pd.Series:
    part = results[results["node"] == node].copy()
    part["expected"] = part.groupby(by)["score"].transform(_rank)
    return part.set_index(["unit", "year"])["expected"]


def test_workbook_sheets_and_wide_tables(en):
    book = openpyxl.load_workbook(en / "results.xlsx")
    assert book.sheetnames == ["About", "Index scores", "Index ranks", "Aspects scores", "Aspects ranks",
                               "Indicators scores", "Indicators ranks", "Weights", "Methods", "Framework",
                               "Tiers", "Disparity", "Disparity by group", "Run"]
    results = pd.read_csv(en / "results.csv", dtype={"unit": str})
    scores = _rows(book["Index scores"])
    assert scores[0] == ("code", "name", "parent", "2020", "2021", "2022")
    table = pd.DataFrame(scores[1:], columns=scores[0], dtype=object).set_index("code")
    index = results[results["node"] == "dei"].set_index(["unit", "year"])["score"]
    for unit in table.index:
        for year in YEARS:
            cell = table.loc[unit, str(year)]
            if (unit, year) in index.index:
                assert cell == pytest.approx(index.loc[(unit, year)], abs=1e-12)
            else:
                assert cell is None  # no row for u11 in 2021: an empty cell
    assert table.loc["u11", "2021"] is None and table.loc["u05", "name"] == "单位05"
    # best of the latest year first
    latest = results[(results["node"] == "dei") & (results["year"] == 2022)].sort_values(["rank", "unit"])
    assert list(table.index) == list(latest["unit"])
    # a level of several nodes: one block per node, with the node's id and name
    aspects = _rows(book["Aspects scores"])
    assert aspects[0][:5] == ("code", "name", "parent", "node", "Measure")
    assert [r[3] for r in aspects[1:]] == ["infra"] * 12 + ["industry"] * 12 + ["society"] * 12


def test_tiers_sheet_is_units_down_years_across(en):
    """The Tiers sheet: the index sheets' units and order, each year's tier label (tiers.csv's),
    an empty cell where the unit has no row that year."""
    book = openpyxl.load_workbook(en / "results.xlsx")
    rows = _rows(book["Tiers"])
    assert rows[0] == ("code", "name", "parent", "2020", "2021", "2022")
    index_order = [r[0] for r in _rows(book["Index scores"])[1:]]
    assert [r[0] for r in rows[1:]] == index_order
    tiers = pd.read_csv(en / "tiers.csv", dtype={"unit": str})
    expected = {(u, str(y)): label for u, y, label in zip(tiers["unit"], tiers["year"], tiers["tier_label"])}
    for row in rows[1:]:
        for header, cell in zip(rows[0][3:], row[3:]):
            assert cell == expected.get((row[0], header)), (row[0], header)
    cells = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert cells["u11"]["2021"] is None and {c for r in rows[1:] for c in r[3:]} == {"Tier 1", "Tier 2", None}


def test_ranks_sheet_is_the_ranking_in_the_population_and_within_the_parent(en):
    book = openpyxl.load_workbook(en / "results.xlsx")
    results = pd.read_csv(en / "results.csv", dtype={"unit": str})
    rows = _rows(book["Indicators ranks"])
    header = rows[0]
    assert header[:5] == ("code", "name", "parent", "node", "Measure")
    assert header[5:] == tuple(f"rank {y}" for y in YEARS) + tuple(f"rank in parent {y}" for y in YEARS)
    table = pd.DataFrame(rows[1:], columns=header, dtype=object)
    for node in ("x1", "x5"):
        overall = _expected_ranks(results, node, ["year"])
        inside = _expected_ranks(results, node, ["year", "parent"])
        part = table[table["node"] == node]
        for _, r in part.iterrows():
            for y in YEARS:
                key = (r["code"], y)
                if key in overall.index and not np.isnan(overall[key]):
                    assert r[f"rank {y}"] == overall[key] and r[f"rank in parent {y}"] == inside[key]
                else:
                    assert r[f"rank {y}"] is None and r[f"rank in parent {y}"] is None
    # x5 of u03 in 2022 is missing: no rank, an empty cell
    u03 = table[(table["node"] == "x5") & (table["code"] == "u03")].iloc[0]
    assert u03["rank 2022"] is None and u03["rank 2021"] is not None


def test_empty_cells_are_empty_and_text_is_never_escaped(en):
    book = openpyxl.load_workbook(en / "results.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("'")), (ws.title, cell.coordinate)
                assert cell.value != "", (ws.title, cell.coordinate)
    # the framework sheet: cells a node leaves blank are blank, not apostrophes
    framework = _rows(book["Framework"])
    assert framework[1][:2] == ("dei", None)


def test_frozen_headers_filters_formats_and_widths(en):
    book = openpyxl.load_workbook(en / "results.xlsx")
    ws = book["Index scores"]
    assert ws.freeze_panes == "D2"  # the header and the code, name and parent columns
    assert ws.auto_filter.ref == "A1:F13"
    assert ws["D2"].number_format == "0.00"  # publish: {decimals: 2}
    assert book["Index ranks"]["D2"].number_format == "0"
    assert ws.column_dimensions["A"].width >= 8
    ws = book["Indicators scores"]
    assert ws.freeze_panes == "F2" and ws["F2"].number_format == "0.00"


def test_chinese_headers_with_lang_zh(inputs, tmp_path):
    r = run(inputs, tmp_path / "zh", "--lang", "zh", "--no-store", "--no-charts")
    assert all(h in r.output for h in ("排名", "地区", "名称", "上级区域", "总指数"))  # the printed top 10
    book = openpyxl.load_workbook(tmp_path / "zh" / "results.xlsx")
    assert book.sheetnames[:5] == ["说明", "总指数得分", "总指数排名", "一级指标得分", "一级指标排名"]
    assert book.sheetnames[5:9] == ["二级指标得分", "二级指标排名", "权重", "方法说明"]
    assert _rows(book["总指数排名"])[0] == ("代码", "名称", "上级区域", "2020排名", "2021排名", "2022排名",
                                          "2020上级区域内排名", "2021上级区域内排名", "2022上级区域内排名")
    assert _rows(book["一级指标得分"])[1][4] in ("基础设施", "产业", "社会")
    assert not (tmp_path / "zh" / "charts").exists()
    # every sheet in Chinese: the disparity tables' headers, the methods in words, the run's record
    assert _rows(book["区域差异"])[0][:8] == ("年份", "指标代码", "单位数", "均值", "标准差", "变异系数", "基尼系数", "泰尔指数")
    assert _rows(book["组内差异"])[0][2:5] == ("上级区域", "单位数", "得分合计")
    methods = _rows(book["方法说明"])
    ahp = [r for r in methods if r[2] and "ahp" in str(r[2])]
    assert ahp and "层次分析法" in ahp[0][3] and "``" not in ahp[0][3]
    run_sheet = dict(_rows(book["运行记录"])[1:])
    assert _rows(book["运行记录"])[0] == ("项目", "内容")
    assert run_sheet["digindex_version"] == digindex.__version__  # text as text, not JSON-quoted
    assert run_sheet["units"] == 12 and json.loads(run_sheet["years"]) == [2020, 2021, 2022]


def test_every_built_in_method_is_described_in_chinese():
    from digindex.i18n import METHOD_SUMMARIES_ZH, method_summary
    from digindex.methods import methods

    assert set(METHOD_SUMMARIES_ZH) == {(m.family, m.name) for m in methods()}
    assert method_summary("weights", "entropy", "Entropy weights.", "both").startswith("熵值法权重")
    assert method_summary("weights", "an_extension", "Its own words.", "zh") == "Its own words."


def test_one_parent_gives_no_group_trend_chart(inputs, tmp_path):
    """A province's cities all have the province as parent: the mean of that one group is
    the mean of all units, so the group trends chart is left out (the others are drawn)."""
    data = pd.read_csv(inputs / "data.csv").assign(parent="p")
    data.to_csv(tmp_path / "one_parent.csv", index=False)
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(inputs / "fw.yaml"), "--data", str(tmp_path / "one_parent.csv"),
                            "--out", str(out), "--no-store"])
    assert r.exit_code == 0, r.output
    assert sorted(p.stem for p in (out / "charts").glob("*.png")) == ["aspects", "ranking", "tiers", "trends_top"]


def test_weights_details_in_the_workbook_weights_csv_and_run_json(en, inputs):
    fw = load_framework(inputs / "fw.yaml")
    ev = evaluate(fw, load_data(inputs / "data.csv", framework=fw))
    weights = pd.read_csv(en / "weights.csv")
    root = weights[weights["node"] == "dei"]
    info = ev.weight_info["dei"]
    assert root["CR"].iloc[0] == pytest.approx(info["CR"]) and 0 < info["CR"] < 0.1
    assert root["lambda_max"].iloc[0] == pytest.approx(max(np.linalg.eigvals(
        np.array([[1, 2, 3], [1 / 2, 1, 2], [1 / 3, 1 / 2, 1]])).real))
    assert list(root["matrix"]) == ["1; 2; 3", "0.5; 1; 2", "0.333333; 0.5; 1"]
    infra = weights[weights["node"] == "infra"].set_index("child")
    np.testing.assert_allclose(infra["divergence"], 1 - infra["entropy"])
    np.testing.assert_allclose(infra["weight"], infra["divergence"] / infra["divergence"].sum())
    industry = weights[weights["node"] == "industry"].set_index("child")
    np.testing.assert_allclose(industry["information"], industry["sd"] * industry["conflict"])
    society = weights[weights["node"] == "society"].set_index("child")
    np.testing.assert_allclose(society["weight"], 0.5 * society["a.weights"] + 0.5 * society["b.weights"])
    record = json.loads((en / "run.json").read_text(encoding="utf-8"))
    assert record["weights"]["dei"]["CR"] == pytest.approx(info["CR"])
    assert record["weights"]["dei"]["matrix"]["infra"]["industry"] == 2
    assert record["weights"]["infra"]["children"]["x1"]["divergence"] == pytest.approx(infra.loc["x1", "divergence"])
    sheet = [v for row in _rows(openpyxl.load_workbook(en / "results.xlsx")["Weights"]) for v in row
             if v is not None]
    for word in ("lambda_max", "CI", "RI", "CR", "matrix", "entropy", "divergence", "sd", "conflict",
                 "information", "a.weights", "b.weights"):
        assert word in sheet, word
    methods = _rows(openpyxl.load_workbook(en / "results.xlsx")["Methods"])
    steps = [r[0] for r in methods]
    assert {"Data", "Normalisation", "Weighting", "Aggregation", "Ranks"} <= set(steps)
    assert any("ahp" in str(r[2]) and "eigenvector" in str(r[3]) for r in methods)


def test_csv_files_are_the_bytes_pandas_wrote(en, inputs):
    fw = load_framework(inputs / "fw.yaml")
    ev = evaluate(fw, load_data(inputs / "data.csv", framework=fw))
    assert (en / "results.csv").read_bytes() == ev.results().to_csv(index=False).encode()
    record = json.loads((en / "run.json").read_text(encoding="utf-8"))
    import hashlib
    assert record["results_sha256"] == hashlib.sha256((en / "results.csv").read_bytes()).hexdigest()


def test_changes_and_growth_cover_the_index_and_aspects_unless_asked(en, inputs, tmp_path):
    changes = pd.read_csv(en / "changes.csv")
    assert set(changes["node"]) == {"dei", "infra", "industry", "society"}
    growth = pd.read_csv(en / "growth_yoy.csv")
    assert set(growth["node"]) == {"dei", "infra", "industry", "society"} and set(growth["basis"]) == {"score"}
    row = growth[(growth["node"] == "dei") & (growth["unit"] == "u00") & (growth["year"] == 2022)].iloc[0]
    results = pd.read_csv(en / "results.csv", dtype={"unit": str}).set_index(["unit", "year", "node"])
    assert row["yoy"] == pytest.approx(results.loc[("u00", 2022, "dei"), "score"]
                                       / results.loc[("u00", 2021, "dei"), "score"] - 1)
    run(inputs, tmp_path / "all", "--all-nodes", "--no-store", "--no-charts")
    every = pd.read_csv(tmp_path / "all" / "growth_yoy.csv")
    assert set(every["node"]) == {"dei", "infra", "industry", "society"} | {f"x{k}" for k in range(1, 9)}
    assert set(every.loc[every["node"] == "x1", "basis"]) == {"raw"}
    assert set(pd.read_csv(tmp_path / "all" / "changes.csv")["node"]) == set(every["node"])


def test_charts_are_png_and_svg(en):
    names = sorted(p.name for p in (en / "charts").iterdir())
    stems = ["aspects", "ranking", "tiers", "trends_groups", "trends_top"]
    assert names == sorted(f"{s}.{e}" for s in stems for e in ("png", "svg"))
    for stem in stems:
        assert (en / "charts" / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (en / "charts" / f"{stem}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "</svg>" in svg


def test_without_fork_the_charts_are_drawn_in_the_process_alike(inputs, en, tmp_path, monkeypatch):
    # where there is no fork (macOS, Windows) ChartJob draws at the end, from what it was given
    import digindex.charts

    monkeypatch.setattr(digindex.charts, "_can_fork", lambda: False)
    out = tmp_path / "out"
    digindex.run(inputs / "fw.yaml", inputs / "data.csv", out=out, store=None)
    assert sorted(p.name for p in (out / "charts").iterdir()) == sorted(p.name for p in (en / "charts").iterdir())
    for png in (en / "charts").glob("*.png"):
        assert (out / "charts" / png.name).read_bytes() == png.read_bytes(), png.name
    assert not list(out.parent.glob(".digindex-charts-*"))


@pytest.mark.parametrize("example", ["inputs", "no years", "hdi2021", "asem"])
def test_the_results_arrow_table_is_the_results_frame(example, inputs, tmp_path):
    """Evaluation.results_table() (what the files and the store are written from) is results()
    as pyarrow converts it: values, nulls (missing scores, unranked units, no year), types and
    the pandas metadata; with parents and published decimals, and without."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def results_arrow(frame):  # how pyarrow converts results(), the year as pandas' Int64
        typed = frame.assign(year=pd.to_numeric(frame["year"]).astype("Int64"))
        return pa.Table.from_pandas(typed, preserve_index=False)

    if example == "inputs":
        fw_file, data_file = inputs / "fw.yaml", inputs / "data.csv"
    elif example == "no years":  # single-period data, one value missing: null years, a null score
        fw_file, data_file = inputs / "fw.yaml", tmp_path / "data.csv"
        pd.DataFrame([{"unit": f"u{i}", "parent": f"p{i % 2}",
                       **{f"x{k}": None if (i, k) == (1, 5) else float(i * k + 1) for k in range(1, 9)}}
                      for i in range(6)]).to_csv(data_file, index=False)
    else:
        folder = Path(__file__).resolve().parents[1] / "examples" / example
        fw_file, data_file = folder / "framework.yaml", folder / "data.csv"
    fw = load_framework(fw_file)
    ev = evaluate(fw, load_data(data_file, framework=fw))
    # some nodes' rows (the charts'), made before every node's ranks: the whole table's rows
    some = [fw.tree.id, *(c.id for c in fw.tree.children)][::-1]
    part = ev.results_table(nodes=some)
    table, frame = ev.results_table(), ev.results()
    assert isinstance(table, pa.Table) and table.equals(results_arrow(frame))
    assert table.schema.equals(results_arrow(frame).schema, check_metadata=True)
    assert table.num_rows == len(frame) and table.column("score").null_count == int(frame["score"].isna().sum())
    assert part.equals(table.filter(pc.is_in(table["node"], value_set=pa.array(some))))


def test_a_run_whose_data_fail_leaves_no_chart_process_or_folder(inputs, tmp_path):
    """The chart process starts before the data are read; a refused data file ends it and
    leaves nothing behind (no output folder, no temporary chart folder, no child process)."""
    import multiprocessing

    bad = tmp_path / "bad.csv"
    bad.write_text((inputs / "data.csv").read_text(encoding="utf-8").replace("u01,", "u00,", 1), encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(inputs / "fw.yaml"), "--data", str(bad), "--out", str(out), "--no-store"])
    assert r.exit_code == 2, r.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]
    assert not multiprocessing.active_children()


def test_every_run_is_recorded(inputs, en, tmp_path):
    store = en.parent / "runs.duckdb"
    out = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert out.exit_code == 0 and "r1" in out.output
    run(inputs, tmp_path / "again", "--store", store, "--no-charts")
    listed = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert "r2" in listed.output
    # whole times to the second and short hashes, so that the table fits a terminal
    from digindex.store import list_runs

    first = list_runs(store).iloc[0]
    assert first["data_sha256"][:12] in listed.output and first["data_sha256"][:13] not in listed.output
    assert first["time"][:19].replace("T", " ") in listed.output  # written in UTC
    assert max(len(line) for line in listed.output.splitlines()) <= 120
    diff = runner.invoke(app, ["runs", "diff", "r1", "r2", "--store", str(store)])
    assert diff.exit_code == 0 and "nothing changed (same inputs)" in diff.output
    assert "results identical" in diff.output
    show = runner.invoke(app, ["runs", "show", "latest", "--store", str(store)])
    assert show.exit_code == 0 and "county_dei" in show.output
    run(inputs, tmp_path / "not", "--no-store", "--no-charts")
    assert "r3" not in runner.invoke(app, ["runs", "list", "--store", str(store)]).output


def test_a_sheet_too_large_is_left_out_with_a_note(inputs, tmp_path):
    from digindex.analytics import regional_tables
    from digindex.export import run_record
    from digindex.export.excel import Book
    from digindex.export.workbook import write_workbook

    fw = load_framework(inputs / "fw.yaml")
    ev = evaluate(fw, load_data(inputs / "data.csv", framework=fw))
    notes = write_workbook(tmp_path / "r.xlsx", ev, run_record(ev, None, {}), regional_tables(ev), "en",
                           cell_budget=400)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert "Indicators scores" not in book.sheetnames and "Index scores" in book.sheetnames
    assert len(notes) == 2 and "'Indicators scores' has 96 rows and 8 columns" in notes[0]
    assert "'Indicators ranks' has 96 rows and 11 columns" in notes[1]
    about = [r[0] for r in _rows(book["About"])]
    assert notes[0] in about and notes[1] in about
    assert not Book.fits(1_048_576, 3) and Book.fits(1_048_575, 16_384) and not Book.fits(10, 16_385)


def test_bulk_rows_are_the_xml_xlsxwriter_writes(tmp_path):
    import digindex.export.excel as excel

    texts = np.array(["330483", "a&b<c>", " lead", None, "", "桐乡市", "x\x01y", "_x0041_"], dtype=object)
    numbers = np.array([1.5, np.nan, 12.25, 3.0, 100.0, 0.125, -2.5, 7.0])
    formats = np.array(["0.00", "0.0000", "0.00", "0", "0.00", "0.0000", "0.00", "0"], dtype=object)
    files = {}
    for fast in (True, False):
        book = excel.Book(tmp_path / f"{fast}.xlsx")
        original = excel._fast_path
        excel._fast_path = original if fast else (lambda ws: False)
        try:
            book.table("t", [excel.Column("code", texts), excel.Column("v", numbers, formats),
                             excel.Column("r", numbers, "0")], frozen_columns=1)
        finally:
            excel._fast_path = original
        book.close()
        with zipfile.ZipFile(tmp_path / f"{fast}.xlsx") as z:
            files[fast] = {n: z.read(n) for n in z.namelist() if not n.startswith("docProps")}
    assert files[True] == files[False]
    sheet = pd.read_excel(io.BytesIO((tmp_path / "True.xlsx").read_bytes()), dtype=object)
    assert list(sheet["code"].iloc[[0, 1, 5]]) == ["330483", "a&b<c>", "桐乡市"]
