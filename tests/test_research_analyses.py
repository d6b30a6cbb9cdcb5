"""The regional-research analyses (digindex.analytics.research), each checked against an
independent source named in its test: peer libraries' published test values on their bundled
data (inequality, giddy, esda, pointpats), textbook formulas computed here another way,
hand-derived examples and identities."""
from __future__ import annotations

import math

import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from digindex.analytics import research as rs
from digindex.errors import InputError


def _long_table(tmp_path, frame: pd.DataFrame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _usjoin(tmp_path, relative=False, ids=False):
    """usjoin.csv (giddy's and libpysal's bundled US per-capita incomes 1929–2009) as a long table."""
    wide = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    years = [str(y) for y in range(1929, 2010)]
    units = [str(i) for i in range(len(wide))] if ids else wide["Name"].tolist()
    long = pd.DataFrame([{"unit": u, "year": int(y), "value": float(wide.at[i, y])}
                         for i, u in enumerate(units) for y in years])
    return rs.load_table(_long_table(tmp_path, long), value="value")


# -- Dagum ----------------------------------------------------------------------------------

def test_dagum_total_is_the_gini_published_by_inequality_on_mexico(tmp_path):
    """inequality's test suite (tests/test_gini.py): Gini of Mexico's 1940 per-capita GDP by state
    (libpysal's mexico.csv) = 0.35372371173452849. Groups: the Hanson (1998) regions of the file."""
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    y = np.array(f.by_col["pcgdp1940"], dtype=float)
    regions = np.array(f.by_col["hanson98"])
    parts, within, between = rs.dagum_gini(y, regions)
    assert parts["gini"] == pytest.approx(0.35372371173452849, abs=1e-12)
    # identity (Dagum 1997): G = G_w + G_nb + G_t
    assert parts["within"] + parts["between"] + parts["transvariation"] == pytest.approx(parts["gini"], abs=1e-12)
    # the within-group Gini is the plain Gini of the group (inequality.gini.Gini as the reference)
    from inequality.gini import Gini

    for row in within.itertuples():
        assert row.gini == pytest.approx(Gini(y[regions == row.group]).g, abs=1e-12)


def test_dagum_identity_every_decade_and_no_transvariation_without_overlap(tmp_path):
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    rows = []
    for dec in range(1940, 2010, 10):
        y = np.array(f.by_col[f"pcgdp{dec}"], dtype=float)
        for i, v in enumerate(y):
            rows.append({"unit": f"s{i}", "year": dec, "value": v})
    data = rs.load_table(_long_table(tmp_path, pd.DataFrame(rows)), value="value")
    regions = dict(zip([f"s{i}" for i in range(32)], map(str, f.by_col["hanson98"])))
    main = rs.dagum(data, regions)["dagum"]
    assert np.allclose(main[["within", "between", "transvariation"]].sum(axis=1), main["gini"], atol=1e-12)
    assert np.allclose(main[["within_share", "between_share", "transvariation_share"]].sum(axis=1), 1)
    # groups that do not overlap (the 16 poorest and the 16 richest of 1940): G_t = 0 (Dagum 1997)
    first = data.table[data.table.year == 1940].sort_values("value")
    split = {u: ("low" if k < 16 else "high") for k, u in enumerate(first["unit"])}
    one = rs.load_table(_long_table(tmp_path, first, "one.csv"), value="value")
    out = rs.dagum(one, split)["dagum"].iloc[0]
    assert out["transvariation"] == pytest.approx(0, abs=1e-15)
    assert out["within"] + out["between"] == pytest.approx(out["gini"], abs=1e-12)


def test_dagum_hand_derived_examples():
    """Worked by hand from Dagum (1997) eqs. (2)–(13): A = {1, 2}, B = {3, 5} (no overlap) and
    A = {1, 4}, B = {2, 5} (overlap: d_BA = 1.5, p_BA = 0.5, D_BA = 0.5)."""
    parts, within, between = rs.dagum_gini([1, 2, 3, 5], ["A", "A", "B", "B"])
    assert parts["gini"] == pytest.approx(13 / 44)              # 26 / (2·16·2.75)
    assert parts["within"] == pytest.approx(3 / 44)             # (1/6)(1/2)(3/11) + (1/8)(1/2)(8/11)
    assert parts["between"] == pytest.approx(5 / 22)            # G_BA = 10/22, weight 1/2, D = 1
    assert parts["transvariation"] == pytest.approx(0)
    assert dict(zip(within.group, within.gini)) == pytest.approx({"A": 1 / 6, "B": 1 / 8})
    assert between.iloc[0][["group_a", "group_b"]].tolist() == ["B", "A"]
    assert between.iloc[0]["gini"] == pytest.approx(5 / 11)
    parts, _, between = rs.dagum_gini([1, 4, 2, 5], ["A", "A", "B", "B"])
    assert parts["gini"] == pytest.approx(7 / 24)
    assert parts["within"] == pytest.approx(1 / 8)              # 0.3·½·5/12 + (3/14)·½·7/12
    assert parts["between"] == pytest.approx(1 / 12)            # G_BA = 1/3, weight ½, D = ½
    assert parts["transvariation"] == pytest.approx(1 / 12)
    assert between.iloc[0]["gini"] == pytest.approx(1 / 3)


# -- kernel density ---------------------------------------------------------------------------

def test_kde_is_silvermans_gaussian_kernel_density(tmp_path):
    """Silverman (1986) eq. 3.31 bandwidth h = 0.9·min(σ, IQR/1.349)·n^(−1/5) and the Gaussian
    kernel density (1/nh) Σ φ((x − x_i)/h), computed here directly and with scipy."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0.2, 0.05, 40), rng.normal(0.6, 0.05, 20)])
    data = rs.load_table(_long_table(tmp_path, pd.DataFrame({"unit": [f"u{i}" for i in range(60)],
                                                             "value": x})), value="value")
    out = rs.kde(data, points=300)
    curve, peaks = out["kde"], out["kde_peaks"].iloc[0]
    sd = x.std(ddof=1)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    h = 0.9 * min(sd, iqr / 1.349) * len(x) ** (-0.2)
    assert peaks["bandwidth"] == pytest.approx(h, rel=1e-9)
    grid = curve["x"].to_numpy()
    direct = stats.norm.pdf((grid[:, None] - x[None, :]) / h).sum(axis=1) / (len(x) * h)
    assert np.allclose(curve["density"], direct, atol=1e-10)
    assert np.allclose(curve["density"], stats.gaussian_kde(x, bw_method=h / sd)(grid), atol=1e-10)
    # two modes, the main one near 0.2 (twice the mass)
    assert peaks["peaks"] == 2 and abs(peaks["main_x"] - 0.2) < 0.03
    assert np.trapezoid(curve["density"], grid) == pytest.approx(1, abs=1e-3)


# -- Markov chains ------------------------------------------------------------------------------

def test_markov_reproduces_giddys_published_usjoin_quintile_chain(tmp_path):
    """giddy's test suite (tests/test_markov.py, test_Markov.test___init__): per-year quintiles of
    US per-capita income 1929–2009 (usjoin.csv): transition counts, steady state and mean
    first-passage times."""
    out = rs.markov(_usjoin(tmp_path), classes=5)
    counts = out["markov_transitions"].pivot(index="from", columns="to", values="count").to_numpy()
    assert counts.tolist() == [[729, 71, 1, 0, 0], [72, 567, 80, 3, 0], [0, 81, 631, 86, 2],
                               [0, 3, 86, 573, 56], [0, 0, 1, 57, 741]]
    probs = out["markov_transitions"].pivot(index="from", columns="to", values="probability").to_numpy()
    assert probs[0] == pytest.approx([0.91011236, 0.0886392, 0.00124844, 0.0, 0.0], abs=1e-8)
    assert out["markov_steady_state"]["probability"].to_numpy() == pytest.approx(
        [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187], abs=1e-8)
    first = out["markov_first_passage"].pivot(index="from", columns="to", values="years").to_numpy()
    assert first[0] == pytest.approx([4.81354357, 11.50292712, 29.60921231, 53.38594954, 103.59816743], abs=1e-6)
    classes = out["markov_classes"]
    assert classes["class"].min() == 1 and classes["class"].max() == 5  # 1 the lowest, K the highest
    poorest = classes[classes.year == 1929].sort_values("value").iloc[0]
    assert poorest["class"] == 1


def test_spatial_markov_reproduces_giddys_published_q_and_lr(tmp_path):
    """giddy's Spatial_Markov docstring example (1): relative incomes (each year over its mean),
    pooled quintiles for values and lags, states48.gal weights: LR = 170.659, Q = 200.624 with 60
    degrees of freedom, and the first lag class's transition matrix."""
    data = _usjoin(tmp_path, ids=True)
    nb = rs.neighbours(data.units, libpysal.examples.get_path("states48.gal"))
    out = rs.spatial_markov(data, nb, classes=5, lag_classes=5, pooled=True, relative=True)
    tests = out["spatial_markov_tests"].iloc[0]
    assert f"{tests['LR']:.3f}" == "170.659" and f"{tests['Q']:.3f}" == "200.624"
    assert tests["LR_p"] < 1e-3 and tests["Q_p"] < 1e-3 and out.meta["dof"] == 60
    t = out["spatial_markov_transitions"]
    first = t[t.lag_class == 1].pivot(index="from", columns="to", values="probability").to_numpy()
    assert first[0] == pytest.approx([0.96341463, 0.0304878, 0.00609756, 0.0, 0.0], abs=1e-8)
    assert list(t.columns) == ["lag_class", "from", "to", "count", "probability"]


# -- convergence --------------------------------------------------------------------------------

def _panel(tmp_path, beta=-0.1, alpha=0.02, years=range(2010, 2016), n=12, noise=0.0, controls=False):
    """y_{t+1} = exp(α)·y_t^(1+β)·exp(ε): ln(y_{t+1}/y_t) = α + β ln y_t + ε exactly."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(n):
        y = float(np.exp(rng.normal(0, 0.5)))
        c = float(rng.normal())
        for t in years:
            rows.append({"unit": f"u{i}", "year": t, "value": y, "c": c + 0.1 * t})
            y = float(np.exp(alpha + (1 + beta) * np.log(y) + noise * rng.normal()))
    return rs.load_table(_long_table(tmp_path, pd.DataFrame(rows)), value="value",
                         columns=["c"] if controls else [])


def test_beta_convergence_recovers_an_exact_law_and_its_half_life(tmp_path):
    """Barro & Sala-i-Martin (1992): with β = −0.1 exactly, speed λ = −ln(0.9) and half-life ln2/λ."""
    out = rs.convergence(_panel(tmp_path))
    beta = out["beta"].set_index("model")
    assert beta.loc["absolute", "beta"] == pytest.approx(-0.1, abs=1e-10)
    assert beta.loc["absolute", "speed"] == pytest.approx(-math.log(0.9), abs=1e-9)
    assert beta.loc["absolute", "half_life"] == pytest.approx(math.log(2) / -math.log(0.9), abs=1e-7)
    assert beta.loc["absolute", "n"] == 12 * 5
    assert list(out["beta"].columns) == ["model", "beta", "se", "p", "speed", "half_life", "n"]


def test_beta_fixed_effects_is_the_two_way_within_estimator(tmp_path):
    """Frisch–Waugh–Lovell: the dummy-variable β equals the slope of growth on log level after
    removing unit and year means (balanced panel), computed here with NumPy; the pooled OLS β
    and the conditional β equal numpy.linalg.lstsq's."""
    data = _panel(tmp_path, noise=0.05, controls=True)
    out = rs.convergence(data, ["c"])["beta"].set_index("model")
    pairs = rs.convergence.__globals__["growth_panel"](data, ["c"])
    g, x, c = (pairs.pivot(index="unit", columns="year", values=k).to_numpy() for k in ("growth", "log_level", "c"))

    def within(a):
        return a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean()

    gw, xw, cw = within(g).ravel(), within(x).ravel(), within(c).ravel()
    X = np.column_stack([xw, cw])
    assert out.loc["fixed_effects", "beta"] == pytest.approx(np.linalg.lstsq(X, gw, rcond=None)[0][0], abs=1e-10)
    ones = np.ones(g.size)
    assert out.loc["absolute", "beta"] == pytest.approx(
        np.linalg.lstsq(np.column_stack([ones, x.ravel()]), g.ravel(), rcond=None)[0][1], abs=1e-10)
    assert out.loc["conditional", "beta"] == pytest.approx(
        np.linalg.lstsq(np.column_stack([ones, x.ravel(), c.ravel()]), g.ravel(), rcond=None)[0][1], abs=1e-10)
    # classical OLS standard error of the pooled slope: sqrt(σ² / Σ(x − x̄)²)
    resid = g.ravel() - np.polyval(np.polyfit(x.ravel(), g.ravel(), 1), x.ravel())
    se = math.sqrt((resid @ resid) / (g.size - 2) / ((x.ravel() - x.mean()) ** 2).sum())
    assert out.loc["absolute", "se"] == pytest.approx(se, rel=1e-9)


def test_sigma_convergence_is_the_sample_sd_and_cv(tmp_path):
    data = _panel(tmp_path)
    sig = rs.convergence(data)["sigma"]
    first = data.table[data.table.year == 2010]["value"].to_numpy()
    assert sig.iloc[0]["sd"] == pytest.approx(first.std(ddof=1))
    assert sig.iloc[0]["cv"] == pytest.approx(first.std(ddof=1) / first.mean())
    assert sig["sd"].is_monotonic_decreasing  # β < 0 without noise: the logs converge


# -- coupling coordination ----------------------------------------------------------------------

def test_coupling_standard_formula_by_hand():
    """Worked by hand. n = 2, U = (0.2, 0.8): C = 2·sqrt(0.16)/1.0 = 0.8, T = 0.5, D = sqrt(0.4).
    n = 3, U = (0.3, 0.6, 0.9): C = (0.162)^(1/3)/0.6 — the geometric over the arithmetic mean —
    and not the misused 3·[ΠU/Π(U_i+U_j)]^(1/3) = 3·0.1^(1/3) = 1.39 (> 1)."""
    assert rs.coupling_degree([[0.2, 0.8]])[0] == pytest.approx(0.8)
    c3 = rs.coupling_degree([[0.3, 0.6, 0.9]])[0]
    assert c3 == pytest.approx(0.162 ** (1 / 3) / 0.6) and c3 == pytest.approx(0.908560296, abs=1e-9)
    assert rs.coupling_degree([[0.5, 0.5, 0.5, 0.5, 0.5]])[0] == pytest.approx(1)
    assert rs.coupling_degree([[0.0, 0.7, 0.9]])[0] == 0


def test_coupling_modified_formula_of_wang_et_al_2021_by_hand():
    """Wang Shujia et al. (2021): C = sqrt{[1 − Σ_{i>j}|U_i − U_j| / Σ_{m=1}^{n−1} m]·[Π U_i/max U]^(1/(n−1))}.
    n = 2, U = (0.2, 0.8): sqrt((1 − 0.6)·0.25) = sqrt(0.1). n = 3, U = (0.3, 0.6, 0.9): pairs sum
    1.2 over 3 pairs → 0.6; ratios 1/3·2/3·1 = 2/9 → sqrt(2/9); C = sqrt(0.6·sqrt(2/9))."""
    assert rs.coupling_degree([[0.2, 0.8]], modified=True)[0] == pytest.approx(math.sqrt(0.1))
    assert rs.coupling_degree([[0.3, 0.6, 0.9]], modified=True)[0] == pytest.approx(
        math.sqrt(0.6 * math.sqrt(2 / 9)))
    assert rs.coupling_degree([[0.4, 0.4, 0.4]], modified=True)[0] == pytest.approx(1)


def test_coupling_table_grades_and_weights(tmp_path):
    frame = pd.DataFrame({"unit": ["a", "b", "c"], "year": [2020] * 3, "x": [0.2, 0.95, 0.0],
                          "y": [0.8, 0.95, 0.1]})
    data = rs.load_table(_long_table(tmp_path, frame), columns=["x", "y"])
    out = rs.coupling(data, ["x", "y"])["coupling"]
    assert list(out.columns) == ["unit", "year", "C", "T", "D", "grade"]
    a = out.iloc[0]
    assert (a["C"], a["T"], a["D"]) == pytest.approx((0.8, 0.5, math.sqrt(0.4)))
    assert a["grade"] == "初级协调"                 # D = 0.632 in [0.6, 0.7)
    assert out.iloc[1]["grade"] == "优质协调" and out.iloc[2]["grade"] == "极度失调"
    weighted = rs.coupling(data, ["x", "y"], weights=[3, 2], lang="en")["coupling"].iloc[0]
    assert weighted["T"] == pytest.approx(0.6 * 0.2 + 0.4 * 0.8) and weighted["grade"] == "barely coordinated"  # D = sqrt(0.8·0.44) = 0.593
    assert rs.grade_of([0, 0.0999, 0.1, 0.6, 0.9, 1.0]).tolist() == [1, 1, 2, 7, 10, 10]
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        rs.coupling(data, ["x", "y"], scale=0.5)


# -- obstacle degree ----------------------------------------------------------------------------

def test_obstacle_degree_by_hand(tmp_path):
    """F = (0.5, 0.3, 0.2), x' = (1, 0.5, 0): I = (0, 0.5, 1), F·I = (0, 0.15, 0.2), O = F·I/0.35."""
    frame = pd.DataFrame({"unit": ["a", "b"], "year": [2021, 2021], "p": [1.0, 0.0], "q": [0.5, 0.0],
                          "r": [0.0, 0.0]})
    data = rs.load_table(_long_table(tmp_path, frame), columns=["p", "q", "r"])
    out = rs.obstacle(data, ["p", "q", "r"], weights=[0.5, 0.3, 0.2], top=2)
    a = out["obstacle"][out["obstacle"].unit == "a"].set_index("node")["obstacle"]
    assert a.to_dict() == pytest.approx({"p": 0, "q": 0.15 / 0.35, "r": 0.2 / 0.35})
    b = out["obstacle"][out["obstacle"].unit == "b"]["obstacle"].to_numpy()
    assert b == pytest.approx([0.5, 0.3, 0.2])     # at the worst everywhere: O = F
    top = out["obstacle_top"]
    assert top[top.unit == "a"]["node"].tolist() == ["r", "q"]
    assert list(out["obstacle"].columns) == ["unit", "year", "node", "obstacle"]


def test_effective_weights_multiply_down_the_tree():
    w = pd.DataFrame({"node": ["root", "root", "A", "A", "B"], "child": ["A", "B", "a1", "a2", "b1"],
                      "weight": [0.6, 0.4, 0.25, 0.75, 1.0]})
    assert rs.effective_weights(w, "root") == pytest.approx({"a1": 0.15, "a2": 0.45, "b1": 0.4})
    assert rs.effective_weights(w, "A") == pytest.approx({"a1": 0.25, "a2": 0.75})


# -- grey relational analysis ---------------------------------------------------------------------

def test_grey_relational_grade_by_hand(tmp_path):
    """Deng (1989): ideal (1, 1, 0.8); Δ1 = (0, 0.5, 0), Δ2 = (0.4, 0, 0.4); Δmin 0, Δmax 0.5, ρ 0.5:
    ξ1 = (1, 1/3, 1) → 7/9; ξ2 = (0.25/0.65, 1, 0.25/0.65) → (1 + 2·5/13)/3."""
    frame = pd.DataFrame({"unit": ["a", "b"], "p": [1.0, 0.6], "q": [0.5, 1.0], "r": [0.8, 0.4]})
    data = rs.load_table(_long_table(tmp_path, frame), columns=["p", "q", "r"])
    out = rs.grey(data, ["p", "q", "r"])["grey"].set_index("unit")["grade"]
    assert out["a"] == pytest.approx(7 / 9) and out["b"] == pytest.approx((1 + 10 / 13) / 3)
    against_a = rs.grey(data, ["p", "q", "r"], reference="a")["grey"]
    assert against_a["unit"].tolist() == ["b"]     # the reference is not compared with itself
    # Δ = (0.4, 0.5, 0.4): Δmin 0.4, Δmax 0.5 → ξ = (0.65/0.65, 0.65/0.75, 1)
    assert against_a["grade"].iat[0] == pytest.approx((1 + 0.65 / 0.75 + 1) / 3)


# -- standard deviational ellipse ------------------------------------------------------------------

def test_ellipse_axes_are_pointpats_published_values_and_rotation_is_a_bearing():
    """pointpats' ellipse docstring: the 11-point pattern gives semi-axes 50.13029459102783 and
    37.95222670267865 (CrimeStat correction). The rotation is checked on points along y = 2x,
    whose major axis points 26.565° east of north (atan(1/2))."""
    coords = np.array([[66.22, 32.54], [22.52, 22.39], [31.01, 81.21], [9.47, 31.02], [30.78, 60.10],
                       [75.21, 58.93], [79.26, 7.68], [8.23, 39.93], [98.73, 77.17], [89.78, 42.53],
                       [65.19, 92.08]])
    e = rs.weighted_ellipse(coords, np.ones(len(coords)))
    assert (e["sx"], e["sy"]) == pytest.approx((50.13029459102783, 37.95222670267865), abs=1e-9)
    assert (e["x"], e["y"]) == pytest.approx(tuple(coords.mean(axis=0)))
    t = np.linspace(0, 10, 12)
    line = np.column_stack([t, 2 * t + 0.05 * np.sin(7 * t)])
    assert rs.weighted_ellipse(line, np.ones(12))["rotation"] == pytest.approx(
        math.degrees(math.atan(0.5)), abs=0.5)
    # score weights: integer weights act like repeated points for the centre and the axis direction
    w = np.array([1, 3, 2, 1, 1, 2, 1, 1, 4, 1, 2])
    rep = np.repeat(coords, w, axis=0)
    ew, er = rs.weighted_ellipse(coords, w), rs.weighted_ellipse(rep, np.ones(len(rep)))
    assert (ew["x"], ew["y"], ew["rotation"]) == pytest.approx((er["x"], er["y"], er["rotation"]))


# -- Moran's I and LISA ---------------------------------------------------------------------------

def _stl(tmp_path):
    f = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    y = np.array(f.by_col["HR8893"], dtype=float)
    gal = libpysal.examples.get_path("stl.gal")
    ids = libpysal.io.open(gal).read().id_order
    data = rs.load_table(_long_table(tmp_path, pd.DataFrame({"unit": ids, "value": y})), value="value")
    return data, rs.neighbours(data.units, gal)


def test_moran_reproduces_esdas_published_stl_value(tmp_path):
    """esda's test suite (tests/test_moran.py, TestMoran.test_moran): St Louis homicide rates
    1988–93 (stl_hom.txt, stl.gal): I = 0.24365582621771659 and one-tailed p_norm = 0.000135739…,
    i.e. two-tailed 0.000271478; E[I] = −1/77."""
    data, nb = _stl(tmp_path)
    out = rs.moran(data, nb, permutations=0)
    row = out["moran"].iloc[0]
    assert row["I"] == pytest.approx(0.24365582621771659, abs=1e-12)
    assert row["p"] == pytest.approx(2 * 0.00013573931385468807, rel=1e-9)
    assert row["expected"] == pytest.approx(-1 / 77)
    lisa = out["lisa"]
    # Anselin (1995) with esda's scaling: Σ I_i = (n − 1)·S_0·I / n, S_0 = n for row-standardised weights
    assert lisa["Ii"].sum() == pytest.approx(77 * row["I"], rel=1e-9)
    # the quadrant follows the signs of the deviation and its lag
    sc = out["moran_scatter"]
    expected_q = np.select([(sc.z > 0) & (sc.lag > 0), (sc.z <= 0) & (sc.lag > 0), (sc.z <= 0) & (sc.lag <= 0)],
                           [1, 2, 3], 4)
    assert (lisa["q"].to_numpy() == expected_q).all()
    assert list(out["lisa"].columns) == ["unit", "year", "Ii", "q", "p"]


def test_lisa_pseudo_p_values_agree_with_esda(tmp_path):
    """The NumPy conditional randomisation against esda's own (Numba) Moran_Local on the same
    data: pseudo p-values agree within Monte Carlo error (9,999 permutations each)."""
    import esda

    data, nb = _stl(tmp_path)
    y = data.table["value"].to_numpy()
    w = nb.to_w(data.units)
    ours = rs.moran.__globals__["conditional_p"](y - y.mean(), w, 9999, seed=1)
    theirs = esda.Moran_Local(y, w, transformation="r", permutations=9999, seed=1).p_sim
    # the same algorithm, independent draws: differences are Monte Carlo noise of sd sqrt(2p(1 − p)/N)
    p = (ours + theirs) / 2
    z = (ours - theirs) / np.sqrt(2 * p * (1 - p) / 9999)
    assert np.abs(z).max() < 4.5 and abs(z.mean()) < 0.5


def test_chart_names_only_for_codes_that_are_all_regions():
    """Charts name units by the registry only when every code is one of its regions: 06, 11 and
    12 are US states (FIPS codes), not a province of China."""
    from digindex.analyses.charts import unit_names

    assert unit_names(["06", "11", "12"]) == {"06": "06", "11": "11", "12": "12"}
    assert unit_names(["330483", "3304", "全省"]) == {"330483": "桐乡", "3304": "嘉兴", "全省": "全省"}
