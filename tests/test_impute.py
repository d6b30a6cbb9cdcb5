"""Imputation methods: hand-worked numbers for each, the log, and per-indicator overrides."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digindex import InputError, evaluate, load_data, load_framework
from digindex.engine.evaluate import StageContext
from digindex.methods import get_method, make_params

nan = np.nan


def ctx_for(units, years, indicators=("x",), data=None, parents=None):
    units = np.array(units, dtype=object)
    years = np.array(years, dtype=object)
    data = pd.DataFrame({"unit": units, "year": years, **(data or {})})
    return StageContext(None, units, years, list(indicators), parents or {}, data)


def impute(name, X, ctx, **params):
    spec = get_method("impute", name)
    X = np.asarray(X, float)
    X = X.reshape(len(X), -1)
    return spec.func(X, ctx, make_params(spec, params))


# Two years of five units in two groups; x missing for c and e in 2020, for a in 2021.
UNITS = ["a", "b", "c", "d", "e"] * 2
YEARS = [2020] * 5 + [2021] * 5
GROUP = {"grp": ["G1", "G1", "G1", "G2", "G2"] * 2}
X = [1, 3, nan, 10, nan,
     nan, 4, 8, 20, 30]


def test_mean_overall_per_year():
    out, log = impute("mean", X, ctx_for(UNITS, YEARS, data=GROUP))
    # 2020: mean(1, 3, 10) = 14/3 for c and e; 2021: mean(4, 8, 20, 30) = 62/4 = 15.5 for a
    assert out[2, 0] == pytest.approx(14 / 3) and out[4, 0] == pytest.approx(14 / 3)
    assert out[5, 0] == 15.5
    assert [(e.unit, e.year) for e in log] == [("c", 2020), ("e", 2020), ("a", 2021)]
    e = log[2]
    assert e.stage == "impute" and e.node == "x" and e.detail["value"] == 15.5
    assert e.detail["method"] == "mean" and "4 values" in e.detail["source"]


def test_mean_and_median_within_a_group():
    out, log = impute("mean", X, ctx_for(UNITS, YEARS, data=GROUP), group="grp")
    # 2020: c in G1 -> mean(1, 3) = 2; e in G2 -> mean(10) = 10; 2021: a in G1 -> mean(4, 8) = 6
    assert out[[2, 4, 5], 0].tolist() == [2, 10, 6]
    assert "grp=G1" in log[0].detail["source"]
    out, _ = impute("median", [1, 3, 8, nan, 100, nan], ctx_for(list("abcdef"), [2020] * 6,
                    data={"grp": ["G"] * 4 + ["H"] * 2}), group="grp")
    # G: median(1, 3, 8) = 3 for d; H: median(100) = 100 for f
    assert out[[3, 5], 0].tolist() == [3, 100]
    out, _ = impute("median", [1, 3, 8, 20, nan], ctx_for(list("abcde"), [None] * 5))
    assert out[4, 0] == 5.5  # median(1, 3, 8, 20) = (3 + 8) / 2


def test_group_by_parent_and_missing_labels():
    parents = {"a": "P", "b": "P", "c": "Q", "d": "Q"}
    out, _ = impute("mean", [2, nan, 5, nan], ctx_for(list("abcd"), [2020] * 4, parents=parents),
                    group="parent")
    assert out[:, 0].tolist() == [2, 2, 5, 5]
    # a unit without a group label, or a group without values, stays missing and is logged
    out, log = impute("mean", [1, nan, nan], ctx_for(list("abc"), [2020] * 3,
                      data={"grp": ["G", "", "H"]}), group="grp")
    assert np.isnan(out[1:, 0]).all()
    assert [e.message.split(":")[0] for e in log] == ["not imputed", "not imputed"]
    with pytest.raises(ValueError, match="group column 'nope'"):
        impute("mean", [1, nan], ctx_for(list("ab"), [2020] * 2), group="nope")


# one unit over five years: 2, -, 6, -, -  (and one unit with nothing before 2019)
T_UNITS = ["a"] * 5 + ["b"] * 5
T_YEARS = [2018, 2019, 2020, 2021, 2022] * 2
T_X = [2, nan, 6, nan, nan,
       nan, 5, nan, 9, nan]


def test_previous_year_forward_then_back():
    out, log = impute("previous_year", T_X, ctx_for(T_UNITS, T_YEARS))
    # a: 2019 <- 2018 (2), 2021 and 2022 <- 2020 (6); b: 2018 <- 2019 (back: 5),
    #    2020 <- 2019 (5), 2022 <- 2021 (9)
    assert out[:, 0].tolist() == [2, 2, 6, 6, 6, 5, 5, 5, 9, 9]
    sources = {(e.unit, e.year): e.detail["source"] for e in log}
    assert sources[("a", 2022)] == "a 2020" and sources[("b", 2018)] == "b 2019"
    out, log = impute("previous_year", T_X, ctx_for(T_UNITS, T_YEARS), direction="forward")
    assert np.isnan(out[5, 0]) and "no observed year" in log[3].message
    out, _ = impute("previous_year", T_X, ctx_for(T_UNITS, T_YEARS), direction="back")
    # back only: a 2019 <- 2020 (6); a 2021, 2022 have nothing later; b 2020 <- 2021 (9)
    assert out[[1, 7], 0].tolist() == [6, 9] and np.isnan(out[[3, 4, 9], 0]).all()


def test_interpolate_linear_in_time():
    out, log = impute("interpolate", T_X, ctx_for(T_UNITS, T_YEARS))
    # a 2019: 2 + (6 - 2)(2019 - 2018)/(2020 - 2018) = 4; b 2020: 5 + (9 - 5)(1/2) = 7
    # ends (a 2021, a 2022, b 2018, b 2022) have no value on both sides: left missing
    assert out[1, 0] == 4 and out[7, 0] == 7
    assert np.isnan(out[[3, 4, 5, 9], 0]).all()
    assert log[0].detail["source"] == "a 2018 and 2020"
    out, _ = impute("interpolate", T_X, ctx_for(T_UNITS, T_YEARS), ends="nearest")
    assert out[[3, 4, 5, 9], 0].tolist() == [6, 6, 5, 9]
    # unequal spacing: 2010 -> 10, 2013 -> 40: 2011 = 10 + 30 * 1/3 = 20
    out, _ = impute("interpolate", [10, nan, 40], ctx_for(["u"] * 3, [2010, 2011, 2013]))
    assert out[1, 0] == pytest.approx(20)
    with pytest.raises(ValueError, match="needs a 'year' column"):
        impute("interpolate", [1, nan], ctx_for(["u", "v"], [None, None]))


@pytest.mark.parametrize("ends", ["leave", "nearest"])
def test_interpolate_is_the_formula_cell_by_cell_on_shuffled_panels(ends):
    """The vectorised interpolation against the formula applied one cell at a time (rows in any
    order, several indicators, gaps at the ends and in the middle): same values, same log order."""
    rng = np.random.default_rng(16)
    for _ in range(20):
        n_units, n_years, m = rng.integers(1, 15), rng.integers(1, 9), rng.integers(1, 4)
        cells = [(f"u{u}", 2000 + 2 * y) for u in range(n_units) for y in range(n_years)]
        cells = [cells[k] for k in rng.permutation(len(cells))]
        X = rng.normal(size=(len(cells), m))
        X[rng.random(X.shape) < 0.4] = nan
        units, years = [u for u, _ in cells], [y for _, y in cells]
        out, log = impute("interpolate", X, ctx_for(units, years, [f"x{k}" for k in range(m)]), ends=ends)
        expected, imputed = X.copy(), []
        for unit in dict.fromkeys(units):
            rows = sorted((r for r in range(len(cells)) if units[r] == unit), key=lambda r: years[r])
            for j in range(m):
                seen = [r for r in rows if not np.isnan(X[r, j])]
                for r in rows:
                    if not np.isnan(X[r, j]):
                        continue
                    a = [s for s in seen if years[s] < years[r]]
                    b = [s for s in seen if years[s] > years[r]]
                    if a and b:
                        a, b = a[-1], b[0]
                        value = X[a, j] + (X[b, j] - X[a, j]) * (years[r] - years[a]) / (years[b] - years[a])
                    elif ends == "nearest" and (a or b):
                        value = X[a[-1] if a else b[0], j]
                    else:
                        continue
                    expected[r, j] = value
                    imputed.append((unit, f"x{j}", years[r]))
        np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
        assert [(e.unit, e.node, e.year) for e in log if e.message.startswith("imputed")] == imputed


def test_reference_ratio_the_desi_rule():
    units = ["EU"] * 3 + ["AT"] * 3 + ["BE"] * 3
    years = [2020, 2021, 2022] * 3
    X = [50, 55, 60,          # EU
         40, nan, nan,        # AT: 2021, 2022 missing
         nan, 30, nan]        # BE: 2020 and 2022 missing (2021 is nearest to both)
    out, log = impute("reference_ratio", X, ctx_for(units, years), reference="EU")
    # AT 2021 = AT 2020 × EU 2021/2020 = 40 × 55/50 = 44
    # AT 2022 = 40 × 60/50 = 48 (nearest observed year of AT is 2020; observed values only)
    # BE 2020 = 30 × 50/55 = 27.2727...; BE 2022 = 30 × 60/55 = 32.7272...
    np.testing.assert_allclose(out[3:, 0], [40, 44, 48, 30 * 50 / 55, 30, 30 * 60 / 55])
    assert log[0].detail["source"] == "AT 2020 × EU 2021/2020"
    # ties: 2021 is 1 year from both 2020 and 2022; earlier is preferred unless prefer: later
    X2 = [50, 55, 60, 10, nan, 20]
    out, _ = impute("reference_ratio", X2, ctx_for(units[:6], years[:6]), reference="EU")
    assert out[4, 0] == pytest.approx(10 * 55 / 50)  # 11
    out, _ = impute("reference_ratio", X2, ctx_for(units[:6], years[:6]), reference="EU", prefer="later")
    assert out[4, 0] == pytest.approx(20 * 55 / 60)
    with pytest.raises(ValueError, match="reference unit 'XX'"):
        impute("reference_ratio", X2, ctx_for(units[:6], years[:6]), reference="XX")


def test_iterative_regression_is_seeded_and_deterministic():
    # y = 2x + 1 exactly; y missing at x = 4 and x = 7: the regression recovers 9 and 15
    x = np.arange(1.0, 13.0)
    y = 2 * x + 1
    y[[3, 6]] = nan
    X = np.column_stack([x, y])
    ctx = ctx_for([f"u{i}" for i in range(12)], [2020] * 12, indicators=("x", "y"))
    out, log = impute("iterative", X, ctx, seed=1)
    np.testing.assert_allclose(out[[3, 6], 1], [9, 15], atol=1e-3)
    again, _ = impute("iterative", X, ctx, seed=1)
    assert np.array_equal(out, again)
    assert [(e.node, e.unit) for e in log] == [("y", "u3"), ("y", "u6")]
    assert "regression on 1 other indicators" in log[0].detail["source"]
    # an indicator with no value in the year stays missing
    out, log = impute("iterative", np.column_stack([x, np.full(12, nan)]), ctx)
    assert np.isnan(out[:, 1]).all() and len(log) == 12


# ---- through the pipeline ---------------------------------------------------------------------

FRAMEWORK = """
id: t
impute: {method: mean, group: region}
normalise: none
tree:
  id: root
  children:
    - {id: a}
    - {id: b, impute: previous_year}
    - {id: c, impute: none}
"""
DATA = """unit,year,region,a,b,c
u1,2020,N,1,10,
u2,2020,N,,20,5
u3,2020,S,7,,6
u1,2021,N,3,,
u2,2021,N,,22,7
u3,2021,S,,31,8
"""


def test_defaults_overrides_and_log_through_evaluate(write):
    fw = load_framework(write("fw.yaml", FRAMEWORK))
    # 'region' is a text group column, not listed in data_columns: the framework names it
    panel = load_data(write("d.csv", DATA), framework=fw)
    assert panel.table["region"].tolist() == ["N", "N", "S"] * 2
    result = evaluate(fw, panel)
    imp = result.stage("imputed").set_index(["unit", "year"])
    # a (group mean per year): u2 2020 = mean(N: 1) = 1; u2 2021 = mean(N: 3) = 3; u3 2021: S has none
    assert imp.loc[("u2", 2020), "a"] == 1 and imp.loc[("u2", 2021), "a"] == 3
    assert np.isnan(imp.loc[("u3", 2021), "a"])
    # b (previous_year override): u3 2020 <- 2021 (back, 31); u1 2021 <- 2020 (10)
    assert imp.loc[("u3", 2020), "b"] == 31 and imp.loc[("u1", 2021), "b"] == 10
    # c (none): u1 stays missing in both years
    assert np.isnan(imp.loc[("u1", 2020), "c"]) and np.isnan(imp.loc[("u1", 2021), "c"])
    log = result.log_table()
    cells = log[(log.stage == "impute") & log.detail_value.notna()]
    assert len(cells) == 4 and set(cells.node) == {"a", "b"}
    assert cells[cells.node == "b"].detail_source.tolist() == ["u1 2020", "u3 2021"]


def test_bad_impute_settings_are_input_errors(write):
    # an indicator's impute key is checked when the framework is read
    with pytest.raises(InputError, match="unknown parameter 'dir'") as exc:
        load_framework(write("fw.yaml", FRAMEWORK.replace("impute: previous_year",
                                                          "impute: {method: previous_year, dir: x}")))
    assert exc.value.problems[0].line is not None
    fw = load_framework(write("fw2.yaml", FRAMEWORK.replace("group: region", "group: nope")))
    data = write("d2.csv", "\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != 2)
                                      for line in DATA.splitlines()))
    with pytest.raises(InputError, match="group column 'nope' is not in the data"):
        evaluate(fw, load_data(data, framework=fw))


def test_text_groups_in_the_long_layout_without_years(write):
    # long layout, one period: the group labels arrive as 'value' cells of indicator 'region'
    fw = load_framework(write("fw.yaml", "id: t\nimpute: {method: mean, group: region}\n"
                                         "tree: {id: root, children: [{id: a}]}\n"))
    data = write("d.csv", "unit,indicator,value\nu1,region,N\nu2,region,N\nu3,region,S\n"
                          "u1,a,4\nu2,a,\nu3,a,10\n")
    result = evaluate(fw, load_data(data, framework=fw))
    assert result.panel.table["region"].tolist() == ["N", "N", "S"]
    assert result.stage("imputed")["a"].tolist() == [4, 4, 10]  # u2 <- mean(N: 4)
