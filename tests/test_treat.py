"""Outlier treatment: COINr's default rule (winsorise, else log), overrides and the log."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from digindex import evaluate, load_data, load_framework
from digindex.engine.evaluate import StageContext
from digindex.methods import get_method, make_params
from digindex.methods.treat.outliers import kurt, log_ct, skew


def ctx_for(n, indicators=("x",), years=None, units=None):
    units = np.array(units if units is not None else [f"u{i}" for i in range(n)], dtype=object)
    years = np.array(years if years is not None else [2020] * n, dtype=object)
    return StageContext(None, units, years, list(indicators), {}, pd.DataFrame({"unit": units}))


def treat(name, x, ctx=None, **params):
    spec = get_method("treat", name)
    X = np.asarray(x, float).reshape(len(x), -1)
    return spec.func(X, ctx or ctx_for(len(x)), make_params(spec, params))


def summary(entries):
    return [e for e in entries if e.unit is None]


def points(entries):
    return [e for e in entries if e.unit is not None]


# ---- skewness and kurtosis: COINr's estimators --------------------------------------------

@pytest.mark.parametrize("x", [np.r_[np.arange(1, 11), 30, 100.0], 1.3 ** np.arange(30),
                               np.r_[np.ones(30), 2, 3, 4, 5, 6, 7, 8], np.array([5.0, 1, 2, 9])])
def test_skew_kurtosis_are_scipy_bias_corrected(x):
    # COINr's skew()/kurt() are e1071 type 2 (bias-corrected G1, excess G2), i.e. scipy bias=False
    assert skew(x) == pytest.approx(st.skew(x, bias=False), rel=1e-12)
    assert kurt(x) == pytest.approx(st.kurtosis(x, fisher=True, bias=False), rel=1e-12)


def test_skew_kurtosis_match_coinr_vignette():
    # COINr vignette "treat": x <- c(1:10, 30, 100); skew(x) 3.063241, kurt(x) 9.741391
    x = np.r_[np.arange(1, 11), 30, 100.0]
    assert skew(x) == pytest.approx(3.063241, abs=5e-7)
    assert kurt(x) == pytest.approx(9.741391, abs=5e-7)
    assert np.isnan(skew(np.array([1.0, 2.0]))) and np.isnan(kurt(np.array([1.0, 2.0, 3.0])))
    assert skew(np.array([1.0, np.nan, 2.0, 4.0])) == pytest.approx(st.skew([1, 2, 4], bias=False))


# ---- winsorise_log --------------------------------------------------------------------------

def test_one_point_winsorised_as_in_the_coinr_vignette():
    # 100 is the maximum and the skew is positive: it takes the next value, 30. Re-test:
    # skew 1.712038 < 2 passes (COINr vignette "treat", Treat(x, winmax = 2)).
    x = np.r_[np.arange(1, 11), 30, 100.0]
    out, log = treat("winsorise_log", x)
    assert out[:, 0].tolist() == list(range(1, 11)) + [30, 30]
    assert skew(out[:, 0]) == pytest.approx(1.712038, abs=5e-7)
    assert kurt(out[:, 0]) == pytest.approx(1.815781, abs=5e-7)
    (s,) = summary(log)
    assert s.detail["action"] == "winsorised" and s.detail["points"] == 1
    (p,) = points(log)
    assert (p.unit, p.detail["old"], p.detail["new"]) == ("u11", 100.0, 30.0)
    assert "skew 3.063" in p.detail["reason"]


def test_several_points_one_at_a_time_with_retest():
    # x = 1..30, 200, 300, 400. Each step: the maximum takes the next value, then re-test.
    #   step 1: 400 -> 300          (fails: checked with scipy below)
    #   step 2: 300, 300 -> 200     (the moved point stays tied with the maximum: 2 points)
    #   step 3: 200, 200, 200 -> 30 (3 points; skew about -0.08 passes)
    x = np.r_[np.arange(1, 31), 200, 300, 400.0]
    fails = lambda v: abs(st.skew(v, bias=False)) >= 2 and st.kurtosis(v, bias=False) >= 3.5  # noqa: E731
    step1 = np.r_[np.arange(1, 31), 200, 300, 300.0]
    step2 = np.r_[np.arange(1, 31), 200, 200, 200.0]
    step3 = np.r_[np.arange(1, 31), 30, 30, 30.0]
    assert fails(x) and fails(step1) and fails(step2) and not fails(step3)
    out, log = treat("winsorise_log", x)
    assert np.array_equal(out[:, 0], step3)
    assert summary(log)[0].detail["points"] == 3
    assert [(p.unit, p.detail["old"], p.detail["new"]) for p in points(log)] == [
        ("u30", 200, 30), ("u31", 300, 30), ("u32", 400, 30)]


def test_tied_extremes_move_together():
    # 1..30, 100, 100, 400: step 1 moves 400 -> 100 (1 point); step 2 moves the three 100s -> 30
    x = np.r_[np.arange(1, 31), 100, 100, 400.0]
    out, log = treat("winsorise_log", x)
    assert out[-3:, 0].tolist() == [30, 30, 30]
    assert summary(log)[0].detail["points"] == 3


def test_negative_skew_winsorises_the_low_side():
    # the mirror image of 1..20, 50, 60, 200: the minimum -200 takes the next value -60
    x = -np.r_[np.arange(1, 21), 50, 60, 200.0]
    out, log = treat("winsorise_log", x)
    assert out[-1, 0] == -60 and summary(log)[0].detail["points"] == 1
    assert "low point" in summary(log)[0].message


def test_log_when_five_points_are_not_enough():
    # 1.5^k, k = 0..59: after 5 winsorised points skew 2.31 and kurtosis 3.78 still fail,
    # so the winsorising is discarded and the ORIGINAL values become ln(x - min + 0.01(max - min))
    x = 1.5 ** np.arange(60)
    w = x.copy()
    w[-6:] = x[-6]  # what 5 steps of winsorising give: the top 6 equal the 6th largest
    assert abs(st.skew(w, bias=False)) >= 2 and st.kurtosis(w, bias=False) >= 3.5
    out, log = treat("winsorise_log", x)
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-13)
    s = summary(log)[0]
    assert s.detail["action"] == "log" and "after winsorising 5" in s.message
    assert len(points(log)) == 60


def test_log_form_for_negative_skew():
    # COINr's default log_CT ignores the sign of the skew; log_form ct_plus uses -ln(max + a - x)
    x = -(1.5 ** np.arange(60))
    a = 0.01 * (x.max() - x.min())
    out, _ = treat("winsorise_log", x)
    np.testing.assert_allclose(out[:, 0], np.log(x - x.min() + a))
    out, _ = treat("winsorise_log", x, log_form="ct_plus")
    np.testing.assert_allclose(out[:, 0], -np.log(x.max() + a - x))
    assert abs(skew(out[:, 0])) < abs(skew(x))  # the flipped log reduces the (negative) skew


def test_thresholds_are_configurable():
    # 1.3^k, k = 0..29: skew 2.237, kurtosis 4.663: treated at 2 (COINr), not at 2.25 (GII)
    x = 1.3 ** np.arange(30)
    assert 2 <= st.skew(x, bias=False) < 2.25
    _, log = treat("winsorise_log", x)
    assert summary(log)[0].detail["action"] == "winsorised"
    out, log = treat("winsorise_log", x, skew_threshold=2.25)
    assert summary(log)[0].detail["action"] == "passes" and np.array_equal(out[:, 0], x)
    _, log = treat("winsorise_log", x, kurtosis_threshold=5)
    assert summary(log)[0].detail["action"] == "passes"
    out, log = treat("winsorise_log", x, max_points=0)
    assert summary(log)[0].detail["action"] == "log"


def test_per_year_and_missing_values():
    # year 2020 has the outlier, 2021 does not; NaN cells are ignored and stay NaN
    v20 = np.r_[np.arange(1, 11), 30, 100.0, np.nan]
    v21 = np.r_[np.arange(1, 14.0)]
    x = np.r_[v20, v21]
    ctx = ctx_for(26, years=[2020] * 13 + [2021] * 13, units=[f"u{i}" for i in range(13)] * 2)
    out, log = treat("winsorise_log", x, ctx)
    assert out[11, 0] == 30 and np.isnan(out[12, 0])
    assert np.array_equal(out[13:, 0], v21)
    assert {(e.year, e.detail["action"]) for e in summary(log)} == {(2020, "winsorised"), (2021, "passes")}


def test_forced_methods():
    x = np.r_[np.arange(1, 11), 30, 100.0]
    out, log = treat("winsorise", x, points=2)  # 100 -> 30, then 30, 30 -> 10
    assert out[-2:, 0].tolist() == [10, 10] and summary(log)[0].detail["points"] == 2
    out, _ = treat("log", x)
    np.testing.assert_allclose(out[:, 0], np.log(x - 1 + 0.99))
    out, _ = treat("boxcox", x, **{"lambda": 0.5})  # (x - min + 1)^0.5 - 1) / 0.5
    np.testing.assert_allclose(out[:, 0], (np.sqrt(x) - 1) / 0.5)
    out, _ = treat("boxcox", x, **{"lambda": 0})
    np.testing.assert_allclose(out[:, 0], np.log(x))
    assert log_ct(np.array([1.0, 2.0, 101.0]))[0][0] == pytest.approx(np.log(1.0))


# ---- through the pipeline: per-indicator overrides ----------------------------------------

FRAMEWORK = """
id: t
treat: winsorise_log
normalise: none
tree:
  id: root
  children:
    - {id: a}
    - {id: b, treat: none}
    - {id: c, treat: log}
    - {id: d, treat: {method: winsorise, points: 2}}
    - {id: e, treat: {method: boxcox, lambda: 0.5}}
"""


def test_overrides_per_indicator(write):
    x = list(range(1, 11)) + [30, 100]
    rows = ["unit,year,a,b,c,d,e"] + [f"u{i},2020,{v},{v},{v},{v},{v}" for i, v in enumerate(x)]
    fw = load_framework(write("fw.yaml", FRAMEWORK))
    result = evaluate(fw, load_data(write("d.csv", "\n".join(rows)), framework=fw))
    t = result.stage("treated")
    assert t["a"].iloc[-1] == 30                                  # default rule: 1 point
    assert t["b"].tolist() == x                                    # none
    np.testing.assert_allclose(t["c"], np.log(np.array(x) - 1 + 0.99))
    assert t["d"].iloc[-2:].tolist() == [10, 10]                   # forced 2 points
    np.testing.assert_allclose(t["e"], (np.sqrt(x) - 1) / 0.5)
    log = result.log_table()
    treated = log[(log.stage == "treat") & log.unit.isna()].set_index("node")
    assert treated.loc["a", "detail_action"] == "winsorised" and "b" not in treated.index
    assert treated.loc["d", "detail_method"] == "winsorise"
    pts = log[(log.stage == "treat") & (log.node == "a") & log.unit.notna()]
    assert pts[["unit", "detail_old", "detail_new"]].values.tolist() == [["u11", 100.0, 30.0]]
    # changing one indicator's treatment re-runs; the rest of the stages are consistent
    again = result.rerun_with(load_framework(write("fw2.yaml", FRAMEWORK.replace("{id: b, treat: none}",
                                                                             "{id: b}"))))
    assert again.stage("treated")["b"].iloc[-1] == 30


def test_bad_override_is_an_input_error(write):
    from digindex import InputError

    with pytest.raises(InputError, match="unknown treat method 'logg'"):  # when the framework is read
        load_framework(write("fw.yaml", FRAMEWORK.replace("treat: log", "treat: {method: logg}")))


def test_vectorised_rule_equals_the_column_by_column_rule():
    """winsorise_log treats all columns at once; it must equal COINr's one-column procedure."""
    from digindex.methods.treat.columns import WinsoriseTrace, winsorise_columns
    from digindex.methods.treat.outliers import passes, winsorise_points

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(5, 60))
        X = np.column_stack([rng.lognormal(0, rng.uniform(0.2, 2.5), n) for _ in range(6)])
        X = np.round(X, int(rng.integers(0, 3)))  # ties at the extremes
        X[rng.random(X.shape) < 0.05] = np.nan
        X[:, 0] = -X[:, 0]  # negative skew too
        max_points = int(rng.integers(1, 6))
        W, points, _, _ = winsorise_columns(X, max_points, 2, 3.5)
        for j in range(X.shape[1]):
            if passes(X[:, j], 2, 3.5) is False:
                w, _, _, n_points = winsorise_points(X[:, j], max_points, 2, 3.5)
                assert np.allclose(w, W[:, j], equal_nan=True) and n_points == points[j]
        # one trace to 5 points gives every smaller limit exactly (uncertainty variants share it)
        trace = WinsoriseTrace(X, 5, 2, 3.5)
        shared, alone = trace.result(max_points), winsorise_columns(X, max_points, 2, 3.5)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(shared, alone))


def test_winsorise_log_quiet_gives_the_logged_outcome():
    """Many-variant runs skip the log; the treated values must not change."""
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.normal(size=40),                          # passes
                         np.r_[rng.normal(size=39), 25.0],             # one point winsorised
                         np.exp(rng.normal(scale=2.0, size=40)),        # log after winsorising fails
                         np.r_[np.full(40, np.nan)]])                  # nothing to treat
    ids = ("a", "b", "c", "d")
    spec = get_method("treat", "winsorise_log")
    for max_points in (1, 5):
        params = make_params(spec, {"max_points": max_points})
        loud, entries = spec.func(X, ctx_for(40, ids), params)
        quiet_ctx = ctx_for(40, ids)
        quiet_ctx.quiet = True
        quiet, none = spec.func(X, quiet_ctx, params)
        assert np.array_equal(loud, quiet, equal_nan=True) and entries and not none
        assert {e.detail["action"] for e in summary(entries)} >= {"passes", "winsorised"}
