"""Honest data validation: coverage, warnings, repeated rows, non-finite numbers, header aliases,
yearbook and cover sheets, comment columns, regions and groups files with suggestions.

All data are generated here (no demo data); messages are checked through the CLI for exit
codes and wording, and through load_data for the Panel's notes.
"""
from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from digindex import InputError, load_data, load_framework, load_groups
from digindex.cli import app

runner = CliRunner()
FW = """\
id: t
tree:
  id: root
  children:
    - {id: x1, name: {zh: 数字经济规模, en: Digital economy size}}
    - {id: x2, name: {zh: 宽带用户, en: Broadband users}}
"""
PROVINCES = ["浙江省", "江苏省", "广东省"]


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def fw_path(write):
    return write("f.yaml", FW)


@pytest.fixture
def fw(fw_path):
    return load_framework(fw_path)


def problems(*args, **kwargs):
    with pytest.raises(InputError) as exc:
        load_data(*args, **kwargs)
    return exc.value.problems


def messages(panel, severity=None):
    return [str(n) for n in panel.notes if severity is None or n.severity == severity]


# ---- coverage and warnings ---------------------------------------------------------------------

def test_validate_reports_coverage_per_file_and_unit_and_warns(write, fw_path):
    a = write("a.csv", "unit,year,x1,x2\nAlpha,2020,1,2\nBeta,2020,3,\nGamma,2020,,\nＡlpha,2021,4,5\n")
    b = write("b.csv", "unit,year,x1,x2\nAlpha,2021,,\nDelta,2020,5,6\n")
    r = cli("validate", fw_path, "--data", a, "--data", b)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "coverage per file" in out and "coverage per unit" in out
    assert "a.csv" in out and "62.5%" in out      # 5 of the 8 cells of a.csv have values
    assert "b.csv" in out and "50.0%" in out
    assert "Gamma" in out and "0.0%" in out
    err = r.stderr
    assert f"warning: {b}: 3 unit(s) of the data are not in this file: Beta, Gamma, Ａlpha" in err
    assert f"warning: {a}: 1 unit(s) of the data are not in this file: Delta" in err
    assert "warning: 1 unit(s) have values for less than 50% of their indicator cells: Gamma 0%" in err
    assert ("warning: 1 group(s) of units look like one unit written differently (spaces, full-width "
            "characters or a suffix): 'Alpha' / 'Ａlpha'") in err
    assert "data: 5 units × 2 period(s)" in out


def test_panel_keeps_coverage_and_notes(write, fw):
    panel = load_data(write("a.csv", "unit,year,x1,x2\nA,2020,1,2\nB,2020,,\n"), framework=fw)
    cov = panel.coverage(["x1", "x2"]).set_index("unit")
    assert cov.loc["A", "coverage"] == 1.0 and cov.loc["B", "coverage"] == 0.0
    assert panel.sources.iloc[0][["units", "cells", "missing"]].tolist() == [2, 4, 2]
    assert any("less than 50%" in m for m in messages(panel, "warning"))


# ---- repeated rows, non-finite numbers ---------------------------------------------------------

def test_exact_duplicate_row_is_reported_once_per_row(write, fw):
    text = "unit,year,x1,x2\nA,2020,1,2\nB,2020,3,4\nA,2020,1,2\nB,2020,3,5\n"
    found = problems(write("d.csv", text), framework=fw)
    exact = [p for p in found if "repeats" in p.message]
    assert len(exact) == 1
    assert exact[0].row == 4 and exact[0].column is None
    assert exact[0].message == "this row repeats row 2 exactly (unit 'A', year 2020)"
    assert exact[0].fix == "delete the repeated row"
    cells = [p for p in found if "duplicate value" in p.message]
    assert {(p.row, p.column) for p in cells} == {(5, "x1"), (5, "x2")}  # B differs: cell by cell


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e999", "-1E400", "Infinity"])
def test_non_finite_numbers_are_refused(write, fw, cell):
    (p,) = problems(write("n.csv", f"unit,year,x1,x2\nA,2020,1,2\nB,2020,3,{cell}\n"), framework=fw)
    assert p.message == f"not a finite number: {cell!r}"
    assert p.file.endswith("n.csv") and p.row == 3 and p.column == "x2"
    assert "finite" in p.fix


def test_bad_input_exits_2_one_line_per_problem_and_writes_nothing(write, fw_path, tmp_path):
    data = write("bad.csv", "unit,year,x1,x2\nA,2020,1e999,2\nB,2020,12%,3\nA,2020,1e999,2\n")
    out = tmp_path / "out"
    r = cli("run", fw_path, "--data", data, "--out", out)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert all(line.startswith("error: ") and "Fix:" in line for line in lines)
    assert any(f"{data}, row 2, column 'x1': not a finite number: '1e999'" in line for line in lines)
    assert any(f"{data}, row 3, column 'x1': not a number: '12%'" in line for line in lines)
    assert not out.exists()


# ---- header aliases, comment columns ------------------------------------------------------------

def test_chinese_headers_and_indicator_names(write, fw):
    text = "地区,年份,数字经济规模,Broadband users,备注\n浙江省,2020,1,2,合成\n江苏省,2020,3,4,\n"
    panel = load_data(write("h.csv", text), framework=fw)
    assert list(panel.table.columns) == ["unit", "year", "x1", "x2"]
    assert panel.table["x1"].tolist() == [1.0, 3.0]
    notes = messages(panel, "note")
    assert any("comment column '备注' ignored" in n for n in notes)
    assert any("columns read by their names: '地区' -> 'unit', '年份' -> 'year', '数字经济规模' -> 'x1', "
               "'Broadband users' -> 'x2'" in n for n in notes)


def test_long_layout_with_indicator_names(write, fw):
    text = "地区,年份,指标,数值\nA,2020,数字经济规模,1\nA,2020,Broadband users,2\n"
    panel = load_data(write("l.csv", text), framework=fw)
    assert panel.table[["x1", "x2"]].iloc[0].tolist() == [1.0, 2.0]
    assert any("indicators read by their names: '数字经济规模' -> 'x1', 'Broadband users' -> 'x2'" in m
               for m in messages(panel))


@pytest.mark.parametrize("unit, year", [("地区名称", "年度"), ("省份", "年份"), ("城市", "年度"),
                                        ("区县", "年份")])
def test_unit_and_year_aliases(write, fw, unit, year):
    panel = load_data(write("h.csv", f"{unit},{year},x1,x2\nA,2020,1,2\n"), framework=fw)
    assert panel.units.tolist() == ["A"] and panel.years.tolist() == [2020]


@pytest.mark.parametrize("header", ["备注", "说明", "notes", "Remarks", "comment", "COMMENTS"])
def test_comment_columns_are_ignored_with_a_note(write, fw, header):
    panel = load_data(write("c.csv", f"unit,year,x1,x2,{header}\nA,2020,1,2,see p. 3\n"), framework=fw)
    assert "x1" in panel.table and header not in panel.table
    assert any(f"comment column {header!r} ignored" in m for m in messages(panel))


def test_notes_reach_the_cli(write, fw_path, tmp_path):
    data = write("h.csv", "地区,年份,数字经济规模,宽带用户,备注\nA,2020,1,2,x\nB,2020,3,4,\n")
    r = cli("run", fw_path, "--data", data, "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert f"note: {data}: comment column '备注' ignored" in r.stderr
    assert "'宽带用户' -> 'x2'" in r.stderr


def test_unknown_indicator_suggests_the_id(write, fw):
    found = problems(write("u.csv", "unit,year,x1,X2\nA,2020,1,2\n"), framework=fw)
    unknown = next(p for p in found if "is not in framework" in p.message)
    assert "did you mean 'x2'?" in unknown.fix
    missing = next(p for p in found if "missing from the data" in p.message)
    assert "framework indicator 'x2' (named '宽带用户', 'Broadband users')" in missing.message


# ---- yearbook and cover sheets -----------------------------------------------------------------

def _yearbook(path, sheet_names, cover=False):
    with pd.ExcelWriter(path) as xw:
        if cover:
            pd.DataFrame({"数字经济统计年鉴（合成）": []}).to_excel(xw, sheet_name="封面", index=False)
        for k, name in enumerate(sheet_names):
            pd.DataFrame({"地区": PROVINCES, "2020年": [1 + k, 2 + k, 3 + k], "2021年": [2 + k, 3 + k, 4 + k],
                          "备注": ["", "合成", ""]}).to_excel(xw, sheet_name=name, index=False)
    return path


def test_yearbook_is_detected_by_sheet_names(tmp_path, fw):
    path = _yearbook(tmp_path / "yb.xlsx", ["数字经济规模", "x2"], cover=True)
    panel = load_data(path, framework=fw)
    table = panel.table.set_index(["unit", "year"])
    assert table.loc[("江苏省", 2021), "x1"] == 3.0 and table.loc[("江苏省", 2021), "x2"] == 4.0
    assert len(panel.table) == 6
    notes = messages(panel)
    assert any("read as a yearbook, one sheet per indicator (detected; --layout yearbook says so): "
               "'数字经济规模' -> 'x1', 'x2' -> 'x2'" in n for n in notes)
    assert any("sheets skipped (not yearbook tables): '封面'" in n for n in notes)


def test_yearbook_layout_option_and_csv(tmp_path, write, fw):
    path = _yearbook(tmp_path / "yb.xlsx", ["Digital economy size", "宽带用户"])
    assert len(load_data(path, framework=fw, layout="yearbook").table) == 6
    one = write("x1.csv", "地区,2020,2021\n浙江省,1,2\n")
    two = write("宽带用户.csv", "地区,2020,2021\n浙江省,3,4\n")
    panel = load_data([one, two], framework=fw, layout="yearbook")
    assert panel.table.set_index("year").loc[2021, ["x1", "x2"]].tolist() == [2.0, 4.0]


def test_yearbook_not_recognised_names_the_layout_and_option(tmp_path, fw_path):
    path = _yearbook(tmp_path / "yb.xlsx", ["Sheet1", "Sheet2"])
    r = cli("validate", fw_path, "--data", path)
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert f"error: {path}, sheet 'Sheet1': columns '2020年', '2021年' ... are years: this looks like a " \
           "yearbook layout (one sheet per indicator, years as columns)" in line
    assert "--layout yearbook" in line and "indicator 'Sheet1'" not in line and "'2020'" not in line
    r = cli("validate", fw_path, "--data", path, "--layout", "yearbook")
    assert r.exit_code == 2
    assert "sheet name 'Sheet1' is not an indicator of the framework" in r.stderr


def test_cover_sheet_gets_a_hint_naming_sheet(tmp_path, fw_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"封面 / cover": []}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"unit": ["A"], "year": [2020], "x1": [1], "x2": [2]}).to_excel(xw, sheet_name="数据",
                                                                                     index=False)
    r = cli("validate", fw_path, "--data", path)
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert f"error: {path}, sheet '说明': the first sheet '说明' holds no data table" in line
    assert "--sheet" in line and "sheets that look like data: '数据'" in line
    assert cli("validate", fw_path, "--data", path, "--sheet", "数据").exit_code == 0


# ---- regions and groups files -----------------------------------------------------------------

def test_regions_file_with_short_names_gets_suggestions(write, fw):
    data = write("d.csv", "unit,year,x1,x2\n浙江省,2020,1,2\n江苏省,2020,3,4\n")
    regions = write("r.csv", "unit,parent\n浙江,华东\n江苏,华东\n")
    found = problems(data, framework=fw, regions=regions)
    assert [p.message for p in found] == ["unit '江苏省' has no parent", "unit '浙江省' has no parent"]
    assert found[1].file == str(regions)
    assert found[1].fix.startswith("did you mean '浙江' (row 2)?") and "--units-in 全国" in found[1].fix
    # read as regions, both files name the same units
    panel = load_data(data, framework=fw, regions=regions, units_in="全国")
    assert panel.parents == {"33": "华东", "32": "华东"}


def test_regions_file_resolved_like_the_data(write, fw):
    data = write("d.csv", "unit,year,x1,x2\n桐乡,2020,1,2\n西湖区,2020,3,4\n")
    regions = write("r.csv", "unit,parent\n330483,嘉兴\nXihu District,杭州市\n")
    panel = load_data(data, framework=fw, regions=regions, units_in="浙江")
    assert panel.parents == {"330483": "3304", "330106": "3301"}
    (p,) = problems(data, framework=fw, regions=write("r2.csv", "unit,parent\n桐相,嘉兴\n"), units_in="浙江")
    assert "unknown region '桐相'" in p.message and "did you mean 桐乡市" in p.fix
    assert p.file.endswith("r2.csv") and p.row == 2 and p.column == "unit"


def test_groups_file(write):
    groups = write("g.csv", "地区,分组\n浙江省,East\n江苏省,East\n湖北省,Central\n")
    assert load_groups(groups) == {"浙江省": "East", "江苏省": "East", "湖北省": "Central"}
    assert load_groups(groups, units_in="全国", level="province") == {"33": "East", "32": "East",
                                                                      "42": "Central"}
    with pytest.raises(InputError) as info:
        load_groups(groups, units=["浙江", "江苏省", "湖北省"])
    (p,) = info.value.problems
    assert p.message == "unit '浙江' of the data has no group"
    assert p.fix.startswith("did you mean '浙江省' (in g.csv)?")
    bad = write("b.csv", "unit,group\nA,East\nA,West\nB,\n")
    with pytest.raises(InputError) as info:
        load_groups(bad)
    text = [str(p) for p in info.value.problems]
    assert any("row 3, column 'unit': unit 'A' is in group 'West' here but in 'East' at row 2" in t for t in text)
    assert any("row 4, column 'group': empty group" in t for t in text)
