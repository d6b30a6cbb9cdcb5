"""Reports for any population: the bulletin and the profile written as PDFs for China's provinces
(examples/china-provinces, grouped east/central/west), a province's cities (Sichuan's 21) and every
county of China (2,845), read back with poppler.

The words must follow the population (no county wording in a province report), names appear once,
years are plain, scores carry the decimals of their scale, a map is present and no text runs off
an A4 page. The numbers are checked against results.csv of ``digindex run`` and rankings computed
here with pandas. Boundaries and contiguity are cached in the user's cache (``$DIGINDEX_CACHE_DIR``,
else ``~/.cache/digindex``): the first run builds the national ones (about half a minute).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

from digindex.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report_panels

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
PROVINCES = EXAMPLES / "china-provinces"
COUNTY_WORDS = ("县（市、区）", "市内排名", "全省排名", "市中位数", "所属市", "Rank in city", "counties")


def cli(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


def _run(*args) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def pages(pdf) -> list[str]:
    return _run("pdftotext", "-enc", "UTF-8", pdf, "-").split("\f")[:-1]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def results(framework, data, out, *options) -> pd.DataFrame:
    cli("run", framework, "--data", data, "--out", out, *options)
    return pd.read_csv(out / "results.csv", dtype={"unit": str, "parent": str})


def write_reports(tmp, framework, data, unit, *options, lang="zh"):
    """The profile of ``unit`` and the bulletin, as PDFs through the command line."""
    profile, bulletin = tmp / f"profile_{lang}.pdf", tmp / f"bulletin_{lang}.pdf"
    cli("report", "profile", unit, "--framework", framework, "--data", data, "--out", profile, "--lang", lang,
        *options)
    cli("report", "bulletin", "--framework", framework, "--data", data, "--out", bulletin, "--lang", lang,
        "--permutations", 99, *options)
    return {"profile": profile, "bulletin": bulletin}


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("provinces")
    fw, data, groups = PROVINCES / "framework.yaml", PROVINCES / "provinces_SYNTHETIC.csv", PROVINCES / "groups.csv"
    out = write_reports(tmp, fw, data, "浙江", "--units-in", "全国", "--groups", groups)
    out["results"] = results(fw, data, tmp / "run", "--units-in", "全国")
    out["groups"] = pd.read_csv(groups)
    return out


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cities")
    fw, data = report_panels.write(tmp, report_panels.cities_of("51"), "sichuan_cities", seed=1)
    out = write_reports(tmp, fw, data, "绵阳市", "--units-in", "四川")
    out["results"] = results(fw, data, tmp / "run", "--units-in", "四川")
    return out


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("counties")
    fw, data = report_panels.write(tmp, report_panels.counties_of(""), "counties", seed=2)
    out = write_reports(tmp, fw, data, "330483", "--units-in", "全国")
    out["results"] = results(fw, data, tmp / "run", "--units-in", "全国")
    return out


POPULATIONS = ["provinces", "cities", "counties"]


def _root(res: pd.DataFrame, node: str, year=2022) -> pd.DataFrame:
    return res[(res["node"] == node) & (res["year"] == year)].set_index("unit")


@pytest.mark.parametrize("population", POPULATIONS)
@pytest.mark.parametrize("kind", ["profile", "bulletin"])
def test_plain_years_names_once_a_map_and_synthetic_marks(population, kind, request):
    pdf = request.getfixturevalue(population)[kind]
    text = pages(pdf)
    assert text and all("SYNTHETIC DATA" in p and "合成数据" in p for p in text)
    whole = "\n".join(text)
    assert not re.search(r"\b20\d,\d\d\d\b|\b2,0\d\d\b", whole)  # years are plain: 2022, never 2,022
    assert "2022" in whole and "2021" in whole
    # a name is never written twice in a row (浙江省 浙江省)
    doubled = re.findall(r"([\u4e00-\u9fff]{2,}[省市区县州盟]) \1", whole)
    assert not doubled
    images = _run("pdfimages", "-list", pdf).splitlines()[2:]
    assert images, "no image in the PDF"
    caption = "中的位置" if kind == "profile" else "分布图"
    assert caption in flat(whole)  # the map's caption (profile) or section (bulletin)


@pytest.mark.parametrize("population", POPULATIONS)
@pytest.mark.parametrize("kind", ["profile", "bulletin"])
def test_every_word_stays_on_its_a4_page(population, kind, request):
    pdf = request.getfixturevalue(population)[kind]
    bbox = _run("pdftotext", "-bbox", pdf, "-")
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.DOTALL):
        width, height = float(page[0]), float(page[1])
        assert sorted([round(width), round(height)]) == [595, 842]  # A4, portrait or landscape
        for x_max, y_max in re.findall(r'xMax="([\d.]+)" yMax="([\d.]+)"', page[2]):
            assert float(x_max) <= width + 0.5 and float(y_max) <= height + 0.5


def test_province_reports_speak_of_provinces_and_groups(provinces):
    res, groups = provinces["results"], provinces["groups"]
    for kind in ("profile", "bulletin"):
        text = flat("".join(pages(provinces[kind])))
        for word in COUNTY_WORDS:
            assert word not in text, (kind, word)
        assert "全国31个省（区、市）" in text and "东部地区" in text
    root = _root(res, "dei")
    zj = root.loc["33"]
    # the group rank, computed here from results.csv and groups.csv
    from digindex.regions import lookup

    east = [lookup(u).code for u in groups.loc[groups["group"] == "东部", "unit"]]
    rank_east = int((root.loc[east, "score"] > zj["score"]).sum()) + 1
    text = flat("".join(pages(provinces["profile"])))
    assert f"浙江省数字经济发展指数得分{zj['score']:.3f}，" in text  # a 0–1 score: 3 decimals, no 分
    assert f"在东部地区11个省（区、市）中排名第{rank_east}位" in text
    assert f"在全国31个省（区、市）中排名第{int(zj['rank'])}位" in text
    assert "区域内排名" in text and "全国排名" in text and "全国中位数" in text
    assert "浙江省—数字经济发展评价简报" in text and "浙江省浙江省" not in text
    bulletin = flat("".join(pages(provinces["bulletin"])))
    best = root["score"].idxmax()
    from digindex.regions import registry

    assert f"得分最高的是{registry()[best].name}（{root.loc[best, 'score']:.3f}）" in bulletin
    assert "所属区域" in bulletin and "泰尔指数（组间）" in bulletin


def test_city_reports_speak_of_the_province(cities):
    res = cities["results"]
    root = _root(res, "idx")
    my = root.loc["5107"]
    for kind in ("profile", "bulletin"):
        text = flat("".join(pages(cities[kind])))
        assert "县（市、区）" not in text and "市内排名" not in text and "全国" not in text
        assert "全省21个地级行政区" in text  # 自治州 among them: not 设区市
    text = flat("".join(pages(cities["profile"])))
    assert f"绵阳市区域数字发展指数得分{my['score']:.1f}分" in text  # a 0–100 score: 1 decimal
    assert f"在全省21个地级行政区中排名第{int(my['rank'])}位" in text


def test_county_reports_of_the_nation(counties):
    res = counties["results"]
    root = _root(res, "idx")
    me = root.loc["330483"]
    jiaxing = root[root["parent"] == "3304"]
    rank_in_city = int((jiaxing["score"] > me["score"]).sum()) + 1
    text = flat("".join(pages(counties["profile"])))
    assert f"在嘉兴市{len(jiaxing)}个县（市、区）中排名第{rank_in_city}位" in text
    assert f"在全国2845个县（市、区）中排名第{int(me['rank'])}位" in text
    assert "市内排名" in text and "全国排名" in text and "中的位置（按梯队着色；图示浙江省）" in text
    bulletin = flat("".join(pages(counties["bulletin"])))
    assert "全国2845个县（市、区）" in bulletin
    assert "仅列出前100行（共2845行）" in bulletin  # the ranking is cut in the PDF, whole in Excel
    best = root["score"].idxmax()
    from digindex.regions import registry

    reg = registry()
    assert f"{reg[root.loc[best, 'parent']].name}{reg[best].name}（{root.loc[best, 'score']:.1f}）" in bulletin


def test_english_and_both(provinces, tmp_path):
    fw, data, groups = PROVINCES / "framework.yaml", PROVINCES / "provinces_SYNTHETIC.csv", PROVINCES / "groups.csv"
    out = tmp_path / "p.html"
    cli("report", "profile", "Zhejiang", "--framework", fw, "--data", data, "--units-in", "全国", "--groups", groups,
        "--out", out, "--lang", "both")
    html = out.read_text(encoding="utf-8")
    assert "of 11 provinces in eastern China" in html
    assert "of 31 provinces in China" in html and "全国31个省（区、市）" in html
    assert "Zhejiang Province" in html and "浙江省 Zhejiang Province" in html


def test_the_profile_builder_gives_plain_content(provinces):
    from digindex import evaluate, load_data, load_framework
    from digindex.data.unitfiles import load_groups
    from digindex.reports import unit_profile

    fw = load_framework(PROVINCES / "framework.yaml")
    ev = evaluate(fw, load_data(PROVINCES / "provinces_SYNTHETIC.csv", framework=fw, units_in="全国"))
    groups = load_groups(PROVINCES / "groups.csv", units_in="全国")
    p = unit_profile(ev, "33", groups=groups)
    root = _root(provinces["results"], "dei")
    assert p.score == pytest.approx(root.loc["33", "score"], abs=1e-9) and p.rank == root.loc["33", "rank"]
    assert p.n == 31 and p.peer["n"] == 11 and p.peer["name"]["zh"] == "东部地区"
    assert p.population.level == "province" and p.population.extent == "" and p.population.digits == 3
    assert p.contributions and p.change["by"] == "scores"  # one TOPSIS over 20 indicators: no split
    d = json.loads(json.dumps(p.to_dict()))  # plain JSON types
    assert d["population"]["where"] == {"zh": "全国", "en": "in China"}
    assert [t["year"] for t in d["trend"]] == list(range(2013, 2023))
    assert d["narrative"]["zh"].startswith("2022年，浙江省数字经济发展指数得分")
    assert len(d["aspects"]) == 5 and len(d["indicators"]) == 20 and d["tier"]["zh"] in {"第一梯队", "第二梯队"}
    assert d["trend"][-1]["tier"] == d["tier"]
    assert all(a["score_change"] == a["change"] == a["score"] - a["prev_score"] for a in d["change"]["aspects"])
    assert d["population"]["headers"]["peer_rank"] == {"zh": "区域内排名", "en": "Rank in group"}
    # the scores are those of the evaluation, not of a re-grouped one
    alone = unit_profile(ev, "33")
    assert alone.score == p.score and alone.peer is None and "东部" not in alone.narrative["zh"]


# ---- the words of other populations, and units that are not Chinese regions -------------------

def _evaluate(tmp, units, name, seed=5, **load):
    from digindex import evaluate, load_data, load_framework

    fw, data = report_panels.write(tmp, units, name, seed)
    f = load_framework(fw)
    return evaluate(f, load_data(data, framework=f, **load))


@pytest.mark.parametrize("within, among_zh, among_en, peer", [
    ("3301", "全市13个县（市、区）", "13 counties in the city", None),           # a city's counties
    ("65", "全区", "in the region", None),                                       # Xinjiang's cities
    ("", "全国", "in China", "province"),                                        # the cities of China
])
def test_population_words(tmp_path, within, among_zh, among_en, peer):
    from digindex.reports.population import describe

    units = report_panels.counties_of(within) if within == "3301" else report_panels.cities_of(within)
    ev = _evaluate(tmp_path, units, "p", units_in="全国")
    pop = describe(ev)
    among = pop.among(len(units))
    assert among_zh in among["zh"] and among_en in among["en"] and pop.peer_kind == peer
    if within == "65":  # 自治州 and 地区 among them
        assert among["zh"] == f"全区{len(units)}个地级行政区" and pop.noun()["en"] == "prefecture-level units"
    if peer == "province":
        assert pop.peer_header("rank", "zh") == "省内排名" and pop.peer_among("33", 11)["zh"] == "浙江省11个地级行政区"


def test_units_with_a_geometry_file(tmp_path):
    """Twelve square 'districts' of nowhere: maps and Moran's I from --geometry, generic words."""
    import geopandas as gpd
    from shapely.geometry import box

    names = [f"D{r}{c}" for r in range(3) for c in range(4)]
    geo = gpd.GeoDataFrame({"name": names}, geometry=[box(c, r, c + 1, r + 1) for r in range(3) for c in range(4)],
                           crs="EPSG:4326")
    geo.to_file(tmp_path / "d.geojson", driver="GeoJSON")
    rows = [{"unit": n, "year": y, **{i: 10 + 5 * int(n[2]) + k + (y - 2021) for k, i in
                                        enumerate(report_panels.INDICATORS)}} for n in names for y in (2021, 2022)]
    pd.DataFrame(rows).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "fw.yaml").write_text(report_panels.FRAMEWORK, encoding="utf-8")
    common = ["--framework", tmp_path / "fw.yaml", "--data", tmp_path / "d.csv", "--geometry", tmp_path / "d.geojson"]
    cli("report", "bulletin", *common, "--out", tmp_path / "b.html", "--lang", "both", "--permutations", 99)
    cli("report", "profile", "D23", *common, "--out", tmp_path / "p.html", "--lang", "both")
    bulletin = (tmp_path / "b.html").read_text(encoding="utf-8")
    profile = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "全部12个地区" in bulletin and "12 units overall" in bulletin
    assert "Moran" in bulletin and 'data-gid="map:units:idx"' in bulletin  # the index map, on the cover
    assert "在全部12个地区中排名第" in profile and 'data-gid="map:units:idx"' in profile
    assert "cnmaps" not in bulletin  # the boundaries are the user's
    assert "县" not in profile and "省" not in profile.replace("省级", "")


def test_a_neighbours_file(tmp_path):
    from digindex.regions.boundaries import read_neighbours

    (tmp_path / "nb.csv").write_text("unit,neighbour\nA,B\nB,C\nD,\n", encoding="utf-8")
    assert read_neighbours(tmp_path / "nb.csv") == {"A": ["B"], "B": ["A", "C"], "C": ["B"], "D": []}
