"""The derive: schema: the zhejiang blocks parse; mistakes give clear messages with YAML lines."""
from __future__ import annotations

import pytest

import digindex
from digindex.errors import InputError
from digindex.frameworks import builtin_framework_path
from digindex.microdata import DeriveSpec, framework_specs
from digindex.microdata.spec import parse_spec

MICRO = {"core_ent_density", "software_rev_cagr", "digital_inv_pc", "cloud_ent_rate",
         "smart_transform_rate", "iiot_platforms"}


def test_zhejiang_blocks():
    fw = digindex.load_framework(builtin_framework_path("zhejiang"))
    specs = framework_specs(fw)  # the framework loads: every derive block is valid
    assert all(isinstance(fw.nodes[i].settings["derive"], DeriveSpec) for i in MICRO)
    assert set(specs) == MICRO
    s = specs["software_rev_cagr"]
    assert (s.source, s.measure, s.field, s.window, s.growth, s.factor) == \
        ("software_revenue", "sum", "revenue", "flow", 3, 100.0)
    c = specs["cloud_ent_rate"]
    assert c.measure == "share" and c.share_of[0].uses_year and c.window == "stock"
    assert specs["core_ent_density"].per == "population"
    assert specs["smart_transform_rate"].per == "industrial_enterprises"


FRAMEWORK = """id: broken
data_columns: [population]
tree:
  id: root
  children:
    - id: a
      derive:
        source: enterprise
        measure: count
    - id: b
      derive:
        source: projects
        measure: {median: planned_investment}
        window: stock
        per: gdp
    - id: c
      derive:
        source: enterprises
        filter: {nbs_class: ["01", 6], colour: red, founded: {after: 2015}}
        measure: count
        window: flow
        growth: {cagr: 0}
        factor: 0
"""


def test_problems_name_the_line_and_the_fix(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    with pytest.raises(InputError) as exc:  # derive blocks are checked when the framework loads
        digindex.load_framework(path)
    problems = exc.value.problems
    by_text = {p.message: p for p in problems}
    lines = FRAMEWORK.splitlines()

    def line_of(fragment: str) -> int:
        return next(i + 1 for i, text in enumerate(lines) if fragment in text)

    def find(fragment: str):
        hits = [p for m, p in by_text.items() if fragment in m]
        assert hits, (fragment, list(by_text))
        return hits[0]

    p = find("unknown source 'enterprise'")
    assert p.line == line_of("source: enterprise") and "enterprises" in p.fix and p.file == str(path)
    p = find("unknown measure")
    assert p.line == line_of("median") and "{share: CONDITIONS}" in p.fix
    assert find("stock window needs a registry with a life span").line == line_of("window: stock")
    assert "data_columns" in find("per 'gdp'").message
    assert find("has no field 'colour'").line == line_of("colour")
    assert "quote classes" in find("never occur").fix
    assert find("unknown operator 'after'")
    assert find("growth must be yoy")
    assert find("factor must be a non-zero number")
    assert all(p.message.startswith("indicator ") for p in problems)
    assert len(problems) == 9


@pytest.mark.parametrize("raw, fragment", [
    ("count", "must be a mapping"),
    ({"source": "platforms", "measure": "count", "window": "stock"}, "life span"),
    ({"source": "enterprises", "measure": {"sum": "nbs_class"}, "window": "stock"}, "not a number"),
    ({"source": "enterprises", "measure": {"share": {}}, "window": "stock"}, "share needs conditions"),
    ({"source": "enterprises", "measure": "count", "window": "flow", "date": "status"}, "date must be"),
    ({"source": "enterprises", "measure": "count", "window": "stock", "weights": 1}, "unknown key"),
    ({"source": "projects", "measure": "count", "window": "flow", "filter": {"year": {"in": 2019}}},
     "needs a list"),
])
def test_parse_errors(raw, fragment):
    spec, errors = parse_spec("x", raw)
    assert spec is None and any(fragment in m for _, m, _ in errors), errors


def test_yoy_and_year_operand():
    spec, errors = parse_spec("x", {"source": "enterprises", "measure": "count", "window": "flow",
                                    "date": "cloud_year", "growth": "yoy",
                                    "filter": {"founded": {"between": [2010, "year"]}}})
    assert errors == [] and spec.growth == 1 and spec.year_field == "cloud_year"
    assert spec.filter[0].uses_year
