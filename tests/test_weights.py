"""Weighting methods: checked against pymcdm, scikit-learn, numpy and worked examples."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from digindex import evaluate, get_method, load_data, load_framework
from digindex.engine.evaluate import AggregateContext
from digindex.errors import InputError
from digindex.methods import make_params


def run(name, X, prior=None, ctx=None, **raw):
    """Call weights method ``name`` as the engine does; return (w, info)."""
    spec = get_method("weights", name)
    X = np.asarray(X, float)
    prior = np.ones(X.shape[1]) if prior is None else np.asarray(prior, float)
    out = spec.func(X, prior, make_params(spec, raw), ctx)
    return out if isinstance(out, tuple) else (out, {})


def ctx_for(children, n=0, years=None, units=None):
    years = np.zeros(n, int) if years is None else np.asarray(years)
    units = np.array([f"u{i}" for i in range(len(years))]) if units is None else np.asarray(units)
    return AggregateContext(node="node", children=list(children), units=units, years=years)


def consistent(v):
    v = np.asarray(v, float)
    return (v[:, None] / v[None, :]).tolist()


RNG = np.random.default_rng(20240601)
XPOS = RNG.uniform(1, 100, size=(30, 5))  # positive data for the pymcdm comparisons


# ---------------------------------------------------------------- entropy / CRITIC / std / cv
def test_entropy_matches_pymcdm_on_positive_values():
    from pymcdm.weights import entropy_weights
    w, _ = run("entropy", XPOS, standardise="none")
    assert np.allclose(w, entropy_weights(XPOS), atol=1e-12)


def test_entropy_default_is_minmax_plus_offset_as_pymcdm_would_compute():
    from pymcdm.weights import entropy_weights
    Y = (XPOS - XPOS.min(0)) / np.ptp(XPOS, 0) + 1e-4  # the documented default shift
    w, info = run("entropy", XPOS)
    assert np.allclose(w, entropy_weights(Y), atol=1e-12)
    assert info["warnings"] == []


def test_critic_matches_pymcdm():
    from pymcdm.weights import critic_weights
    w, _ = run("critic", XPOS)
    assert np.allclose(w, critic_weights(XPOS), atol=1e-12)


def test_std_matches_pymcdm():
    from pymcdm.weights import standard_deviation_weights
    w, _ = run("std", XPOS)
    assert np.allclose(w, standard_deviation_weights(XPOS), atol=1e-12)


def test_cv_worked_example():
    # columns (1, 2, 3) and (2, 4, 9): means 2 and 5; sample sd 1 and √13
    # cv = 0.5 and √13/5 = 0.721110; Σ = 1.221110; w = 0.5/1.221110, 0.721110/1.221110
    #   = 0.409463, 0.590537
    w, _ = run("cv", [[1, 2], [2, 4], [3, 9]])
    cv = np.array([0.5, np.sqrt(13) / 5])
    assert np.allclose(w, cv / cv.sum())
    assert np.allclose(w, [0.409463, 0.590537], atol=1e-6)


def test_cv_refuses_mean_not_positive():
    with pytest.raises(ValueError, match="positive mean.*'b'"):
        run("cv", [[1, -2], [2, -4], [3, 1]], ctx=ctx_for(["a", "b"], 3))


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(4, 25), st.integers(2, 6)),
              elements=st.floats(0, 100, allow_nan=False)),
       st.data())
def test_constant_child_gets_zero_entropy_weight_and_a_warning(X, data):
    j = data.draw(st.integers(0, X.shape[1] - 1))
    X[:, j] = 7.0
    others = np.delete(X, j, axis=1)
    if np.all(np.ptp(others, axis=0) <= 1e-9 * (1 + np.abs(others).max())):
        return  # every child constant: refused, tested below
    names = [f"x{i}" for i in range(X.shape[1])]
    w, info = run("entropy", X, ctx=ctx_for(names, len(X)))
    assert w[j] == 0
    assert np.isclose(w.sum(), 1)
    assert any(f"'x{j}' is constant" in m for m in info["warnings"])


def test_all_constant_children_are_refused():
    with pytest.raises(ValueError, match="vary"):
        run("entropy", np.ones((5, 3)))


def test_incomplete_rows_are_left_out_with_a_warning():
    X = XPOS.copy()
    X[3, 1] = np.nan
    w, info = run("entropy", X)
    w_ref, _ = run("entropy", np.delete(XPOS, 3, axis=0))
    assert np.allclose(w, w_ref)
    assert "1 of 30 unit-years" in info["warnings"][0]


# ---------------------------------------------------------------- AHP
SAATY4 = [[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]]


def test_ahp_matches_pymcdm():
    from pymcdm.weights.subjective import AHP
    ref = AHP(matrix=np.array(SAATY4))
    w, info = run("ahp", np.zeros((1, 4)), matrix=SAATY4)
    assert np.allclose(w, ref(), atol=1e-12)
    lam = max(np.linalg.eigvals(np.array(SAATY4)).real)
    assert np.isclose(info["lambda_max"], lam)
    assert np.isclose(info["CI"], (lam - 4) / 3)
    # pymcdm divides by Tummala & Ling's RI(4) = 0.8921; Saaty's RI(4) = 0.90
    assert np.isclose(info["CR"], ref.get_cr() * AHP.RI_M[3] / 0.90)
    assert info["CR"] < 0.1


def test_ahp_accepts_fractions_written_as_text():
    text = [[1, 3, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]]
    assert np.allclose(run("ahp", np.zeros((1, 4)), matrix=text)[0],
                       run("ahp", np.zeros((1, 4)), matrix=SAATY4)[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.05, 20), min_size=1, max_size=10))
def test_consistent_ahp_matrix_has_cr_zero_and_recovers_v(v):
    w, info = run("ahp", np.zeros((1, len(v))), matrix=consistent(v))
    assert np.allclose(w, np.array(v) / sum(v), atol=1e-9)
    assert abs(info["CR"]) < 1e-9
    assert np.isclose(info["lambda_max"], len(v))


def test_inconsistent_ahp_is_refused_naming_cells():
    # a > b (9), b > c (9) but c > a (9): a cyclic, maximally inconsistent judgement
    M = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    # refused with the parameters (before any data): cells are named by position, c1..ck
    with pytest.raises(ValueError) as exc:
        run("ahp", np.zeros((1, 3)), ctx=ctx_for(["infra", "industry", "gov"]), matrix=M)
    msg = str(exc.value)
    assert "CR = " in msg and "≥ 0.1" in msg
    assert "a[c1, c2] = 9" in msg and "a[c1, c3] = 0.111" in msg


def test_ahp_max_cr_can_be_relaxed():
    M = [[1, 3, 2], [1 / 3, 1, 3], [1 / 2, 1 / 3, 1]]  # CR = 0.221
    with pytest.raises(ValueError, match="CR = "):
        run("ahp", np.zeros((1, 3)), matrix=M)
    _, info = run("ahp", np.zeros((1, 3)), matrix=M, max_cr=0.5)
    assert 0.1 <= info["CR"] < 0.5


@pytest.mark.parametrize("raw, match", [
    ({"matrix": [[1, 2], [0.5]]}, "square"),
    ({"matrix": [[1, -2], [-0.5, 1]]}, "positive"),
    ({"matrix": [[1, "a/b"], [1, 1]]}, "fraction"),
    ({"matrix": [[1] * 11] * 11}, "at most 10|limited to 10"),
    ({"matrix": [[1, 1], [1, 1]], "maxcr": 0.2}, "unknown parameter 'maxcr'"),
    ({}, "'matrix'"),
])
def test_ahp_parameter_errors(raw, match):
    with pytest.raises(ValueError, match=match):
        make_params(get_method("weights", "ahp"), raw)


def test_ahp_matrix_checked_against_the_children():
    with pytest.raises(ValueError, match="reciprocal.*a\\[c1, c2\\] = 3"):
        run("ahp", np.zeros((1, 2)), ctx=ctx_for(["x", "y"]), matrix=[[1, 3], [3, 1]])
    with pytest.raises(ValueError, match="diagonal"):
        run("ahp", np.zeros((1, 2)), matrix=[[2, 3], [1 / 3, 1]])
    with pytest.raises(ValueError, match="3×3 but the node has 2 children"):
        run("ahp", np.zeros((1, 2)), matrix=consistent([1, 2, 3]))


# ---------------------------------------------------------------- combined
# Hand-worked example. a = manual weights (0.4, 0.3, 0.2, 0.1) from the framework,
# b = AHP on the consistent matrix of v = (0.25, 0.2, 0.3, 0.25), so b = v exactly.
A_W = np.array([0.4, 0.3, 0.2, 0.1])
B_W = np.array([0.25, 0.2, 0.3, 0.25])
B_SPEC = {"method": "ahp", "matrix": consistent(B_W)}


def test_combined_multiplicative_worked_example():
    # a·b = (0.1, 0.06, 0.06, 0.025), Σ = 0.245 → w = (0.408163, 0.244898, 0.244898, 0.102041)
    w, info = run("combined", np.zeros((1, 4)), prior=A_W, a="manual", b=B_SPEC,
                  mode="multiplicative")
    assert np.allclose(w, np.array([0.1, 0.06, 0.06, 0.025]) / 0.245)
    assert info["a"]["method"] == "manual" and info["b"]["method"] == "ahp"
    assert np.isclose(info["b"]["CR"], 0, atol=1e-9)


def test_combined_linear_worked_example():
    # 0.6·a + 0.4·b = (0.24+0.10, 0.18+0.08, 0.12+0.12, 0.06+0.10) = (0.34, 0.26, 0.24, 0.16)
    w, info = run("combined", np.zeros((1, 4)), prior=A_W, a="manual", b=B_SPEC,
                  mode="linear", alpha=0.6)
    assert np.allclose(w, [0.34, 0.26, 0.24, 0.16])
    assert info["coefficients"] == {"alpha": 0.6}


def test_combined_game_theory_worked_example():
    # Game-theory combination (博弈论组合赋权): solve [a·a a·b; b·a b·b] α = (a·a, b·b).
    # a·a = .16+.09+.04+.01 = 0.30; b·b = .0625+.04+.09+.0625 = 0.255;
    # a·b = .1+.06+.06+.025 = 0.245; det = 0.30·0.255 − 0.245² = 0.016475
    # α1 = 0.255·(0.30 − 0.245)/det = 0.014025/det; α2 = 0.30·(0.255 − 0.245)/det = 0.003/det
    # normalised: α1* = 14025/17025 = 187/227, α2* = 3000/17025 = 40/227
    # w1 = (187·0.4 + 40·0.25)/227 = 84.8/227 = 0.373568, …
    w, info = run("combined", np.zeros((1, 4)), prior=A_W, a="manual", b=B_SPEC,
                  mode="game_theory")
    assert np.isclose(info["coefficients"]["alpha_a"], 187 / 227)
    assert np.isclose(info["coefficients"]["alpha_b"], 40 / 227)
    assert np.allclose(w, (187 * A_W + 40 * B_W) / 227)
    assert np.isclose(w[0], 84.8 / 227)


def test_combined_passes_on_component_warnings():
    X = XPOS.copy()
    X[:, 2] = 5.0
    w, info = run("combined", X, a="equal", b="entropy", mode="multiplicative",
                  ctx=ctx_for(list("abcde"), len(X)))
    assert w[2] == 0
    assert any(m.startswith("b (entropy):") and "'c' is constant" in m for m in info["warnings"])


@pytest.mark.parametrize("raw, match", [
    ({"a": "manual", "b": "nosuch"}, "unknown weights method 'nosuch'"),
    ({"a": "manual", "b": {"method": "ahp"}}, "matrix"),
    ({"a": "manual", "b": "entropy", "mode": "game_theory", "alpha": 0.3}, "alpha applies"),
    ({"a": "manual", "b": "entropy", "mode": "linear", "alpha": 1.5}, "alpha"),
    ({"a": "manual", "b": "entropy", "mode": "average"}, "mode"),
    ({"a": "manual"}, "'b'"),
])
def test_combined_parameter_errors(raw, match):
    with pytest.raises(ValueError, match=match):
        make_params(get_method("weights", "combined"), raw)


def test_combined_refuses_per_unit_weights():
    with pytest.raises(ValueError, match="per unit-year"):
        run("combined", XPOS[:, :2], a="manual", b="bod")


# ---------------------------------------------------------------- PCA / factor analysis
def two_block_data(n=200, seed=1):
    """Six children driven by two latent factors (x1–x3 and x4–x6) plus noise."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    load = np.array([[0.9, 0], [0.8, 0.1], [0.7, 0], [0, 0.9], [0.1, 0.8], [0, 0.6]])
    return f @ load.T + 0.4 * rng.normal(size=(n, 6))


def handbook_weights(L):
    """OECD/JRC 2008 §6.1 steps 4–6 written out for the test."""
    S = L ** 2
    ev = S.sum(0)
    f = S.argmax(1)
    w = (S / ev)[np.arange(len(L)), f] * (ev / ev.sum())[f]
    return w / w.sum()


def test_pca_matches_sklearn_eigen_decomposition_and_rotation():
    from sklearn.decomposition import PCA
    from sklearn.decomposition._factor_analysis import _ortho_rotation
    from sklearn.preprocessing import StandardScaler

    X = two_block_data()
    Z = StandardScaler().fit_transform(X)
    p = PCA().fit(Z)
    eig = p.explained_variance_ratio_ * X.shape[1]  # eigenvalues of the correlation matrix
    assert (eig[:2] > 1).all() and eig[2] < 1  # the Handbook's rule keeps two factors
    L = p.components_[:2].T * np.sqrt(eig[:2])
    L_rot = _ortho_rotation(L, tol=1e-12, max_iter=5000).T  # sklearn's plain varimax
    w, info = run("pca", X, kaiser=False)
    assert np.allclose(info["eigenvalues"], eig)
    assert info["n_factors"] == 2
    assert np.allclose(w, handbook_weights(L_rot), atol=1e-6)
    # default: Kaiser-normalised varimax = plain varimax of the rows scaled to unit length
    h = np.sqrt((L ** 2).sum(1, keepdims=True))
    L_kaiser = _ortho_rotation(L / h, tol=1e-12, max_iter=5000).T * h
    assert np.allclose(run("pca", X)[0], handbook_weights(L_kaiser), atol=1e-6)
    assert info["factor_of_child"] == {"c1": 1, "c2": 1, "c3": 1, "c4": 2, "c5": 2, "c6": 2} or \
        info["factor_of_child"] == {"c1": 2, "c2": 2, "c3": 2, "c4": 1, "c5": 1, "c6": 1}


def test_pca_single_factor_weights_are_scaled_squared_loadings():
    # one factor (rule: λ1 > 1 and ≥ 60 %): w_j = λ1·v_j² / λ1 = v_j², already summing to 1
    rng = np.random.default_rng(3)
    f = rng.normal(size=300)
    X = np.column_stack([f + s * rng.normal(size=300) for s in (0.2, 0.4, 0.6)])
    R = np.corrcoef(X, rowvar=False)
    vals, vecs = np.linalg.eigh(R)
    w, info = run("pca", X)
    assert info["n_factors"] == 1
    assert np.allclose(w, vecs[:, -1] ** 2)


def test_factor_matches_sklearn_factor_analysis():
    from sklearn.decomposition import FactorAnalysis
    X = two_block_data(seed=5)
    Z = (X - X.mean(0)) / X.std(0)
    fa = FactorAnalysis(n_components=2, rotation="varimax", random_state=0).fit(Z)
    w, info = run("factor", X)
    assert info["n_factors"] == 2
    assert np.allclose(w, handbook_weights(fa.components_.T), atol=1e-9)


def test_pca_n_factors_and_errors():
    X = two_block_data()
    assert run("pca", X, n_factors=3)[1]["n_factors"] == 3
    with pytest.raises(ValueError, match="only 6"):
        run("pca", X, n_factors=7)
    w, info = run("pca", np.column_stack([X[:, 0], np.ones(len(X))]))
    assert list(w) == [1, 0] and "constant" in info["warnings"][0]
    with pytest.raises(ValueError, match="more complete unit-years"):
        run("pca", X[:6])
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        make_params(get_method("weights", "pca"), {"n_factors": 0})


# ---------------------------------------------------------------- Benefit of the Doubt
# Cooper, Seiford & Tone (2007), Data Envelopment Analysis, 2nd ed., Table 1.5: seven
# stores A–G, one employee each (a single unit input, so DEA = BoD), outputs
# customers x1 = (1, 2, 3, 4, 4, 5, 6) and sales x2 = (5, 7, 4, 3, 6, 5, 2).
# Frontier: B, E, F, G. Facet E–F: 4a + 6b = 1, 5a + 5b = 1 → a = b = 0.1, so
# C = 3·0.1 + 4·0.1 = 0.7. Facet F–G: 5a + 5b = 1, 6a + 2b = 1 → a = 0.15, b = 0.05,
# D = 4·0.15 + 3·0.05 = 0.75. A's ray meets the flat part x2 = 7 (a = 0, b = 1/7):
# A = 5/7. Normalised weights: C (0.5, 0.5), D (0.75, 0.25), A (0, 1).
STORES = np.array([[1, 5], [2, 7], [3, 4], [4, 3], [4, 6], [5, 5], [6, 2]], float)


def test_bod_scores_of_the_textbook_example():
    agg = get_method("aggregate", "bod")
    y = agg.func(STORES, None, make_params(agg, {}), ctx_for(["x1", "x2"], 7))
    assert np.allclose(y, [5 / 7, 1, 0.7, 0.75, 1, 1, 1], atol=1e-9)


def test_bod_weights_of_the_textbook_example():
    W, info = run("bod", STORES, ctx=ctx_for(["x1", "x2"], 7))
    assert W.shape == (7, 2) and np.allclose(W.sum(1), 1)
    assert np.allclose(W[[0, 2, 3]], [[0, 1], [0.5, 0.5], [0.75, 0.25]], atol=1e-9)
    assert info["efficient_per_year"] == {"0": 4}


def test_bod_pie_share_bounds_worked_example():
    # Cherchye et al. (2007) pie shares, both ≥ 0.4, for store D (4, 3):
    # 4a ≥ 0.4(4a + 3b) → b ≤ 2a; 3b ≥ 0.4(4a + 3b) → b ≥ (8/9)a. The unrestricted optimum
    # (b/a = 1/3) is cut off; on b = (8/9)a the binding store is F: 5a + (40/9)a = 1 →
    # a = 9/85, b = 8/85, D = 4·9/85 + 3·8/85 = 60/85 = 12/17 with shares 0.6 / 0.4.
    agg = get_method("aggregate", "bod")
    ctx = ctx_for(["x1", "x2"], 7)
    y = agg.func(STORES, None, make_params(agg, {"bounds": [0.4, 1]}), ctx)
    assert np.isclose(y[3], 12 / 17, atol=1e-9)
    W, _ = run("bod", STORES, ctx=ctx, bounds=[0.4, 1])
    assert np.allclose(W[3], [9 / 17, 8 / 17], atol=1e-9)
    # per-child bounds as pairs: with no restriction on x1 and x2 ≤ 1, nothing changes
    y2 = agg.func(STORES, None, make_params(agg, {"bounds": [[0, 1], [0, 1]]}), ctx)
    assert np.allclose(y2, [5 / 7, 1, 0.7, 0.75, 1, 1, 1], atol=1e-9)


def test_bod_benchmarks_within_each_year():
    # the same stores in two years, the second year with every value doubled: BoD is
    # scale-invariant within a year, so both years give the textbook scores
    X = np.vstack([STORES, 2 * STORES])
    agg = get_method("aggregate", "bod")
    y = agg.func(X, None, make_params(agg, {}), ctx_for(["x1", "x2"], years=[1] * 7 + [2] * 7))
    assert np.allclose(y, [5 / 7, 1, 0.7, 0.75, 1, 1, 1] * 2, atol=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(float, st.tuples(st.integers(2, 12), st.integers(1, 4)),
              elements=st.floats(0, 100, allow_nan=False)),
       st.integers(1, 3))
def test_bod_scores_at_most_one_with_a_best_unit_at_one(X, n_years):
    years = np.arange(len(X)) % n_years
    agg = get_method("aggregate", "bod")
    y = agg.func(X, None, make_params(agg, {}), ctx_for([f"c{j}" for j in range(X.shape[1])],
                                                         years=years))
    assert np.all(y <= 1 + 1e-9) and np.all(y >= 0)
    for t in np.unique(years):
        if np.any(X[years == t] > 0):
            assert np.isclose(y[years == t].max(), 1, atol=1e-7)


def test_bod_refusals():
    agg = get_method("aggregate", "bod")
    X = STORES.copy()
    X[2, 1] = np.nan
    ctx = ctx_for(["x1", "x2"], units=list("ABCDEFG"), years=[2020] * 7)
    with pytest.raises(ValueError, match="'x2' for unit 'C', year 2020.*impute"):
        agg.func(X, None, make_params(agg, {}), ctx)
    with pytest.raises(ValueError, match="≥ 0, but 'x1' is -1 for unit 'A'"):
        run("bod", -STORES, ctx=ctx)
    with pytest.raises(ValueError, match="lower bounds sum to 1.2"):
        run("bod", STORES, ctx=ctx, bounds=[0.6, 1])
    with pytest.raises(ValueError, match="0 ≤ lo ≤ hi ≤ 1"):
        make_params(agg, {"bounds": [0.5, 0.2]})


# ---------------------------------------------------------------- optimised
def test_optimised_meets_equal_correlation_targets():
    X = two_block_data(seed=7)[:, [0, 1, 3]]
    w, info = run("optimised", X)
    r = np.array([np.corrcoef(X[:, j], X @ w)[0, 1] for j in range(3)])  # numpy, independently
    assert np.allclose(list(info["correlations"].values()), r)
    assert np.allclose(r / r.sum(), 1 / 3, atol=1e-4)
    assert info["warnings"] == []


def test_optimised_targets_and_spearman():
    X = two_block_data(seed=8)[:, [0, 3]]
    w, info = run("optimised", X, targets=[2, 1], correlation="spearman")
    from scipy.stats import spearmanr
    r = np.array([spearmanr(X[:, j], X @ w)[0] for j in range(2)])
    assert np.allclose(list(info["correlations"].values()), r)
    # rank correlations move in steps, so the target is met only to within a step
    assert np.allclose(r / r.sum(), [2 / 3, 1 / 3], atol=2e-3)
    with pytest.raises(ValueError, match="targets has 3 values"):
        run("optimised", X, targets=[1, 1, 1])


# ---------------------------------------------------------------- every method
@pytest.mark.parametrize("name", ["entropy", "critic", "cv", "std", "pca", "factor", "optimised"])
def test_a_single_child_gets_weight_one(name):
    w, _ = run(name, np.full((4, 1), 3.0))
    assert list(w) == [1.0]


def _every_method(X):
    k = X.shape[1]
    yield "entropy", {}
    yield "critic", {}
    yield "std", {}
    yield "cv", {}
    yield "ahp", {"matrix": consistent(np.arange(1, k + 1))}
    yield "combined", {"a": "manual", "b": "entropy", "mode": "game_theory"}
    yield "combined", {"a": "equal", "b": "critic", "mode": "multiplicative"}
    yield "optimised", {}
    yield "bod", {}
    if len(X) > k + 1:
        yield "pca", {}
        yield "factor", {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(8, 30))
def test_weights_sum_to_one_for_every_method(seed, k, n):
    X = np.random.default_rng(seed).uniform(1, 100, size=(n, k))
    for name, raw in _every_method(X):
        w, _ = run(name, X, prior=np.arange(1, k + 1), ctx=ctx_for([f"c{j}" for j in range(k)], n),
                   **raw)
        assert np.all(w >= -1e-12), name
        assert np.allclose(np.sum(w, axis=-1), 1), name


# ---------------------------------------------------------------- end to end
FRAMEWORK = """
id: test
name: AHP test
normalise: {method: minmax, scale: [0, 100]}
tree:
  id: index
  weights: {method: ahp, matrix: [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]}
  children:
    - {id: a, name: A}
    - {id: b, name: B}
    - {id: c, name: C}
"""


def _data(write):
    rows = ["unit,year,a,b,c"] + [f"u{i},2020,{i},{(i * 7) % 10},{(i * 3) % 10}" for i in range(10)]
    return write("data.csv", "\n".join(rows) + "\n")


def test_evaluate_with_ahp_weights_end_to_end(write):
    fw = load_framework(write("fw.yaml", FRAMEWORK))
    result = evaluate(fw, load_data(_data(write), framework=fw))
    from pymcdm.weights.subjective import AHP
    M = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    expected = AHP(matrix=M)()
    info = result.weight_info["index"]
    assert np.isclose(info["lambda_max"], max(np.linalg.eigvals(M).real))
    assert 0 < info["CR"] < 0.1
    got = result.weights.set_index("child").loc[["a", "b", "c"], "weight"].to_numpy()
    assert np.allclose(got, expected)
    norm = result.stages["normalised"]
    assert np.allclose(result.scores["index"], norm @ expected)


def test_inconsistent_ahp_is_a_user_error_naming_the_node(write):
    text = FRAMEWORK.replace('[[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]',
                             '[[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]')
    # refused when the framework is read, at the line of the node's weights
    with pytest.raises(InputError, match="node 'index': weights method 'ahp'.*a\\[c1, c2\\] = 9") as exc:
        load_framework(write("fw.yaml", text))
    (problem,) = exc.value.problems
    assert problem.line is not None and "c1 = a, c2 = b, c3 = c" in problem.fix


# ---------------------------------------------------------------- details for result files
def test_entropy_and_critic_details_match_the_formulas_by_hand():
    import pandas as pd

    from digindex.methods.weights.details import weight_details

    names = ["a", "b", "c", "d", "e"]
    _, info = run("entropy", XPOS, ctx=ctx_for(names, len(XPOS)))
    Y = (XPOS - XPOS.min(0)) / np.ptp(XPOS, 0) + 1e-4
    P = Y / Y.sum(0)
    e = -(P * np.log(P)).sum(0) / np.log(len(Y))
    d = weight_details(info, names)
    assert np.allclose([d.children["entropy"][n] for n in names], e, atol=1e-12)
    assert np.allclose([d.children["divergence"][n] for n in names], 1 - e, atol=1e-12)
    assert d.node == {"rows": 30}

    w, info = run("critic", XPOS, ctx=ctx_for(names, len(XPOS)))
    Z = pd.DataFrame((XPOS - XPOS.min(0)) / np.ptp(XPOS, 0), columns=names)
    sd, conflict = Z.std(), (1 - Z.corr()).sum()
    d = weight_details(info, names)
    assert np.allclose(pd.Series(d.children["sd"]), sd)
    assert np.allclose(pd.Series(d.children["conflict"]), conflict)
    assert np.allclose(pd.Series(d.children["information"]), sd * conflict)
    assert np.allclose(w, sd * conflict / (sd * conflict).sum())


def test_ahp_combined_and_pca_details():
    from digindex.methods.weights.details import weight_details

    names = ["a", "b", "c"]
    M = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]
    _, info = run("ahp", np.zeros((1, 3)), ctx=ctx_for(names), matrix=M)
    d = weight_details(info, names)
    assert d.matrices["matrix"]["a"] == {"a": 1.0, "b": 3.0, "c": 5.0}
    assert d.matrices["matrix"]["c"]["b"] == pytest.approx(1 / 3)
    assert set(d.node) == {"lambda_max", "CI", "RI", "CR", "n"} and d.node["RI"] == 0.58
    X = RNG.uniform(1, 100, size=(20, 3))
    w, info = run("combined", X, ctx=ctx_for(names, 20), a={"method": "ahp", "matrix": M}, b="entropy",
                  alpha=0.6)
    d = weight_details(info, names)
    wa = np.array([d.children["a.weights"][n] for n in names])
    wb = np.array([d.children["b.weights"][n] for n in names])
    assert np.allclose(w, 0.6 * wa + 0.4 * wb)
    assert "b.entropy" in d.children and "a.matrix" in d.matrices and d.node["a.CR"] < 0.1
    assert d.node["coefficients.alpha"] == 0.6 and d.node["mode"] == "linear"
    Xp = RNG.normal(size=(40, 4)) @ RNG.normal(size=(4, 4))
    _, info = run("pca", Xp, ctx=ctx_for(list("pqrs"), 40), n_factors=2)
    d = weight_details(info, list("pqrs"))
    assert {"loadings.1", "loadings.2", "factor_of_child"} <= set(d.children)
    assert np.allclose([d.children["loadings.1"][n] for n in "pqrs"], [info["loadings"][n][0] for n in "pqrs"])
