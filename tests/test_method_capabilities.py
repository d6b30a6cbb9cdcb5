"""Methods declare what they can do; the engine and the uncertainty engine share one node aggregation.

Property: for every registered aggregation (with its parameter variants) over data with
zeros and gaps, the engine (`evaluate`) and the uncertainty engine (`BatchedModel`, many
weightings at once) give the same scores to 1e-12, or refuse the same input with the same
message.
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digindex import InputError, evaluate, load_data, load_framework
from digindex.methods import get_method, methods
from digindex.uncertainty import decode, problem_from_framework
from digindex.uncertainty.model import BatchedModel, framework_variant

# every registered aggregation, with the parameter variants that change what it does
VARIANTS = {
    "arithmetic": [{}], "geometric": [{}], "harmonic": [{}],
    "generalised": [{"r": r} for r in (-2, 0.5, 2, 150)],
    "mean_min": [{}, {"alpha": 1.0, "beta": 5}],
    "mpi": [{}, {"penalty": "positive"}], "ampi": [{}],
    "copeland": [{}, {"scale": "0-1"}], "topsis": [{}, {"normalisation": "minmax"}],
    "vikor": [{}], "bod": [{}],
}
CASES = [(name, params) for name, variants in VARIANTS.items() for params in variants]


def test_every_aggregation_is_covered():
    assert {s.name for s in methods("aggregate")} == set(VARIANTS)


# identity on [0, 300] with a declared range [0, 300] whose 0 is not certain, so operators that
# need values > 0 pass the static check and meet the data's zeros at run time
FRAMEWORK = """\
id: cap
normalise: {{method: minmax, min: 0, max: 300, scale: [0, 300], clip: true}}
min_coverage: 0.5
aggregate: {op}
uncertainty:
  choices:
    - {{id: w, perturb: weights, levels: [1, 2], noise: 0.4}}
tree:
  id: root
  children:
    - id: a
      children: [{{id: x1}}, {{id: x2}}, {{id: x3}}]
    - id: b
      weight: 2
      children: [{{id: x4}}, {{id: x5}}]
"""

values = st.one_of(st.just(0.0), st.just(np.nan), st.floats(0.5, 300.0))


@st.composite
def panels(draw):
    """8 units × 2 years × 5 indicators, each cell 0, missing or in [0.5, 300]."""
    cells = draw(st.lists(values, min_size=80, max_size=80))
    X = np.array(cells).reshape(16, 5)
    return pd.DataFrame({"unit": [f"u{i}" for i in range(8)] * 2, "year": [2020] * 8 + [2021] * 8,
                         **{f"x{j + 1}": X[:, j] for j in range(5)}})


def _outcome(fn):
    try:
        return "scores", fn()
    except InputError as exc:
        return "refused", [p.message for p in exc.problems]


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}{p or ''}" for n, p in CASES])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=panels())
def test_engine_and_uncertainty_agree(tmp_path_factory, name, params, table):
    folder = tmp_path_factory.mktemp("cap")
    op = "{method: %s%s}" % (name, "".join(f", {k}: {v}" for k, v in params.items()))
    (folder / "f.yaml").write_text(FRAMEWORK.format(op=op), encoding="utf-8")
    table.to_csv(folder / "d.csv", index=False)
    fw = load_framework(folder / "f.yaml")
    panel = load_data(folder / "d.csv", framework=fw)
    problem = problem_from_framework(fw)

    engine = _outcome(lambda: evaluate(fw, panel).scores["root"])
    batched = _outcome(lambda: BatchedModel(fw, panel, problem).nominal_scores())
    assert engine[0] == batched[0], (engine, batched)
    if engine[0] == "refused":
        assert engine[1] == batched[1]
        return
    np.testing.assert_allclose(batched[1], engine[1], rtol=1e-12, atol=1e-12)

    # many weightings at once against one evaluation per weighting through the public API
    design = decode(problem, np.random.default_rng(3).random((5, problem.dims)))
    many = BatchedModel(fw, panel, problem).scores(design)
    for i, row in enumerate(design.to_dict("records")):
        one = evaluate(framework_variant(fw, problem, row), panel).scores["root"]
        np.testing.assert_allclose(many[i], one, rtol=1e-12, atol=1e-12)


def test_large_order_does_not_overflow(write):
    # (½·300^150 + ½·200^150)^(1/150) = 300·(½ + ½·(2/3)^150)^(1/150) ≈ 300·2^(−1/150) = 298.617
    expected = 300 * (0.5 + 0.5 * (2 / 3) ** 150) ** (1 / 150)
    fw = load_framework(write("f.yaml", FRAMEWORK.format(op="{method: generalised, r: 150}")
                              .replace("      weight: 2\n", "")))
    data = "unit,x1,x2,x3,x4,x5\nA,300,300,300,200,200\nB,1,1,1,1,1\n"
    panel = load_data(write("d.csv", data), framework=fw)
    engine = evaluate(fw, panel).scores["root"]
    batched = BatchedModel(fw, panel, problem_from_framework(fw)).nominal_scores()
    assert engine[0] == pytest.approx(expected, rel=1e-12) and abs(expected - 298.617) < 1e-3
    assert batched[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("r", [0.5, 2])
def test_generalised_mean_over_min_max_scores_with_zeros_runs_in_uncertainty(write, r):
    """Min-max [0, 100] gives the lowest unit 0; r > 0 takes zeros, in both engines."""
    text = FRAMEWORK.format(op="{method: generalised, r: %s}" % r).replace(
        "normalise: {method: minmax, min: 0, max: 300, scale: [0, 300], clip: true}", "normalise: minmax")
    fw = load_framework(write("f.yaml", text))
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(6)], **{f"x{j}": rng.uniform(1, 9, 6) for j in range(1, 6)}})
    panel = load_data(write("d.csv", df.to_csv(index=False)), framework=fw)
    engine = evaluate(fw, panel).scores["root"]
    assert (evaluate(fw, panel).stage("normalised").iloc[:, 2:] == 0).any().any()
    batched = BatchedModel(fw, panel, problem_from_framework(fw)).nominal_scores()
    np.testing.assert_allclose(batched, engine, rtol=1e-12)


def test_capabilities_describe_the_methods():
    caps = lambda family, name, **p: get_method(family, name).capabilities(p)  # noqa: E731
    assert caps("aggregate", "arithmetic").power == 1 and caps("aggregate", "geometric").power == 0
    assert caps("aggregate", "harmonic").power == -1 and caps("aggregate", "generalised", r=2.5).power == 2.5
    assert caps("aggregate", "generalised", r=-2).inputs == "positive"
    assert caps("aggregate", "generalised", r=0.5).inputs == "nonnegative"
    assert caps("aggregate", "generalised", r=1).inputs == "any"
    assert caps("aggregate", "topsis").power is None and caps("aggregate", "topsis").scope == "year"
    assert caps("aggregate", "mean_min").scope == "row"
    assert not caps("weights", "manual").data_driven and not caps("weights", "ahp", matrix=[[1]]).data_driven
    assert caps("weights", "entropy").data_driven and caps("weights", "bod").per_row
    assert caps("weights", "combined", a="equal", b="entropy").data_driven
    assert not caps("weights", "combined", a="equal", b="manual").data_driven
    assert caps("normalise", "minmax").scope == "year"
    assert caps("normalise", "minmax", bounds="pooled").scope == "panel"
    assert caps("normalise", "minmax", min=0, max=1).scope == "row"
    assert caps("normalise", "goalposts").scope == "row"


def _strings(expr) -> set[str]:
    """The string literals of a literal, set, tuple, list or dict's keys."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    items = expr.elts if isinstance(expr, (ast.Set, ast.Tuple, ast.List)) else \
        expr.keys if isinstance(expr, ast.Dict) else []
    return {e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _names_a_method(expr) -> bool:
    """``x.name``, or a variable called op, name or method: what holds a method's name."""
    return (isinstance(expr, ast.Attribute) and expr.attr == "name") or \
        (isinstance(expr, ast.Name) and expr.id in ("op", "name", "method", "operator"))


def test_no_caller_tests_a_method_name():
    """Generic code asks a method's capabilities; it never compares a method's name with a literal."""
    root = Path(__file__).resolve().parents[1] / "src" / "digindex"
    names = {s.name for s in methods()}
    offenders = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] == "methods":
            continue  # the methods themselves may know their own names
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # module constants such as POWER = {"arithmetic": 1.0} or MEANS = {"geometric", ...}
        constants = {t.id: _strings(a.value) for a in tree.body if isinstance(a, ast.Assign)
                     for t in a.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            literals = set().union(*(_strings(c) for c in operands))
            literals |= set().union(*(constants.get(c.id, set()) for c in operands if isinstance(c, ast.Name)))
            if literals & names and any(_names_a_method(c) for c in operands):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} {sorted(literals & names)}")
    assert not offenders, offenders
