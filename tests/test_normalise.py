"""Normalisation methods, checked against hand-worked numbers, scipy and properties.

Every method is reached through the registry (``get_method`` + ``make_params``),
as the engine does. Hand-worked arithmetic is written next to each expectation.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from digindex import InputError, evaluate, load_data, load_framework
from digindex.methods import get_method, make_params, methods
from digindex.methods.normalise import NormaliseContext

NEW = ["efficacy", "log_efficacy", "zscore", "rank", "percentile_rank", "borda",
       "distance_to_target", "distance_to_reference", "distance_to_max", "index_to_base_year"]


def norm(name, x, direction=1, years=None, units=None, target=None, transform=None,
         goalposts=None, **params):
    """Run normaliser ``name`` on ``x`` through the registry."""
    spec = get_method("normalise", name)
    ctx = NormaliseContext(
        "x", direction=direction, target=target, transform=transform, goalposts=goalposts,
        years=None if years is None else np.asarray(years, dtype=object),
        units=None if units is None else np.asarray(units, dtype=object))
    return spec.func(np.asarray(x, float), ctx, make_params(spec, params))


def params_error(name, **params):
    """The message make_params gives for bad ``params``."""
    with pytest.raises(ValueError) as info:
        make_params(get_method("normalise", name), params)
    return str(info.value)


def test_all_methods_registered_with_docs_and_references():
    names = {m.name for m in methods("normalise")}
    assert set(NEW) <= names
    for name in NEW:
        spec = get_method("normalise", name)
        assert "=" in spec.doc and "Reference" in spec.doc, name
        assert spec.params_model.model_config["extra"] == "forbid"


# ---------------------------------------------------------------- efficacy
Y2 = [2020] * 3 + [2021] * 3


def test_efficacy_per_year_hand_worked():
    # x_s = 2, x_h = 10: 60 + 40·(x − 2)/8 → 2: 60, 4: 70, 6: 80, 10: 100
    assert np.allclose(norm("efficacy", [2, 4, 6, 10]), [60, 70, 80, 100])
    # direction −1: x_s = 10, x_h = 2: 60 + 40·(x − 10)/(2 − 10) → 100, 90, 80, 60
    assert np.allclose(norm("efficacy", [2, 4, 6, 10], direction=-1), [100, 90, 80, 60])
    # range [0, 1]: (x − 2)/8 → 0, .25, .5, 1
    assert np.allclose(norm("efficacy", [2, 4, 6, 10], range=[0, 1]), [0, .25, .5, 1])


def test_efficacy_base_year_pooled_and_clip():
    x = [10, 20, 30, 15, 25, 40]
    # base year 2020: x_s = 10, x_h = 30; 2021: 15 → 60 + 40·5/20 = 70,
    # 25 → 60 + 40·15/20 = 90, 40 → 60 + 40·30/20 = 120, clipped to 100
    assert np.allclose(norm("efficacy", x, years=Y2, base_year=2020), [60, 80, 100, 70, 90, 100])
    assert norm("efficacy", x, years=Y2, base_year=2020, clip=False)[-1] == pytest.approx(120)
    # pooled: x_s = 10, x_h = 40; 20 → 60 + 40·10/30 = 73.333…
    assert norm("efficacy", x, years=Y2, bounds="pooled")[1] == pytest.approx(60 + 400 / 30)
    # per year (default): 2021 has x_s = 15, x_h = 40; 25 → 60 + 40·10/25 = 76
    assert norm("efficacy", x, years=Y2)[4] == pytest.approx(76)


def test_efficacy_fixed_thresholds_and_transform():
    # low 0, high 50: 20 → 60 + 40·20/50 = 76; 60 → 108, clipped to 100
    assert np.allclose(norm("efficacy", [20, 60], thresholds="fixed", low=0, high=50), [76, 100])
    # direction −1 swaps: x_s = 50, x_h = 0: 20 → 60 + 40·(20 − 50)/(0 − 50) = 84
    assert norm("efficacy", [20], direction=-1, thresholds="fixed", low=0, high=50)[0] == pytest.approx(84)
    # transform log10: values and thresholds logged: (log 10 − log 1)/(log 100 − log 1) = 1/2 → 80
    y = norm("efficacy", np.log10([10.0]), transform=np.log10, thresholds="fixed", low=1, high=100)
    assert y[0] == pytest.approx(80)
    with pytest.raises(ValueError, match="must be > 0 for transform"):
        norm("efficacy", [1.0], transform=np.log10, thresholds="fixed", low=0, high=100)


def test_efficacy_target():
    # x_h = target 50, x_s = min 10: 30 → 60 + 40·20/40 = 80; 60 → 110, clipped to 100
    assert np.allclose(norm("efficacy", [10, 30, 60], target=50, thresholds="target"), [60, 80, 100])
    # lower is better, target 5, x_s = max 25: 15 → 60 + 40·(15 − 25)/(5 − 25) = 80
    y = norm("efficacy", [25, 15, 5], direction=-1, target=5, thresholds="target")
    assert np.allclose(y, [60, 80, 100])
    # every unit meets the target: all 100 when clipped, an error otherwise
    assert np.allclose(norm("efficacy", [10, 20], target=5, thresholds="target"), [100, 100])
    with pytest.raises(ValueError, match="already meets the target"):
        norm("efficacy", [10, 20], target=5, thresholds="target", clip=False)
    with pytest.raises(ValueError, match="needs a target"):
        norm("efficacy", [10, 20], thresholds="target")


def test_efficacy_constant_and_missing():
    # constant year → middle of [60, 100] = 80; NaN stays NaN
    y = norm("efficacy", [5, 5, np.nan, 1, 2, 3], years=Y2)
    assert y[:2].tolist() == [80, 80] and np.isnan(y[2])
    assert np.allclose(y[3:], [60, 80, 100])
    with pytest.raises(ValueError, match="all base-year 2020 values equal 5"):
        norm("efficacy", [5, 5, 5, 1, 2, 3], years=Y2, base_year=2020)
    with pytest.raises(ValueError, match=r"base_year 2019 is not in the data \(years: 2020–2021\)"):
        norm("efficacy", [1, 2, 3, 1, 2, 3], years=Y2, base_year=2019)


def test_efficacy_parameter_errors():
    assert "parameter 'range': range must be [lo, hi] with lo < hi" in params_error("efficacy", range=[100, 60])
    assert "thresholds: fixed needs both 'low' and 'high'" in params_error("efficacy", thresholds="fixed", low=1)
    assert "'low' must be below 'high'" in params_error("efficacy", thresholds="fixed", low=5, high=1)
    assert "only used with thresholds: fixed" in params_error("efficacy", low=1)
    assert "base_year applies to thresholds: data or target" in params_error(
        "efficacy", thresholds="fixed", low=0, high=1, base_year=2020)
    assert "either base_year or bounds: pooled" in params_error("efficacy", bounds="pooled", base_year=2020)
    msg = params_error("efficacy", thresholds="median")
    assert "parameter 'thresholds'" in msg and "'data', 'fixed' or 'target'" in msg
    msg = params_error("efficacy", scale=[0, 1])
    assert "unknown parameter 'scale'" in msg and "range, clip" in msg and "pooled" in msg


# ------------------------------------------------------------ log efficacy
def test_log_efficacy_hand_worked():
    # base year 2011: x_l = 10, x_h = 1000. 100·(ln x − ln 10)/(ln 1000 − ln 10):
    # 100 → 100·1/2 = 50; 10000 → 100·3/2 = 150 (later years may exceed 100)
    years = [2011] * 3 + [2012] * 2
    y = norm("log_efficacy", [10, 100, 1000, 100, 10000], years=years, base_year=2011)
    assert np.allclose(y, [0, 50, 100, 50, 150])
    # base_year defaults to the earliest year
    assert np.allclose(norm("log_efficacy", [100, 10000, 10, 100, 1000], years=[2012] * 2 + [2011] * 3),
                       [50, 150, 0, 50, 100])
    # direction −1: x_l = 1000, x_h = 10: 100 → 100·(ln 100 − ln 1000)/(ln 10 − ln 1000) = 50
    y = norm("log_efficacy", [10, 100, 1000], direction=-1, years=[2011] * 3)
    assert np.allclose(y, [100, 50, 0])
    # quantiles [.25, .75] of 10..50 (linear interpolation): positions 1 and 3 → 20 and 40
    y = norm("log_efficacy", [10, 20, 30, 40, 50], quantiles=[0.25, 0.75], scale=1)
    assert y[1] == pytest.approx(0) and y[3] == pytest.approx(1)
    # fixed thresholds: low 1, high 100, 10 → 100·ln 10/ln 100 = 50
    assert norm("log_efficacy", [10.0, 7.0], low=1, high=100)[0] == pytest.approx(50)


def test_log_efficacy_errors():
    with pytest.raises(ValueError, match=r"needs values > 0 .* unit 'b', year 2011 has 0"):
        norm("log_efficacy", [1, 0], years=[2011, 2011], units=["a", "b"])
    with pytest.raises(ValueError, match="remove 'transform'"):
        norm("log_efficacy", [1, 2], transform=np.log)
    with pytest.raises(ValueError, match="thresholds are not ordered"):
        norm("log_efficacy", [3, 3, 5], years=[1, 1, 2])
    assert "greater than 0" in params_error("log_efficacy", low=0)
    assert "'low' must be below 'high'" in params_error("log_efficacy", low=5, high=2)
    assert "0 <= q_low < q_high <= 1" in params_error("log_efficacy", quantiles=[0.9, 0.1])
    assert "parameter 'scale'" in params_error("log_efficacy", scale=-1)


# ----------------------------------------------------------------- z-score
def test_zscore_hand_worked_and_scipy():
    # [2, 4, 6]: mean 4, sample sd √((4 + 0 + 4)/2) = 2 → −1, 0, 1
    assert np.allclose(norm("zscore", [2, 4, 6]), [-1, 0, 1])
    # COINr style mean 10, sd 2 → 8, 10, 12; direction −1 → 12, 10, 8
    assert np.allclose(norm("zscore", [2, 4, 6], mean=10, sd=2), [8, 10, 12])
    assert np.allclose(norm("zscore", [2, 4, 6], direction=-1, mean=10, sd=2), [12, 10, 8])
    x = np.array([3.1, 7.4, np.nan, 0.2, 5.5, 9.0, 1.0, 2.0, 8.0, 4.0])
    years = [1] * 5 + [2] * 5
    y = norm("zscore", x, years=years)
    for sl in (slice(0, 5), slice(5, 10)):
        expected = stats.zscore(x[sl], ddof=1, nan_policy="omit")
        assert np.allclose(y[sl], expected, equal_nan=True)
    pooled = norm("zscore", x, years=years, bounds="pooled", mean=50, sd=10)
    assert np.allclose(pooled, 50 + 10 * stats.zscore(x, ddof=1, nan_policy="omit"), equal_nan=True)


def test_zscore_degenerate_and_errors():
    # constant data, or a single value, score the mean (0.1·3/3 ≠ 0.1 in floating point,
    # so a computed sd would be ~1e-17 and blow rounding noise up)
    assert np.allclose(norm("zscore", [0.1, 0.1, 0.1], mean=10), [10, 10, 10])
    assert norm("zscore", [7.0, np.nan], mean=10)[0] == 10
    assert "parameter 'sd': Input should be greater than 0" in params_error("zscore", sd=0)


# ----------------------------------------------------------------- ordinal
X_TIES = np.array([3.0, 1.0, 3.0, 2.0, np.nan, 5.0, 5.0, 5.0, 0.5, 4.0])
Y_TIES = [1] * 5 + [2] * 5


def test_rank_against_scipy():
    # year 1: [3, 1, 3, 2] → ranks 3.5, 1, 3.5, 2 (the two 3s share positions 3 and 4)
    y = norm("rank", X_TIES, years=Y_TIES)
    assert np.allclose(y[:4], [3.5, 1, 3.5, 2]) and np.isnan(y[4])
    for sl in (slice(0, 5), slice(5, 10)):
        v = X_TIES[sl]
        ok = ~np.isnan(v)
        assert np.allclose(y[sl][ok], stats.rankdata(v[ok]))
        down = norm("rank", X_TIES, years=Y_TIES, direction=-1)[sl]
        assert np.allclose(down[ok], stats.rankdata(-v[ok]))
    assert np.allclose(norm("rank", X_TIES, years=Y_TIES, bounds="pooled")[5:8], 8)  # 5s: 7, 8, 9 → 8


@pytest.mark.parametrize("kind", ["weak", "strict", "mean"])
def test_percentile_rank_kinds_against_scipy(kind):
    y = norm("percentile_rank", X_TIES, years=Y_TIES, kind=kind)
    for sl in (slice(0, 5), slice(5, 10)):
        v = X_TIES[sl]
        ok = v[~np.isnan(v)]
        expected = [stats.percentileofscore(ok, s, kind=kind) for s in ok]
        assert np.allclose(y[sl][~np.isnan(v)], expected)


def test_percentile_rank_scaled():
    # year 1: average ranks 3.5, 1, 3.5, 2 of n = 4 → 100·(r − 1)/3 = 83.33, 0, 83.33, 33.33
    y = norm("percentile_rank", X_TIES, years=Y_TIES)
    assert np.allclose(y[:4], [250 / 3, 0, 250 / 3, 100 / 3])
    ok = ~np.isnan(X_TIES[:5])
    assert np.allclose(y[:5][ok], 100 * (stats.rankdata(X_TIES[:5][ok]) - 1) / 3)
    assert np.allclose(norm("percentile_rank", [5.0, 1.0]), [100, 0])
    assert np.allclose(norm("percentile_rank", [5.0]), [50])
    assert "parameter 'kind'" in params_error("percentile_rank", kind="median")


def test_borda():
    # [3, 1, 3, 2]: a 3 beats 1 and 2 and ties the other 3 (½) → 2.5; 1 → 0; 2 → 1
    y = norm("borda", X_TIES[:4])
    assert np.allclose(y, [2.5, 0, 2.5, 1])
    assert y.sum() == 4 * 3 / 2  # n(n − 1)/2 points in all
    assert np.allclose(norm("borda", X_TIES[:4], ties="none"), [2, 0, 2, 1])
    assert np.allclose(norm("borda", X_TIES[:4], direction=-1), [0.5, 3, 0.5, 2])
    assert np.allclose(y, stats.rankdata(X_TIES[:4]) - 1)
    assert "parameter 'ties'" in params_error("borda", ties="third")


# ---------------------------------------------------------------- ratios
def test_distance_to_target():
    # target 4: 2/4 = .5, 5/4 = 1.25 → capped 1, 8/4 = 2 → 1
    assert np.allclose(norm("distance_to_target", [2, 5, 8], target=4), [.5, 1, 1])
    assert np.allclose(norm("distance_to_target", [2, 5, 8], target=4, cap=False), [.5, 1.25, 2])
    # direction −1: 4/2 = 2 → 1, 4/5 = .8, 4/8 = .5
    assert np.allclose(norm("distance_to_target", [2, 5, 8], direction=-1, target=4), [1, .8, .5])
    # the indicator's target (8) comes before the method parameter (4): 100·2/8 = 25
    spec = get_method("normalise", "distance_to_target")
    ctx = NormaliseContext("x", target=8)
    assert spec.func(np.array([2.0]), ctx, make_params(spec, {"target": 4, "scale": 100}))[0] == 25
    # transform log10: log10(100)/log10(1000) = 2/3
    assert norm("distance_to_target", [2.0], target=1000, transform=np.log10)[0] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="needs a target: give the indicator 'target: <value>' or"):
        norm("distance_to_target", [1, 2])
    with pytest.raises(ValueError, match="target > 0"):
        norm("distance_to_target", [1, 2], target=-1)
    with pytest.raises(ValueError, match=r"needs values > 0 .* row 1 has 0"):
        norm("distance_to_target", [1, 0], direction=-1, target=1)
    assert "parameter 'cap'" in params_error("distance_to_target", cap="sometimes")


UNITS = ["a", "b", "c"] * 2


def test_distance_to_reference():
    x = [2, 4, 8, 3, 6, 12]
    # reference b: 2020 2/4, 4/4, 8/4; 2021 3/6, 6/6, 12/6
    assert np.allclose(norm("distance_to_reference", x, years=Y2, units=UNITS, unit="b"),
                       [.5, 1, 2, .5, 1, 2])
    assert np.allclose(norm("distance_to_reference", x, years=Y2, units=UNITS, unit="b",
                            direction=-1, scale=100), [200, 100, 50, 200, 100, 50])
    x_missing = [2, 4, 8, 3, np.nan, 12]
    with pytest.raises(ValueError, match="reference unit 'b' has no value in year 2021"):
        norm("distance_to_reference", x_missing, years=Y2, units=UNITS, unit="b")
    with pytest.raises(ValueError, match="reference unit 'z' is not in the data"):
        norm("distance_to_reference", x, years=Y2, units=UNITS, unit="z")
    with pytest.raises(ValueError, match="has value 0 in year 2020; it must be > 0"):
        norm("distance_to_reference", [1, 0, 1, 1, 1, 1], years=Y2, units=UNITS, unit="b")
    assert "parameter 'unit': Field required" in params_error("distance_to_reference")


def test_distance_to_max():
    # 1/4, 2/4, 4/4; direction −1: min/x = 1/1, 1/2, 1/4
    assert np.allclose(norm("distance_to_max", [1, 2, 4]), [.25, .5, 1])
    assert np.allclose(norm("distance_to_max", [1, 2, 4], direction=-1), [1, .5, .25])
    # per year vs pooled: 2021 max is 12 → 3/12 = .25; pooled max 12 → 2/12
    x = [2, 4, 8, 3, 6, 12]
    assert np.allclose(norm("distance_to_max", x, years=Y2), [.25, .5, 1, .25, .5, 1])
    assert norm("distance_to_max", x, years=Y2, bounds="pooled")[0] == pytest.approx(2 / 12)
    assert np.allclose(norm("distance_to_max", [0, 0]), [1, 1])  # everyone leads
    with pytest.raises(ValueError, match=r"distance_to_max needs values >= 0 .* unit 'b', year 2020 has -1"):
        norm("distance_to_max", [1, -1, 2, 1, 1, 1], years=Y2, units=UNITS)
    with pytest.raises(ValueError, match="needs values > 0"):
        norm("distance_to_max", [1, 0], direction=-1)
    assert "parameter 'scale'" in params_error("distance_to_max", scale=0)


def test_index_to_base_year():
    x = [50, 20, 10, 75, 10, 10]
    # a: 100·75/50 = 150, b: 100·10/20 = 50, c: 100; direction −1: 100·50/75 = 66.67
    assert np.allclose(norm("index_to_base_year", x, years=Y2, units=UNITS, base_year=2020),
                       [100, 100, 100, 150, 50, 100])
    y = norm("index_to_base_year", x, years=Y2, units=UNITS, base_year=2020, direction=-1)
    assert np.allclose(y, [100, 100, 100, 200 / 3, 200, 100])
    with pytest.raises(ValueError, match="1 unit\\(s\\) have no value in base year 2020: 'b'"):
        norm("index_to_base_year", [50, np.nan, 10, 75, 10, 10], years=Y2, units=UNITS, base_year=2020)
    with pytest.raises(ValueError, match="base_year 2000 is not in the data"):
        norm("index_to_base_year", x, years=Y2, units=UNITS, base_year=2000)
    with pytest.raises(ValueError, match="base-year values must be > 0, but unit 'c', year 2020 has 0"):
        norm("index_to_base_year", [50, 20, 0, 75, 10, 10], years=Y2, units=UNITS, base_year=2020)
    assert "parameter 'base_year': Field required" in params_error("index_to_base_year")


def test_output_ranges():
    def rng(name, **params):
        spec = get_method("normalise", name)
        return spec.output_range(make_params(spec, params), NormaliseContext("x"))

    assert rng("efficacy") == (60, 100, True)
    assert rng("efficacy", base_year=2020, clip=False)[:2] == (-math.inf, math.inf)
    assert rng("percentile_rank") == (0, 100, True)
    assert rng("distance_to_target") == (0, 1, False)
    assert rng("rank")[0] == 1


def test_minmax_and_goalposts_refuse_reversed_scales():
    msg = "scale must be [a, b] with a < b"
    assert msg in params_error("minmax", scale=[100, 0])
    assert msg in params_error("goalposts", scale=[1, 0])
    assert "parameter 'max': 'min' must be below 'max'" in params_error("minmax", min=5, max=1)


# -------------------------------------------------------------- properties
panel_ints = st.lists(st.integers(0, 1000), min_size=6, max_size=6).filter(
    lambda v: len(set(v[:3])) > 1 and len(set(v[3:])) > 1)


@settings(max_examples=60, deadline=None)
@given(v=panel_ints, a=st.floats(0.01, 100), b=st.floats(-1000, 1000), direction=st.sampled_from([1, -1]))
def test_minmax_invariant_to_affine_rescaling(v, a, b, direction):
    x = np.array(v, float)
    y1 = norm("minmax", x, years=Y2, direction=direction)
    y2 = norm("minmax", a * x + b, years=Y2, direction=direction)
    assert np.allclose(y1, y2, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(v=st.lists(st.integers(0, 1000), min_size=2, max_size=12, unique=True))
def test_minmax_reversing_direction_reverses_ranks(v):
    up, down = norm("minmax", v), norm("minmax", v, direction=-1)
    assert np.array_equal(stats.rankdata(up), len(v) + 1 - stats.rankdata(down))


@settings(max_examples=80, deadline=None)
@given(v=st.lists(st.floats(-1e4, 1e4), min_size=6, max_size=6),
       mode=st.sampled_from(["data", "base", "fixed", "target"]),
       lo=st.floats(-1e4, 1e4), width=st.floats(1e-3, 1e4), direction=st.sampled_from([1, -1]))
def test_efficacy_clipped_stays_in_range(v, mode, lo, width, direction):
    kw = {"data": {}, "base": {"base_year": 2020},
          "fixed": {"thresholds": "fixed", "low": lo, "high": lo + width},
          "target": {"thresholds": "target"}}[mode]
    try:
        y = norm("efficacy", v, years=Y2, direction=direction, target=lo, **kw)
    except ValueError as exc:  # constant base year gives no thresholds
        assert "base-year" in str(exc)
        return
    assert np.all((y >= 60) & (y <= 100))


# (method, params, strictly monotone? — capped or clipped methods may tie)
CASES = [
    ("minmax", {}, True), ("goalposts", {}, True), ("none", {}, True),
    ("efficacy", {}, True), ("efficacy", {"base_year": 2020}, False),
    ("efficacy", {"thresholds": "target"}, False), ("log_efficacy", {}, True),
    ("zscore", {}, True), ("rank", {}, True), ("percentile_rank", {}, True),
    ("borda", {}, True), ("distance_to_target", {}, False),
    ("distance_to_target", {"cap": False}, True),
    ("distance_to_reference", {"unit": "b"}, True), ("distance_to_max", {}, True),
    ("index_to_base_year", {"base_year": 2020}, True),
]


@pytest.mark.parametrize("name,params,strict", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
@settings(max_examples=40, deadline=None)
@given(v=st.lists(st.integers(1, 1000), min_size=6, max_size=6, unique=True))
def test_direction_minus_one_reverses_the_ordering(name, params, strict, v):
    """Within each year, +1 orders units like x and −1 orders them the other way."""
    x = np.array(v, float)
    kw = dict(years=Y2, units=UNITS, target=500.0, goalposts=(0.0, 1000.0), **params)
    up, down = norm(name, x, **kw), norm(name, x, direction=-1, **kw)
    # index_to_base_year orders units by x_t/x_base, not by x
    base = np.tile(x[:3], 2)
    key = x / base if name == "index_to_base_year" else x
    for sl in (slice(0, 3), slice(3, 6)):
        k, u, d = key[sl], up[sl], down[sl]
        i, j = np.argsort(k)[:-1], np.argsort(k)[1:]  # consecutive pairs, k[i] < k[j]
        mask = k[i] < k[j]
        if strict:
            assert np.all(u[i][mask] < u[j][mask]) and np.all(d[i][mask] > d[j][mask])
        else:
            assert np.all(u[i][mask] <= u[j][mask]) and np.all(d[i][mask] >= d[j][mask])


# -------------------------------------------------------------- end to end
FRAMEWORK = """
id: t
name: normalise test
tree:
  id: idx
  children:
    - id: a
      normalise: {method: efficacy, base_year: 2020}
    - id: b
      direction: -1
      target: 5
      normalise: distance_to_target
    - id: c
      normalise: {method: percentile_rank}
"""
DATA = """unit,year,a,b,c
A,2020,10,10,1
B,2020,20,5,2
C,2020,30,2.5,3
A,2021,15,8,3
B,2021,25,4,3
C,2021,40,20,1
"""


def test_evaluate_end_to_end(write):
    fw = load_framework(write("fw.yaml", FRAMEWORK))
    result = evaluate(fw, load_data(write("data.csv", DATA), framework=fw))
    got = result.stage("normalised").set_index(["unit", "year"])
    # a: base 2020 x_s 10, x_h 30 → 60, 80, 100; 2021: 70, 90, 120 → 100 (clipped)
    # b: lower better, target/x capped at 1: 5/10, 1, 1; 5/8, 1, 5/20
    # c: 2020 ranks 1, 2, 3 → 0, 50, 100; 2021 A and B tie at rank 2.5 → 75, C → 0
    expected = {("A", 2020): (60, .5, 0), ("B", 2020): (80, 1, 50), ("C", 2020): (100, 1, 100),
                ("A", 2021): (70, .625, 75), ("B", 2021): (90, 1, 75), ("C", 2021): (100, .25, 0)}
    for key, values in expected.items():
        assert np.allclose(got.loc[key, ["a", "b", "c"]].to_numpy(float), values), key
    scores = result.scores_table().set_index(["unit", "year"])["idx"]
    assert scores[("A", 2020)] == pytest.approx((60 + .5 + 0) / 3)  # equal weights


def test_evaluate_reports_bad_parameters_and_data(write):
    bad = FRAMEWORK.replace("{method: efficacy, base_year: 2020}",
                            "{method: efficacy, thresholds: fixed, low: 1}")
    with pytest.raises(InputError, match="thresholds: fixed needs both 'low' and 'high'"):
        load_framework(write("bad.yaml", bad))
    ref = FRAMEWORK.replace("{method: percentile_rank}", "{method: distance_to_reference, unit: B}")
    fw = load_framework(write("ref.yaml", ref))
    data = write("data.csv", DATA.replace("B,2021,25,4,3", "B,2021,25,4,"))
    with pytest.raises(InputError, match="indicator 'c': reference unit 'B' has no value in year 2021"):
        evaluate(fw, load_data(data, framework=fw))
