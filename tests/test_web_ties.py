"""Ranks as published, on the web: equal published scores share a rank (the minimum) and a tier
everywhere the web shows them: the ranking and profile API, the pages, the CSV and Excel
downloads and the PDF. The web ranks nothing itself; the engine ranks the published score
(``publish: {decimals: 2}`` in the built-in framework).

The issue's case: on the demo data the issue was found with (the demo generator with 40,000
enterprises and 6,000 projects), 北仑区 and 婺城区 both show 80.70 in 2022 and were ranked 18th
(第一梯队) and 19th (第二梯队); the published years held 20 such pairs.
"""
from __future__ import annotations

import collections
import csv
import io
import re
import tempfile

import pandas as pd
import pytest

from test_web_support import client, make_env

BEILUN, WUCHENG = "330206", "330702"


@pytest.fixture(scope="module")
def issue_db(tmp_path_factory):
    """The six years published from the issue's demo data (SYNTHETIC)."""
    from digindex.demo import generate
    from digindex.web.seed import seed_demo
    from digindex.web.testing import test_settings

    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(tmp, n_enterprises=40_000, n_projects=6_000)
        table = pd.concat([pd.read_csv(paths[k], dtype={"unit": str, "parent": str})
                           for k in ("counties_csv", "cities_csv")], ignore_index=True)
    url = f"sqlite:///{tmp_path_factory.mktemp('ties') / 'ties.db'}"
    seed_demo(settings=test_settings(url), table=table)
    return {"url": url}


def tie_groups(rows: list[dict]) -> list[list[dict]]:
    by_score = collections.defaultdict(list)
    for r in rows:
        if r["reported"]:
            by_score[r["fmt"]["score"]].append(r)
    return [g for g in by_score.values() if len(g) > 1]


def test_the_issue_pair_shares_rank_and_tier_everywhere(issue_db):
    import openpyxl

    from digindex.web import reports

    c = client(issue_db, "zh")
    rows = {r["unit"]: r for r in c.get("/api/public/ranking", params={"year": 2022}).json()["rows"]}
    bl, wc = rows[BEILUN], rows[WUCHENG]
    assert bl["fmt"]["score"] == wc["fmt"]["score"] == "80.70"
    assert bl["rank"] == wc["rank"] == 18 and bl["tier_label"] == wc["tier_label"] == "第一梯队"
    assert sum(1 for r in rows.values() if r["rank"] == 18) == 2 and not any(r["rank"] == 19 for r in rows.values())
    # the profile API and page
    for code in (BEILUN, WUCHENG):
        tot = c.get(f"/api/public/units/{code}", params={"year": 2022}).json()["total"]
        assert (tot["fmt"]["score"], tot["rank"], tot["fmt"]["tier"]) == ("80.70", 18, "第一梯队")
        page = c.get(f"/units/{code}", params={"year": 2022}).text
        assert re.search(r'id="kpi-rank">18/90<', page) and re.search(r'id="kpi-tier">第一梯队<', page)
    # the downloads
    text = c.get("/api/public/download", params={"year": 2022, "format": "csv"}).content.decode("utf-8-sig")
    got = {r["代码"]: r for r in csv.DictReader(io.StringIO(text))}
    assert {(got[u]["排名"], got[u]["总指数"], got[u]["梯队"]) for u in (BEILUN, WUCHENG)} == {("18", "80.70", "第一梯队")}
    ws = openpyxl.load_workbook(io.BytesIO(c.get("/api/public/download", params={"year": 2022, "format": "xlsx"})
                                           .content))["results"]
    xl = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert xl[BEILUN][0] == xl[WUCHENG][0] == 18 and xl[BEILUN][4] == xl[WUCHENG][4] == pytest.approx(80.70)
    # the PDF
    assert reports.available()
    from test_web_truth import _pdf_text

    for code in (BEILUN, WUCHENG):
        pdf = _pdf_text(c.get(f"/api/public/units/{code}/report.pdf", params={"year": 2022}).content)
        assert re.search(r"^全省排名\s+18/90\s*$", pdf, re.M) and re.search(r"^梯队\s+第一梯队\s*$", pdf, re.M)


def test_every_published_tie_shares_rank_and_tier(issue_db):
    c = client(issue_db)
    pairs = 0
    for year in range(2017, 2023):
        for node in ("zj_dei", "infra", "dig_ind", "ind_dig", "new_forms", "gov_soc"):
            rows = c.get("/api/public/ranking", params={"year": year, "node": node}).json()["rows"]
            for group in tie_groups(rows):
                assert len({r["rank"] for r in group}) == 1, (year, node, group)
                if node == "zj_dei":                              # tiers are of the total index
                    assert len({r["tier"] for r in group}) == 1, (year, node, group)
                rank = group[0]["rank"]                       # the minimum: the next rank is skipped
                assert sum(r["rank"] == rank for r in rows) == len(group)
                assert not any(r["rank"] == rank + 1 for r in rows) or len(group) == 1
                pairs += node == "zj_dei"
    assert pairs == 20                                          # as the issue counted


def test_ties_on_the_current_demo_world(tmp_path):
    """The same rule on the test world (the data of ``digindex demo``)."""
    c = client(make_env("sqlite", tmp_path))
    found = 0
    for year in (2021, 2022):
        for group in tie_groups(c.get("/api/public/ranking", params={"year": year}).json()["rows"]):
            found += 1
            assert len({(r["rank"], r["tier"]) for r in group}) == 1, group
    assert found >= 1
