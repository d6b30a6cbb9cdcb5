"""The statistical audit: every number against an independent numpy/scipy computation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.interpolate import make_smoothing_spline

from digindex import InputError, evaluate, load_data, load_framework
from digindex.audit import (correlation_matrix, correlation_ratio, cronbach_alpha, effective_weights,
                            remove_one, run_audit, without_node)
from digindex.audit.smoothing import smoothing_spline_fit
from digindex.uncertainty.problem import without_indicator

ASEM = Path(__file__).resolve().parents[1] / "examples" / "asem"

SMALL = """\
id: small
impute: mean
treat: winsorise_log
normalise: {method: minmax, scale: [0, 100]}
tree:
  id: index
  children:
    - id: g1
      weight: 2
      children: [{id: a1}, {id: a2, weight: 2}, {id: a3}, {id: a4, direction: -1}]
    - id: g2
      children: [{id: b1}, {id: b2}, {id: b3}]
    - id: g3
      children: [{id: c1}, {id: c2}, {id: c3}]
"""
INDICATORS = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "c1", "c2", "c3"]
GROUPS = {"g1": ["a1", "a2", "a3", "a4"], "g2": ["b1", "b2", "b3"], "g3": ["c1", "c2", "c3"]}
MISSING = [(3, "a1"), (7, "b2"), (12, "c1"), (20, "a2"), (45, "b1"), (60, "c3")]


def _small_data(seed: int = 42) -> pd.DataFrame:
    """40 units × 2 years; three correlated latent factors; a3 log-normal (treated), a4 of
    negative direction, b3 a trade-off inside g2, c3 almost a copy of c2 (redundant)."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in (2021, 2022):
        n = 40
        f = rng.multivariate_normal([0, 0, 0], [[1, .5, .3], [.5, 1, .4], [.3, .4, 1]], size=n)
        e = rng.normal(size=(n, 10))
        cols = {
            "a1": 50 + 10 * (f[:, 0] + .6 * e[:, 0]), "a2": 20 + 5 * (f[:, 0] + .8 * e[:, 1]),
            "a3": np.exp(1.2 * (.5 * f[:, 0] + e[:, 2])), "a4": 30 - 6 * (f[:, 0] + .7 * e[:, 3]),
            "b1": 10 + 3 * (f[:, 1] + .5 * e[:, 4]), "b2": 5 + 2 * (f[:, 1] + .6 * e[:, 5]),
            "b3": 40 - 8 * (f[:, 1] + .4 * e[:, 6]),
            "c1": 70 + 9 * (f[:, 2] + .7 * e[:, 7]), "c2": 12 + 4 * (f[:, 2] + .3 * e[:, 8]),
        }
        cols["c3"] = 3 * cols["c2"] + .2 * e[:, 9]
        for i in range(n):
            rows.append({"unit": f"U{i:02d}", "year": year, **{k: v[i] for k, v in cols.items()}})
    df = pd.DataFrame(rows)
    for r, c in MISSING:
        df.loc[r, c] = np.nan
    return df


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("small")
    (d / "framework.yaml").write_text(SMALL, encoding="utf-8")
    data = _small_data()
    data.to_csv(d / "data.csv", index=False)
    fw = load_framework(d / "framework.yaml")
    ev = evaluate(fw, load_data([d / "data.csv"], framework=fw))
    return ev, data, run_audit(ev, correlation_methods=("pearson", "spearman"))


def _year_rows(ev, year):
    return np.flatnonzero(np.array([y == year for y in ev.panel.years]))


# ---- coverage and logs --------------------------------------------------------------------

def test_coverage_counts_the_raw_data(small):
    ev, data, audit = small
    cov = audit["coverage_units"].set_index(["unit", "year"])
    present = data[INDICATORS].notna().sum(axis=1).to_numpy()
    for (u, y), p in zip(zip(data["unit"], data["year"]), present):
        assert cov.loc[(u, y), "present"] == p
        assert cov.loc[(u, y), "coverage"] == pytest.approx(p / 10)
        assert cov.loc[(u, y), "imputed"] == 10 - p  # mean imputation fills every gap
        assert cov.loc[(u, y), "flag_low_coverage"] == (p / 10 < 0.65)
    ind = audit["coverage_indicators"].set_index(["indicator", "year"])
    for ind_id in INDICATORS:
        for year in (2021, 2022):
            missing = data.loc[data["year"] == year, ind_id].isna().sum()
            assert ind.loc[(ind_id, year), "present"] == 40 - missing
            assert ind.loc[(ind_id, year), "imputed"] == missing
    nodes = audit["coverage_nodes"].set_index(["node", "unit", "year"])
    g2 = data[GROUPS["g2"]].notna().sum(axis=1).to_numpy() / 3
    for (u, y), share in zip(zip(data["unit"], data["year"]), g2):
        assert nodes.loc[("g2", u, y), "coverage"] == pytest.approx(share)
    assert (audit["log_imputation"]["stage"] == "impute").all()
    assert len(audit["log_imputation"]) >= len(MISSING)
    treat = audit["log_treatment"]
    assert (treat["stage"] == "treat").all() and "a3" in set(treat["node"])
    assert list(audit["log_screening"].columns[:5]) == ["stage", "node", "unit", "year", "message"]


# ---- descriptives -------------------------------------------------------------------------

def test_descriptives_agree_with_scipy(small):
    ev, _, audit = small
    desc = audit["descriptives"].set_index(["stage", "indicator", "year"])
    for stage in ("raw", "treated"):
        X = ev.stage(stage)
        for year in (2021, 2022):
            block = X[X["year"] == year]
            for ind in INDICATORS:
                v = block[ind].to_numpy(float)
                x = v[~np.isnan(v)]
                row = desc.loc[(stage, ind, year)]
                assert row["n"] == x.size and row["missing"] == v.size - x.size
                assert row["mean"] == pytest.approx(np.mean(x))
                assert row["sd"] == pytest.approx(np.std(x, ddof=1))
                assert row["min"] == pytest.approx(x.min()) and row["max"] == pytest.approx(x.max())
                s = stats.skew(x, bias=False)
                k = stats.kurtosis(x, fisher=True, bias=False)
                assert row["skew"] == pytest.approx(s, rel=1e-9)
                assert row["kurtosis"] == pytest.approx(k, rel=1e-9)
                assert row["flag_skew_kurt"] == (abs(s) >= 2 and k >= 3.5)
                assert row["flag_low_coverage"] == (x.size / v.size < 0.65)
                assert not row["flag_constant"]
    assert desc.loc[("raw", "a3", 2021), "flag_skew_kurt"] or desc.loc[("raw", "a3", 2022), "flag_skew_kurt"]


# ---- correlations -------------------------------------------------------------------------

def test_level_correlations_agree_with_pearsonr_and_spearmanr(small):
    ev, _, audit = small
    scores = ev.scores_table()
    lev = audit["correlations_level"].set_index(["year", "node", "other", "method"])
    for year in (2021, 2022):
        s = scores[scores["year"] == year]
        for g, kids in GROUPS.items():
            for ind in kids:
                for other in GROUPS:
                    ref = stats.pearsonr(s[ind], s[other])
                    row = lev.loc[(year, ind, other, "pearson")]
                    assert row["r"] == pytest.approx(ref.statistic, abs=1e-12)
                    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
                    assert bool(row["own_parent"]) == (other == g)
                    rho = stats.spearmanr(s[ind], s[other]).statistic
                    assert lev.loc[(year, ind, other, "spearman"), "r"] == pytest.approx(rho, abs=1e-12)
        for g in GROUPS:  # aspects against the index
            ref = stats.pearsonr(s[g], s["index"]).statistic
            assert lev.loc[(year, g, "index", "pearson"), "r"] == pytest.approx(ref, abs=1e-12)
    own = audit["correlations_level"]
    own = own[own["own_parent"] & (own["method"] == "pearson")]
    best_other = (audit["correlations_level"].query("method == 'pearson' and not own_parent")
                  .groupby(["year", "node"])["r"].max())
    for _, r in own.iterrows():
        key = (r["year"], r["node"])
        expected = key in best_other.index and best_other[key] > r["r"]
        assert r["flag_other_higher"] == expected


def test_group_correlations_agree_with_corrcoef_and_flag_pairs(small):
    ev, _, audit = small
    norm = ev.stage("normalised")
    grp = audit["correlations_group"].query("method == 'pearson'").set_index(["year", "group", "a", "b"])
    for year in (2021, 2022):
        block = norm[norm["year"] == year]
        for g, kids in GROUPS.items():
            R = np.corrcoef(block[kids].to_numpy(float), rowvar=False)
            Rm, Pm = correlation_matrix(ev, g, year=year)
            assert np.allclose(Rm.to_numpy(), R, atol=1e-12)
            for i, a in enumerate(kids):
                for j in range(i + 1, len(kids)):
                    b = kids[j]
                    row = grp.loc[(year, g, a, b)]
                    assert row["r"] == pytest.approx(R[i, j], abs=1e-12)
                    p = stats.pearsonr(block[a], block[b]).pvalue
                    assert row["p_value"] == pytest.approx(p, rel=1e-9)
                    assert Pm.loc[a, b] == pytest.approx(p, rel=1e-9)
                    assert row["flag_redundant"] == (R[i, j] > 0.92)
                    assert row["flag_negative"] == (R[i, j] < 0)
    assert grp.loc[(2021, "g3", "c2", "c3"), "flag_redundant"]  # c3 copies c2
    assert grp.loc[(2021, "g2", "b1", "b3"), "flag_negative"]  # b3 is a trade-off
    assert not grp.loc[(2021, "g1", "a1", "a4"), "flag_negative"]  # direction −1 was flipped


def test_redundancy_threshold_is_configurable(small):
    ev, _, _ = small
    strict = run_audit(ev, redundancy_threshold=0.5, remove_one=False)["correlations_group"]
    assert (strict["flag_redundant"] == (strict["r"] > 0.5)).all()


# ---- consistency: Cronbach's α and PCA ----------------------------------------------------

def test_cronbach_alpha_and_pca_agree_with_the_textbook(small):
    ev, _, audit = small
    scores = ev.scores_table()
    cons = audit["consistency"].set_index(["year", "group"])
    load = audit["pca_loadings"]
    for year in (2021, 2022):
        s = scores[scores["year"] == year]
        for g, kids in {**GROUPS, "index": list(GROUPS)}.items():
            X = s[kids].to_numpy(float)
            k = X.shape[1]
            alpha = k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))
            assert cons.loc[(year, g), "alpha"] == pytest.approx(alpha, rel=1e-10)
            assert cronbach_alpha(X) == pytest.approx(alpha, rel=1e-10)
            lam, V = np.linalg.eigh(np.corrcoef(X, rowvar=False))
            lam, V = lam[::-1], V[:, ::-1]
            assert cons.loc[(year, g), "pc1_share"] == pytest.approx(lam[0] / k, rel=1e-10)
            assert cons.loc[(year, g), "eigen_above_1"] == int(np.sum(lam > 1))
            sel = load[(load["year"] == year) & (load["group"] == g) & (load["component"] == 1)]
            ours = sel.set_index("child").loc[kids, "loading"].to_numpy()
            assert np.allclose(np.abs(ours), np.abs(V[:, 0]) * np.sqrt(lam[0]), atol=1e-10)
            assert ours.sum() >= 0
            assert np.sum(ours ** 2) == pytest.approx(lam[0])


# ---- effective weights and importance -----------------------------------------------------

def test_effective_weights_are_products_along_the_path(small):
    ev, _, audit = small
    ew = audit["effective_weights"].set_index("node")
    # g1 has weight 2 of 4 (g2, g3 1 each); inside g1, a2 has weight 2 of 5.
    assert ew.loc["g1", "effective_weight"] == pytest.approx(0.5)
    assert ew.loc["a2", "effective_weight"] == pytest.approx(0.5 * 2 / 5)
    assert ew.loc["a1", "effective_weight"] == pytest.approx(0.5 * 1 / 5)
    assert ew.loc["b1", "effective_weight"] == pytest.approx(0.25 / 3)
    assert ew.loc[INDICATORS, "effective_weight"].sum() == pytest.approx(1.0)
    assert ew.loc["a2", "effective_nominal_weight"] == pytest.approx(0.2)
    assert effective_weights(ev).equals(audit["effective_weights"])


def test_correlation_ratio_sees_non_linear_dependence():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 200)
    y = x ** 2 + 0.05 * rng.normal(size=200)
    assert abs(stats.pearsonr(x, y).statistic) < 0.15
    assert correlation_ratio(x, y) > 0.9
    # linear: S ≈ r²
    y_lin = 2 * x + rng.normal(size=200)
    r2 = stats.pearsonr(x, y_lin).statistic ** 2
    assert correlation_ratio(x, y_lin) == pytest.approx(r2, abs=0.02)
    # independent noise: S near 0
    assert correlation_ratio(x, rng.normal(size=200)) < 0.08
    # a discrete x: S is the exact η² = Σ n_g (ȳ_g − ȳ)² / Σ (y − ȳ)²
    xd = rng.integers(0, 3, 90).astype(float)
    yd = xd ** 2 + rng.normal(size=90)
    groups = [yd[xd == v] for v in np.unique(xd)]
    eta2 = sum(len(g) * (g.mean() - yd.mean()) ** 2 for g in groups) / np.sum((yd - yd.mean()) ** 2)
    assert correlation_ratio(xd, yd) == pytest.approx(eta2, rel=1e-12)
    # missing pairs are dropped
    xm, ym = x.copy(), y.copy()
    xm[:5] = np.nan
    assert correlation_ratio(xm, ym) == pytest.approx(correlation_ratio(x[5:], y[5:]))


def test_smoothing_spline_is_scipys_for_a_given_penalty():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 30, 50)
    x[:6] = x[6:12]  # ties are pooled with their counts as weights
    y = np.sin(x / 5) + 0.3 * rng.normal(size=50)
    t, inv, c = np.unique(x, return_inverse=True, return_counts=True)
    ybar = np.bincount(inv, weights=y) / c
    for lam in (0.01, 1.0, 100.0):
        ours, a = smoothing_spline_fit(x, y, alpha=lam)
        ref = make_smoothing_spline(t, ybar, w=c.astype(float), lam=lam)(x)
        assert a == pytest.approx(lam)
        assert np.allclose(ours, ref, atol=1e-7)
    # a huge penalty leaves the least-squares line, however close two x values are
    x2 = np.concatenate([x, x[:3] + 1e-9])
    y2 = np.concatenate([y, y[:3] + 0.5])
    line = np.polyval(np.polyfit(x2, y2, 1), x2)
    assert np.allclose(smoothing_spline_fit(x2, y2, alpha=1e12)[0], line, atol=1e-4)


def test_importance_table_shares_and_flags(small):
    ev, _, audit = small
    imp = audit["importance"]
    ew = audit["effective_weights"].set_index("node")
    scores = ev.scores_table()
    for year in (2021, 2022):
        s = scores[scores["year"] == year]
        sel = imp[(imp["year"] == year) & (imp["target_kind"] == "parent") & (imp["target"] == "g1")]
        assert sel["S_share"].sum() == pytest.approx(1.0)
        assert sel["weight_share"].to_numpy() == pytest.approx(np.array([1, 2, 1, 1]) / 5)
        row = imp[(imp["year"] == year) & (imp["node"] == "b1") & (imp["target"] == "index")].iloc[0]
        assert row["r"] == pytest.approx(stats.pearsonr(s["b1"], s["index"]).statistic, abs=1e-12)
        assert row["S_i"] == pytest.approx(correlation_ratio(s["b1"].to_numpy(), s["index"].to_numpy()))
        assert row["weight"] == pytest.approx(ew.loc["b1", "effective_weight"])
        assert row["nominal_weight"] == pytest.approx(ew.loc["b1", "effective_nominal_weight"])
        level1 = imp[(imp["year"] == year) & (imp["target_kind"] == "index")]
        assert level1["weight_share"].sum() == pytest.approx(1.0)
    assert (imp["ratio"] == imp["S_share"] / imp["weight_share"]).all()
    assert (imp["flag"] == ~imp["ratio"].between(0.5, 2.0)).all()
    # the aspects appear once (their parent is the index)
    assert set(imp.loc[imp["node"].isin(GROUPS), "target_kind"]) == {"parent"}


# ---- remove one component -----------------------------------------------------------------

TINY = """\
id: tiny
normalise: none
tree:
  id: root
  children:
    - id: a
      children: [{id: x1}, {id: x2}]
    - id: b
      children: [{id: y1}, {id: y2}]
"""


def test_remove_one_on_a_hand_checkable_case(write):
    # a = mean(x1, x2), b = mean(y1, y2), root = mean(a, b):
    #   A: a=5, b=1 → 3.0   B: a=2, b=5 → 3.5   C: a=4, b=3 → 3.5   ranks A3 B1 C1
    # without b: root = a → A 5 (1), B 2 (3), C 4 (2): changes A −2, B +2, C +1
    # without x1: a = x2 → A 9, B 0, C 2 → root A 5, B 2.5, C 2.5: ranks A1 B2 C2 (A −2, B +1, C +1)
    fw = load_framework(write("tiny.yaml", TINY))
    panel = load_data(write("tiny.csv", "unit,x1,x2,y1,y2\nA,1,9,0,2\nB,4,0,6,4\nC,6,2,3,3\n"),
                      framework=fw)
    ev = evaluate(fw, panel)
    units, summary = remove_one(ev, components=["b", "x1"])
    ch = units.set_index(["component", "unit"])["rank_change"]
    assert [ch[("b", u)] for u in "ABC"] == [-2, 2, 1]
    assert [ch[("x1", u)] for u in "ABC"] == [-2, 1, 1]
    row = units.set_index(["component", "unit"]).loc[("b", "A")]
    assert (row["nominal_rank"], row["rank_without"]) == (3, 1)
    s = summary.set_index("component")
    assert s.loc["b", "mean_abs_rank_change"] == pytest.approx(5 / 3)
    assert s.loc["x1", "mean_abs_rank_change"] == pytest.approx(4 / 3)
    assert s.loc["b", "max_abs_rank_change"] == 2
    # the default components: the aspects, then every indicator
    units_all, summary_all = remove_one(ev)
    assert list(summary_all["component"]) == ["a", "b", "x1", "x2", "y1", "y2"]
    # the same as evaluating the reduced framework from scratch
    fresh = evaluate(without_indicator(fw, "y2"), panel).scores["root"]
    got = units_all[units_all["component"] == "y2"]["score_without"].to_numpy()
    assert np.allclose(got, fresh)


def test_without_node_drops_a_subtree_and_refuses_to_empty_a_parent(write):
    fw = load_framework(write("tiny.yaml", TINY))
    out = without_node(fw, "a")
    assert [c.id for c in out.tree.children] == ["b"] and "x1" not in out.nodes
    assert out.indicator_ids == ["y1", "y2"] and fw.indicator_ids == ["x1", "x2", "y1", "y2"]
    with pytest.raises(InputError):
        without_node(out, "b")
    with pytest.raises(InputError):
        without_node(fw, "root")
    panel = load_data(write("tiny.csv", "unit,x1,x2,y1,y2\nA,1,9,0,2\nB,4,0,6,4\n"), framework=fw)
    _, summary = remove_one(evaluate(out, panel), components=["b"])
    assert summary.loc[0, "status"].startswith("not evaluated")


def test_remove_one_in_the_audit(small):
    ev, _, audit = small
    summary = audit["remove_one_summary"]
    assert set(summary["component"]) == set(GROUPS) | set(INDICATORS)
    assert (summary["status"] == "ok").all() and len(summary) == 13 * 2
    units = audit["remove_one_units"]
    assert len(units) == 13 * 80
    g = units[(units["component"] == "g2") & (units["year"] == 2022)]
    expected = np.mean(np.abs(g["rank_without"] - g["nominal_rank"]))
    row = summary[(summary["component"] == "g2") & (summary["year"] == 2022)].iloc[0]
    assert row["mean_abs_rank_change"] == pytest.approx(expected)


# ---- the result object and its export ------------------------------------------------------

def test_write_exports_a_csv_per_table_and_one_workbook(small, tmp_path):
    _, _, audit = small
    out = tmp_path / "audit"
    paths = audit.write(out)
    names = set(audit.tables) | {"flags", "settings"}
    assert {p.name for p in paths} == {f"{n}.csv" for n in names} | {"audit.xlsx"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left
    back = pd.read_csv(out / "consistency.csv")
    assert np.allclose(back["alpha"], audit["consistency"]["alpha"])
    sheets = pd.read_excel(out / "audit.xlsx", sheet_name=None)
    assert set(sheets) == {n[:31] for n in names}
    assert np.allclose(sheets["correlations_group"]["r"], audit["correlations_group"]["r"])
    flags = audit.flags()
    assert {"correlations_group", "importance"} <= set(flags["table"])
    assert audit.correlations_group is audit["correlations_group"]


def test_years_option_limits_every_table(small):
    ev, _, _ = small
    one = run_audit(ev, years=[2022])
    for name, table in one.tables.items():
        if "year" in table and len(table):
            assert set(table["year"].dropna()) <= {2022}, name
    with pytest.raises(InputError):
        run_audit(ev, years=[1999], remove_one=False)
    with pytest.raises(InputError) as err:
        run_audit(ev, correlation_methods=("kendall",), stages=("cooked",), remove_one=False)
    assert len(err.value.problems) == 2


# ---- the ASEM example ------------------------------------------------------------------------

@pytest.mark.skipif(not (ASEM / "framework.yaml").exists(), reason="examples/asem not built")
def test_asem_audit_agrees_with_independent_computations():
    fw = load_framework(ASEM / "framework.yaml")
    ev = evaluate(fw, load_data([ASEM / "data.csv"], framework=fw))
    audit = run_audit(ev, components=["Conn", "Sust", "LPI"])
    scores = ev.scores_table()
    raw = ev.stage("raw")
    desc = audit["descriptives"].set_index(["stage", "indicator"])
    for ind in ("LPI", "Flights", "Goods"):
        x = raw[ind].dropna().to_numpy(float)
        assert desc.loc[("raw", ind), "skew"].item() == pytest.approx(stats.skew(x, bias=False))
        assert desc.loc[("raw", ind), "kurtosis"].item() == pytest.approx(
            stats.kurtosis(x, bias=False))
        assert desc.loc[("raw", ind), "sd"].item() == pytest.approx(np.std(x, ddof=1))
    kids = [c.id for c in fw.nodes["Physical"].children]
    X = scores[kids].to_numpy(float)
    R = np.corrcoef(X, rowvar=False)
    grp = audit["correlations_group"].query("group == 'Physical'").set_index(["a", "b"])
    assert grp.loc[(kids[0], kids[1]), "r"] == pytest.approx(R[0, 1], abs=1e-12)
    assert grp.loc[(kids[2], kids[5]), "r"] == pytest.approx(R[2, 5], abs=1e-12)
    k = len(kids)
    alpha = k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))
    cons = audit["consistency"].set_index("group")
    assert cons.loc["Physical", "alpha"] == pytest.approx(alpha)
    lam = np.linalg.eigh(np.corrcoef(X, rowvar=False))[0][::-1]
    assert cons.loc["Physical", "pc1_share"] == pytest.approx(lam[0] / k)
    lev = audit["correlations_level"].set_index(["node", "other"])
    ref = stats.pearsonr(scores["LPI"], scores["Physical"])
    assert lev.loc[("LPI", "Physical"), "r"] == pytest.approx(ref.statistic)
    assert lev.loc[("LPI", "Physical"), "p_value"] == pytest.approx(ref.pvalue)
    ew = audit["effective_weights"].set_index("node")
    assert ew.loc[fw.indicator_ids, "effective_weight"].sum() == pytest.approx(1.0)
    assert ew.loc["LPI", "effective_weight"] == pytest.approx(0.5 * 0.2 * 0.125)  # Conn, Physical, LPI
    screened = audit["coverage_units"]
    assert (~screened["evaluated"]).sum() == len(audit["log_screening"].query("unit.notna()"))
    units = audit["remove_one_units"]
    assert set(units["component"]) == {"Conn", "Sust", "LPI"} and len(units) == 3 * len(scores)


def test_correlation_ratio_is_undefined_without_enough_data():
    assert np.isnan(correlation_ratio([1.0, 2.0, 3.0], [3.0, 1.0, 2.0]))  # one value per level
    assert np.isnan(correlation_ratio([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]))  # constant x
    assert np.isnan(correlation_ratio([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]))  # constant y
    assert correlation_ratio([0, 0, 1, 1, 2, 2], [1, 2, 5, 6, 1, 2]) == pytest.approx(
        (2 * (1.5 - 17 / 6) ** 2 + 2 * (5.5 - 17 / 6) ** 2 + 2 * (1.5 - 17 / 6) ** 2)
        / np.sum((np.array([1, 2, 5, 6, 1, 2]) - 17 / 6) ** 2))
