"""Panel-consistent methods: `pooled: true` compares every unit-year of the panel at once.

The data: a SYNTHETIC panel of 31 provinces, 2013–2022, 6 indicators that all grow 3–25 % a year.
Within-year TOPSIS forgets the growth (each year is rescaled to itself); pooled TOPSIS keeps it.
The pooled scores are checked against pymcdm's TOPSIS and VIKOR on the stacked panel matrix,
and Copeland and MPI against hand derivations on the stacked matrix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS, VIKOR

from digindex import evaluate, load_data, load_framework
from digindex.methods import get_method
from digindex.methods.context import AggregateContext

PROVINCES = 31
YEARS = list(range(2013, 2023))


def growing_panel(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.uniform(10, 100, size=(PROVINCES, 6))
    growth = rng.uniform(1.03, 1.25, size=(PROVINCES, 6))
    rows = []
    for t, year in enumerate(YEARS):
        X = base * growth ** t
        for i in range(PROVINCES):
            rows.append({"unit": f"P{i + 1:02d}", "year": year, **{f"x{j + 1}": X[i, j] for j in range(6)}})
    return pd.DataFrame(rows)


FRAMEWORK = """\
id: pooled
normalise: {{method: minmax, pooled: {pooled}, scale: [0, 1]}}
weights: entropy
aggregate: {{method: {method}, pooled: {pooled}}}
tree:
  id: index
  children:
    - {{id: x1}}
    - {{id: x2}}
    - {{id: x3}}
    - {{id: x4}}
    - {{id: x5}}
    - {{id: x6}}
"""


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pooled") / "provinces.csv"
    growing_panel().to_csv(path, index=False)
    return path


def run(tmp_path, panel_file, method, pooled):
    fw_path = tmp_path / f"{method}-{pooled}.yaml"
    fw_path.write_text(FRAMEWORK.format(method=method, pooled=str(pooled).lower()), encoding="utf-8")
    fw = load_framework(fw_path)
    return evaluate(fw, load_data(panel_file, framework=fw))


def yearly_means(ev) -> pd.Series:
    table = ev.scores_table()
    return table.groupby("year")["index"].mean()


def test_pooled_topsis_keeps_the_growth_that_per_year_topsis_loses(tmp_path, panel_file):
    per_year = yearly_means(run(tmp_path, panel_file, "topsis", False))
    pooled = yearly_means(run(tmp_path, panel_file, "topsis", True))
    assert pooled.is_monotonic_increasing and pooled.iloc[-1] > 2 * pooled.iloc[0]
    # within each year the scores are relative to that year only: the growth is lost, and as
    # growth rates differ the spread widens, so the mean even falls (the 0.295 -> 0.191)
    assert per_year.iloc[-1] < per_year.iloc[0]


def _stacked(ev):
    """The normalised matrix of every unit-year and the weights the engine used."""
    return ev.stages["normalised"], ev.node_weights["index"]


@pytest.mark.parametrize("normalisation,theirs", [("vector", pn.vector_normalization),
                                                  ("minmax", pn.minmax_normalization)])
def test_pooled_topsis_equals_pymcdm_on_the_stacked_panel(tmp_path, panel_file, normalisation, theirs):
    ev = run(tmp_path, panel_file, "topsis", True)
    if normalisation == "minmax":
        ev = ev.rerun("aggregate", {"method": "topsis", "pooled": True, "normalisation": "minmax"})
    Z, w = _stacked(ev)
    expected = TOPSIS(normalization_function=theirs)(Z, w, np.ones(Z.shape[1]))
    np.testing.assert_allclose(ev.scores["index"], expected, rtol=0, atol=1e-12)
    assert ev.methods["index"].startswith("topsis")


def test_pooled_vikor_equals_pymcdm_on_the_stacked_panel(tmp_path, panel_file):
    ev = run(tmp_path, panel_file, "vikor", True)
    Z, w = _stacked(ev)
    # pymcdm's VIKOR returns Q (lower is better); digindex reports 1 − Q (higher is better)
    q = VIKOR(normalization_function=pn.minmax_normalization)(Z, w, np.ones(Z.shape[1]))
    np.testing.assert_allclose(ev.scores["index"], 1 - q, rtol=0, atol=1e-12)


def test_pooled_copeland_and_mpi_by_hand_on_the_stacked_matrix():
    X = np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 6.0], [4.0, 7.0]])  # two units × two years
    years = np.array([2020, 2020, 2021, 2021])
    ctx = AggregateContext("n", ["a", "b"], np.array(["A", "B", "A", "B"]), years)
    w = np.array([0.5, 0.5])
    cop = get_method("aggregate", "copeland")
    # stacked: row 3 (4, 7) beats all three others; row 0 (1, 5) vs row 1 (2, 4): each wins one
    # child, e = 0.5: a tie; row 2 (3, 6) beats rows 0 and 1 and loses to row 3
    pooled = cop.func(X, w, cop.params_model(pooled=True), ctx)
    assert pooled.tolist() == [-2.0, -2.0, 1.0, 3.0]
    per_year = cop.func(X, w, cop.params_model(), ctx)
    assert per_year.tolist() == [0.0, 0.0, -1.0, 1.0]
    mpi = get_method("aggregate", "mpi")
    z = 100 + 10 * (X - X.mean(axis=0)) / X.std(axis=0)  # standardised over all four rows
    M, S = z.mean(axis=1), z.std(axis=1)
    np.testing.assert_allclose(mpi.func(X, w, mpi.params_model(pooled=True), ctx), M - S * S / M, rtol=1e-12)


def test_pooled_normalisation_is_the_same_as_bounds_pooled():
    spec = get_method("normalise", "minmax")
    assert spec.params_model(pooled=True).bounds == "pooled"
    assert spec.capabilities({"pooled": True}).scope == "panel"
    with pytest.raises(ValueError, match="contradicts"):
        spec.params_model(pooled=True, bounds="per_year")


def test_run_record_says_which_form_each_node_used(tmp_path, panel_file):
    from digindex.export import run_record

    ev = run(tmp_path, panel_file, "topsis", True)
    record = run_record(ev, None, {})
    assert record["scopes"]["index"] == "panel"
    assert record["scopes"]["x1"] == "panel"  # min-max bounds over every year
    ev2 = run(tmp_path, panel_file, "topsis", False)
    assert run_record(ev2, None, {})["scopes"]["index"] == "year"


WHOLE_TREE = """\
id: whole
normalise: {method: minmax, pooled: true, scale: [0, 1]}
weights: entropy
aggregate: {method: topsis, pooled: true}
uncertainty:
  choices:
    - {id: norm, step: normalise, alternatives: [{method: minmax, pooled: true, scale: [0, 1]}, {method: zscore, pooled: true}]}
tree:
  id: index
  over: indicators          # one TOPSIS over all six indicators
  children:
    - id: d1
      children: [{id: x1}, {id: x2}, {id: x3}]
    - id: d2
      children: [{id: x4}, {id: x5}, {id: x6}]
"""


def test_topsis_over_every_indicator_with_dimension_sub_scores(tmp_path, panel_file):
    """The index is one pooled TOPSIS over all indicators (pymcdm on the stacked 310 × 6 matrix,
    entropy weights over the six); each dimension's sub-score is a pooled TOPSIS over its own
    three (pymcdm on the 310 × 3 matrices)."""
    from digindex.engine.weights import weight_table
    from digindex.explain import contributions

    path = tmp_path / "whole.yaml"
    path.write_text(WHOLE_TREE, encoding="utf-8")
    fw = load_framework(path)
    ev = evaluate(fw, load_data(panel_file, framework=fw))
    Z = ev.stages["normalised"]
    w = ev.node_weights["index"]
    assert w.shape == (6,) and np.isclose(w.sum(), 1)
    topsis = TOPSIS(normalization_function=pn.vector_normalization)
    np.testing.assert_allclose(ev.scores["index"], topsis(Z, w, np.ones(6)), atol=1e-12)
    for dim, cols in (("d1", [0, 1, 2]), ("d2", [3, 4, 5])):
        wd = ev.node_weights[dim]
        np.testing.assert_allclose(ev.scores[dim], topsis(Z[:, cols], wd, np.ones(3)), atol=1e-12)
        # entropy weights are per column: a dimension's weights are the index's, re-scaled
        np.testing.assert_allclose(wd, w[cols] / w[cols].sum(), rtol=1e-12)
    # the dimensions' weights in the index are their indicators' sums
    table = weight_table(fw, ev).set_index("node")
    assert table.loc["d1", "effective_weight"] == pytest.approx(w[:3].sum(), rel=1e-12)
    assert table.loc["x4", "effective_weight"] == pytest.approx(w[3], rel=1e-12)
    # contributions of the indicators, and of the dimensions, add up to the index
    c = contributions(ev, year=2022)
    for level in (1, 2):
        sums = c[c.level == level].groupby("unit")["contribution"].sum()
        root = ev.scores_table().query("year == 2022").set_index("unit")["index"]
        np.testing.assert_allclose(sums.loc[root.index], root, rtol=1e-9)


def test_uncertainty_engine_agrees_on_a_whole_tree_topsis(tmp_path, panel_file):
    from digindex.uncertainty import decode, problem_from_framework
    from digindex.uncertainty.model import BatchedModel, framework_variant

    path = tmp_path / "whole.yaml"
    path.write_text(WHOLE_TREE, encoding="utf-8")
    fw = load_framework(path)
    panel = load_data(panel_file, framework=fw)
    problem = problem_from_framework(fw)
    model = BatchedModel(fw, panel, problem)
    np.testing.assert_allclose(model.nominal_scores(), evaluate(fw, panel).scores["index"], atol=1e-12)
    design = decode(problem, np.array([[0.2], [0.7]]))
    many = model.scores(design)
    for i, row in enumerate(design.to_dict("records")):
        one = evaluate(framework_variant(fw, problem, row), panel).scores["index"]
        np.testing.assert_allclose(many[i], one, atol=1e-12)
