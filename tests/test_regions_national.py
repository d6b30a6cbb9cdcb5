"""Regions of all of China: national scope, province names, level inference, one unit per region.

Every data set here is generated in the test (not the Zhejiang demo): a synthetic panel of the
31 provinces, 2013-2022, 20 indicators in 5 dimensions, written as an Excel workbook (wide) plus
a GB18030 CSV with the province names in mixed forms; the cities of one province; and every
county-level unit of the registry.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import digindex.data.panel as panel_module
from digindex import InputError, load_data, load_framework, load_groups
from digindex.cli import app
from digindex.regions import (UnknownRegion, common_scope, infer_level, lookup, parse_scope, registry,
                              resolve_column)

runner = CliRunner()
YEARS = list(range(2013, 2023))
INDICATORS = [f"x{i + 1}" for i in range(20)]
# How the CSV writes some provinces (others: the short name, 浙江 for 浙江省).
CSV_FORMS = {"65": "新疆", "15": "Inner Mongolia", "45": "Guangxi", "54": "Tibet", "64": "宁夏",
             "11": "Beijing", "61": "Shaanxi", "14": "Shanxi", "22": "吉林", "46": "Hainan"}


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


# ---- lookups ----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, code", [
    ("新疆", "65"), ("新疆维吾尔自治区", "65"), ("Xinjiang", "65"), ("650000", "65"),
    ("内蒙古", "15"), ("Inner Mongolia", "15"), ("Nei Mongol", "15"), ("内蒙古自治区", "15"),
    ("西藏", "54"), ("Tibet", "54"), ("Xizang", "54"), ("广西", "45"), ("Guangxi", "45"),
    ("宁夏", "64"), ("Ningxia", "64"), ("香港", "81"), ("Hong Kong", "81"), ("Macao", "82"),
    ("Macau", "82"), ("澳门", "82"), ("Beijing", "11"), ("北京", "11"), ("Shaanxi", "61"),
    ("Shanxi", "14"), ("陕西", "61"), ("山西", "14"), ("浙江", "33"), ("ZHEJIANG", "33"),
])
def test_province_names_codes_pinyin_and_english(query, code):
    assert lookup(query, level="province").code == code
    if query != "Xinjiang":  # also 新绛县 in pinyin: a province only at province level
        assert lookup(query).code == code


@pytest.mark.parametrize("query, code", [("吉林", "22"), ("海南", "46"), ("Hainan", "46"),
                                         ("河北", "13"), ("河南", "41"), ("Jilin", "22")])
def test_province_wins_over_same_named_units_at_province_level(query, code):
    assert lookup(query, level="province").code == code


def test_xinjiang_is_not_tibet_nor_xinjiang_county():
    # the issue: lookup('新疆', level='province') suggested 西藏自治区; report profile 新疆 suggested 新绛县
    assert lookup("新疆", level="province").name == "新疆维吾尔自治区"
    assert lookup("新疆").name == "新疆维吾尔自治区"
    reg = registry()
    assert reg["65"].short_name == "新疆" and reg["65"].pinyin == "Xinjiang"
    assert reg["65"].name_en == "Xinjiang Uygur Autonomous Region"
    assert reg["15"].name_en == "Inner Mongolia Autonomous Region"
    assert reg["61"].pinyin == "Shaanxi" and reg["14"].pinyin == "Shanxi"


def test_a_unit_of_another_level_says_what_it_is():
    with pytest.raises(UnknownRegion) as info:
        lookup("桐乡", level="province")
    assert "'桐乡' is not a province: it is 桐乡市 (330483, 嘉兴市), a county-level unit" in str(info.value)


@pytest.mark.parametrize("name", ["全国", "中国", "China", "china", "CN", "cn", "PRC", "中华人民共和国"])
def test_the_whole_country(name):
    scope = parse_scope(name)
    assert scope.region is None and scope.prefix == "" and scope.label == "全国"
    with pytest.raises(UnknownRegion, match="names the whole country"):
        lookup(name)


def test_scopes_of_every_level():
    assert parse_scope("浙江").prefix == "33"
    assert parse_scope("吉林").prefix == "22"       # ambiguous: read at its highest level
    assert parse_scope("嘉兴").prefix == "3304"
    assert parse_scope("桐乡").prefix == "330483"
    assert common_scope(["330483", "330106"]).prefix == "33"
    assert common_scope(["330483", "330481"]).prefix == "3304"
    assert common_scope(["33", "65"]).region is None
    with pytest.raises(InputError, match="--units-in: unknown region '浙将'.*全国"):
        parse_scope("浙将")


def test_level_inference():
    provinces = [r.short_name for r in registry() if r.level == "province"]
    assert infer_level(provinces) == "province"
    assert infer_level(["吉林", "海南"]) is None  # a tie: each is a province and a city
    assert infer_level(["吉林", "海南", "浙江"]) == "province"
    assert infer_level(["桐乡", "西湖区", "嘉兴"]) == "county"
    # inferred province: 吉林 and 海南 are provinces; given city: 吉林 is the city
    assert resolve_column(["吉林", "海南", "浙江", "Tibet"]) == ["22", "46", "33", "54"]
    assert resolve_column(["吉林"], level="city") == ["2202"]


def test_context_tells_same_named_units_apart():
    assert resolve_column(["朝阳区"], within="11") == ["110105"]
    assert resolve_column(["朝阳区"], within="2201") == ["220104"]
    with pytest.raises(InputError, match="matches 2 units"):
        resolve_column(["朝阳区"])


# ---- a synthetic panel of 31 provinces ----------------------------------------------------------

def _provinces():
    return [r for r in registry() if r.level == "province" and r.code not in ("81", "82")]


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    """fw.yaml; wide.xlsx (x1-x10, full names, 地区/年份) and more.csv (x11-x20, GB18030,
    short/English names, 省份/年度); codes.csv, the same values keyed by code."""
    root = tmp_path_factory.mktemp("provinces")
    fw = {"id": "prov", "name": {"en": "Provincial digital economy", "zh": "省级数字经济"},
          "tree": {"id": "root", "children": [
              {"id": f"d{d + 1}", "name": {"en": f"Dimension {d + 1}", "zh": f"维度{d + 1}"},
               "children": [{"id": INDICATORS[d * 4 + k]} for k in range(4)]} for d in range(5)]}}
    (root / "fw.yaml").write_text(yaml.safe_dump(fw, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(13)
    provs = _provinces()
    base = rng.uniform(1, 10, (len(provs), 20))
    growth = rng.uniform(1.03, 1.25, 20)
    values = np.array([[base[i] * growth ** t for t in range(len(YEARS))] for i in range(len(provs))])
    values = values.round(4).reshape(-1, 20)
    code = np.repeat([p.code for p in provs], len(YEARS))
    year = np.tile(YEARS, len(provs))
    full = np.repeat([p.name for p in provs], len(YEARS))
    other = np.repeat([CSV_FORMS.get(p.code, p.short_name) for p in provs], len(YEARS))
    wide = pd.DataFrame(values[:, :10], columns=INDICATORS[:10])
    wide.insert(0, "年份", year)
    wide.insert(0, "地区", full)
    with pd.ExcelWriter(root / "wide.xlsx") as xw:
        wide.to_excel(xw, sheet_name="data", index=False)
    more = pd.DataFrame(values[:, 10:], columns=INDICATORS[10:])
    more.insert(0, "年度", year)
    more.insert(0, "省份", other)
    more.to_csv(root / "more.csv", index=False, encoding="gb18030")
    codes = pd.DataFrame(values, columns=INDICATORS)
    codes.insert(0, "year", year)
    codes.insert(0, "unit", code)
    codes.to_csv(root / "codes.csv", index=False)
    return root


def test_mixed_forms_without_units_in_stop_with_exit_2(provinces):
    out = provinces / "out_refused"
    r = cli("run", provinces / "fw.yaml", "--data", provinces / "wide.xlsx", "--data",
            provinces / "more.csv", "--out", out)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines)
    zhejiang = next(line for line in lines if "'浙江省'" in line)
    assert "'浙江' are one region, 浙江省 (33), but as written they would be two units" in zhejiang
    assert "more.csv" in zhejiang and "column '省份'" in zhejiang and "wide.xlsx, sheet 'data', row" in zhejiang
    assert "--units-in 全国" in zhejiang
    assert any("'内蒙古自治区'" in line and "'Inner Mongolia'" in line for line in lines)
    assert any("11 more regions are written in two forms" in line for line in lines)  # 20 + 11 = 31
    assert not out.exists()
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "wide.xlsx", "--data",
            provinces / "more.csv")
    assert r.exit_code == 2 and "--units-in 全国" in r.stderr


@pytest.mark.parametrize("scope", ["全国", "中国", "China", "CN"])
def test_units_in_the_whole_country_makes_31_units(provinces, scope):
    fw = load_framework(provinces / "fw.yaml")
    panel = load_data([provinces / "wide.xlsx", provinces / "more.csv"], framework=fw, units_in=scope)
    assert sorted(set(panel.units)) == sorted(p.code for p in _provinces())
    assert len(panel.table) == 31 * 10 and panel.level == "province"
    assert panel.names["65"] == "新疆维吾尔自治区" and panel.names["15"] == "内蒙古自治区"
    assert not panel.table[INDICATORS].isna().any().any()
    messages = [n.message for n in panel.notes]
    assert any("units read as provinces of 全国 (inferred from the names" in m for m in messages)
    assert any("31 regions are written in more than one form" in m and "浙江省 / 浙江 -> 浙江省 (33)" not in m
               for m in messages)


def test_merged_panel_equals_the_panel_written_by_code(provinces, tmp_path):
    """Independent check: names resolved and merged give the same results as codes alone."""
    a = cli("run", provinces / "fw.yaml", "--data", provinces / "wide.xlsx", "--data",
            provinces / "more.csv", "--units-in", "全国", "--out", tmp_path / "names")
    assert a.exit_code == 0, a.output
    assert "note: units read as provinces of 全国" in a.stderr
    b = cli("run", provinces / "fw.yaml", "--data", provinces / "codes.csv", "--out", tmp_path / "codes")
    assert b.exit_code == 0, b.output
    ra = pd.read_csv(tmp_path / "names" / "results.csv", dtype={"unit": str})
    rb = pd.read_csv(tmp_path / "codes" / "results.csv", dtype={"unit": str})
    key = ["unit", "year", "node"]
    ra, rb = ra.sort_values(key).reset_index(drop=True), rb.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(ra, rb)
    assert ra["unit"].nunique() == 31


def test_two_forms_with_equal_values_merge_with_a_note(provinces, tmp_path):
    more = pd.read_csv(provinces / "more.csv", encoding="gb18030", dtype=str)
    wide = pd.read_excel(provinces / "wide.xlsx", dtype=str)
    more["x1"] = wide["x1"].to_numpy()  # the CSV repeats x1, with the same values
    more.to_csv(tmp_path / "overlap.csv", index=False, encoding="gb18030")
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "wide.xlsx", "--data",
            tmp_path / "overlap.csv", "--units-in", "全国")
    assert r.exit_code == 0, r.output
    assert "note: 31 region(s) written in two forms held the same cells with equal values (310 cells), " \
           "merged" in r.stderr
    assert "data: 31 units × 10 period(s), 0 missing values — ok" in r.stdout


def test_two_forms_with_different_values_stop_naming_both(provinces, tmp_path):
    more = pd.read_csv(provinces / "more.csv", encoding="gb18030", dtype=str)
    wide = pd.read_excel(provinces / "wide.xlsx", dtype=str)
    more["x1"] = wide["x1"].to_numpy()
    row = int(np.flatnonzero((more["省份"] == "浙江").to_numpy())[3])  # 浙江, 2016
    more.loc[row, "x1"] = "999"
    more.to_csv(tmp_path / "conflict.csv", index=False, encoding="gb18030")
    out = tmp_path / "out"
    r = cli("run", provinces / "fw.yaml", "--data", provinces / "wide.xlsx", "--data",
            tmp_path / "conflict.csv", "--units-in", "全国", "--out", out)
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    wide_row = int(np.flatnonzero((wide["地区"] == "浙江省").to_numpy())[3]) + 2
    assert line.startswith(f"error: {tmp_path / 'conflict.csv'}, row {row + 2}, column 'x1': "
                           "'浙江省' and '浙江' are one region, 浙江省 (33), but hold different values "
                           "for year 2016, indicator 'x1'")
    assert f"({provinces / 'wide.xlsx'}, sheet 'data', row {wide_row}, column 'x1') and 999" in line
    assert "Fix:" in line
    assert not out.exists()


def test_level_option(provinces):
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "codes.csv", "--units-in", "全国",
            "--level", "province")
    assert r.exit_code == 0, r.output
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "codes.csv", "--units-in", "全国",
            "--level", "county")
    assert r.exit_code == 2
    assert "'11' is not a county-level unit: it is 北京市 (11), a province" in r.stderr
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "codes.csv", "--level", "province")
    assert r.exit_code == 2 and "needs a scope of region names (--units-in)" in r.stderr
    r = cli("validate", provinces / "fw.yaml", "--data", provinces / "codes.csv", "--units-in", "全国",
            "--level", "town")
    assert r.exit_code == 2 and "--level must be province, city or county, not 'town'" in r.stderr


def test_groups_file_goes_through_the_same_resolution(provinces, tmp_path):
    east = {"11", "12", "13", "21", "31", "32", "33", "35", "37", "44", "46"}
    rows = [(CSV_FORMS.get(p.code, p.name), "East" if p.code in east else "Central/West")
            for p in _provinces()]
    path = tmp_path / "groups.csv"
    pd.DataFrame(rows, columns=["省份", "group"]).to_csv(path, index=False)
    codes = [p.code for p in _provinces()]
    groups = load_groups(path, units_in="全国", units=codes)
    assert len(groups) == 31 and {c for c, g in groups.items() if g == "East"} == east
    with pytest.raises(InputError) as info:  # 浙江 and 浙江省 in one groups file, no scope
        pd.DataFrame([("浙江", "East"), ("浙江省", "East")], columns=["unit", "group"]).to_csv(
            tmp_path / "g2.csv", index=False)
        load_groups(tmp_path / "g2.csv")
    assert "are one region, 浙江省 (33)" in str(info.value) and "--units-in 浙江" in str(info.value)


# ---- a province's cities ----------------------------------------------------------------------

def test_cities_of_one_province(tmp_path):
    reg = registry()
    cities = reg.children("44")  # Guangdong: 21 prefecture-level cities
    assert len(cities) == 21
    forms = [c.short_name if i % 3 == 0 else c.pinyin if i % 3 == 1 else c.code for i, c in enumerate(cities)]
    text = "unit,year,x1\n" + "".join(f"{f},2022,{i}\n" for i, f in enumerate(forms))
    (tmp_path / "fw.yaml").write_text("id: c\ntree:\n  id: root\n  children:\n    - {id: x1}\n")
    (tmp_path / "gd.csv").write_text(text, encoding="utf-8")
    fw = load_framework(tmp_path / "fw.yaml")
    panel = load_data(tmp_path / "gd.csv", framework=fw, units_in="广东")
    assert sorted(panel.units) == sorted(c.code for c in cities)
    assert panel.level == "prefecture" and set(panel.parents.values()) == {"44"}
    assert panel.names["4403"] == "深圳市"
    # without a scope they stay as written (one unit each): a note says how to read them as regions
    plain = load_data(tmp_path / "gd.csv", framework=fw)
    assert sorted(plain.units) == sorted(forms)
    said = [str(n) for n in plain.notes if "several forms" in str(n)]
    assert len(said) == 1 and "regions of 广东省" in said[0] and "--units-in 广东" in said[0], plain.notes
    # one form throughout (all codes, all full names): nothing to say
    for one in ([c.code for c in cities], [c.name for c in cities]):
        (tmp_path / "one.csv").write_text("unit,year,x1\n" + "".join(f"{f},2022,{i}\n" for i, f in enumerate(one)),
                                          encoding="utf-8")
        assert not [n for n in load_data(tmp_path / "one.csv", framework=fw).notes if "several forms" in str(n)]
    with pytest.raises(InputError, match="unknown region 'Hangzhou' in 广东省"):
        (tmp_path / "bad.csv").write_text("unit,year,x1\nHangzhou,2022,1\nGuangzhou,2022,2\n")
        load_data(tmp_path / "bad.csv", framework=fw, units_in="广东")


# ---- every county of China --------------------------------------------------------------------

@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    root = tmp_path_factory.mktemp("counties")
    reg = registry()
    units = [r for r in reg if r.level == "county"]
    years = [2020, 2021, 2022]
    rng = np.random.default_rng(3)
    n = len(units) * len(years)
    frame = pd.DataFrame(rng.uniform(1, 100, (n, 5)).round(3), columns=[f"x{i}" for i in range(5)])
    frame.insert(0, "year", np.tile(years, len(units)))
    frame.insert(0, "unit", np.repeat([u.code for u in units], len(years)))
    frame.to_csv(root / "codes.csv", index=False)
    named = frame.copy()
    named["unit"] = np.repeat([u.name for u in units], len(years))
    named.insert(1, "城市", np.repeat([reg[u.parent].name for u in units], len(years)))
    named.to_csv(root / "names.csv", index=False)
    (root / "fw.yaml").write_text("id: n\ntree:\n  id: root\n  children:\n"
                                  + "".join(f"    - {{id: x{i}}}\n" for i in range(5)))
    return root, units


def _timed_resolution(monkeypatch):
    spent = []
    original = panel_module.read_units

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = original(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        return out

    monkeypatch.setattr(panel_module, "read_units", timed)
    return spent


@pytest.mark.parametrize("file", ["codes.csv", "names.csv"])
def test_national_county_panel_resolves_quickly(counties, monkeypatch, file):
    root, units = counties
    registry()  # built once per process
    fw = load_framework(root / "fw.yaml")
    spent = _timed_resolution(monkeypatch)
    panel = load_data(root / file, framework=fw, units_in="全国")
    assert sorted(set(panel.units)) == sorted(u.code for u in units) and len(units) == 2845
    assert panel.level == "county"
    assert spent[0] < 1.0, f"resolving 2,845 counties took {spent[0]:.2f} s"
    # 朝阳区 of Beijing and of Changchun stay two units (the 城市 column tells them apart)
    assert {"110105", "220104"} <= set(panel.units)
    assert panel.parents["330483"] == "3304" and panel.parents["110105"] == "11"


def test_national_county_names_without_units_in_are_refused(counties):
    root, _ = counties
    r = cli("validate", root / "fw.yaml", "--data", root / "names.csv")
    assert r.exit_code == 2
    assert "'朝阳区' is a unit of several regions (北京市, 长春市), but as written it would be one unit" \
        in r.stderr
    assert "--units-in 全国" in r.stderr


def test_report_profile_finds_xinjiang(provinces, tmp_path):
    # the issue: `report profile 新疆` suggested 新绛县
    out = tmp_path / "xj.html"
    r = cli("report", "profile", "新疆", "--data", provinces / "codes.csv", "--framework",
            provinces / "fw.yaml", "--out", out, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "<title>Xinjiang Uygur Autonomous Region" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("header", ["所属市", "地级市", "所属城市"])
def test_a_units_city_in_the_forms_tables_give_it(tmp_path, header):
    """市中区 is a district of 内江市 and of 乐山市: a 所属市 (地级市, 所属城市) column tells
    them apart as a 城市 column does."""
    (tmp_path / "fw.yaml").write_text("id: n\ntree:\n  id: root\n  children:\n    - {id: x1}\n")
    pd.DataFrame({"区县": ["市中区", "市中区", "威远县"], header: ["内江市", "乐山市", "内江市"],
                  "年份": [2022] * 3, "x1": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "d.csv", index=False)
    panel = load_data(tmp_path / "d.csv", framework=load_framework(tmp_path / "fw.yaml"), units_in="四川")
    assert list(panel.units) == ["511002", "511102", "511024"]


def test_units_sharing_a_name_are_labelled_with_their_city(tmp_path):
    """Charts, reports and explanations name units by Panel.labels(): two 市中区 become
    市中区（内江市） and 市中区（乐山市）."""
    (tmp_path / "fw.yaml").write_text("id: n\ntree:\n  id: root\n  children:\n    - {id: x1}\n")
    pd.DataFrame({"区县": ["市中区", "市中区", "威远县"], "所属市": ["内江市", "乐山市", "内江市"],
                  "年份": [2022] * 3, "x1": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "d.csv", index=False)
    panel = load_data(tmp_path / "d.csv", framework=load_framework(tmp_path / "fw.yaml"), units_in="四川")
    assert panel.labels() == {"511002": "市中区（内江市）", "511102": "市中区（乐山市）", "511024": "威远县"}
    assert panel.names["511002"] == "市中区"  # the names themselves stay as they are
    assert panel.labels("en")["511102"] == "Shizhong District (Leshan City)"
    assert panel.labels("en")["511024"] == panel.name("511024", "en") == "Weiyuan County"
    assert panel.name("5111") == "乐山市"  # a parent region, by the registry
    from digindex import evaluate
    from digindex.explain._base import name_of
    from digindex.reports.population import unit_names

    ev = evaluate(load_framework(tmp_path / "fw.yaml"), panel)
    assert name_of(ev, "511102") == "市中区（乐山市）" and name_of(ev, "5111", "en") == "Leshan City"
    assert unit_names(ev, "511002") == {"zh": "市中区（内江市）", "en": "Shizhong District (Neijiang City)"}


def test_codes_of_another_scheme_are_not_named_as_chinese_regions(tmp_path):
    """US states by FIPS code: 11 is the District of Columbia, not 北京市. The data's names are
    shown; and without names, codes the registry does not have all (06) are shown as codes."""
    (tmp_path / "fw.yaml").write_text("id: n\ntree:\n  id: root\n  children:\n    - {id: x1}\n")
    states = {"06": "California", "11": "District of Columbia", "12": "Florida", "13": "Georgia"}
    frame = pd.DataFrame({"unit": list(states), "name": list(states.values()), "year": 2022,
                          "x1": [1.0, 2.0, 3.0, 4.0]})
    frame.to_csv(tmp_path / "named.csv", index=False)
    fw = load_framework(tmp_path / "fw.yaml")
    panel = load_data(tmp_path / "named.csv", framework=fw)
    assert panel.labels() == panel.labels("en") == states
    assert panel.regions() == {}
    frame.drop(columns="name").to_csv(tmp_path / "codes.csv", index=False)
    assert load_data(tmp_path / "codes.csv", framework=fw).labels("en") == {c: c for c in states}
    # the same codes named as the registry names them are the registry's regions (English names too)
    frame.assign(name=["x", "北京", "天津市", "Hebei"]).iloc[1:].to_csv(tmp_path / "cn.csv", index=False)
    cn = load_data(tmp_path / "cn.csv", framework=fw)
    assert cn.labels("en") == {"11": "Beijing Municipality", "12": "Tianjin Municipality", "13": "Hebei Province"}
    assert cn.labels() == {"11": "北京市", "12": "天津市", "13": "河北省"}
    # a name that is not the registry's is the data's: the data know their units
    frame.assign(name=["x", "首都", "天津市", "Hebei"]).iloc[1:].to_csv(tmp_path / "own.csv", index=False)
    assert load_data(tmp_path / "own.csv", framework=fw).labels("en")["11"] == "首都"
    assert load_data(tmp_path / "own.csv", framework=fw).labels("en")["12"] == "Tianjin Municipality"
