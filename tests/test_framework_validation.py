"""Every framework validation error: one clear message naming the file and YAML line or table row."""
from __future__ import annotations

import textwrap

import pytest

from digindex import InputError, load_framework

GOOD = """\
id: t
name: {en: Test, zh: 测试}
tree:
  id: root
  children:
    - id: a
      weight: 2
      children:
        - {id: x1, direction: 1}
        - {id: x2, direction: -1}
    - id: b
      children:
        - {id: y1}
"""


def problems(path):
    with pytest.raises(InputError) as exc:
        load_framework(path)
    return exc.value.problems


def one(path):
    found = problems(path)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_good_framework_loads(write):
    fw = load_framework(write("f.yaml", GOOD))
    assert fw.indicator_ids == ["x1", "x2", "y1"]
    assert fw.levels == {"x1": 1, "x2": 1, "y1": 1, "a": 2, "b": 2, "root": 3}
    assert fw.nodes["a"].weight == 2 and fw.nodes["x2"].direction == -1


def test_unknown_key_names_line(write):
    text = GOOD.replace("- {id: y1}", "- {id: y1, wieght: 3}")
    p = one(write("f.yaml", text))
    assert "unknown key 'wieght'" in p.message and p.line == 13 and p.file.endswith("f.yaml")
    assert "weight" in p.fix


def test_unknown_top_level_key(write):
    p = one(write("f.yaml", "normalize: minmax\n" + GOOD))
    assert "unknown top-level key 'normalize'" in p.message and p.line == 1


def test_duplicate_ids(write):
    p = one(write("f.yaml", GOOD.replace("{id: y1}", "{id: x1}")))
    assert "duplicate id 'x1'" in p.message and p.line == 13


def test_non_positive_weight(write):
    for bad in ("0", "-1", "abc"):
        p = one(write("f.yaml", GOOD.replace("weight: 2", f"weight: {bad}")))
        assert "weight must be a positive number" in p.message and p.line == 7


def test_unknown_method_names(write):
    p = one(write("f.yaml", "aggregate: arithmetik\n" + GOOD))
    assert "unknown aggregate method 'arithmetik'" in p.message and "arithmetic" in p.message
    p = one(write("f.yaml", GOOD.replace("{id: y1}", "{id: y1, normalise: minmix}")))
    assert "unknown normalise method 'minmix'" in p.message and p.line == 13


def test_bad_method_parameter(write):
    p = one(write("f.yaml", "normalise: {method: minmax, scael: [0, 1]}\n" + GOOD))
    assert "unknown parameter 'scael'" in p.message and "scale" in p.message


def test_direction_must_be_plus_minus_one(write):
    p = one(write("f.yaml", GOOD.replace("direction: -1", "direction: 2")))
    assert "direction must be 1 or -1" in p.message and p.line == 10


def test_goalposts_lo_below_hi(write):
    p = one(write("f.yaml", GOOD.replace("{id: y1}", "{id: y1, goalposts: [5, 5]}")))
    assert "goalposts lo (5) must be below hi (5)" in p.message


def test_geometric_mean_over_inputs_that_can_be_zero_or_negative(write):
    # data-driven min-max onto [0, 100] puts the lowest unit at exactly 0
    found = problems(write("f.yaml", "aggregate: geometric\n" + GOOD))
    assert [p.line for p in found] == [7, 12]  # nodes a and b (prefixed by one line)
    assert "geometric" in found[0].message and "is 0 for the lowest unit" in found[0].message
    # fixed unclipped bounds can produce negative scores
    text = "normalise: {method: minmax, min: 0, max: 1, scale: [1, 100]}\naggregate: geometric\n" + GOOD
    assert all("can be negative" in p.message for p in problems(write("f.yaml", text)))
    # a scale starting above 0 is fine
    load_framework(write("f.yaml", "normalise: {method: minmax, scale: [1, 100]}\naggregate: geometric\n" + GOOD))


def test_several_problems_reported_together(write):
    text = GOOD.replace("weight: 2", "weight: 0").replace("direction: -1", "direction: 0")
    assert len(problems(write("f.yaml", text))) == 2


def test_yaml_syntax_error_and_empty_file(write):
    p = one(write("f.yaml", "id: t\ntree: [\n"))
    assert "not valid YAML" in p.message and p.line is not None
    p = one(write("f.yaml", ""))
    assert "empty" in p.message


TABLE = textwrap.dedent("""\
    id,parent,name_en,name_zh,weight,direction,unit,transform,goalpost_lo,goalpost_hi,normalise,aggregate
    root,,Index,指数,,,,,,,,
    a,root,A,甲,2,,,,,,,
    x1,a,X1,,,1,%,,,,,
    x2,a,X2,,,-1,%,,,,"{method: minmax, min: 0, max: 10}",
    b,root,B,乙,,,,,,,,
    y1,b,Y1,,,,,ln,1,100,goalposts,
    """)


def test_table_form_loads_like_yaml(write):
    fw = load_framework(write("f.csv", TABLE))
    assert fw.indicator_ids == ["x1", "x2", "y1"]
    assert fw.nodes["x2"].normalise.params == {"min": 0, "max": 10}
    assert fw.nodes["y1"].goalposts == (1.0, 100.0) and fw.nodes["a"].name == {"en": "A", "zh": "甲"}


def test_table_missing_parent_names_row(write):
    p = one(write("f.csv", TABLE.replace("y1,b,", "y1,c,")))
    assert "parent 'c'" in p.message and p.row == 7 and p.column == "parent"


def test_table_cycle(write):
    text = TABLE.replace("a,root,A", "a,x1,A")
    p = one(write("f.csv", text))
    assert "cycle" in p.message and "a -> x1 -> a" in p.message


def test_table_duplicate_id_and_bad_weight(write):
    p = problems(write("f.csv", TABLE.replace("b,root,B", "a,root,B")))[0]
    assert "duplicate id 'a'" in p.message and p.row == 6
    p = one(write("f.csv", TABLE.replace("a,root,A,甲,2", "a,root,A,甲,-2")))
    assert "weight must be a positive number" in p.message and p.row == 3 and p.column == "weight"


def test_table_unknown_column(write):
    p = one(write("f.csv", TABLE.replace("aggregate\n", "aggregat\n", 1)))
    assert "unknown column 'aggregat'" in p.message


def test_operators_needing_positive_inputs_are_checked_statically(write):
    # a generalised mean of order -1 over min-max [0, 100] is refused like the harmonic mean
    found = problems(write("f.yaml", "aggregate: {method: generalised, r: -1}\n" + GOOD))
    assert found and "generalised aggregation, which needs values > 0" in found[0].message
    load_framework(write("g.yaml", "aggregate: {method: generalised, r: 2}\n" + GOOD))
    # a geometric root over a raw Copeland score (which can be negative) is refused
    text = GOOD.replace("  id: root\n", "  id: root\n  aggregate: geometric\n").replace(
        "      weight: 2\n", "      weight: 2\n      aggregate: copeland\n")
    text = "normalise: {method: minmax, scale: [1, 100]}\n" + text
    (p,) = problems(write("h.yaml", text))
    assert "'a' can be negative" in p.message


def test_tier_configuration_is_checked_at_load(write):
    p = one(write("f.yaml", "tiers: {by: quantile, cuts: [0.5, 0.2]}\n" + GOOD))
    assert "cuts must increase" in p.message and p.line == 1


def test_derive_blocks_are_checked_at_load(write):
    text = GOOD.replace("- {id: y1}", "- {id: y1, derive: {source: enterprises, measure: cont, window: stock}}")
    found = problems(write("f.yaml", text))
    assert found and any("measure" in p.message for p in found)
