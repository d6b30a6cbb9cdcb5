"""Short names, pinyin and English names of Chinese administrative units.

``short_name`` drops the unit's type suffix (市, 区, 县, 自治县 ...) and, for
autonomous units, the ethnic groups named before it: 景宁畲族自治县 -> 景宁.
Pinyin comes from ``pypinyin`` with a few corrections for place-name readings,
written the way place names are romanised: one word, capitalised, with an
apostrophe before a syllable starting with a, o or e (磐安 -> Pan'an).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Longest first, so that 自治县 is tried before 县.
TYPE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
                 "省", "市", "区", "县", "盟", "旗")
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
# an ethnic group at the end of a name: with 族, or (a group of two characters or more) without it,
# as Xinjiang's names write them (伊犁哈萨克自治州, 巴音郭楞蒙古自治州)
_ETHNIC_RE = re.compile("(?:(?:" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + ")族|(?:"
                        + "|".join(sorted((g for g in ETHNIC_GROUPS if len(g) > 1), key=len, reverse=True))
                        + "))$")
_GROUP_RE = re.compile("(" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + ")族?")
# the groups' English names (those of the State Ethnic Affairs Commission), which official English
# names of autonomous units use: 延边朝鲜族自治州 Yanbian Korean Autonomous Prefecture
ETHNIC_ENGLISH = {
    "蒙古": "Mongolian", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao",
    "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li",
    "傈僳": "Lisu", "佤": "Va", "畲": "She", "高山": "Gaoshan", "拉祜": "Lahu", "水": "Shui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz", "土": "Tu",
    "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar", "毛南": "Maonan",
    "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi", "塔吉克": "Tajik", "怒": "Nu",
    "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Ewenki", "德昂": "Deang", "保安": "Bonan",
    "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar", "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen",
    "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino", "各": "Multi-ethnic",
}

TYPE_EN = {
    "省": "Province", "直辖市": "Municipality", "自治区": "Autonomous Region",
    "特别行政区": "Special Administrative Region", "地级市": "City", "自治州": "Autonomous Prefecture",
    "地区": "Prefecture", "盟": "League", "市辖区": "District", "县级市": "City", "县": "County",
    "自治县": "Autonomous County", "旗": "Banner", "自治旗": "Autonomous Banner",
    "林区": "Forestry District", "特区": "Special District",
}

# pypinyin readings that differ from the place name's accepted romanisation.
PINYIN_OVERRIDES = {
    "莲都": "Liandu",
    "乐清": "Yueqing",
    "长兴": "Changxing",
    "嵊州": "Shengzhou",
    "嵊泗": "Shengsi",
    "台州": "Taizhou",
    "丽水": "Lishui",
    "陕西": "Shaanxi",  # the official spelling, which tells it from 山西 Shanxi
    # names pypinyin reads as in ordinary words, not as the places are called
    "长子": "Zhangzi", "闵行": "Minhang", "六合": "Luhe", "蚌山": "Bengshan", "涡阳": "Guoyang",
    "单县": "Shanxian", "浚县": "Xunxian", "南乐": "Nanle", "民乐": "Minle", "洪洞": "Hongtong",
    "筠连": "Junlian", "繁峙": "Fanshi", "曾都": "Zengdu", "万柏林": "Wanbailin", "中牟": "Zhongmou",
    "荥经": "Yingjing", "阿勒泰": "Aletai", "泊头": "Botou", "伽师": "Jiashi", "召陵": "Shaoling",
    "穆棱": "Muling", "称多": "Chenduo", "佛冈": "Fogang", "佛坪": "Foping", "龙圩": "Longxu",
    "崆峒": "Kongtong", "珲春": "Hunchun",
}
# characters read one way in every place name, which pypinyin reads otherwise in some of them
# (都 dū not dōu: 信都 Xindu; 长 cháng not zhǎng: 长治 Changzhi, but 长子 Zhangzi above; 什 shí:
# 什邡 Shifang; 勒 lè in the transliterated names: 库尔勒 Ku'erle, 锡林郭勒 Xilinguole)
PLACE_READINGS = {"都": "du", "长": "chang", "什": "shi", "勒": "le"}
# short names that the type suffixes would cut wrongly (万柏林区 is a 区, not a 林区 like 神农架林区)
SHORT_NAMES = {"万柏林区": "万柏林"}

# Provinces whose usual short name is not "the name without its suffix and ethnic groups"
# (新疆维吾尔自治区 names 维吾尔 without 族), or whose English name is not pinyin + type.
PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}
PROVINCE_ENGLISH = {
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
    "西藏自治区": "Xizang (Tibet) Autonomous Region",
    "宁夏回族自治区": "Ningxia Hui Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "香港特别行政区": "Hong Kong Special Administrative Region",
    "澳门特别行政区": "Macao Special Administrative Region",
}
# Short forms in common use that are not the short name (Xinjiang's tables: 巴州, 博州, 克州).
CHINESE_ALIASES = {"巴音郭楞蒙古自治州": ("巴州",), "博尔塔拉蒙古自治州": ("博州",), "克孜勒苏柯尔克孜自治州": ("克州",)}
# Other names in common use (matched like pinyin: case, spaces and hyphens ignored).
LATIN_ALIASES = {
    "北京市": ("Peking",),
    "内蒙古自治区": ("Inner Mongolia", "Nei Mongol", "Inner Mongolia Autonomous Region"),
    "广西壮族自治区": ("Guangxi Zhuang", "Guangxi Autonomous Region"),
    "西藏自治区": ("Tibet", "Tibet Autonomous Region", "Xizang Autonomous Region"),
    "宁夏回族自治区": ("Ningxia Hui",),
    "新疆维吾尔自治区": ("Xinjiang Uyghur", "Xinjiang Uyghur Autonomous Region",
                     "Xinjiang Autonomous Region"),
    "香港特别行政区": ("Hong Kong", "Hongkong", "HKSAR", "Hong Kong SAR", "Xianggang"),
    "澳门特别行政区": ("Macao", "Macau", "Macao SAR", "Macau SAR", "Aomen"),
    # the English names of places in minority regions, as English-language data write them
    "乌鲁木齐市": ("Urumqi", "Ürümqi"), "喀什地区": ("Kashgar",), "库尔勒市": ("Korla",),
    "吐鲁番市": ("Turpan",), "和田地区": ("Hotan",), "克拉玛依市": ("Karamay",), "阿勒泰地区": ("Altay",),
    "伊犁哈萨克自治州": ("Ili",), "哈密市": ("Kumul",), "阿克苏地区": ("Aksu",),
    "巴音郭楞蒙古自治州": ("Bayingolin",), "拉萨市": ("Lhasa",), "日喀则市": ("Shigatse",),
    "呼和浩特市": ("Hohhot",), "鄂尔多斯市": ("Ordos",), "呼伦贝尔市": ("Hulunbuir",),
    "锡林郭勒盟": ("Xilingol",),
}


def short_name(name: str) -> str:
    """``name`` without its type suffix (and ethnic groups of an autonomous unit).

    A name that would shrink to a single character keeps its suffix (忠县, 城区).
    """
    if name in PROVINCE_SHORT:
        return PROVINCE_SHORT[name]
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    base = name
    for suffix in TYPE_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    if base != name and name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        while True:
            stripped = _ETHNIC_RE.sub("", base)
            if stripped == base or not stripped:
                break
            base = stripped
    return base if len(base) >= 2 else name


def short_forms(name: str) -> list[str]:
    """The shorter forms ``name`` is written in: its short name, and for an autonomous prefecture,
    county or banner the short name with 州, 县 or 旗 (甘孜藏族自治州: 甘孜 and 甘孜州), as tables write them."""
    short = short_name(name)
    if short == name:
        return []
    forms = [short]
    for suffix, abbreviated in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if name.endswith(suffix):
            forms.append(short + abbreviated)
    return forms + list(CHINESE_ALIASES.get(name, ()))


def ethnic_part(name: str) -> str:
    """The ethnic groups of an autonomous unit's name: 景宁畲族自治县 -> 畲族."""
    if name in PROVINCE_SHORT:
        return ""
    for suffix in ("自治区", "自治州", "自治县", "自治旗"):
        if name.endswith(suffix):
            rest = name[: -len(suffix)]
            return rest[len(short_name(name)):] if short_name(name) != name else ""
    return ""


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    if len(syllables) != len(text):  # not one syllable per character: as pypinyin gives them
        return syllables
    return [PLACE_READINGS.get(c, s) for c, s in zip(text, syllables)]


def _join(syllables: list[str]) -> str:
    out = ""
    for syl in syllables:
        if out and syl[:1] in ("a", "o", "e"):
            out += "'"
        out += syl
    return out[:1].upper() + out[1:]


def to_pinyin(text: str) -> str:
    """Place-name pinyin of ``text``: 桐乡 -> Tongxiang, 磐安 -> Pan'an."""
    return PINYIN_OVERRIDES.get(text) or _join(_syllables(text))


# The registry's names romanised by these rules ahead of time (pypinyin takes 0.2-0.3 s to load
# and 0.1 s to romanise the 3,200 units, which a national run's English labels and lookups by pinyin
# need). Written by ``python scripts/romanise_regions.py``; read only while this file is unchanged.
ROMANISED = Path(__file__).with_name("romanised.json")


def rules_digest() -> str:
    """The hash of this file: the rules a romanised table was written by."""
    import hashlib

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def _romanised() -> dict[str, list[str]]:
    import json

    try:
        table = json.loads(ROMANISED.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(table, dict) or table.get("rules") != rules_digest():
        return {}  # written by other rules: romanise afresh
    names = table.get("names")  # "name\ttype": [short, pinyin, full pinyin, English]
    return names if isinstance(names, dict) else {}


def write_romanised(units, path: Path = ROMANISED) -> int:
    """Write the romanised table of ``units`` ((name, type) pairs) computed afresh; returns its size."""
    import json

    pairs = sorted(set(units))
    lines = [json.dumps(f"{n}\t{t}", ensure_ascii=False) + ": " + json.dumps(_romanise(n, t), ensure_ascii=False)
             for n, t in pairs]  # one unit a line, so that a change reads as a diff
    path.write_text(f'{{"rules": "{rules_digest()}", "names": {{\n' + ",\n".join(lines) + "\n}}\n", "utf-8")
    return len(pairs)


@lru_cache(maxsize=None)
def romanise(name: str, type_: str) -> tuple[str, str, str, str]:
    """(short name, pinyin of the short name, pinyin of the full name, English name): from the
    romanised table for the registry's names, else computed (:func:`_romanise`)."""
    known = _romanised().get(f"{name}\t{type_}")
    return tuple(known) if known else _romanise(name, type_)


def _romanise(name: str, type_: str) -> tuple[str, str, str, str]:
    """:func:`romanise` computed: one pypinyin call per name."""
    short = short_name(name)
    if name in PROVINCE_ENGLISH:
        pinyin = to_pinyin(short)
        return short, pinyin, pinyin + _join(_syllables(name[len(short):])).lower(), PROVINCE_ENGLISH[name]
    syl = _syllables(name)
    if len(syl) != len(name):  # not all Han characters: romanise the parts separately
        pinyin = to_pinyin(short)
        return short, pinyin, to_pinyin(name), f"{pinyin} {TYPE_EN.get(type_, '')}".strip()
    pinyin = PINYIN_OVERRIDES.get(short) or _join(syl[: len(short)])
    full = pinyin + _join(syl[len(short):]).lower() if short in PINYIN_OVERRIDES else _join(syl)
    if short == name:  # suffix kept (忠县): its pinyin already says the type
        return short, pinyin, full, pinyin
    groups = [ETHNIC_ENGLISH[g] for g in _GROUP_RE.findall(ethnic_part(name))]
    if len(groups) > 1:  # Xiangxi Tujia and Miao, Jishishan Bonan, Dongxiang and Salar
        groups = [", ".join(groups[:-1]) + " and " + groups[-1]]
    return short, pinyin, full, " ".join([pinyin, *groups, TYPE_EN.get(type_, "")]).strip()


def english_name(name: str, type_: str) -> str:
    """An English name: pinyin of the short name plus the type, e.g. 'Tongxiang City'."""
    return romanise(name, type_)[3]


def key(text: str) -> str:
    """A lookup key: NFKC, lower case, no spaces, apostrophes or hyphens; ü and v read as u."""
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    text = re.sub(r"[\s'’`\-_.·]", "", text)
    return text.replace("ü", "u").replace("v", "u")
