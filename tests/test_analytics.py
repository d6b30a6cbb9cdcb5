"""Regional analytics: changes and movers, growth, tiers and top-N, disparity."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import digindex
from digindex import InputError
from digindex import analytics as A

# Min-max with fixed bounds 0..100 leaves values as they are, so every score
# below can be checked by hand: a1 = mean(x1, x2), a2 = x3, idx = mean(a1, a2).
FRAMEWORK = """\
id: toy
name: {{en: Toy index, zh: 玩具指数}}
normalise: {{method: minmax, min: 0, max: 100}}
tree:
  id: idx
  children:
    - id: a1
      children:
        - {{id: x1}}
        - {{id: x2}}
    - id: a2
      children:
        - {{id: x3}}
{extra}
"""

ONE = """\
id: one
normalise: {{method: minmax, min: 0, max: 100}}
tree:
  id: idx
  children:
    - {{id: x}}
{extra}
"""


def build(tmp_path, rows, extra="", template=FRAMEWORK, name="t"):
    """Evaluate ``rows`` (dicts with unit, parent, year and indicator values)."""
    fw_file = tmp_path / f"{name}.yaml"
    fw_file.write_text(template.format(extra=extra), encoding="utf-8")
    data = tmp_path / f"{name}.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    fw = digindex.load_framework(fw_file)
    return digindex.evaluate(fw, digindex.load_data([data], framework=fw))


def one_indicator(tmp_path, values, parents=None, year=2022, extra="", name="one"):
    """Units u1..un whose root score equals ``values`` (a single indicator x)."""
    rows = []
    for i, v in enumerate(values):
        row = {"unit": f"u{i + 1}", "year": year, "x": v}
        if parents is not None:
            row["parent"] = parents[i]
        rows.append(row)
    return build(tmp_path, rows, extra=extra, template=ONE, name=name)


@pytest.fixture
def panel(tmp_path):
    # 2020: idx = 30, 40, 50, 20 -> ranks u3 1, u2 2, u1 3, u4 4
    # 2021: u2 has no row; idx u1 60, u3 45, u4 50 -> ranks u1 1, u4 2, u3 3
    # 2022: idx u1 55, u2 70, u3 35, u4 40 -> ranks u2 1, u1 2, u4 3, u3 4
    def row(u, p, y, v):
        return {"unit": u, "parent": p, "year": y, "x1": v, "x2": v, "x3": v}

    rows = [row("u1", "c1", 2020, 30), row("u2", "c1", 2020, 40), row("u3", "c2", 2020, 50),
            row("u4", "c2", 2020, 20), row("u1", "c1", 2021, 60), row("u3", "c2", 2021, 45),
            row("u4", "c2", 2021, 50), row("u1", "c1", 2022, 55), row("u2", "c1", 2022, 70),
            row("u3", "c2", 2022, 35), row("u4", "c2", 2022, 40)]
    return build(tmp_path, rows)


# ---- changes and movers ---------------------------------------------------------

def test_changes_score_and_rank_against_previous_available_year(panel):
    ch = A.changes(panel, "idx").set_index(["unit", "year"])
    assert set(ch.index) == {("u1", 2021), ("u3", 2021), ("u4", 2021), ("u1", 2022), ("u2", 2022),
                             ("u3", 2022), ("u4", 2022)}  # no row for a unit's first year
    u1 = ch.loc[("u1", 2021)]
    assert (u1.prev_year, u1.gap, u1.prev_score, u1.score, u1.score_change) == (2020, 1, 30, 60, 30)
    assert (u1.prev_rank, u1["rank"], u1.rank_change) == (3, 1, 2)  # up two places
    # u2 has no 2021 row: 2022 is compared with 2020 (gap 2)
    u2 = ch.loc[("u2", 2022)]
    assert (u2.prev_year, u2.gap, u2.score_change, u2.prev_rank, u2["rank"], u2.rank_change) == (2020, 2, 30, 2, 1, 1)
    u3 = ch.loc[("u3", 2022)]
    assert (u3.prev_rank, u3["rank"], u3.rank_change, u3.score_change) == (3, 4, -1, -10)
    # within parent c2 (u3, u4): 2021 u4 50 > u3 45 -> u4 1st; 2020 u3 1st
    u4 = ch.loc[("u4", 2021)]
    assert (u4.prev_rank_in_parent, u4.rank_in_parent, u4.rank_in_parent_change) == (2, 1, 1)


def test_changes_every_node_by_default_and_empty_for_one_period(panel, tmp_path):
    ch = A.changes(panel)
    assert set(ch["node"]) == set(panel.node_order)
    assert len(ch) == 7 * len(panel.node_order)
    single = one_indicator(tmp_path, [1, 2, 3])
    assert A.changes(single).empty
    with pytest.raises(InputError, match="no node 'nope'.*Fix: use one of"):
        A.changes(panel, "nope")


def test_movers_top_risers_and_fallers(panel):
    m = A.movers(panel, year=2022, n=2)
    # 2022 vs previous: u1 1->2 (-1), u2 2->1 (+1, from 2020), u3 3->4 (-1), u4 2->3 (-1)
    risers = m[m["direction"] == "riser"]
    fallers = m[m["direction"] == "faller"]
    assert risers["unit"].tolist() == ["u2"]
    # three fallers by one place; the larger score fall comes first: u3 -10, u4 -10, u1 -5
    # u3 and u4 tie on both, then the better current rank first: u4 (3) before u3 (4)
    assert fallers["unit"].tolist() == ["u4", "u3"]
    assert fallers["position"].tolist() == [1, 2]
    assert A.movers(panel, year=2021, n=5)["unit"].tolist() == ["u1", "u4", "u3"]


def test_movers_within_parent_and_bad_year(panel):
    m = A.movers(panel, year=2021, n=3, within_parent=True)
    # c1: u1 2nd in 2020 (u2 40 > u1 30), alone and so 1st in 2021 (+1)
    # c2 in 2020: u3 1, u4 2; 2021: u4 1, u3 2 (u4 +1, u3 -1)
    # u1 and u4 tie on rank change (+1), score change (+30) and rank in parent (1): by unit
    assert list(zip(m["direction"], m["unit"])) == [("riser", "u1"), ("riser", "u4"), ("faller", "u3")]
    with pytest.raises(InputError, match="year 2019 is not in the data.*2020, 2021, 2022"):
        A.movers(panel, year=2019)


# ---- growth -----------------------------------------------------------------------

@pytest.fixture
def growth_panel(tmp_path):
    values = {  # unit: x1 over 2019..2022
        "u1": [8, 10, 20, 27],       # CAGR 2019->2022 = (27/8)^(1/3) - 1 = 1.5 - 1 = 0.5
        "u2": [0, 5, 5, 5],          # non-positive start
        "u3": [4, None, 4, 4.84],    # missing 2020: YoY 2020 and 2021 NaN; 2021->2022 = 0.21
        "u4": [10, 20, -1, 5],       # negative 2021
    }
    rows = [{"unit": u, "year": 2019 + i, "x1": v, "x2": 1, "x3": 1}
            for u, series in values.items() for i, v in enumerate(series)]
    return build(tmp_path, rows, name="growth")


def test_cagr_window_and_notes(growth_panel):
    g = A.indicator_cagr(growth_panel, 2019, 2022, indicators="x1").set_index("unit")
    assert g.loc["u1", "cagr"] == pytest.approx(0.5, abs=1e-12)
    assert (g.loc["u1", "start"], g.loc["u1", "end"], g.loc["u1", "years"]) == (2019, 2022, 3)
    assert g.loc["u1", "note"] == ""
    assert math.isnan(g.loc["u2", "cagr"]) and g.loc["u2", "note"] == "non-positive 2019"
    assert g.loc["u3", "cagr"] == pytest.approx((4.84 / 4) ** (1 / 3) - 1)
    # 2020 -> 2022 window: u3 has no 2020 value
    g2 = A.indicator_cagr(growth_panel, 2020, 2022, indicators=["x1"]).set_index("unit")
    assert math.isnan(g2.loc["u3", "cagr"]) and g2.loc["u3", "note"] == "missing 2020"
    assert g2.loc["u1", "cagr"] == pytest.approx((27 / 10) ** 0.5 - 1)
    # default window is the whole panel
    assert A.indicator_cagr(growth_panel, indicators="x1").equals(g.reset_index())


def test_yoy_growth_and_notes(growth_panel):
    y = A.indicator_yoy(growth_panel, "x1").set_index(["unit", "year"])
    assert y.loc[("u1", 2020), "yoy"] == pytest.approx(0.25)
    assert y.loc[("u1", 2021), "yoy"] == pytest.approx(1.0)
    assert y.loc[("u3", 2022), "yoy"] == pytest.approx(0.21)
    assert math.isnan(y.loc[("u3", 2020), "yoy"]) and y.loc[("u3", 2020), "note"] == "missing 2020"
    assert y.loc[("u3", 2021), "note"] == "missing 2020"
    assert y.loc[("u4", 2021), "note"] == "non-positive 2021"
    assert y.loc[("u4", 2022), "note"] == "non-positive 2021"
    assert y.loc[("u2", 2020), "note"] == "non-positive 2019"
    assert 2019 not in y.index.get_level_values("year")


def test_growth_rate_function_and_bad_windows(growth_panel):
    np.testing.assert_allclose(A.growth_rate([8, 1, -1, np.nan], [27, 0, 2, 3], 3),
                               [0.5, np.nan, np.nan, np.nan])
    with pytest.raises(InputError, match="does not run forward"):
        A.indicator_cagr(growth_panel, 2022, 2019)
    with pytest.raises(InputError, match="start year 2015 is not in the data"):
        A.indicator_cagr(growth_panel, 2015, 2022)
    with pytest.raises(InputError, match="not indicators.*a1"):
        A.indicator_cagr(growth_panel, indicators=["a1"])


# ---- tiers and top-N ----------------------------------------------------------------

QUANTILE = "tiers: {by: quantile, cuts: [0.2, 0.5, 0.8], labels: [{zh: 第一梯队, en: Tier 1}, " \
           "{zh: 第二梯队, en: Tier 2}, {zh: 第三梯队, en: Tier 3}, {zh: 第四梯队, en: Tier 4}]}"


def test_quantile_tiers_ten_units(tmp_path):
    ev = one_indicator(tmp_path, [100, 90, 80, 70, 60, 50, 40, 30, 20, 10], extra=QUANTILE)
    t = A.tiers(ev)
    # n = 10: thresholds ceil(2) = 2, ceil(5) = 5, ceil(8) = 8 -> ranks 1-2, 3-5, 6-8, 9-10
    assert t["tier"].tolist() == [1, 1, 2, 2, 2, 3, 3, 3, 4, 4]
    assert t["tier_label"].tolist()[:2] == ["Tier 1", "Tier 1"]
    assert A.tiers(ev, lang="zh")["tier_label"].tolist()[-1] == "第四梯队"
    assert (t["n"] == 10).all()


def test_quantile_tiers_ties_small_n_and_rounding():
    # ties share the minimum rank, so a tie across a boundary goes to the better tier
    ranks = [1, 2, 2, 4, 5]  # n = 5, cut 0.2 -> ceil(1) = 1; cut 0.5 -> ceil(2.5) = 3
    from digindex.analytics.tiers import quantile_tiers, score_tiers

    assert quantile_tiers(ranks, 5, [0.2, 0.5]).tolist() == [1, 2, 2, 3, 3]
    # n = 3, cuts 0.2/0.5/0.8 -> thresholds 1, 2, 3: tier 4 is empty
    assert quantile_tiers([1, 2, 3], 3, [0.2, 0.5, 0.8]).tolist() == [1, 2, 3]
    # 0.7 * 10 = 7.000000000000001 in floating point; rounding keeps the threshold at 7
    assert quantile_tiers(list(range(1, 11)), 10, [0.7]).tolist() == [1] * 7 + [2] * 3
    # n = 1: the only unit is tier 1
    assert quantile_tiers([1], 1, [0.2, 0.5]).tolist() == [1]
    assert quantile_tiers([np.nan], 0, [0.5]).tolist() == [0]
    # score cuts: tier 1 is score >= 90, boundaries belong to the better tier
    assert score_tiers([95, 90, 89.999, 80, 70, 69, np.nan], [90, 80, 70]).tolist() == [1, 1, 2, 2, 3, 4, 0]


def test_score_tiers_by_year_population_and_missing(tmp_path):
    extra = "tiers: {node: idx, by: score, cuts: [60, 40]}"
    rows = [{"unit": u, "year": y, "x": v} for y, vals in ((2021, [70, 50, None, 10]), (2022, [30, 60, 45, 40]))
            for u, v in zip(["u1", "u2", "u3", "u4"], vals)]
    ev = build(tmp_path, rows, extra=extra, template=ONE, name="score")
    t = A.tiers(ev).set_index(["unit", "year"])
    assert t.loc[("u1", 2021), "tier"] == 1 and t.loc[("u2", 2021), "tier"] == 2
    assert pd.isna(t.loc[("u3", 2021), "tier"]) and pd.isna(t.loc[("u3", 2021), "tier_label"])
    assert t.loc[("u4", 2021), "tier"] == 3
    assert t.loc[("u2", 2022), "tier"] == 1 and t.loc[("u4", 2022), "tier"] == 2  # 40 >= 40
    assert t.loc[("u1", 2021), "tier_label"] == "Tier 1"
    assert A.tiers(ev, lang="zh").iloc[0]["tier_label"] == "第一梯队"  # default labels
    # quantile tiers per population: u1, u2 cities; u3, u4 counties; ranks within each
    pops = {"u1": "city", "u2": "city", "u3": "county", "u4": "county"}
    q = A.tiers(ev, {"by": "quantile", "cuts": [0.5]}, populations=pops).set_index(["unit", "year"])
    assert q.loc[("u3", 2022), "rank"] == 1 and q.loc[("u3", 2022), "tier"] == 1
    assert q.loc[("u4", 2021), "n"] == 1 and q.loc[("u4", 2021), "tier"] == 1
    assert q.loc[("u1", 2022), "tier"] == 2 and q.loc[("u1", 2022), "population"] == "city"
    with pytest.raises(InputError, match="units without a population: u4"):
        A.tiers(ev, {"by": "quantile", "cuts": [0.5]}, populations={"u1": "a", "u2": "a", "u3": "b"})


@pytest.mark.parametrize("spec, message", [
    ({"by": "quantile", "cuts": [0.5, 0.2]}, "quantile cuts must increase strictly"),
    ({"by": "quantile", "cuts": [0.2, 1.0]}, "strictly between 0 and 1"),
    ({"by": "quantile", "cuts": [0, 0.5]}, "strictly between 0 and 1"),
    ({"by": "score", "cuts": [70, 80, 90]}, "score cuts must decrease strictly"),
    ({"by": "score", "cuts": [90, 90]}, "score cuts must decrease strictly"),
    ({"by": "score", "cuts": [90, 80], "labels": ["A", "B"]}, "2 cuts make 3 tiers but 2 labels"),
    ({"by": "rank", "cuts": [3]}, "by must be 'quantile' or 'score'"),
    ({"by": "score", "cuts": []}, "cuts must be a non-empty list"),
    ({"by": "score", "cuts": ["high"]}, "cut 'high' is not a number"),
    ({"node": "zz", "cuts": [0.5]}, "node 'zz' is not in the framework"),
    ({"cuts": [0.5], "colour": "red"}, "unknown key 'colour'"),
    ([0.2, 0.5], "must be a mapping"),
])
def test_tier_config_errors(tmp_path, spec, message):
    ev = one_indicator(tmp_path, [1, 2, 3])
    with pytest.raises(InputError, match=message) as err:
        A.tiers(ev, spec)
    assert all(p.fix for p in err.value.problems)
    assert "tiers:" in str(err.value)


def test_tier_config_from_framework_and_missing(tmp_path):
    ev = one_indicator(tmp_path, [1, 2, 3], extra="tiers: {by: quantile, cuts: [0.5], labels: [Top, Rest]}")
    cfg = A.tier_config(ev.framework)
    assert cfg == A.TierConfig(node="idx", by="quantile", cuts=(0.5,), labels=({"en": "Top"}, {"en": "Rest"}))
    # n = 3: ceil(0.5 * 3) = 2 -> ranks 1 and 2 (u3, u2) are Top
    assert A.tiers(ev)["tier_label"].tolist() == ["Rest", "Top", "Top"]
    assert len(A.tier_problems({"by": "score", "cuts": [1, 2]}, ev.framework)) == 1
    with pytest.raises(InputError, match="score cuts must decrease"):  # refused when the framework loads
        one_indicator(tmp_path, [1, 2], extra="tiers: {by: score, cuts: [1, 2]}", name="bad")
    plain = one_indicator(tmp_path, [1, 2], name="plain")
    assert A.tier_config(plain.framework) is None
    with pytest.raises(InputError, match="no 'tiers' configuration"):
        A.tiers(plain)


def test_top_n_by_aspect_ties_and_parents(panel, tmp_path):
    top = A.top_n(panel, node="a2", year=2022, n=2)
    assert top["unit"].tolist() == ["u2", "u1"] and top["rank"].tolist() == [1, 2]
    assert A.top_n(panel, n=1, within_parent=True)["unit"].tolist() == ["u2", "u4"]
    tied = one_indicator(tmp_path, [5, 9, 9, 7], name="tied")
    assert A.top_n(tied, n=1)["unit"].tolist() == ["u2", "u3"]  # a tie at place n is kept
    assert A.top_n(tied, n=3)["rank"].tolist() == [1, 1, 3]


# ---- disparity ---------------------------------------------------------------------------

def lorenz_gini(x):
    """Independent Gini: 1 - Σ (L_k + L_(k-1)) / n over the Lorenz curve of sorted shares."""
    shares = np.sort(np.asarray(x, dtype=float)) / np.sum(x)
    lorenz = np.concatenate([[0.0], np.cumsum(shares)])
    return 1.0 - np.sum(lorenz[1:] + lorenz[:-1]) / len(shares)


def test_disparity_hand_computed():
    x = [1, 1, 2, 4]
    groups = ["A", "A", "B", "B"]
    # mean μ = 2; x/μ = 0.5, 0.5, 1, 2
    # T = (1/4)[0.5 ln 0.5 + 0.5 ln 0.5 + 1 ln 1 + 2 ln 2] = (1/4)[-ln 2 + 2 ln 2] = ln 2 / 4
    assert A.theil(x) == pytest.approx(math.log(2) / 4, abs=1e-15)
    # groups: A = {1, 1} total 2, s_A = 2/8 = 0.25, n_A/n = 0.5, T_A = 0 (equal values)
    #         B = {2, 4} total 6, s_B = 0.75, n_B/n = 0.5, μ_B = 3:
    #   T_B = (1/2)[(2/3) ln(2/3) + (4/3) ln(4/3)] = (5/3) ln 2 - ln 3
    # T_between = 0.25 ln(0.25/0.5) + 0.75 ln(0.75/0.5) = -ln 2 + 0.75 ln 3
    # T_within  = 0.25 * 0 + 0.75 * ((5/3) ln 2 - ln 3) = 1.25 ln 2 - 0.75 ln 3
    # sum = 0.25 ln 2 = T
    parts, table = A.theil_decomposition(x, groups)
    ln2, ln3 = math.log(2), math.log(3)
    assert parts["between"] == pytest.approx(-ln2 + 0.75 * ln3, abs=1e-15)
    assert parts["within"] == pytest.approx(1.25 * ln2 - 0.75 * ln3, abs=1e-15)
    assert parts["between"] + parts["within"] == pytest.approx(parts["theil"], abs=1e-15)
    b = table.set_index("group").loc["B"]
    assert (b["share"], b["population_share"], b["mean"]) == (0.75, 0.5, 3.0)
    assert b["theil"] == pytest.approx(5 / 3 * ln2 - ln3, abs=1e-15)
    # Gini: Σ_i Σ_j |x_i - x_j| over ordered pairs = 2 * (0+1+3+1+3+2) = 20; G = 20 / (2 * 16 * 2) = 0.3125
    assert A.gini(x) == 0.3125
    assert lorenz_gini(x) == pytest.approx(0.3125, abs=1e-15)
    # CV: deviations -1, -1, 0, 2; variance 6/4 = 1.5; σ = sqrt(1.5); CV = sqrt(1.5)/2
    assert A.cv(x) == pytest.approx(math.sqrt(1.5) / 2, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_disparity_against_independent_formulas(seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(4, 0.4, size=37)
    groups = rng.choice(list("abcdef"), size=x.size)
    parts, _ = A.theil_decomposition(x, groups)
    assert parts["between"] + parts["within"] == pytest.approx(parts["theil"], rel=1e-12, abs=1e-15)
    assert A.gini(x) == pytest.approx(lorenz_gini(x), rel=1e-12)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size ** 2 * x.mean())
    assert A.gini(x) == pytest.approx(pairwise, rel=1e-12)
    assert A.cv(x) == pytest.approx(np.std(x) / np.mean(x), rel=1e-12)
    assert A.theil(x) == pytest.approx(np.mean(x / x.mean() * np.log(x / x.mean())), rel=1e-12)


def test_disparity_edge_values():
    assert A.gini([5, 5, 5]) == 0 and A.theil([5, 5, 5]) == 0 and A.cv([5, 5, 5]) == 0
    assert A.theil([0, 0, 4]) == pytest.approx(math.log(3))  # 0 ln 0 = 0: (1/3) * 3 ln 3
    assert math.isnan(A.gini([1, -1, 3])) and math.isnan(A.theil([-1, 2]))
    assert math.isnan(A.cv([])) and math.isnan(A.gini([0, 0]))
    parts, table = A.theil_decomposition([0, 0, 2, 6], ["a", "a", "b", "b"])
    assert parts["between"] + parts["within"] == pytest.approx(parts["theil"], abs=1e-15)
    assert table.set_index("group").loc["a", "within"] == 0
    # one group (a province's cities, all in the province): its share is 1 and the between part
    # 0 exactly, not a rounding difference of two sums (2.2e-16 in a 21-city run before)
    x = np.random.default_rng(2).lognormal(3, 0.3, 21)  # its two sums differ in the last digit
    parts, table = A.theil_decomposition(x, ["51"] * 21)
    assert table["share"].tolist() == [1.0] and table["between"].tolist() == [0.0] and parts["between"] == 0.0


def test_disparity_of_an_evaluation(tmp_path):
    ev = one_indicator(tmp_path, [1, 1, 2, 4, None], parents=["A", "A", "B", "B", "B"])
    d = A.disparity(ev).iloc[0]
    assert d["n"] == 4 and d["gini"] == 0.3125
    assert d["theil"] == pytest.approx(math.log(2) / 4, abs=1e-15)
    assert d["theil_between"] + d["theil_within"] == pytest.approx(d["theil"], abs=1e-15)
    assert d["cv"] == pytest.approx(np.std([1, 1, 2, 4]) / 2)
    assert d["note"] == "1 missing scores left out"
    g = A.disparity_groups(ev)
    assert g["parent"].tolist() == ["A", "B"] and g["n"].tolist() == [2, 2]
    assert g["within"].sum() == pytest.approx(d["theil_within"], abs=1e-15)
    flat = one_indicator(tmp_path, [1, 2, 3], name="flat")
    assert A.disparity(flat)["note"].iloc[0].startswith("no parent regions")
    with pytest.raises(InputError, match="no parent regions"):
        A.disparity_groups(flat)


def test_regional_tables(panel, tmp_path):
    tables = A.regional_tables(panel)
    assert set(tables) == {"changes", "growth_yoy", "disparity", "disparity_groups"}
    assert len(tables["disparity"]) == 3
    tiered = one_indicator(tmp_path, [1, 2, 3], extra="tiers: {by: score, cuts: [2]}", name="tiered")
    assert set(A.regional_tables(tiered)) == {"disparity", "tiers"}
