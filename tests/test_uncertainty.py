"""Uncertainty and sensitivity analysis: exact cases, Sobol indices, safety checks, replay."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digindex import InputError, evaluate, load_data, load_framework
from digindex.uncertainty import (UncertaintyProblem, analyze, decode, problem_from_framework,
                                  run_uncertainty, saltelli)
from digindex.uncertainty.model import framework_variant
from digindex.uncertainty.problem import Choice

TWO_UNITS = """\
id: two
normalise: none
uncertainty:
  choices:
    - {id: w, perturb: weights, levels: [1], noise: 0.5}
tree:
  id: root
  children: [{id: x1}, {id: x2}]
"""


def test_two_units_rank_distribution_is_exact(write):
    # A = (2, 0), B = (0, 1); weights w1, w2 ~ U[0.5, 1.5] independently.
    # A scores 2·w1/(w1+w2), B scores w2/(w1+w2): B beats A iff w2 > 2·w1, i.e.
    # P = ∫_{0.5}^{0.75} (1.5 − 2·w1) dw1 = [1.5·w1 − w1²]_{0.5}^{0.75} = 0.5625 − 0.5 = 0.0625.
    fw = load_framework(write("f.yaml", TWO_UNITS))
    panel = load_data(write("d.csv", "unit,x1,x2\nA,2,0\nB,0,1\n"), framework=fw)
    res = run_uncertainty(fw, panel, runs=8192, seed=3, sensitivity=False)
    s = res.summary.set_index("unit")
    assert s.loc["B", "p_top1"] == pytest.approx(0.0625, abs=0.005)
    assert s.loc["A", "mean_rank"] == pytest.approx(1.0625, abs=0.005)
    assert s.loc["A", "nominal_rank"] == 1 and s.loc["A", "median_rank"] == 1
    freq = res.frequency.set_index("unit")
    assert freq.loc["A", "rank_1"] + freq.loc["A", "rank_2"] == pytest.approx(1.0)


def test_sobol_indices_of_an_additive_function():
    # Y = Σ c_i·u_i with u_i ~ U(0, 1): S1_i = ST_i = c_i² / Σ c_j² (no interactions).
    c = np.array([1.0, 2.0, 3.0])
    problem = UncertaintyProblem([Choice(f"x{i}", "noise", dims=1, noise=0.5) for i in range(3)])
    N = 4096
    d = saltelli(problem, N, seed=7)
    f = lambda U: U @ c  # noqa: E731
    res = analyze(f(d.A)[:, None], f(d.B)[:, None], np.stack([f(m)[:, None] for m in d.AB]), n_boot=200)
    expected = c ** 2 / np.sum(c ** 2)
    assert np.allclose(res.s1[:, 0], expected, atol=0.02)
    assert np.allclose(res.st[:, 0], expected, atol=0.02)
    assert np.all(res.s1_ci[0, :, 0] <= expected + 0.01) and np.all(res.s1_ci[1, :, 0] >= expected - 0.01)
    assert np.all(res.s1_ci[0] <= res.st_ci[1])  # S1 ≤ ST within their intervals
    assert res.convergence.max() < 0.05


UA = """\
id: ua
normalise: {method: minmax, scale: [1, 100]}
uncertainty:
  choices:
    - {id: agg, step: aggregate, alternatives: [arithmetic, geometric], nodes: [root]}
    - {id: w, perturb: weights, levels: [1, 2], noise: 0.25}
    - {id: drop, exclude: [x1, y1]}
tree:
  id: root
  children:
    - id: a
      children: [{id: x1}, {id: x2}, {id: x3}]
    - id: b
      children: [{id: y1}, {id: y2}]
"""


@pytest.fixture
def ua(write):
    rng = np.random.default_rng(1)
    n = 24
    df = pd.DataFrame({"unit": [f"U{i:02d}" for i in range(n)], "parent": [f"P{i % 3}" for i in range(n)]})
    for c in ["x1", "x2", "x3", "y1", "y2"]:
        df[c] = rng.gamma(2.0, 3.0, n)
    fw = load_framework(write("f.yaml", UA))
    return fw, load_data(write("d.csv", df.to_csv(index=False)), framework=fw)


def test_dead_choice_fails_loudly(write, ua):
    fw, panel = ua
    spec = dict(fw.extra["uncertainty"])
    # node 'c' below has one child: arithmetic and geometric means of one value are equal
    text = UA.replace("nodes: [root]}", "nodes: [root]}\n    - {id: dead, step: aggregate, alternatives: "
                                        "[arithmetic, geometric], nodes: [c]}")
    text = text.replace("      children: [{id: y1}, {id: y2}]",
                        "      children: [{id: y1}, {id: y2}]\n    - id: c\n      children: [{id: z1}]")
    fw2 = load_framework(write("g.yaml", text))
    df = panel.table.assign(z1=np.linspace(1, 2, len(panel.table)), parent=[panel.parents[u] for u in panel.units])
    panel2 = load_data(write("e.csv", df.drop(columns=["year"]).to_csv(index=False)), framework=fw2)
    with pytest.raises(InputError) as exc:
        run_uncertainty(fw2, panel2, runs=8)
    (p,) = exc.value.problems
    assert "'dead' does not change any score" in p.message
    assert spec  # the original framework still declares its choices


def test_same_seed_gives_identical_output(tmp_path, ua):
    fw, panel = ua
    for name in ("a", "b"):
        run_uncertainty(fw, panel, runs=64, seed=11, n_boot=50).write(tmp_path / name)
    for f in ("uncertainty_summary.csv", "sensitivity.csv", "design.csv", "replications.csv", "run.json",
              "rank_frequency.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    other = run_uncertainty(fw, panel, runs=64, seed=12, n_boot=50)
    assert not other.design.equals(pd.read_csv(tmp_path / "a" / "design.csv"))


def test_replay_equals_public_api_row_by_row(tmp_path, ua):
    fw, panel = ua
    problem = problem_from_framework(fw)
    design = decode(problem, np.random.default_rng(5).random((12, problem.dims)))
    design["agg"] = ["arithmetic" if v == 1 else "geometric" for v in design["agg"]]  # labels work too
    path = tmp_path / "design.csv"
    design.to_csv(path, index=False)
    res = run_uncertainty(fw, panel, design_file=path)
    reps = res.replications()
    for i, row in enumerate(pd.read_csv(path).to_dict("records")):
        row["agg"] = 1 if row["agg"] == "arithmetic" else 2
        one = evaluate(framework_variant(fw, problem, row), panel)
        expected = one.ranks_table().set_index("unit")["root"]
        got = reps[reps.replication == i + 1].set_index("unit")
        assert (got["rank"] == expected.loc[got.index]).all()
        assert np.allclose(got["score"], one.scores_table().set_index("unit").loc[got.index, "root"],
                           atol=1e-12)


def test_sensitivity_table_per_unit_and_overall(ua):
    fw, panel = ua
    res = run_uncertainty(fw, panel, runs=512, seed=2, n_boot=100)
    sens = res.sensitivity
    assert set(sens["choice"]) == {"agg", "w", "drop"}
    overall = sens[sens.output == "mean_abs_rank_shift"].set_index("choice")
    assert overall["consistent"].all()
    assert (overall["ST"] >= 0).all() and (overall["ST_low"] <= 1).all()
    assert set(sens.output) == {"mean_abs_rank_shift"} | set(panel.units)
    assert len(res.design) == 512 * (3 + 2)
    assert {"parent_mean_rank", "parent_p95_rank"} <= set(res.summary.columns)


def test_bad_design_file_is_reported(tmp_path, ua):
    fw, panel = ua
    path = tmp_path / "d.csv"
    path.write_text("agg,drop,bogus\nmedian,1,0\n")
    with pytest.raises(InputError) as exc:
        run_uncertainty(fw, panel, design_file=path)
    msgs = [p.message for p in exc.value.problems]
    assert any("'median' is not an alternative of 'agg'" in m for m in msgs)
    assert any("unknown design column 'bogus'" in m for m in msgs)


def test_fast_ranks_and_percentiles_equal_scipy_and_numpy():
    from scipy.stats import rankdata

    from digindex.uncertainty.batch import rank_rows, rank_rows_within
    from digindex.uncertainty.summary import rank_counts, rank_summary

    rng = np.random.default_rng(0)
    Y = np.round(rng.random((500, 30)), 1)  # many ties
    Y[rng.random(Y.shape) < 0.02] = np.nan
    ranks = rank_rows(Y)
    assert np.array_equal(ranks, rankdata(-Y, axis=1, method="min", nan_policy="omit"), equal_nan=True)
    big = np.vstack([Y] * 5)  # several blocks, on two threads, with counts tallied per block
    threaded, counts = rank_rows(big, workers=2, counts=True)
    assert np.array_equal(threaded, np.vstack([ranks] * 5), equal_nan=True)
    assert np.array_equal(counts, rank_counts(threaded))
    wide = rng.random((300, 600))  # many units: counted once at the end, not per block
    wide_ranks, wide_counts = rank_rows(wide, workers=2, counts=True)
    assert np.array_equal(wide_ranks, rankdata(-wide, axis=1, method="min"))
    assert np.array_equal(wide_counts, rank_counts(wide_ranks)) and wide_counts.sum() == wide.size
    groups = np.array([f"P{j % 7}" for j in range(30)], dtype=object)  # ranks within parents
    within = rank_rows_within(Y, groups)
    for g in set(groups):
        cols = np.flatnonzero(groups == g)
        assert np.array_equal(within[:, cols], rankdata(-Y[:, cols], axis=1, method="min", nan_policy="omit"),
                              equal_nan=True)
    s = rank_summary(ranks, np.ones(30), range(30))
    for col, q in (("median_rank", 50), ("p05_rank", 5), ("p95_rank", 95)):
        assert np.allclose(s[col], np.nanpercentile(ranks, q, axis=0))
    assert np.allclose(s["mean_rank"], np.nanmean(ranks, axis=0))


def test_collapsed_tree_equals_node_by_node(ua):
    """With one power mean everywhere, the tree collapses to effective weights: the same scores
    as aggregating node by node with the registered means, one replication at a time."""
    from digindex.methods import get_method
    from digindex.uncertainty.batch import TreeArrays, aggregate_batch, operators

    fw, panel = ua
    tree = TreeArrays.of(fw)
    Z = np.random.default_rng(1).uniform(1, 100, size=(24, 5))
    W = [np.random.default_rng(2).uniform(0.5, 1.5, size=(7, len(k))) for k in tree.children]
    for op, params in (("arithmetic", {}), ("geometric", {}), ("harmonic", {}), ("generalised", {"r": 2.5})):
        ops = operators([op] * len(tree.aggregates), [params] * len(tree.aggregates))
        fast = aggregate_batch(tree, Z, W, ops)
        spec = get_method("aggregate", op)
        for r in range(7):  # one replication at a time, node by node, children first
            scores = []
            for a, kids in enumerate(tree.children):
                X = np.column_stack([Z[:, j] if is_ind else scores[j] for is_ind, j in kids])
                scores.append(spec.func(X, W[a][r] / W[a][r].sum(), ops[a][1]))
            assert np.allclose(fast[r], scores[tree.root], rtol=1e-12, atol=0)


def test_panel_ranks_are_compared_within_one_year(write):
    fw = load_framework(write("f.yaml", TWO_UNITS))
    data = "unit,year,x1,x2\nA,2020,2,0\nB,2020,0,1\nA,2021,0,1\nB,2021,2,0\n"
    panel = load_data(write("d.csv", data), framework=fw)
    latest = run_uncertainty(fw, panel, runs=256, seed=3, sensitivity=False)
    first = run_uncertainty(fw, panel, runs=256, seed=3, sensitivity=False, year=2020)
    assert list(latest.summary["unit"]) == ["A", "B"] and latest.ranks.shape[1] == 2
    assert latest.summary.set_index("unit").loc["B", "nominal_rank"] == 1  # 2021: B leads
    assert first.summary.set_index("unit").loc["A", "nominal_rank"] == 1   # 2020: A leads
    assert latest.record["year"] == 2021
    with pytest.raises(InputError):
        run_uncertainty(fw, panel, runs=8, year=1999)


def test_nominal_scores_equal_the_engine(write, ua):
    """The batched kernels give the engine's scores: collapsed, node by node with gaps and a
    non-mean operator whose low-coverage rows must take no part in the comparisons."""
    from digindex.uncertainty.model import BatchedModel

    fw, panel = ua
    model = BatchedModel(fw, panel, problem_from_framework(fw))
    assert np.allclose(model.nominal_scores(), evaluate(fw, panel).scores["root"], rtol=1e-12, atol=0)

    text = UA.replace("    - id: b\n", "    - id: b\n      aggregate: topsis\n      min_coverage: 0.6\n")
    fw2 = load_framework(write("gaps.yaml", text))
    df = panel.table.assign(parent=[panel.parents[u] for u in panel.units])
    df.loc[[2, 5], "y1"] = np.nan  # units 2 and 5 fall below b's minimum coverage
    df.loc[7, "x2"] = np.nan
    panel2 = load_data(write("gaps.csv", df.drop(columns=["year"]).to_csv(index=False)), framework=fw2)
    ev = evaluate(fw2, panel2)
    batched = BatchedModel(fw2, panel2, problem_from_framework(fw2)).nominal_scores()
    assert np.isnan(ev.scores["b"][[2, 5]]).all()
    assert np.allclose(batched, ev.scores["root"], rtol=1e-12, atol=0)


def test_geometric_alternative_over_zero_scores_is_refused_clearly(write, ua):
    fw, panel = ua
    text = UA.replace("normalise: {method: minmax, scale: [1, 100]}", "normalise: minmax")  # 0 occurs
    fw0 = load_framework(write("zero.yaml", text))
    with pytest.raises(InputError) as exc:
        run_uncertainty(fw0, panel, runs=8, sensitivity=False)
    (p,) = exc.value.problems
    assert "cannot be evaluated" in p.message and "values > 0" in p.message and p.fix


def test_weight_sets_replay_equals_public_api(tmp_path, ua):
    """Weight sets from a CSV (one set per row; the design gives the row), with a noise choice on
    the same node: the batched scores equal evaluating each row through the public API."""
    fw, panel = ua
    (tmp_path / "sets.csv").write_text("a,b\n1,1\n3,1\n1,4\n")
    problem = problem_from_framework(fw, {"choices": [
        {"id": "experts", "weight_sets": "sets.csv"},
        {"id": "w", "perturb": "weights", "levels": [1], "noise": 0.25},
        {"id": "agg", "step": "aggregate", "alternatives": ["arithmetic", "geometric"], "nodes": ["root"]}]},
        base_dir=tmp_path)
    design = decode(problem, np.random.default_rng(8).random((9, problem.dims)))
    assert set(design["experts"]) == {1, 2, 3}
    res = run_uncertainty(fw, panel, problem=problem, design_file=_write(tmp_path, design))
    reps = res.replications()
    for i, row in enumerate(design.to_dict("records")):
        one = evaluate(framework_variant(fw, problem, row), panel)
        got = reps[reps.replication == i + 1].set_index("unit")
        expected = one.scores_table().set_index("unit").loc[got.index, "root"]
        assert np.allclose(got["score"], expected, rtol=1e-12, atol=0)


def _write(tmp_path, design):
    path = tmp_path / "design.csv"
    design.to_csv(path, index=False)
    return path


def test_sensitivity_of_a_unit_whose_rank_never_moves_is_left_empty(write):
    """A unit far ahead of the others is first in every run: its rank has zero variance, so its
    Sobol indices are undefined (0/0). They are left empty with a reason, never a number."""
    fw = load_framework(write("f.yaml", TWO_UNITS))
    data = "unit,x1,x2\nA,100,100\nB,2,0\nC,0,1\nD,1,1\n"
    panel = load_data(write("d.csv", data), framework=fw)
    res = run_uncertainty(fw, panel, runs=64, seed=3, n_boot=50)
    a = res.sensitivity[res.sensitivity.output == "A"]
    assert a[["S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"]].isna().all().all()
    assert (a["reason"] == "the rank is the same in every run: no choice moves it").all()
    assert not a["consistent"].any()
    b = res.sensitivity[res.sensitivity.output == "B"]  # B and C swap places: defined
    assert b["S1"].notna().all() and (b["reason"] == "").all()
    assert (res.ranks[:, 0] == 1).all()
