"""Reports: PDF pages and text checked against results.csv, offline HTML, Excel, maps, Moran's I.

Needs poppler-utils (pdftoppm, pdfinfo, pdftotext, pdffonts) and fonts-noto-cjk.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from digindex import evaluate, load_data, load_framework, write_results
from digindex.frameworks import builtin_framework_path

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
TONGXIANG = "330483"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from digindex import demo
    from digindex.reports import bulletin_report, profile_report
    from digindex.reports.bulletin import build_bulletin
    from digindex.reports.render import write_html, write_pdf
    from digindex.uncertainty import problem_from_framework, run_uncertainty

    tmp = tmp_path_factory.mktemp("reports")
    cache = tmp / "cache"
    paths = demo.generate(tmp / "demo")
    fw = load_framework(builtin_framework_path("zhejiang"))
    evs = {k: evaluate(fw, load_data(paths[f"{k}_csv"], framework=fw, regions=paths["regions"]))
           for k in ("counties", "cities")}
    write_results(evs["counties"], tmp / "out")  # results.csv: the independent source of the numbers
    problem = problem_from_framework(fw, override={"choices": [
        {"id": "agg", "step": "aggregate", "alternatives": ["arithmetic", "geometric"], "nodes": ["zj_dei"]}]})
    unc = run_uncertainty(fw, evs["counties"].panel, runs=8, sensitivity=False, problem=problem)
    out = {"tmp": tmp, "evs": evs, "cache": cache, "uncertainty": unc, "paths": paths}
    out["profile_pdf"] = profile_report(evs["counties"], TONGXIANG, tmp / "p.pdf", lang="zh", format="pdf",
                                        uncertainty=unc)
    out["profile_html"] = profile_report(evs["counties"], TONGXIANG, tmp / "p.html", lang="both", format="html",
                                         target_rank=None)
    out["profile_xlsx"] = profile_report(evs["counties"], TONGXIANG, tmp / "p.xlsx", lang="en", format="xlsx")
    doc = build_bulletin([evs["counties"], evs["cities"]], lang="en", permutations=199, cache=cache)
    out["bulletin_doc"] = doc
    out["bulletin_pdf"] = write_pdf(doc, tmp / "b.pdf")
    out["bulletin_html"] = write_html(doc, tmp / "b.html")
    out["cities_html"] = bulletin_report(evs["cities"], tmp / "c.html", lang="zh", format="html",
                                         cache_dir=cache)
    return out


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _pages(pdf) -> list[str]:
    return _run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("key", ["profile_pdf", "bulletin_pdf"])
def test_pdf_pages_render_as_a4_images(built, key, tmp_path):
    pdf = built[key]
    n = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))
    assert (2 <= n <= 8) if key == "profile_pdf" else (8 <= n <= 40)
    _run("pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page"))
    from PIL import Image

    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == n
    for im in images:  # A4 at 20 dpi: 8.27 × 11.69 in, portrait or (wide tables) landscape
        w, h = sorted(Image.open(im).size)
        assert abs(w - 165) <= 1 and abs(h - 234) <= 1


@pytest.mark.parametrize("key", ["profile_pdf", "bulletin_pdf"])
def test_every_pdf_page_is_marked_synthetic(built, key):
    pages = _pages(built[key])
    assert pages and all("SYNTHETIC DATA" in p and "合成数据" in p for p in pages)


def test_cjk_font_is_embedded(built):
    fonts = _run("pdffonts", str(built["profile_pdf"]))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)


def test_profile_text_matches_results_csv(built):
    import pandas as pd

    res = pd.read_csv(built["tmp"] / "out" / "results.csv", dtype={"unit": str, "parent": str})
    mine = res[(res["unit"] == TONGXIANG) & (res["year"] == 2022)].set_index("node")
    prev = res[(res["unit"] == TONGXIANG) & (res["year"] == 2021)].set_index("node")
    root = mine.loc["zj_dei"]
    n_city = res[(res["parent"] == "3304") & (res["year"] == 2022) & (res["node"] == "zj_dei")].shape[0]
    text = _flat("".join(_pages(built["profile_pdf"])))
    from digindex.reports.population import describe

    d = describe(built["evs"]["counties"]).digits  # 1 on this 60–100 scale, or the framework's publish decimals
    assert f"桐乡市数字经济发展综合指数得分{root['score']:.{d}f}分" in text
    assert f"在嘉兴市{n_city}个县（市、区）中排名第{root['rank_in_parent']}位" in text
    assert f"在全省90个县（市、区）中排名第{root['rank']}位" in text
    change = root["score"] - prev.loc["zj_dei", "score"]
    assert f"得分较2021年{'提高' if change >= 0 else '下降'}{abs(change):.{d}f}分" in text
    aspects = mine[mine["level"] == 2]
    best = aspects["rank"].idxmin()
    names = {"infra": "基础设施", "dig_ind": "数字产业化", "ind_dig": "产业数字化", "new_forms": "新业态新模式",
             "gov_soc": "政府和社会数字化"}
    assert f"优势领域为{names[best]}（全省第{aspects['rank'].min()}位）" in text
    for node, r in aspects.iterrows():  # the aspect table: score and province rank
        assert f"{names[node]}{r['score']:.{d}f}{r['rank']}" in text
    s = built["uncertainty"].summary
    row = s[s["unit"].astype(str) == TONGXIANG]
    assert any(f"{a:.0f}–{b:.0f}" in text for a, b in zip(row["p05_rank"], row["p95_rank"]))


def test_bulletin_text_matches_the_analytics(built):
    from digindex.analytics import disparity

    ev = built["evs"]["counties"]
    text = _flat("".join(_pages(built["bulletin_pdf"])))
    top = ev.top(1, year=2022).iloc[0]
    from digindex.regions import registry

    assert _flat(registry()[top["unit"]].name_en) in text
    d = disparity(ev).set_index("year").loc[2022]
    assert f"{d['gini']:.3f}" in text and f"{d['theil_between']:.3f}" in text
    assert "Moran" in text and "Annex1" in text and "Annex2" in text


@pytest.mark.parametrize("key", ["profile_html", "bulletin_html", "cities_html"])
def test_html_is_self_contained(built, key):
    html = built[key].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(http" not in html
    srcs = re.findall(r"""<img[^>]+src="([^"]+)\"""", html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "SYNTHETIC DATA" in html


def test_excel_workbook(built):
    from openpyxl import load_workbook

    wb = load_workbook(built["profile_xlsx"])
    assert {"report", "aspects", "indicators", "strengths", "weaknesses"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws["A1"].value == "SYNTHETIC DATA / 合成数据"
    ws = wb["aspects"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["Aspect", "Score", "Rank in the province"] and ws["A3"].font.bold
    from digindex.reports.population import describe

    d = describe(built["evs"]["counties"]).digits  # a 60–100 score: 1 decimal unless the framework publishes N
    assert isinstance(ws["B4"].value, float) and ws["B4"].number_format == "0." + "0" * d


def test_map_has_one_polygon_per_county_coloured_by_score(built):
    from digindex.reports import maps

    ev = built["evs"]["counties"]
    geoms = maps.boundaries(cache=built["cache"])["county"]
    table = ev.scores_table()
    table = table[table["year"] == 2022]
    values = dict(zip(table["unit"].astype(str), table["zj_dei"]))
    matched, missing = maps.reconcile(values, geoms)
    assert not missing and len(matched) == 90
    fig, info = maps.choropleth(values, matched, "t", "score")
    (units,) = [c for c in fig.axes[0].collections if c.get_gid() == "units"]
    assert len(units.get_paths()) == 90 and sorted(info["colors"]) == sorted(values)  # one polygon per county
    drawn = dict(zip(sorted(matched), units.get_facecolors()))  # the collection holds the units in sorted order
    assert all(np.allclose(drawn[u], info["colors"][u]) for u in values)
    palette = info["cmap"](np.linspace(0, 1, 256))[:, :3]
    pos = {u: np.argmin(((palette - np.array(c[:3])) ** 2).sum(1)) for u, c in drawn.items()}
    units = sorted(values, key=values.get)
    positions = [pos[u] for u in units]
    assert all(a <= b for a, b in zip(positions, positions[1:]))  # darker = higher score
    assert pos[units[0]] == 0 and pos[units[-1]] == 255


def test_adjacency_shared_borders(built):
    from digindex.reports import maps

    nb = maps.adjacency(cache=built["cache"])
    assert len(nb) == 90 and all(u in nb[v] for u in nb for v in nb[u])  # symmetric
    assert set(nb["330483"]) == {"330113", "330411", "330481", "330503", "330521"}  # Tongxiang
    assert nb["330922"] == []  # Shengsi: islands only


def test_morans_i_hand_computed():
    from digindex.analytics.research.moran import moran_year
    from digindex.analytics.research.spatial import Neighbours

    # Line A–B–C–D, x = 1..4, row-standardised: z = (−1.5, −0.5, 0.5, 1.5), Σz² = 5, S0 = 4,
    # Σ z_i (Wz)_i = 0.75 + 0.25 + 0.25 + 0.75 = 2, so I = (4/4)·2/5 = 0.4 and E[I] = −1/3.
    # Of the 24 orderings, 2 (ascending, descending) reach I = 0.4: p = 1/12.
    nb = Neighbours({"A": {"B": 1}, "B": {"A": 1, "C": 1}, "C": {"B": 1, "D": 1}, "D": {"C": 1}}, "line")
    g, _ = moran_year([1, 2, 3, 4], nb.to_w(list("ABCD")), permutations=9999, seed=1)
    assert g["I"] == pytest.approx(0.4, abs=1e-12) and g["expected"] == pytest.approx(-1 / 3)
    assert g["p"] == pytest.approx(1 / 12, abs=0.015)


def test_missing_font_fails_clearly(monkeypatch):
    from digindex.charts import fonts

    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "_find", lambda names: None)
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.cjk_font()
    monkeypatch.undo()
    fonts.cjk_font.cache_clear()
    assert fonts.cjk_font()[1] == fonts.FAMILY


def test_bulletin_command_keeps_counties_and_cities(built, tmp_path):
    """--counties and --cities still make one bulletin of the two populations (cities first)."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from digindex.cli import app

    paths, out = built["paths"], tmp_path / "b.xlsx"
    r = CliRunner().invoke(app, ["report", "bulletin", "--counties", str(paths["counties_csv"]), "--cities",
                                 str(paths["cities_csv"]), "--regions", str(paths["regions"]), "--out", str(out),
                                 "--permutations", "99"])
    assert r.exit_code == 0, r.output
    sheets = load_workbook(out).sheetnames
    assert sheets.index("ranking_prefecture") < sheets.index("ranking_county")
    ws = load_workbook(out)["ranking_county"]
    assert ws.max_row >= 90 + 2 and [c.value for c in ws[3]][:3] == ["排名", "名称", "所属市"]
