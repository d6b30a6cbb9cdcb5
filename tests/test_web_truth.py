"""One published truth (SQLite).

- A publication is the evaluation of every locked year up to its year, on one basis: its
  scores equal what ``digindex run`` gives on the same rows (every unit, year and node),
  and the web's last-year publication equals ``digindex demo`` on the demo data.
- The year-on-year change is taken within the publication (both years on its basis, as an
  independent ``digindex run`` of those rows gives them), with last year's score as
  published beside it; earlier versions stay retrievable.
- Comparing two versions lists exactly the units whose score, rank or tier moved, and why.
- The PDF, the page, the Excel download and the API show the same score, change, rank and
  tier for the same unit and year.
- The page and the API show the one profile builder's content: every number and word of
  ``digindex.reports.unit_profile`` on an independent evaluation of the publication's rows; the
  profiles are stored with the run, immutable once published, and an older publication without
  them gets them built once from its stored inputs.
"""
from __future__ import annotations

import html
import io
import re
import shutil
import subprocess

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from test_web_support import client, login, make_env

from digindex.web.db import normalise_url  # noqa: E402

ROOT = "zj_dei"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return make_env("sqlite", tmp_path_factory.mktemp("truth"))


def stored(url: str, year: int, version: int = 1) -> pd.DataFrame:
    """The results a publication stores, straight from the database."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return pd.read_sql(text(
                "SELECT r.population, r.unit, r.year, r.node, r.score, r.rank FROM run_results r "
                "JOIN publications p ON p.run_id = r.run_id WHERE p.year = :y AND p.version = :v"),
                conn, params={"y": year, "v": version})
    finally:
        engine.dispose()


def cli_run(tmp_path, rows: pd.DataFrame) -> pd.DataFrame:
    """``digindex run`` (the command line) of the built-in framework on ``rows``: results.csv."""
    from typer.testing import CliRunner

    from digindex.cli import app
    from digindex.frameworks import builtin_framework_path

    data, out = tmp_path / "data.csv", tmp_path / "out"
    rows.to_csv(data, index=False)
    r = CliRunner().invoke(app, ["run", str(builtin_framework_path("zhejiang")), "--data", str(data),
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    return pd.read_csv(out / "results.csv", dtype={"unit": str})


def counties(until: int, drop=()) -> pd.DataFrame:
    from digindex.web.seed import demo_table

    t = demo_table()
    t = t[(t["unit"].str.len() == 6) & (t["year"] <= until)]
    return t[[(u, y) not in drop for u, y in zip(t["unit"], t["year"])]]


def cities(until: int) -> pd.DataFrame:
    from digindex.web.seed import demo_table

    t = demo_table()
    return t[(t["unit"].str.len() == 4) & (t["year"] <= until)]


def evaluation_of(rows: pd.DataFrame, tmp_path):
    """The evaluation of ``rows`` through the public API, as ``digindex run`` makes it."""
    from digindex import evaluate, load_data, load_framework
    from digindex.frameworks import builtin_framework_path

    fw = load_framework(builtin_framework_path("zhejiang"))
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "rows.csv"
    rows.to_csv(path, index=False)
    return evaluate(fw, load_data([path], framework=fw))


def same_content(want, got, path="profile"):
    """Every key and value of ``want`` is in ``got`` (which may add keys: ``fmt``)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        for k, v in want.items():
            assert k in got, f"{path}.{k}"
            same_content(v, got[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (a, b) in enumerate(zip(want, got)):
            same_content(a, b, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, abs=1e-9), path
    else:
        assert got == want, path


def page_table(page: str, table_id: str) -> list[tuple[dict, list[str]]]:
    """(attributes, cell texts) of each row of the page's table ``table_id``."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.DOTALL).group(0)
    out = []
    for attrs, row in re.findall(r"<tr([^>]*)>(.*?)</tr>", body, re.DOTALL):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
        out.append((dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)), cells))
    return out


def element_text(page: str, element_id: str) -> str:
    got = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.DOTALL)
    return html.unescape(got.group(1)).strip() if got else None


@pytest.mark.parametrize("year, drop", [(2021, ()), (2022, (("330483", 2022),))])
def test_a_publication_is_digindex_run_on_its_rows(env, tmp_path, year, drop):
    web = stored(env["url"], year)
    web = web[web["population"] == "county"].set_index(["unit", "year", "node"])
    assert sorted(web.index.get_level_values("year").unique()) == list(range(2017, year + 1))   # every year
    cli = cli_run(tmp_path, counties(year, drop)).set_index(["unit", "year", "node"])
    both = web.join(cli[["score", "rank"]], rsuffix="_cli", how="outer")
    assert len(both) == len(cli) == len(web)
    assert (both["score"] - both["score_cli"]).abs().max() < 1e-9
    assert (both["rank"].fillna(-1) == both["rank_cli"].fillna(-1)).all()


def test_the_web_gives_the_scores_of_digindex_demo(tmp_path):
    """Seeded with the demo data and nothing left out, the last year's publication (all years)
    is the evaluation ``digindex demo`` (the main job) makes of the same files."""
    from digindex.mainjob import run_main_job
    from digindex.web.seed import demo_table, seed_demo
    from digindex.web.testing import test_settings

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(settings=test_settings(url), table=demo_table(), years=[2022])
    job = run_main_job(tmp_path / "demo-data", tmp_path / "out", tmp_path / "store.duckdb")
    web = stored(url, 2022).set_index(["population", "unit", "year", "node"])["score"]
    for population, ev in (("county", job.evaluations["counties"]), ("city", job.evaluations["cities"])):
        res = ev.results().assign(population=population).set_index(["population", "unit", "year", "node"])["score"]
        assert (web.loc[res.index] - res).abs().max() < 1e-9, population
    c = client({"url": url})
    tx = c.get("/api/public/units/330483").json()["total"]
    demo = job.evaluations["counties"].results().query("unit == '330483' and year == 2022 and node == @ROOT")
    assert tx["score"] == pytest.approx(float(demo["score"].iloc[0]), abs=1e-9)
    assert tx["rank"] == int(demo["rank"].iloc[0])


def test_year_on_year_change_is_on_the_publication_basis(env, tmp_path):
    c = client(env)
    cli = cli_run(tmp_path, counties(2022, (("330483", 2022),)))
    root = cli[cli["node"] == ROOT].set_index(["unit", "year"])["score"]
    published_2021 = {r["unit"]: r["score"] for r in c.get("/api/public/ranking", params={"year": 2021}).json()["rows"]}
    rows = c.get("/api/public/ranking", params={"year": 2022}).json()["rows"]
    differ = 0
    for r in rows:
        if not r["reported"]:
            continue
        # both years from the one 2022 evaluation (an independent digindex run of the same rows)
        assert r["score_change"] == pytest.approx(root[(r["unit"], 2022)] - root[(r["unit"], 2021)], abs=1e-9)
        assert r["prev_score"] == pytest.approx(root[(r["unit"], 2021)], abs=1e-9)
        # last year's score as published: the 2021 publication's own value, labelled with its version
        assert r["prev_published"] == {**r["prev_published"], "year": 2021, "version": 1}
        assert r["prev_published"]["score"] == pytest.approx(published_2021[r["unit"]], abs=1e-12)
        differ += abs(r["prev_published"]["score"] - r["prev_score"]) > 0.005
    assert differ > 45   # pooled thresholds: the bases do differ, which is why the change uses one
    nh = next(r for r in rows if r["unit"] == "330402")
    assert nh["fmt"]["prev_published"] == f"{nh['prev_published']['score']:.2f} (2021 v1)"
    prof = c.get("/api/public/units/330402", params={"year": 2022}).json()
    trend = {t["year"]: t for t in prof["profile"]["trend"]}
    assert trend[2021]["score"] == pytest.approx(root[("330402", 2021)], abs=1e-9)           # this basis
    assert trend[2021]["published"]["score"] == pytest.approx(published_2021["330402"], abs=1e-12)
    assert trend[2017]["published"] is None                                 # 2017 was not published here
    assert prof["basis"] == {**prof["basis"], "year": 2022, "version": 1, "current": True}


def test_versions_are_kept_and_compared(tmp_path):
    """A revised value of one county, published as 2021 v2: v1 stays retrievable, and the
    comparison lists exactly the units whose shown score, rank or tier moved, and why."""
    env = make_env("sqlite", tmp_path)
    adm = client(env)
    login(adm, "admin")
    row = counties(2021).query("unit == '330402' and year == 2021").drop(columns=["name", "parent"])
    row["cloud_ent_rate"] = row["cloud_ent_rate"] * 1.5
    r = adm.post("/api/admin/import", files={"file": ("fix.csv", row.to_csv(index=False).encode(), "text/csv")})
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 0}
    rid = adm.post("/api/admin/runs", json={"year": 2021, "uncertainty_runs": 0}).json()["run"]["id"]
    assert adm.post(f"/api/admin/runs/{rid}/publish", json={"change_note": "南湖区上云企业数更正"}).json()["version"] == 2
    pub = client(env)
    v1 = {r["unit"]: r for r in pub.get("/api/public/ranking", params={"year": 2021, "version": 1}).json()["rows"]}
    v2 = {r["unit"]: r for r in pub.get("/api/public/ranking", params={"year": 2021}).json()["rows"]}
    assert pub.get("/api/public/ranking", params={"year": 2021, "version": 1}).json()["basis"]["current"] is False
    moved = {u for u in v1 if (v1[u]["fmt"]["score"], v1[u]["rank"], v1[u]["tier"])
             != (v2[u]["fmt"]["score"], v2[u]["rank"], v2[u]["tier"])}
    cmp = pub.get("/api/public/versions", params={"year": 2021, "a": 1, "b": 2}).json()
    assert {r["unit"] for r in cmp["rows"]} == moved and "330402" in moved and len(moved) > 1
    assert cmp["revised_units"] == ["330402"] and cmp["method_changed"] is False
    reasons = {r["unit"]: r["reason_keys"] for r in cmp["rows"]}
    assert reasons["330402"] == ["reason_own_data"]
    assert all(k == ["reason_others_data"] for u, k in reasons.items() if u != "330402")
    page = pub.get("/compare/versions", params={"year": 2021, "a": 1, "b": 2}, headers={"Accept-Language": "zh"})
    assert "本地区数据修订" in page.text and page.text.count("<tr data-unit=") == len(moved)
    old = pub.get("/units/330402", params={"year": 2021, "version": 1}).text
    assert 'id="superseded"' in old and f'{v1["330402"]["fmt"]["score"]}' in old
    r = pub.get("/api/public/download", params={"year": 2021, "version": 1, "format": "csv"})
    assert "basis of 2021 version 1" in r.content.decode("utf-8-sig")
    assert r.headers["content-disposition"].endswith('v1.csv"')


def _pdf_text(pdf: bytes) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed to read the PDF"
    return subprocess.run([exe, "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_page_excel_and_api_agree(env, lang):
    import openpyxl

    from digindex.web import reports

    assert reports.available(), "digindex.reports with WeasyPrint is needed for the PDF"
    c = client(env, lang)
    unit, year = "330402", 2022                                       # Nanhu, 2022 v1 (Tongxiang not reported)
    api = c.get(f"/api/public/units/{unit}", params={"year": year}).json()["total"]
    assert api["fmt"]["rank"] == f"{api['rank']}/89" and api["fmt"]["score_change"].startswith(("+", "-"))
    # the page
    page = c.get(f"/units/{unit}", params={"year": year}).text

    def kpi(name):
        return re.search(rf'id="{name}">([^<]*)<', page).group(1).strip()

    assert (kpi("kpi-score"), kpi("kpi-rank"), kpi("kpi-tier"), kpi("kpi-change")) == (
        api["fmt"]["score"], api["fmt"]["rank"], api["fmt"]["tier"], api["fmt"]["score_change"])
    # the Excel download
    r = c.get("/api/public/download", params={"year": year, "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["results"]
    head = [cell.value for cell in ws[1]]
    row = next([cell.value for cell in xr] for xr in ws.iter_rows(min_row=2) if xr[1].value == unit)
    x = dict(zip(head, row))
    def col(zh, en):
        return x[zh if lang == "zh" else en]

    assert col("总指数", "index score") == pytest.approx(api["score"], abs=1e-12)
    assert col("较上年变动（本版口径）", "change from last year (this version's basis)") == pytest.approx(
        api["score_change"], abs=1e-12)
    assert col("排名", "rank") == api["rank"] and col("梯队", "tier") == api["tier_label"]
    assert col("上年得分（原发布值）", "last year's score as published") == pytest.approx(
        api["prev_published"]["score"], abs=1e-12)
    # the PDF: the published score, with the framework's publication decimals
    pdf = _pdf_text(c.get(f"/api/public/units/{unit}/report.pdf", params={"year": year}).content)
    words = {"zh": ("得分", "全省排名", "梯队", "变动"), "en": ("Score", "Rank in the province", "Tier", "Change")}[lang]
    summary = pdf[pdf.index(words[0] + " "):]

    def cell(label):
        return re.search(rf"^{re.escape(label)}(?: \(\d{{4}}→\d{{4}}\))?\s+(\S+(?: \d)?)\s*$", summary, re.M).group(1)

    assert float(cell(words[0])) == pytest.approx(api["score"], abs=1e-9)
    # one builder: the PDF's paragraph is the page's and the API's
    narrative = c.get(f"/api/public/units/{unit}", params={"year": year}).json()["profile"]["narrative"][lang]
    assert element_text(page, "narrative") == narrative
    assert re.sub(r"\s+", "", narrative) in re.sub(r"\s+", "", pdf)
    assert cell(words[1]) == api["fmt"]["rank"]
    assert cell(words[2]) == api["tier_label"]
    assert cell(words[3]) == api["fmt"]["score_change"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_and_the_api_show_the_profile_builder(env, tmp_path, lang):
    """Every number and word of the profile page and API is ``unit_profile`` of the publication's
    evaluation (here made independently from the same rows): a county with its city as peers
    (Nanhu, 2022 v1, Tongxiang not reported) and a city (Jiaxing)."""
    from digindex import formatting
    from digindex.reports import unit_profile
    from digindex.web import indicators

    info = indicators.info()
    c = client(env, lang)
    evs = {"330402": evaluation_of(counties(2022, (("330483", 2022),)), tmp_path / "counties"),
           "3304": evaluation_of(cities(2022), tmp_path / "cities")}
    for unit, ev in evs.items():
        want = unit_profile(ev, unit, year=2022).to_dict()
        api = c.get(f"/api/public/units/{unit}", params={"year": 2022}).json()
        # the API: the builder's dict (the data file's name aside: the web names its rows locked_values.csv)
        same_content({k: v for k, v in want.items() if k != "files"}, api["profile"])
        assert api["profile"]["files"] == ["locked_values.csv"]
        d, peer = want["population"]["digits"], want["peer"]
        assert (api["total"]["score"], api["total"]["rank"], api["total"]["n"]) == (want["score"], want["rank"],
                                                                                   want["n"])
        assert api["total"]["rank_change"] == want["previous"]["rank"] - want["rank"]
        page = c.get(f"/units/{unit}", params={"year": 2022}).text
        # the narrative and the headline
        assert element_text(page, "narrative") == want["narrative"][lang]
        assert element_text(page, "kpi-score") == formatting.number(want["score"], d)
        assert element_text(page, "kpi-rank") == f"{want['rank']}/{want['n']}"
        assert element_text(page, "kpi-rank-city") == (f"{peer['rank']}/{peer['n']}" if peer else None)
        assert element_text(page, "kpi-tier") == want["tier"][lang]
        assert element_text(page, "kpi-change") == formatting.number(want["change"]["score_change"], 2, signed=True)
        # the aspects, with the report's column headers
        head, *rows = page_table(page, "aspects-table")
        words = want["population"]["headers"]
        assert words["rank"][lang] in head[1] and words["median"][lang] in head[1]
        assert ("peer_rank" in words) == bool(peer) and (not peer or words["peer_rank"][lang] in head[1])
        changes = {a["node"]: a["score_change"] for a in want["change"]["aspects"]}
        for (_, cells), a in zip(rows, want["aspects"], strict=True):
            shown = [a["label"][lang], formatting.number(a["score"], d), formatting.number(changes[a["node"]], 2,
                                                                                           signed=True),
                     f"{a['rank']}/{a['n']}"] + ([str(a["peer_rank"])] if peer else [])
            shown += [formatting.number(a["median"], d)] + ([formatting.number(a["peer_median"], d)] if peer else [])
            assert cells == shown + [formatting.number(a["contribution"])]
        # every indicator, with its decimals
        rows = [(a["data-node"], cells) for a, cells in page_table(page, "indicators") if "data-node" in a]
        assert [n for n, _ in rows] == [i["node"] for i in want["indicators"]]
        for (_, cells), i in zip(rows, want["indicators"]):
            dec = info.indicator(i["node"]).decimals
            assert cells[0] == i["label"][lang] and cells[2] == formatting.number(i["value"], dec)
            assert cells[3:5] == [formatting.number(i["score"], d), f"{i['rank']}/{i['n']}"]
            assert cells[-1] == formatting.number(i["contribution"])
            assert formatting.number(i["median"], dec) in cells[5:7]
        # strengths and weaknesses, trend, change
        sw = {key: [a["data-node"] for a, _ in page_table(page, "sw-table") if "data-node" in a]
              for key in ("strengths", "weaknesses")}
        assert sw["strengths"] == [x["node"] for x in want["strengths"]] + [x["node"] for x in want["weaknesses"]]
        trend = [cells for _, cells in page_table(page, "trend-table")[1:]]
        assert [r[:3] for r in trend] == [[str(t["year"]), formatting.number(t["score"], d), str(t["rank"])]
                                          for t in want["trend"]]
        assert [r[-2] for r in trend] == [t["tier"][lang] for t in want["trend"]]
        change = [cells for _, cells in page_table(page, "change-aspects")[1:]]
        assert [r[3] for r in change[:-1]] == [formatting.number(a["change"], 2, signed=True)
                                              for a in want["change"]["aspects"]]


def test_profiles_are_stored_with_the_run_and_cannot_change(env):
    engine = create_engine(normalise_url(env["url"]))
    try:
        with engine.connect() as conn:
            run_id = conn.execute(text("SELECT run_id FROM publications WHERE year = 2022 AND version = 1")).scalar()
            counts = dict(conn.execute(text("SELECT population, count(*) FROM run_profiles WHERE run_id = :r "
                                            "AND year = 2022 GROUP BY population"), {"r": run_id}).all())
        assert counts == {"county": 89, "city": 11}                     # every unit scored (Tongxiang not)
        for sql in (f"UPDATE run_profiles SET unit = 'x' WHERE run_id = {run_id}",
                    f"DELETE FROM run_profiles WHERE run_id = {run_id}"):
            with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def test_an_older_publication_gets_its_profiles_built_once(tmp_path, monkeypatch):
    """A publication made before profiles were stored (simulated by removing them) gets each
    unit's profile built from its stored inputs on first view, and stored; if the rebuilt
    evaluation no longer matches the published scores, the page says so instead."""
    from digindex.web import reports

    env = make_env("sqlite", tmp_path)
    engine = create_engine(normalise_url(env["url"]))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER run_profiles_published_no_delete"))
            conn.execute(text("DELETE FROM run_profiles"))
        c = client(env, "zh")
        fresh = c.get("/api/public/units/330402", params={"year": 2021}).json()["profile"]
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT unit, year, population FROM run_profiles")).all()
        assert stored == [("330402", 2021, "county")]
        assert fresh["narrative"]["zh"].startswith("2021年，南湖区数字经济发展综合指数得分")
        page = c.get("/units/330402", params={"year": 2021}).text
        assert element_text(page, "narrative") == fresh["narrative"]["zh"]

        def diverged(*_a, **_k):
            raise reports.Diverged(reports.t("report_diverged"))

        monkeypatch.setattr(reports, "check_same", diverged)
        reports._EVALS.clear()
        c = client(env, "en")
        api = c.get("/api/public/units/330106", params={"year": 2021}).json()
        assert api["reported"] and api["profile"] is None and "cannot be reproduced" in api["unavailable"]
        page = c.get("/units/330106", params={"year": 2021}).text
        assert "cannot be reproduced" in element_text(page, "unavailable") and 'id="kpi-score"' not in page
    finally:
        engine.dispose()
