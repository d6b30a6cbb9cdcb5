"""Registry validation: every record accepted or rejected with a reason, counts add up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digindex.demo import credit_code
from digindex.errors import InputError
from digindex.microdata import SCHEMAS, derive_with_reports, write_derived

# Real, public unified social credit codes (valid check characters): Alibaba (China) Co., Ltd.,
# Shenzhen Tencent Computer Systems Co., Ltd.
ALIBABA, TENCENT = "91330100799655058B", "9144030071526726XG"
CODES = list(credit_code.generate(np.array(["330483"] * 16), np.random.default_rng(7)))
HEADER = ["统一社会信用代码", "企业名称", "行政区划代码", "行业分类", "成立日期", "经营状态", "注销日期",
          "上云年份", "经度", "纬度"]
BAD_CHECK = CODES[2][:17] + ("0" if CODES[2][17] != "0" else "1")

# (spreadsheet row, record, expected reason or None)
ROWS = [
    (2, [CODES[0], "甲", "330483", "01", "2015-03-01", "存续", "", "2018", "", ""], None),
    (3, [ALIBABA, "阿里巴巴", "330106", "0301", "2007/03/26", "在业", "", "", "", ""], None),
    (4, [BAD_CHECK, "丙", "330483", "01", "2015-03-01", "存续", "", "", "", ""], "bad_credit_code"),
    (5, [CODES[3], "丁", "339999", "02", "2016-01-01", "存续", "", "", "", ""], "unknown_region"),
    (6, [CODES[0], "甲2", "330483", "02", "2015-03-01", "存续", "", "", "", ""], "duplicate"),
    (7, [CODES[4], "戊", "330483", "03", "2099-01-01", "存续", "", "", "", ""], "impossible_founded"),
    (8, [CODES[5], "己", "330483", "03", "2018-05-01", "注销", "2017-01-01", "", "", ""],
     "closed_before_founded"),
    (9, [CODES[6], "庚", "330483", "03", "2020-02-30", "存续", "", "", "", ""], "bad_founded"),
    (10, [CODES[7], "辛", "330483", "07", "2015-01-01", "存续", "", "", "", ""], "bad_nbs_class"),
    (11, [CODES[8], "壬", "", "01", "2015-01-01", "存续", "", "", "", ""], "missing_region"),
    (12, [CODES[9], "癸", "330204", "01", "2015-01-01", "存续", "", "", "", ""], None),  # 江东区 -> 鄞州区
    (13, [CODES[10], "乌镇", "", "04", "2016-01-01", "存续", "", "2019", "120.487", "30.742"], None),
    (14, [CODES[11], "海上", "", "04", "2016-01-01", "存续", "", "", "123.5", "29.0"],
     "no_region_at_coordinates"),
    (15, [CODES[12], "子", "330483", "05", "2016-01-01", "存续", "2019-01-01", "", "", ""], "status_conflict"),
    (16, [TENCENT, "腾讯", "330483", "4", "2010-01-01", "吊销", "2021-06-01", "", "", ""], None),
]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("validate")
    path = d / "企业名录.csv"
    pd.DataFrame([r for _, r, _ in ROWS], columns=HEADER).to_csv(path, index=False, encoding="utf-8-sig")
    fw = d / "fw.yaml"
    fw.write_text("id: v\ntree:\n  id: root\n  children:\n"
                  "    - {id: stock, derive: {source: enterprises, measure: count, window: stock}}\n"
                  "    - {id: core, derive: {source: enterprises, filter: {nbs_class: ['01', '02', '03', '04']},"
                  " measure: count, window: stock}}\n", encoding="utf-8")
    out = d / "out" / "derived.csv"
    derivation = write_derived(fw, {"enterprises": path}, out, years=[2020],
                               units=["330483", "330106", "330212"])
    return {"derivation": derivation, "out": out, "file": str(path)}


def test_counts_add_up(result):
    rep = result["derivation"].reports["enterprises"]
    assert rep.input_rows == len(ROWS) == 15
    assert rep.accepted + rep.rejected == rep.input_rows
    expected = pd.Series([r for _, _, r in ROWS if r]).value_counts().to_dict()
    assert rep.reasons == expected
    assert rep.rejected == 10 and rep.accepted == 5
    assert rep.geo_assigned == 1 and rep.geo_unassigned == 1 and rep.remapped == 1


def test_rejected_rows_are_written_with_reasons(result):
    rejected = pd.read_csv(result["out"].parent / "derived_rejected" / "enterprises.csv",
                           dtype=str, keep_default_na=False)
    got = dict(zip(rejected["row"].astype(int), rejected["reason"]))
    assert got == {row: reason for row, _, reason in ROWS if reason}
    bad = rejected.set_index("reason")
    assert bad.loc["bad_founded", "detail"] == "2020-02-30"
    assert bad.loc["bad_nbs_class", "detail"] == "07"
    assert bad.loc["unknown_region", "detail"] == "339999"
    assert bad.loc["duplicate", "credit_code"] == CODES[0]


def test_problems_name_file_row_and_column(result):
    problems = {p.message.split("(")[1].split(")")[0]: p for p in result["derivation"].problems()
                if "records rejected" in p.message}
    p = problems["bad_credit_code"]
    assert p.file == result["file"] and p.row == 4 and p.column == "credit_code"
    assert p.message.startswith("1 of 15 records rejected")
    assert problems["duplicate"].row == 6
    assert any("inside no county" in p.message for p in result["derivation"].problems())


def test_accepted_records_feed_the_derivation(result):
    table = result["derivation"].table.set_index("unit")
    # 桐乡: rows 2 (A), 13 (placed by coordinates), 16 (Tencent, revoked 2021: in stock at end 2020);
    # 西湖区: Alibaba; 鄞州区: the retired 江东区 code.
    assert table.loc["330483", "stock"] == 3
    assert table.loc["330106", "stock"] == 1 and table.loc["330212", "stock"] == 1
    assert table.loc["330483", "core"] == 3  # classes 01, 04 and "4" read as 04


def _xlsx(df: pd.DataFrame, path):
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        df.to_excel(xw, index=False)
    return path


def test_projects_from_excel_with_chinese_headers(tmp_path):
    df = pd.DataFrame({"项目编号": ["X1", "X2", "X3", "X1", "X5"],
                       "行政区划代码": ["330483", "330483", "330483", "330483", "330483.0"],
                       "项目类型": ["digital_economy_investment"] * 5,
                       "年度": ["2019", "2019.0", "二〇一九", "2019", "2019"],
                       "计划总投资": [100, -5, 10, 7, 20]})
    path = _xlsx(df, tmp_path / "projects.xlsx")
    fw = tmp_path / "fw.yaml"
    fw.write_text("id: p\ntree:\n  id: root\n  children:\n    - {id: inv, derive: {source: projects, "
                  "measure: {sum: planned_investment}, window: flow}}\n", encoding="utf-8")
    d = derive_with_reports(fw, {"projects": path}, years=[2019], units=["330483"])
    rep = d.reports["projects"]
    assert rep.reasons == {"bad_planned_investment": 1, "bad_year": 1, "duplicate": 1}
    assert rep.accepted == 2 and rep.input_rows == 5
    assert rep.examples["bad_year"][0] == {"row": 4, "key": "X3", "detail": "二〇一九"}
    assert d.table["inv"].tolist() == [120]  # X1 (100) and X5 (20, region written 330483.0)


def test_structural_problems_are_errors(tmp_path):
    path = tmp_path / "platforms.csv"
    pd.DataFrame({"平台编号": ["A"], "级别": ["省级"], "行政区划代码": ["330483"]}).to_csv(path, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text("id: p\ntree:\n  id: root\n  children:\n    - {id: n, derive: {source: platforms, "
                  "measure: count, window: cumulative}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column 'year_recognised'") as err:
        derive_with_reports(fw, {"platforms": path}, years=[2020])
    assert "认定年份" in str(err.value)
    pd.DataFrame({"platform_id": ["A"], "id": ["B"], "level": ["national"], "region": ["330483"],
                  "year_recognised": [2020]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="both read as 'platform_id'"):
        derive_with_reports(fw, {"platforms": path}, years=[2020])


def test_every_schema_documents_its_columns():
    for schema in SCHEMAS.values():
        assert schema.required and all(c.doc for c in schema.columns)
        assert schema.event in schema.by_name
