"""Data loading: layouts, formats, encodings, and every validation error."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digindex import InputError, load_data, load_framework

FW = """\
id: t
tree:
  id: root
  children:
    - {id: x1}
    - {id: x2}
"""


@pytest.fixture
def fw(write):
    return load_framework(write("f.yaml", FW))


def problems(*args, **kwargs):
    with pytest.raises(InputError) as exc:
        load_data(*args, **kwargs)
    return exc.value.problems


def test_wide_and_long_give_the_same_panel(write, fw):
    wide = load_data(write("w.csv", "unit,year,x1,x2\nA,2020,1,2\nB,2020,3,\n"), framework=fw)
    long = load_data(write("l.csv", "unit,year,indicator,value\nA,2020,x1,1\nA,2020,x2,2\nB,2020,x1,3\n"),
                     framework=fw)
    pd.testing.assert_frame_equal(wide.table, long.table)
    assert np.isnan(wide.table.loc[1, "x2"])


def test_year_optional_for_one_period(write, fw):
    panel = load_data(write("w.csv", "unit,x1,x2\nA,1,2\nB,3,4\n"), framework=fw)
    assert list(panel.years) == [None, None]


def test_excel_sheet_and_parquet(tmp_path, fw):
    df = pd.DataFrame({"unit": ["A", "B"], "year": [2020, 2020], "x1": [1.0, 3.0], "x2": [2.0, 4.0]})
    with pd.ExcelWriter(tmp_path / "d.xlsx") as xw:
        pd.DataFrame({"note": ["cover"]}).to_excel(xw, sheet_name="cover", index=False)
        df.to_excel(xw, sheet_name="data", index=False)
    df.to_parquet(tmp_path / "d.parquet")
    a = load_data(tmp_path / "d.xlsx", framework=fw, sheet="data")
    b = load_data(tmp_path / "d.parquet", framework=fw)
    pd.testing.assert_frame_equal(a.table, b.table)
    (p,) = problems(tmp_path / "d.xlsx", framework=fw, sheet="nope")
    assert "no sheet 'nope'" in p.message and "data" in p.message


def test_gb18030_and_bom(write, fw):
    text = "unit,year,x1,x2\n桐乡市,2020,1,2\n"
    for enc in ("gb18030", "utf-8-sig"):
        panel = load_data(write(f"{enc}.csv", text, encoding=enc), framework=fw)
        assert panel.units[0] == "桐乡市"


def test_wrong_encoding(tmp_path, fw):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"unit,year,x1,x2\n\xff\xff\xff,2020,1,2\n")
    (p,) = problems(path, framework=fw)
    assert "neither UTF-8 nor GB18030" in p.message and "UTF-8" in p.fix


def test_empty_file(write, fw):
    (p,) = problems(write("e.csv", ""), framework=fw)
    assert "empty" in p.message and p.file.endswith("e.csv")
    (p,) = problems(write("h.csv", "unit,year,x1,x2\n"), framework=fw)
    assert "no data rows" in p.message


def test_unknown_and_missing_indicators(write, fw):
    found = problems(write("w.csv", "unit,year,x1,x3\nA,2020,1,2\n"), framework=fw)
    msgs = sorted(p.message for p in found)
    assert "framework indicator 'x2' is missing from the data" in msgs[0]
    assert "indicator 'x3' is not in framework 't'" in msgs[1]
    unknown = next(p for p in found if "x3" in p.message)
    assert unknown.column == "x3" and "data_columns" in unknown.fix


def test_non_numeric_cell_is_quoted(write, fw):
    (p,) = problems(write("w.csv", "unit,year,x1,x2\nA,2020,1,2\nB,2020,12%,4\n"), framework=fw)
    assert p.message == "not a number: '12%'" and p.row == 3 and p.column == "x1"


def test_missing_markers_are_missing(write, fw):
    panel = load_data(write("w.csv", "unit,year,x1,x2\nA,2020,NA,-\nB,2020,..,4\n"), framework=fw)
    assert panel.table[["x1", "x2"]].isna().sum().sum() == 3


def test_duplicate_rows(write, fw):
    (p,) = problems(write("l.csv", "unit,year,indicator,value\nA,2020,x1,1\nA,2020,x2,2\nA,2020,x1,3\n"),
                    framework=fw)
    assert "duplicate value for unit 'A', year 2020, indicator 'x1'" in p.message and p.row == 4
    # across files: an exact copy of a row is one problem (not one per cell)
    f1 = write("a.csv", "unit,year,x1,x2\nA,2020,1,2\n")
    f2 = write("b.csv", "unit,year,x1,x2\nA,2020,1,2\n")
    (p,) = problems([f1, f2], framework=fw)
    assert "this row repeats" in p.message and "a.csv row 2" in p.message
    assert p.file.endswith("b.csv") and p.row == 2


def test_bad_year_and_missing_unit_column(write, fw):
    (p,) = problems(write("w.csv", "unit,year,x1,x2\nA,20x0,1,2\n"), framework=fw)
    assert "year is not a whole number" in p.message and p.row == 2
    (p,) = problems(write("w.csv", "code,year,x1,x2\nA,2020,1,2\n"), framework=fw)
    assert "no 'unit' column" in p.message


def test_parents_from_column_and_regions_file(write, fw):
    panel = load_data(write("w.csv", "unit,parent,year,x1,x2\nA,P,2020,1,2\nB,Q,2020,3,4\n"), framework=fw)
    assert panel.parents == {"A": "P", "B": "Q"}
    regions = write("r.csv", "unit,parent\nA,P\nB,P\n")
    panel = load_data(write("v.csv", "unit,year,x1,x2\nA,2020,1,2\nB,2020,3,4\n"), framework=fw, regions=regions)
    assert panel.parents == {"A": "P", "B": "P"}
    (p,) = problems(write("u.csv", "unit,parent,year,x1,x2\nA,P,2020,1,2\nA,Q,2021,3,4\n"), framework=fw)
    assert "unit 'A' has parent 'Q' here but 'P'" in p.message and p.row == 3


def test_units_by_name_or_code_resolve_through_the_registry(write, fw):
    text = "unit,year,x1,x2\n桐乡,2020,1,2\nTongxiang,2021,3,4\n330106,2020,5,6\n嘉兴市,2020,7,8\n"
    panel = load_data(write("n.csv", text), framework=fw, units_in="浙江")
    assert sorted(panel.table["unit"]) == ["330106", "3304", "330483", "330483"]
    assert panel.parents["330483"] == "3304" and panel.parents["330106"] == "3301"
    assert panel.names["330483"] == "桐乡市"
    (p,) = problems(write("m.csv", "unit,year,x1,x2\n桐相,2020,1,2\n"), framework=fw, units_in="33")
    assert "unknown region '桐相'" in p.message and "did you mean 桐乡市" in p.fix
    assert p.row == 2 and p.column == "unit"
