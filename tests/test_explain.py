"""Explanations: contribution decompositions, change attribution, strengths, target gaps, narrative.

Expected numbers come from independent sources: the weights table and the normalised stage
(weighted sums), the raw CSV read with pandas (values and medians), ``results()`` (scores and
ranks), a hand-computed Shapley case, and re-evaluation through the public API (targets).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digindex import evaluate, load_data, load_framework
from digindex.analytics import changes
from digindex.explain import (change_attribution, contributions,
                              strengths_weaknesses, target_gap)
from digindex.frameworks import builtin_framework_path

TONGXIANG, JIAXING = "330483", "3304"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from digindex import demo as demo_mod

    paths = demo_mod.generate(tmp_path_factory.mktemp("demo"))
    fw = load_framework(builtin_framework_path("zhejiang"))
    out = {"paths": paths, "fw": fw}
    for key in ("counties", "cities"):
        panel = load_data(paths[f"{key}_csv"], framework=fw, regions=paths["regions"])
        out[key] = evaluate(fw, panel)
        out[f"{key}_csv"] = pd.read_csv(paths[f"{key}_csv"], dtype={"unit": str, "parent": str})
    return out


def _by_unit_year(df, col):
    return df.groupby(["unit", "year"])[col].sum()


def test_contributions_sum_to_the_totals(demo):
    ev = demo["counties"]
    c = contributions(ev)
    root = ev.scores_table(exact=True).set_index(["unit", "year"])["zj_dei"]  # contributions add up exactly
    for level in (1, 2):
        total = _by_unit_year(c[c["level"] == level], "contribution")
        assert np.max(np.abs(total - root.loc[total.index])) < 1e-9
    local = c.groupby(["unit", "year", "parent_node"])["local"].sum()
    scores = ev.scores_table(exact=True).set_index(["unit", "year"])
    for (unit, year, node), value in local.items():
        assert abs(value - scores.loc[(unit, year), node]) < 1e-9


def test_contributions_are_weight_times_score(demo):
    # Independent: the published weights table times the normalised stage.
    ev = demo["counties"]
    w = ev.weights.set_index(["node", "child"])["weight"]
    norm = ev.stage("normalised")
    row = norm[(norm["unit"] == TONGXIANG) & (norm["year"] == 2022)].iloc[0]
    c = contributions(ev, unit=TONGXIANG, year=2022).set_index("node")
    for aspect in ev.framework.tree.children:
        for ind in aspect.children:
            expected = w[("zj_dei", aspect.id)] * w[(aspect.id, ind.id)] * row[ind.id]
            assert c.loc[ind.id, "contribution"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("node,op", [("zj_dei", "geometric"), ("infra", "harmonic"), ("zj_dei", "mean_min")])
def test_nonlinear_decompositions_sum_exactly(demo, node, op):
    ev = demo["counties"].rerun("aggregate", op, node=node)
    c = contributions(ev, year=2022)
    root = ev.scores_table(exact=True).set_index(["unit", "year"])["zj_dei"]  # contributions add up exactly
    total = _by_unit_year(c[c["level"] == 1], "contribution")
    assert np.max(np.abs(total - root.loc[total.index])) < 1e-9
    assert set(c.loc[c["parent_node"] == node, "method"]) == {"log-additive" if op == "geometric" else "shapley"}


def test_shapley_hand_computed(write):
    # Mean-min (α = ½, β = 0): f(x) = (mean(x) + min(x)) / 2, weights ½; A = (1, 4), B = (3, 2),
    # baseline = child means (2, 3). v(∅) = f(2,3) = 2.25, v({1}) = f(1,3) = 1.5,
    # v({2}) = f(2,4) = 2.5, v({1,2}) = f(1,4) = 1.75.
    # φ1 = ½[(1.5 − 2.25) + (1.75 − 2.5)] = −0.75, φ2 = ½[(2.5 − 2.25) + (1.75 − 1.5)] = 0.25;
    # L_c = ½·2.25 + φ_c → 0.375 and 1.375, summing to f(A) = 1.75.
    fw = load_framework(write("f.yaml", "id: h\nnormalise: none\naggregate: mean_min\n"
                                         "tree: {id: root, children: [{id: x1}, {id: x2}]}\n"))
    ev = evaluate(fw, load_data(write("d.csv", "unit,x1,x2\nA,1,4\nB,3,2\n"), framework=fw))
    c = contributions(ev, unit="A").set_index("node")
    assert c.loc["x1", "local"] == pytest.approx(0.375, abs=1e-12)
    assert c.loc["x2", "local"] == pytest.approx(1.375, abs=1e-12)
    assert c["method"].iloc[0] == "shapley"


def test_change_attribution_sums_to_the_score_change(demo):
    ev = demo["counties"]
    res = ev.results()
    root = res[(res["unit"] == TONGXIANG) & (res["node"] == "zj_dei")].set_index("year")
    ca = change_attribution(ev, TONGXIANG, 2022)
    assert ca.score_change == pytest.approx(root.loc[2022, "score"] - root.loc[2021, "score"], abs=1e-12)
    for level in (1, 2):  # the parts add up to the exact change; the published change differs by rounding
        assert ca.nodes.loc[ca.nodes["level"] == level, "change"].sum() == pytest.approx(ca.exact_change, abs=1e-9)
    assert abs(ca.exact_change - ca.score_change) <= 0.01
    assert ca.ranks["province"][:2] == (root.loc[2021, "rank"], root.loc[2022, "rank"])
    assert ca.ranks["parent"][:2] == (root.loc[2021, "rank_in_parent"], root.loc[2022, "rank_in_parent"])


def test_rank_change_is_explained_by_rivals(demo):
    ev = demo["counties"]
    ch = changes(ev, "zj_dei")
    moved = ch[(ch["year"] == 2022) & (ch["rank_change"] != 0)].iloc[0]
    ca = change_attribution(ev, moved["unit"], 2022)
    passed = ca.rivals[(ca.rivals["scope"] == "province") & (ca.rivals["kind"] == "passed")]
    overtook = ca.rivals[(ca.rivals["scope"] == "province") & (ca.rivals["kind"] == "overtook")]
    assert len(passed) - len(overtook) == moved["rank_change"]
    scores = ev.scores_table().set_index(["unit", "year"])["zj_dei"]
    for u in passed["unit"]:
        assert scores[(u, 2021)] > moved["prev_score"] and scores[(u, 2022)] < moved["score"]


def test_strengths_and_weaknesses_against_the_csv(demo):
    ev, csv = demo["counties"], demo["counties_csv"]
    sw = strengths_weaknesses(ev, TONGXIANG, 2022, n=3)
    assert sw["strengths"]["rank"].max() <= sw["weaknesses"]["rank"].min()
    year = csv[csv["year"] == 2022]
    mine = year[year["unit"] == TONGXIANG].iloc[0]
    city = year[year["parent"] == JIAXING]
    for _, r in pd.concat([sw["strengths"], sw["weaknesses"]]).iterrows():
        node = ev.framework.nodes[r["node"]]
        assert r["value"] == pytest.approx(mine[r["node"]])
        assert r["parent_median"] == pytest.approx(city[r["node"]].median())
        assert r["province_median"] == pytest.approx(year[r["node"]].median())
        assert r["gap"] == pytest.approx(node.direction * (mine[r["node"]] - city[r["node"]].median()))
        assert r["n_in_parent"] == len(city)


@pytest.mark.parametrize("unit,rank,scope", [("330481", 1, "parent"), ("331127", 70, "province")])
def test_target_gap_reaches_the_target_rank(demo, unit, rank, scope):
    ev, csv = demo["counties"], demo["counties_csv"]
    res = target_gap(ev, unit, rank, scope=scope, year=2022)
    assert res.current_rank > rank and res.feasible and len(res.targets)
    year = csv[csv["year"] == 2022]
    for _, t in res.targets.iterrows():  # only improvements, within the province's best value
        d = ev.framework.nodes[t["indicator"]].direction
        assert d * (t["target"] - t["current"]) > 0
        best = year[t["indicator"]].max() if d > 0 else year[t["indicator"]].min()
        assert d * t["target"] <= d * best + 1e-9
    # Independent check: write the targets into the data, re-evaluate through the public API.
    new = evaluate(ev.framework, res.apply(ev.panel)).results()
    row = new[(new["unit"] == unit) & (new["year"] == 2022) & (new["node"] == "zj_dei")].iloc[0]
    assert row["rank_in_parent" if scope == "parent" else "rank"] <= rank


def test_target_gap_already_there(demo):
    res = target_gap(demo["counties"], TONGXIANG, 1, scope="parent")
    assert res.current_rank == 1 and res.targets.empty and res.effort == 0


def test_profile_narrative_numbers_come_from_the_results(demo):
    """The profile's paragraph (reports.unit_profile, the one narrative) quotes the results table."""
    from digindex.reports import unit_profile

    ev = demo["counties"]
    res = ev.results()
    r = res[(res["unit"] == TONGXIANG) & (res["year"] == 2022) & (res["node"] == "zj_dei")].iloc[0]
    p = unit_profile(ev, TONGXIANG)
    zh, en = p.narrative["zh"], p.narrative["en"]
    assert f"桐乡市数字经济发展综合指数得分{r['score']:.2f}分" in zh
    assert f"在嘉兴市7个县（市、区）中排名第{r['rank_in_parent']}位" in zh
    assert f"在全省90个县（市、区）中排名第{r['rank']}位" in zh
    assert f"Tongxiang City scored {r['score']:.2f}" in en and "of 7 counties in Jiaxing City" in en
    aspects = res[(res["unit"] == TONGXIANG) & (res["year"] == 2022) & (res["level"] == 2)]
    assert f"全省第{aspects['rank'].min()}位" in zh and f"全省第{aspects['rank'].max()}位" in zh
    cr = demo["cities"].results()
    jx = cr[(cr["unit"] == JIAXING) & (cr["year"] == 2022) & (cr["node"] == "zj_dei")].iloc[0]
    assert f"在全省11个设区市中排名第{jx['rank']}位" in unit_profile(demo["cities"], JIAXING).narrative["zh"]


def test_profile_trend_tiers_aspect_changes_and_headers(demo):
    """What a web page needs from the builder besides the report's content: each trend year's tier
    (analytics.tiers), each aspect's score change (results()) and the population's column headers."""
    from digindex.analytics import tiers
    from digindex.reports import unit_profile

    ev = demo["counties"]
    res = ev.results().set_index(["unit", "year", "node"])["score"]
    tt = tiers(ev).set_index(["unit", "year"])["tier"]
    p = unit_profile(ev, TONGXIANG, year=2022)
    assert [t["year"] for t in p.trend] == list(range(2017, 2023))
    for t in p.trend:
        assert t["tier"]["tier"] == int(tt[(TONGXIANG, t["year"])])
        assert t["tier"]["zh"] == f"第{'一二三四'[t['tier']['tier'] - 1]}梯队"
    assert p.trend[-1]["tier"] == p.tier
    assert p.change["by"] == "contributions"
    for a in p.change["aspects"]:
        want = res[(TONGXIANG, 2022, a["node"])] - res[(TONGXIANG, 2021, a["node"])]
        assert a["score_change"] == pytest.approx(want, abs=1e-9)
    d = p.to_dict()
    assert d["population"]["headers"] == {
        "rank": {"zh": "全省排名", "en": "Rank in the province"},
        "median": {"zh": "全省中位数", "en": "Median in the province"},
        "peer_rank": {"zh": "市内排名", "en": "Rank in city"}, "peer_median": {"zh": "市中位数", "en": "City median"},
        "peer_gap": {"zh": "与市中位数差距", "en": "Gap to city median"}, "peer_column": {"zh": "所属市", "en": "City"}}
    city = unit_profile(demo["cities"], JIAXING).to_dict()
    assert set(city["population"]["headers"]) == {"rank", "median"} and city["peer"] is None


def test_target_sentences_name_the_concrete_values(demo):
    res = target_gap(demo["counties"], "330481", 1, scope="parent", lang="en")
    text = res.sentences("en")
    assert len(text) == len(res.targets) and all(s.startswith("raise ") for s in text)
    t = res.targets.iloc[0]
    assert t["label"] in text[0] and t["unit_of_measure"] in text[0]
