"""The engine on hand-worked numbers: formulas, missing values, ranks and the results contract."""
from __future__ import annotations

import math

import numpy as np
import pytest

from digindex import evaluate, load_data, load_framework

FW = """\
id: t
normalise: minmax
tree:
  id: root
  children:
    - id: a
      weight: 3
      children:
        - {id: x1}
        - {id: x2, direction: -1, weight: 3}
    - id: b
      children:
        - {id: y1}
"""
DATA = """\
unit,parent,year,x1,x2,y1
A,P,2020,0,10,5
B,P,2020,5,20,5
C,Q,2020,10,0,10
D,Q,2020,10,0,0
"""


@pytest.fixture
def result(write):
    fw = load_framework(write("f.yaml", FW))
    return evaluate(fw, load_data(write("d.csv", DATA), framework=fw))


def test_minmax_direction_and_weighted_means(result):
    s = result.scores_table().set_index("unit")
    # x1: (x - 0)/(10 - 0)*100; x2 direction -1: (20 - x)/20*100; y1: x/10*100
    assert list(s["x1"]) == [0, 50, 100, 100]
    assert list(s["x2"]) == [50, 0, 100, 100]
    assert list(s["y1"]) == [50, 50, 100, 0]
    # a = (1*x1 + 3*x2)/4 ; root = (3*a + 1*b)/4
    a = [(0 + 150) / 4, (50 + 0) / 4, 100, 100]
    assert np.allclose(s["a"], a)
    assert np.allclose(s["root"], [(3 * a[0] + 50) / 4, (3 * a[1] + 50) / 4, 100, 75])


def test_ranks_ties_take_minimum_and_within_parent(result):
    res = result.results()
    x1 = res[res.node == "x1"].set_index("unit")
    assert list(x1["rank"]) == [4, 3, 1, 1]          # C and D tie at 1, next is 3
    root = res[res.node == "root"].set_index("unit")
    assert list(root["rank"]) == [3, 4, 1, 2]
    assert list(root["rank_in_parent"]) == [1, 2, 1, 2]
    assert list(res.columns) == ["unit", "year", "node", "level", "score", "rank", "parent", "rank_in_parent"]
    assert dict(zip(res.node, res.level)) == {"root": 3, "a": 2, "x1": 1, "x2": 1, "b": 2, "y1": 1}
    assert len(res) == 4 * 6


def test_missing_values_skip_and_rescale_with_min_coverage(write):
    fw = load_framework(write("f.yaml", FW.replace("normalise: minmax", "normalise: minmax\nmin_coverage: 0.6")))
    data = DATA.replace("A,P,2020,0,10,5", "A,P,2020,,10,5")
    result = evaluate(fw, load_data(write("d.csv", data), framework=fw))
    s = result.scores_table().set_index("unit")
    # A has x2 only in node a: 1 of 2 children present = 50% < 60% -> a missing, logged
    assert math.isnan(s.loc["A", "a"])
    log = result.log_table()
    assert ((log.node == "a") & (log.unit == "A") & log.message.str.contains("coverage 50%")).any()
    # the root re-scales over b alone (1 of 2 present = 50% < 60% -> missing too)
    assert math.isnan(s.loc["A", "root"])
    fw2 = load_framework(write("g.yaml", FW))
    result2 = evaluate(fw2, load_data(write("d.csv", data), framework=fw2))
    s2 = result2.scores_table().set_index("unit")
    # default coverage 0.5: a = x2 alone (weights re-scaled), x1 bounds from B..D: 5..10
    assert s2.loc["A", "a"] == pytest.approx(50.0)
    assert s2.loc["B", "x1"] == 0.0


def test_geometric_and_goalposts_with_ln(write):
    fw = load_framework(write("f.yaml", """\
id: g
normalise: goalposts
tree:
  id: root
  aggregate: geometric
  children:
    - {id: p, goalposts: [0, 10], clip: true}
    - {id: q, goalposts: [1, 1000], transform: log10, clip: true, weight: 2}
"""))
    result = evaluate(fw, load_data(write("d.csv", "unit,p,q\nA,5,100\nB,20,10\n"), framework=fw))
    s = result.scores_table().set_index("unit")
    # q: log10(100)=2 over [0, 3] -> 2/3; root = 0.5^(1/3) * (2/3)^(2/3)
    assert s.loc["A", "q"] == pytest.approx(2 / 3, abs=1e-15)
    assert s.loc["A", "root"] == pytest.approx(0.5 ** (1 / 3) * (2 / 3) ** (2 / 3), abs=1e-15)
    assert s.loc["B", "p"] == 1.0  # clipped


def test_rerun_changes_one_choice_and_reuses_stages(result):
    variant = result.rerun("weights", "equal", node="a")
    s = variant.scores_table().set_index("unit")
    base = result.scores_table().set_index("unit")
    assert np.allclose(s["b"], base["b"])  # untouched
    assert s.loc["A", "a"] == pytest.approx((0 + 50) / 2)  # equal weights instead of 1:3
    # the normalised matrix was not recomputed: the cached arrays are reused
    assert all(np.shares_memory(variant.stages[k], result.stages[k]) for k in ("transformed", "treated"))
    rescaled = result.rerun("normalise", {"method": "minmax", "scale": [1, 100]})
    assert rescaled.scores_table().set_index("unit").loc["A", "x1"] == 1.0
    assert result.scores_table().set_index("unit").loc["A", "x1"] == 0.0  # the original is unchanged


def test_stages_are_kept(result):
    for name in ("raw", "transformed", "imputed", "treated", "normalised"):
        table = result.stage(name)
        assert list(table.columns[:2]) == ["unit", "year"] and len(table) == 4


def test_non_positive_value_in_geometric_is_refused_at_run_time(write):
    from digindex import InputError

    fw = load_framework(write("f.yaml", """\
id: g
normalise: {method: goalposts, clip: true}
tree:
  id: root
  aggregate: geometric
  children:
    - {id: p, goalposts: [0, 10]}
    - {id: q, goalposts: [0, 10]}
"""))
    with pytest.raises(InputError) as exc:
        evaluate(fw, load_data(write("d.csv", "unit,year,p,q\nA,2020,0,5\nB,2020,3,4\n"), framework=fw))
    (p,) = exc.value.problems
    assert "'p' scores 0" in p.message and "unit 'A', year 2020" in p.message


def test_ln_of_non_positive_value_is_refused(write):
    from digindex import InputError

    fw = load_framework(write("f.yaml", "id: g\ntree:\n  id: r\n  children:\n    - {id: p, transform: ln}\n"))
    with pytest.raises(InputError) as exc:
        evaluate(fw, load_data(write("d.csv", "unit,year,p\nA,2020,0\nB,2020,3\n"), framework=fw))
    assert "transform ln needs values > 0" in exc.value.problems[0].message
