"""Aggregation operators checked against independent sources.

- means: scipy.stats.hmean / gmean / pmean;
- TOPSIS and VIKOR: pymcdm (configured with the same normalisation);
- Copeland and MPI/AMPI: small cases worked by hand, arithmetic in the comments;
- properties (hypothesis): monotonicity, the power-mean family, missing values.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS, VIKOR
from scipy import stats

from digindex import evaluate, load_data, load_framework
from digindex.engine.evaluate import AggregateContext
from digindex.errors import InputError
from digindex.methods import get_method, make_params
from digindex.methods.aggregate import needs_positive
from digindex.methods.aggregate import mcda, mpi


def agg(name, X, w, ctx=None, **params):
    spec = get_method("aggregate", name)
    return spec.func(np.asarray(X, float), np.asarray(w, float), make_params(spec, params), ctx)


def ctx_for(years, k):
    years = np.asarray(years, dtype=object)
    units = np.array([f"u{i}" for i in range(len(years))], dtype=object)
    return AggregateContext(node="n", children=[f"c{j}" for j in range(k)], units=units, years=years)


RNG = np.random.default_rng(20240611)
X_POS = RNG.uniform(1, 100, size=(12, 4))
W4 = np.array([0.1, 0.2, 0.3, 0.4])


# ------------------------------------------------------------------ means vs scipy

def test_means_match_scipy():
    for row, y in zip(X_POS, agg("harmonic", X_POS, W4)):
        assert y == pytest.approx(stats.hmean(row, weights=W4), rel=1e-12)
    for row, y in zip(X_POS, agg("geometric", X_POS, W4)):
        assert y == pytest.approx(stats.gmean(row, weights=W4), rel=1e-12)
    for r in (-3.5, -1, -0.5, 0.3, 1, 2, 7):
        for row, y in zip(X_POS, agg("generalised", X_POS, W4, r=r)):
            assert y == pytest.approx(stats.pmean(row, r, weights=W4), rel=1e-10), r


def test_generalised_extreme_orders_stay_finite():
    X = np.array([[1e-3, 50.0, 100.0]])
    w = np.full(3, 1 / 3)
    assert agg("generalised", X, w, r=400)[0] == pytest.approx(100 * (1 / 3) ** (1 / 400), rel=1e-9)
    assert agg("generalised", X, w, r=-400)[0] == pytest.approx(1e-3 * (1 / 3) ** (-1 / 400), rel=1e-9)


def test_mean_min_published_formula():
    # Casadio Tarabusi & Guarini (2013): y = μ − α(√((μ − m)² + β²) − β)
    X = np.array([[40.0, 80.0, 60.0]])
    w = np.array([0.25, 0.25, 0.5])
    # μ = 10 + 20 + 30 = 60, m = 40, μ − m = 20
    assert agg("mean_min", X, w, alpha=0.0, beta=5)[0] == pytest.approx(60)      # no penalty
    assert agg("mean_min", X, w, alpha=1.0, beta=0)[0] == pytest.approx(40)      # the minimum
    assert agg("mean_min", X, w)[0] == pytest.approx(50)                         # (μ + m)/2
    # α = 0.5, β = 15: √(400 + 225) = 25; 60 − 0.5·(25 − 15) = 55
    assert agg("mean_min", X, w, alpha=0.5, beta=15)[0] == pytest.approx(55)
    assert agg("mean_min", X, w, alpha=0.5, beta=1e9)[0] == pytest.approx(60, abs=1e-6)
    with pytest.raises(ValueError, match="alpha"):
        agg("mean_min", X, w, alpha=1.5)


def test_non_positive_inputs_raise_clear_errors():
    X = np.array([[1.0, 2.0], [3.0, 0.0]])
    w = np.array([0.5, 0.5])
    ctx = ctx_for([2020, 2020], 2)
    for name, params in (("geometric", {}), ("harmonic", {}), ("generalised", {"r": -1}),
                         ("generalised", {"r": 0})):
        with pytest.raises(ValueError, match=r"needs values > 0.*'c1' scores 0 for unit 'u1', year 2020"):
            agg(name, X, w, ctx, **params)
    with pytest.raises(ValueError, match="needs values ≥ 0"):
        agg("generalised", -X, w, r=2)
    assert agg("generalised", X, w, r=2)[1] == pytest.approx(np.sqrt(4.5))      # zero allowed, r > 0
    assert all(get_method("aggregate", m).capabilities().inputs == "positive" for m in ("geometric", "harmonic"))
    assert needs_positive("generalised", {"r": -1}) and needs_positive("generalised", {"r": 0})
    assert not needs_positive("generalised", {"r": 2}) and not needs_positive("topsis")


def test_harmonic_refused_statically_by_the_framework(write):
    fw = write("fw.yaml", """
id: t
name: t
normalise: {method: minmax, scale: [0, 100]}
tree:
  id: root
  name: root
  aggregate: harmonic
  children:
    - {id: x1, name: x1}
    - {id: x2, name: x2}
""")
    with pytest.raises(InputError, match="harmonic"):
        load_framework(fw)


# ------------------------------------------------------------------ properties (hypothesis)

positive_rows = arrays(np.float64, st.integers(2, 6),
                       elements=st.floats(0.01, 1000, allow_nan=False, allow_infinity=False))


def _weights(k, seed):
    w = np.random.default_rng(seed).uniform(0.05, 1, k)
    return w / w.sum()


COMPENSATORY = [("arithmetic", {}), ("geometric", {}), ("harmonic", {}), ("generalised", {"r": 2.5}),
                ("generalised", {"r": -0.7}), ("generalised", {"r": 0.5})]


@settings(max_examples=60, deadline=None)
@given(x=positive_rows, seed=st.integers(0, 10_000), j=st.integers(0, 5),
       bump=st.floats(0.0, 500, allow_nan=False))
def test_raising_an_input_never_lowers_a_compensatory_mean(x, seed, j, bump):
    j = j % len(x)
    w = _weights(len(x), seed)
    hi = x.copy()
    hi[j] += bump
    for name, params in COMPENSATORY:
        before, after = agg(name, x[None], w, **params)[0], agg(name, hi[None], w, **params)[0]
        assert after >= before * (1 - 1e-12), (name, params)


@settings(max_examples=60, deadline=None)
@given(x=positive_rows, seed=st.integers(0, 10_000))
def test_generalised_mean_family(x, seed):
    w = _weights(len(x), seed)
    X = x[None]
    assert agg("generalised", X, w, r=1)[0] == pytest.approx(agg("arithmetic", X, w)[0], rel=1e-12)
    assert agg("generalised", X, w, r=0)[0] == pytest.approx(agg("geometric", X, w)[0], rel=1e-12)
    assert agg("generalised", X, w, r=-1)[0] == pytest.approx(agg("harmonic", X, w)[0], rel=1e-12)
    for tiny in (1e-9, -1e-9):  # the r → 0 limit
        assert agg("generalised", X, w, r=tiny)[0] == pytest.approx(agg("geometric", X, w)[0], rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float64, st.integers(3, 6), elements=st.floats(0.01, 1000)),
       seed=st.integers(0, 10_000), j=st.integers(0, 5))
def test_missing_value_rescales_weights(x, seed, j):
    j = j % len(x)
    w = _weights(len(x), seed)
    gap = x.copy()
    gap[j] = np.nan
    rest, w_rest = np.delete(x, j), np.delete(w, j)
    w_rest = w_rest / w_rest.sum()
    for name, params in COMPENSATORY + [("mean_min", {"alpha": 0.3, "beta": 2})]:
        got = agg(name, gap[None], w, **params)[0]
        assert got == pytest.approx(agg(name, rest[None], w_rest, **params)[0], rel=1e-12), name
    assert agg("arithmetic", gap[None], w)[0] == pytest.approx(np.dot(rest, w_rest), rel=1e-12)
    assert np.isnan(agg("harmonic", np.full((1, len(x)), np.nan), w)[0])


# ------------------------------------------------------------------ TOPSIS and VIKOR vs pymcdm

def _pymcdm_tables(method, X, w):
    res = method(X, w, np.ones(X.shape[1]), verbose=True)
    return {t.desc.label: t.data for t in res.results}


@pytest.mark.parametrize("ours, theirs", [("vector", pn.vector_normalization),
                                          ("minmax", pn.minmax_normalization)])
def test_topsis_matches_pymcdm(ours, theirs):
    ref = _pymcdm_tables(TOPSIS(normalization_function=theirs), X_POS, W4)
    det = mcda.topsis_details(X_POS, W4, mcda.TopsisParams(normalisation=ours))
    assert np.allclose(det["normalised"], ref["nmatrix"], atol=1e-14)
    assert np.allclose(det["weighted"], ref["wnmatrix"], atol=1e-14)
    assert np.allclose(det["d_plus"], ref["dpis"], atol=1e-14)
    assert np.allclose(det["d_minus"], ref["dnis"], atol=1e-14)
    assert np.allclose(det["score"], ref["pref"], atol=1e-14)
    assert np.allclose(W4 * det["ideal"][None], ref["pis"], atol=1e-14)
    assert np.allclose(agg("topsis", X_POS, W4, normalisation=ours), ref["pref"], atol=1e-14)


def test_topsis_works_within_each_year():
    X = np.vstack([X_POS[:6], X_POS[6:] * 3 + 7])
    years = [2020] * 6 + [2021] * 6
    got = agg("topsis", X, W4, ctx_for(years, 4))
    assert np.allclose(got[:6], TOPSIS(pn.vector_normalization)(X[:6], W4, np.ones(4)), atol=1e-14)
    assert np.allclose(got[6:], TOPSIS(pn.vector_normalization)(X[6:], W4, np.ones(4)), atol=1e-14)


def test_topsis_missing_value_uses_present_children():
    X = X_POS[:5].copy()
    X[2, 1] = np.nan
    det = mcda.topsis_details(X, W4, mcda.TopsisParams(normalisation="minmax"))
    # by hand: min-max over the present values, weights of row 2 re-scaled over children 0, 2, 3;
    # ideal = 1 and anti-ideal = 0 on every child after min-max
    r = (X - np.nanmin(X, 0)) / (np.nanmax(X, 0) - np.nanmin(X, 0))
    w = np.delete(W4, 1) / np.delete(W4, 1).sum()
    rr = np.delete(r[2], 1)
    dp, dm = np.sqrt(np.sum((w * (1 - rr)) ** 2)), np.sqrt(np.sum((w * rr) ** 2))
    assert det["score"][2] == pytest.approx(dm / (dp + dm), rel=1e-12)
    assert not np.isnan(det["score"]).any()


def test_topsis_degenerate_year_is_neutral():
    assert agg("topsis", np.array([[5.0, 7.0]]), [0.5, 0.5])[0] == 0.5


@pytest.mark.parametrize("v", [0.0, 0.3, 0.5, 1.0])
def test_vikor_matches_pymcdm(v):
    ref = _pymcdm_tables(VIKOR(normalization_function=None, v=v), X_POS, W4)
    det = mcda.vikor_details(X_POS, W4, mcda.VikorParams(v=v))
    assert np.allclose(det["S"], ref["s"], atol=1e-14)
    assert np.allclose(det["R"], ref["r"], atol=1e-14)
    assert np.allclose(det["Q"], ref["q"], atol=1e-14)
    assert np.allclose(det["best"][None], ref["fstar"]) and np.allclose(det["worst"][None], ref["fminus"])
    assert np.allclose(agg("vikor", X_POS, W4, v=v), 1 - ref["q"], atol=1e-14)


def test_vikor_pymcdm_doc_example():
    # pymcdm's documented example: Q = [0.5679, 0.7667, 1, 0.7493, 0]
    X = np.array([[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]])
    got = agg("vikor", X, np.full(4, 0.25))
    assert np.allclose(1 - got, [0.5679, 0.7667, 1, 0.7493, 0], atol=5e-5)


def test_vikor_degenerate_cases_do_not_divide_by_zero():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])     # second child constant
    got = agg("vikor", X, [0.5, 0.5])
    assert np.allclose(got, [0.0, 0.5, 1.0])               # S and R both linear in x1
    same = agg("vikor", np.ones((3, 2)), [0.5, 0.5])       # S⁻ = S*, R⁻ = R*: all Q = 0
    assert np.allclose(same, 1.0)
    with pytest.raises(ValueError, match="less than or equal to 1"):
        agg("vikor", X, [0.5, 0.5], v=2)


# ------------------------------------------------------------------ Copeland

COPELAND_X = np.array([  # units A, B, C, D; children with weights 0.5, 0.3, 0.2
    [3.0, 1.0, 2.0],
    [2.0, 2.0, 2.0],
    [1.0, 3.0, 1.0],
    [2.0, 2.0, 3.0],
])
COPELAND_W = np.array([0.5, 0.3, 0.2])


def test_copeland_hand_worked_example():
    # Munda & Nardo (2009): e_ab = Σ w_j [a beats b on j] + ½ Σ w_j [tie on j]
    # A–B: A wins c1 (.5), loses c2 (.3), ties c3 (.1 each): e_AB = .6 > e_BA = .4 → A wins
    # A–C: A wins c1, c3 (.7), loses c2 (.3)                 → A wins
    # A–D: A wins c1 (.5), loses c2, c3 (.5)                 → tie
    # B–C: B wins c1, c3 (.7)                                → B wins
    # B–D: ties c1 (.25 each), c2 (.15 each), D wins c3: e_BD = .4 → D wins
    # C–D: C wins c2 only (.3)                               → D wins
    # wins − losses: A 2−0 = 2, B 1−2 = −1, C 0−3 = −3, D 2−0 = 2
    det = mcda.copeland_details(COPELAND_X, COPELAND_W)
    assert det["raw"].tolist() == [2, -1, -3, 2]
    assert det["ties"].tolist() == [1, 0, 0, 1]
    E = det["outranking"][None]
    assert E[0, 1] == pytest.approx(0.6) and E[1, 3] == pytest.approx(0.4) and E[2, 3] == pytest.approx(0.3)
    assert np.allclose((E + E.T)[~np.eye(4, dtype=bool)], 1)                   # e_ab + e_ba = 1
    # scale 0-1: (s + n − 1) / (2(n − 1)) with n = 4
    assert np.allclose(agg("copeland", COPELAND_X, COPELAND_W, scale="0-1"), [5 / 6, 2 / 6, 0, 5 / 6])


def _copeland_brute_force(X, w):
    n = len(X)
    out = np.zeros(n)
    for a in range(n):
        for b in range(n):
            if a != b:
                e_ab = sum(wj * (1.0 if xa > xb else 0.5 if xa == xb else 0.0)
                           for wj, xa, xb in zip(w, X[a], X[b]))
                out[a] += np.sign(round(e_ab - (1 - e_ab), 12))
    return out


@settings(max_examples=40, deadline=None)
@given(X=arrays(np.float64, (6, 3), elements=st.integers(0, 4).map(float)), seed=st.integers(0, 1000))
def test_copeland_matches_brute_force_and_ignores_scale(X, seed):
    w = _weights(3, seed)
    got = agg("copeland", X, w)
    assert np.array_equal(got, _copeland_brute_force(X, w))
    # non-compensatory: only the order of each child's values matters
    assert np.array_equal(agg("copeland", np.exp(X) ** 3 - 5, w), got)


def test_copeland_per_year_and_missing():
    X = np.vstack([COPELAND_X, COPELAND_X[::-1]])
    got = agg("copeland", X, COPELAND_W, ctx_for([1] * 4 + [2] * 4, 3))
    assert got.tolist() == [2, -1, -3, 2, 2, -3, -1, 2]
    gap = COPELAND_X.copy()
    gap[0, 2] = np.nan   # A–D now compared on c1, c2 only: A wins (.5/.8 > .3/.8)
    assert agg("copeland", gap, COPELAND_W).tolist() == [3, -1, -3, 1]
    gap[0] = np.nan      # A missing entirely: NaN, the others compare among three
    assert np.isnan(agg("copeland", gap, COPELAND_W)[0])
    assert agg("copeland", gap, COPELAND_W)[1:].tolist() == [0, -2, 2]


# ------------------------------------------------------------------ MPI and AMPI

MPI_X = np.array([  # 4 units, 2 children, one year
    [2.0, 10.0],
    [4.0, 10.0],
    [2.0, 30.0],
    [4.0, 30.0],
])


def test_mpi_hand_worked():
    # child 1: mean 3, population sd √((1+1+1+1)/4) = 1 → z = 90, 110, 90, 110
    # child 2: mean 20, population sd 10 → z = 90, 90, 110, 110
    # (a sample sd, 1.1547 and 11.547, would give z = 91.34 …: this pins the population sd)
    det = mpi.mpi_details(MPI_X, [0.5, 0.5])
    assert np.allclose(det["standardised"], [[90, 90], [110, 90], [90, 110], [110, 110]])
    # A: M 90, S 0 → 90. B: M 100, S 10, cv 0.1, penalty 1 → 99. C: 99. D: 110.
    assert np.allclose(det["score"], [90, 99, 99, 110])
    assert np.allclose(agg("mpi", MPI_X, [0.5, 0.5], penalty="positive"), [90, 101, 101, 110])
    # weights 0.75/0.25, unit B: M = .75·110 + .25·90 = 105; S² = .75·25 + .25·225 = 75;
    # S·cv = S²/M = 75/105 → MPI = 105 − 0.714285… = 104.285714…
    assert agg("mpi", MPI_X, [0.75, 0.25])[1] == pytest.approx(105 - 75 / 105, rel=1e-12)


def test_mpi_standardises_within_each_year_and_skips_missing():
    X = np.vstack([MPI_X, MPI_X * 10 + 3])              # a linear change of scale in year 2
    got = agg("mpi", X, [0.5, 0.5], ctx_for([1] * 4 + [2] * 4, 2))
    assert np.allclose(got, [90, 99, 99, 110] * 2)
    gap = np.vstack([MPI_X, [[np.nan, 50.0]]])
    # child 2 now 10, 10, 30, 30, 50: mean 26, pop. sd √(256+256+16+16+576)/√5 = √224
    det = mpi.mpi_details(gap, [0.5, 0.5])
    assert det["score"][4] == pytest.approx(100 + 10 * 24 / np.sqrt(224))   # one child: S = 0


def test_ampi_hand_worked():
    # child 1: year 1 (2, 4), year 2 (4, 6): Inf 2, Sup 6, Δ 2, Ref = mean in year 1 = 3
    #   Min 1, Max 5 → r = 70 + 60(x − 1)/4: 2 → 85, 4 → 115, 6 → 145
    # child 2: year 1 (10, 20), year 2 (30, 20): Inf 10, Sup 30, Δ 10, Ref 15, Min 5, Max 25
    #   r = 70 + 60(x − 5)/20: 10 → 85, 20 → 115, 30 → 145
    X = np.array([[2.0, 10.0], [4.0, 20.0], [4.0, 30.0], [6.0, 20.0]])
    ctx = ctx_for([1, 1, 2, 2], 2)
    det = mpi.ampi_details(X, [0.5, 0.5], None, ctx)
    assert np.allclose(det["rescaled"], [[85, 85], [115, 115], [115, 145], [145, 115]])
    # year 2: M = 130, S = 15, cv = 15/130 → AMPI = 130 − 225/130 = 128.2692…
    assert np.allclose(det["score"], [85, 115, 130 - 225 / 130, 130 - 225 / 130])
    # reference year 2: Ref 5 and 25, Min/Max 3/7 and 15/35:
    #   (2, 10) → (55, 55); (4, 20) → (85, 85); (4, 30) → (85, 115); (6, 20) → (115, 85)
    #   the unbalanced units: M = 100, S = 15 → 100 − 225/100 = 97.75
    assert np.allclose(agg("ampi", X, [0.5, 0.5], ctx, reference_year=2), [55, 85, 97.75, 97.75])
    with pytest.raises(ValueError, match="not both"):
        agg("ampi", X, [0.5, 0.5], ctx, reference=1.0, reference_year=1)
    assert np.allclose(mpi.ampi_details(X, [0.5, 0.5], mpi.AMPIParams(reference=4.0), ctx)["min"], [2, -6])


# ------------------------------------------------------------------ all operators

ALL = [("arithmetic", {}), ("geometric", {}), ("harmonic", {}), ("generalised", {"r": 3}),
       ("mean_min", {"alpha": 0.4, "beta": 1}), ("mpi", {}), ("ampi", {}), ("copeland", {}),
       ("topsis", {}), ("vikor", {"v": 0.3})]


@pytest.mark.parametrize("name, params", ALL)
def test_every_operator_accepts_per_unit_weights_and_empty_rows(name, params):
    X = np.vstack([X_POS[:8], np.full((1, 4), np.nan)])
    X[2, 1] = np.nan
    ctx = ctx_for([2020] * 5 + [2021] * 4, 4)
    flat = agg(name, X, W4, ctx, **params)
    per_unit = agg(name, X, np.tile(W4, (len(X), 1)), ctx, **params)
    assert np.allclose(flat, per_unit, equal_nan=True)
    assert np.isnan(flat[-1]) and not np.isnan(flat[:-1]).any()


# ------------------------------------------------------------------ end to end

def test_sibling_nodes_with_different_operators(write):
    fw_path = write("fw.yaml", """
id: mixed
name: Mixed operators
normalise: {method: minmax, scale: [1, 100]}
aggregate: arithmetic
tree:
  id: idx
  name: Index
  children:
    - id: a
      name: A
      aggregate: {method: topsis, normalisation: minmax}
      children:
        - {id: i1, name: I1}
        - {id: i2, name: I2, weight: 3}
    - id: b
      name: B
      aggregate: harmonic
      children:
        - {id: i3, name: I3}
        - {id: i4, name: I4, direction: -1}
    - id: c
      name: C
      aggregate: {method: copeland, scale: 0-1}
      children:
        - {id: i5, name: I5}
        - {id: i6, name: I6}
""")
    rows = ["unit,year,i1,i2,i3,i4,i5,i6"]
    rng = np.random.default_rng(7)
    for year in (2021, 2022):
        for u in ("hz", "nb", "wz", "jx", "sx"):
            rows.append(",".join([u, str(year)] + [f"{v:.3f}" for v in rng.uniform(1, 50, 6)]))
    data_path = write("data.csv", "\n".join(rows) + "\n")
    fw = load_framework(fw_path)
    result = evaluate(fw, load_data(data_path, framework=fw))
    scores = result.scores_table()
    norm = result.stage("normalised")
    assert result.methods["a"].startswith("topsis") and result.methods["b"] == "harmonic"
    for year in (2021, 2022):
        s = scores[scores["year"] == year]
        n = norm[norm["year"] == year]   # same row order as the scores table
        X = n[["i1", "i2"]].to_numpy(float)
        expected = TOPSIS(pn.minmax_normalization)(X, np.array([0.25, 0.75]), np.ones(2))
        assert np.allclose(s["a"].to_numpy(float), expected, atol=1e-12)
        hm = [stats.hmean(r, weights=[0.5, 0.5]) for r in n[["i3", "i4"]].to_numpy(float)]
        assert np.allclose(s["b"].to_numpy(float), hm, rtol=1e-12)
        cop = _copeland_brute_force(n[["i5", "i6"]].to_numpy(float), [0.5, 0.5])
        assert np.allclose(s["c"].to_numpy(float), (cop + 4) / 8)     # n = 5 units a year
        assert np.allclose(s["idx"], (s["a"] + s["b"] + s["c"]) / 3)
