"""Framework keys: every key parsed into a typed value by its owner when the framework is read.

What ``digindex validate`` says ok, run, audit, uncertainty and report accept: bad keys are
refused at load with their YAML line (or table row), data checks with --data.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT
from digindex import InputError, evaluate, load_data, load_framework, save_framework
from digindex.analytics.tiers import TierConfig
from digindex.cli import app
from digindex.engine.publish import PublishSpec
from digindex.framework.keys import (AGGREGATE, BUILTIN_KEY_OWNERS, INDICATOR, TOP, framework_keys, get_key,
                                     register_key, unregister_key, with_key)
from digindex.methods.choice import MethodChoice, parse_choice
from digindex.methods.impute.prepare import DenominatorSpec, ScreenConfig
from digindex.microdata.spec import DeriveSpec
from digindex.uncertainty import problem_from_framework
from digindex.uncertainty.problem import Choice, UncertaintyProblem, read_choices_file

BASE = """\
id: t
data_columns: [pop]
tree:
  id: root
  children:
    - id: a
      children:
        - {id: x1}
        - {id: x2}
    - id: b
      children:
        - {id: y1}
"""
DATA = "unit,year,x1,x2,y1,pop\nu1,2020,1,2,3,10\nu2,2020,2,3,1,20\nu3,2020,3,1,2,30\n"
DATA_WITHOUT_POP = "\n".join(line.rsplit(",", 1)[0] for line in DATA.splitlines()) + "\n"


def problems_of(path) -> list:
    with pytest.raises(InputError) as exc:
        load_framework(path)
    return exc.value.problems


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def line_of(text: str, fragment: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if fragment in line)


# ---- the four bad keys of the issue --------------------------------------------------------

BAD = {
    "screen": ('id: t\n', 'id: t\nscreen: "abc"\n', "screen must be a number or a mapping"),
    "uncertainty": ('id: t\n', 'id: t\nuncertainty: 42\n', "uncertainty must be a mapping"),
    "denominator": ("{id: x1}", "{id: x1, denominator: 7}", "denominator must be a column name"),
    "impute": ("{id: x2}", "{id: x2, impute: {method: no_such_method}}", "unknown impute method 'no_such_method'"),
}


@pytest.mark.parametrize("key", list(BAD))
def test_each_bad_key_is_one_problem_naming_its_line(write, key):
    old, new, message = BAD[key]
    text = BASE.replace(old, new)
    (p,) = problems_of(write("f.yaml", text))
    assert message in p.message and p.file.endswith("f.yaml")
    assert p.line == line_of(text, new.strip().splitlines()[-1])


def test_validate_exits_2_listing_the_four_bad_keys(write):
    text = BASE
    for old, new, _ in BAD.values():
        text = text.replace(old, new)
    result = cli("validate", write("f.yaml", text))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    for _, new, message in BAD.values():
        hit = [e for e in errors if message in e]
        assert len(hit) == 1, (message, errors)
        assert f"line {line_of(text, new.strip().splitlines()[-1])}:" in hit[0]


def test_bad_key_in_a_table_names_the_row_and_column(write):
    table = textwrap.dedent("""\
        id,parent,denominator,impute
        root,,,
        x1,root,7,
        x2,root,,{method: no_such_method}
        """)
    found = problems_of(write("f.csv", table))
    assert [(p.row, p.column) for p in found] == [(3, "denominator"), (4, "impute")]


# ---- uncertainty ---------------------------------------------------------------------------

UNC = BASE.replace("id: t\n", "id: t\nuncertainty:\n  choices:\n    - {id: drop, exclude: [x1]}\n")


def test_exclude_written_as_a_string_is_refused(write):
    text = UNC.replace("exclude: [x1]", 'exclude: "x1"')
    (p,) = problems_of(write("f.yaml", text))
    assert "exclude must be a list of indicator ids, not 'x1'" in p.message
    assert p.line == 4 and "exclude: [x1]" in p.fix


def test_unknown_nodes_and_indicators_are_refused(write):
    text = UNC.replace("exclude: [x1]", "exclude: [x1, a]}\n    - {id: agg, step: aggregate, "
                                        "alternatives: [arithmetic, geometric], nodes: [zz]")
    found = problems_of(write("f.yaml", text))
    assert ["unknown indicators ['a']" in found[0].message, "unknown nodes ['zz']" in found[1].message] == [True, True]
    assert [p.line for p in found] == [4, 5]


def test_uncertainty_is_parsed_at_load_into_the_typed_problem(write, tmp_path):
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "w.csv").write_text("a,b\n1,2\n2,1\n", encoding="utf-8")
    text = UNC.replace("exclude: [x1]}", "exclude: [x1]}\n    - {id: expert, weight_sets: sets/w.csv}")
    fw = load_framework(write("f.yaml", text))
    problem = fw.settings["uncertainty"]
    assert isinstance(problem, UncertaintyProblem) and problem_from_framework(fw) is problem
    drop, expert = problem.choices
    assert drop.excluded == ["x1"] and drop.labels == ["none", "without x1"]
    # the weight-set file is found relative to the framework file, not the working directory
    assert expert.weight_sets.to_numpy().tolist() == [[1, 2], [2, 1]]
    # an override (a --choices mapping) is parsed and checked the same way
    with pytest.raises(InputError, match="exclude must be a list"):
        problem_from_framework(fw, {"choices": [{"id": "d", "exclude": "x1"}]})


AHP3 = """\
id: t
normalise: {method: minmax, scale: [1, 100]}
uncertainty:
  choices:
    - {id: drop, exclude: [x2]}
tree:
  id: root
  weights: {method: ahp, matrix: [[1, 2, 4], ['1/2', 1, 2], ['1/4', '1/2', 1]]}
  children: [{id: x1}, {id: x2}, {id: x3}]
"""


def test_excluding_a_child_of_an_ahp_node_drops_its_row_and_column(write):
    """Without x2 the AHP judgements that remain are a13 = 4: weights 4/5 and 1/5 (the principal
    eigenvector of [[1, 4], [1/4, 1]]), in the uncertainty run as in the reduced framework."""
    import numpy as np
    import pandas as pd

    from digindex import evaluate, load_data
    from digindex.uncertainty import run_uncertainty

    fw = load_framework(write("f.yaml", AHP3))
    reduced = fw.without("x2")
    assert reduced.nodes["root"].weights.params["matrix"] == [[1, 4], ["1/4", 1]]
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"unit": list("ABCDEF"), **{x: rng.uniform(1, 9, 6) for x in ("x1", "x2", "x3")}})
    panel = load_data(write("d.csv", df.to_csv(index=False)), framework=fw)
    ev = evaluate(reduced, panel)
    np.testing.assert_allclose(ev.node_weights["root"], [0.8, 0.2], rtol=1e-12)
    res = run_uncertainty(fw, panel, runs=16, seed=1, sensitivity=False)
    reps = res.replications()
    without = res.design.index[res.design["drop"] == 2][0] + 1
    got = reps[reps.replication == without].set_index("unit")["score"]
    expected = ev.scores_table().set_index("unit")["root"]
    np.testing.assert_allclose(got.loc[expected.index], expected, rtol=1e-12)


def test_excluding_an_only_child_is_refused_with_the_reason(write):
    text = AHP3.replace("children: [{id: x1}, {id: x2}, {id: x3}]",
                        "children:\n    - {id: a, children: [{id: x2}]}\n    - {id: x1}\n    - {id: x3}")
    (p,) = problems_of(write("f.yaml", text))
    assert "would leave node 'a' empty" in p.message and p.line == 5


def test_choices_file_problems_name_that_file(write):
    fw = load_framework(write("f.yaml", BASE))
    path = write("choices.yaml", "uncertainty:\n  choices:\n    - {id: drop, exclude: x1}\n")
    with pytest.raises(InputError) as exc:
        read_choices_file(fw, path)
    (p,) = exc.value.problems
    assert p.file == str(path) and p.line == 3
    result = cli("validate", write("f.yaml", BASE), "--choices", path)
    assert result.exit_code == 2 and "choices.yaml, line 3" in result.output


# ---- AHP: consistency and shape at load --------------------------------------------------

# CR = 1.30: Saaty's RI(4) = 0.90, CR = (λmax − 4)/3 / 0.90
AHP_CR130 = [[1, "1/5", "1/3", 9], [5, 1, "1/3", 9], [3, 3, 1, "1/3"], ["1/9", "1/9", 3, 1]]
AHP_TREE = """\
id: t
tree:
  id: root
  weights: {{method: ahp, matrix: {matrix}}}
  children: [{{id: x1}}, {{id: x2}}, {{id: x3}}{more}]
"""


def _cr(matrix) -> float:
    from fractions import Fraction

    A = np.array([[float(Fraction(str(v))) for v in row] for row in matrix])
    n = len(A)
    return (max(np.linalg.eigvals(A).real) - n) / (n - 1) / 0.90


def test_inconsistent_ahp_matrix_is_refused_by_validate_with_its_cr(write):
    cr = _cr(AHP_CR130)
    assert round(cr, 2) == 1.30
    text = AHP_TREE.format(matrix=AHP_CR130, more=", {id: x4}")
    result = cli("validate", write("f.yaml", text))
    assert result.exit_code == 2
    assert f"CR = {cr:.3f} ≥ 0.1" in result.output and "f.yaml, line 4" in result.output
    assert "c1 = x1, c2 = x2, c3 = x3, c4 = x4" in result.output  # the fix names the cells' children


def test_ahp_matrix_of_the_wrong_size_is_refused_at_load(write):
    matrix = [[1, 2, 2, 2], ["1/2", 1, 1, 1], ["1/2", 1, 1, 1], ["1/2", 1, 1, 1]]
    (p,) = problems_of(write("f.yaml", AHP_TREE.format(matrix=matrix, more="")))
    assert "the AHP matrix is 4×4 but the node has 3 children" in p.message and p.line == 4
    # also inside combined weights
    text = AHP_TREE.format(matrix=matrix, more="").replace(
        "{method: ahp, matrix: ", "{method: combined, b: entropy, a: {method: ahp, matrix: ").replace("]]}", "]]}}")
    (p,) = problems_of(write("g.yaml", text))
    assert "a (ahp): the AHP matrix is 4×4" in p.message and p.line == 4
    # and as the default weights, which apply to every aggregate node: located at the default
    text = f"id: t\nweights: {{method: ahp, matrix: {matrix}}}\n" \
           "tree: {id: root, children: [{id: x1}, {id: x2}, {id: x3}]}\n"
    (p,) = problems_of(write("h.yaml", text))
    assert "node 'root'" in p.message and "4×4" in p.message and p.line == 2


# ---- the registry ------------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    members: tuple[str, ...]
    year: int


@pytest.fixture
def third_party_keys():
    """A plug-in's keys: a top-level mapping with a check, a node key with a data check and a dump."""

    def parse_panel(raw, ctx):
        if not isinstance(raw, dict) or not isinstance(raw.get("members"), list):
            raise ValueError(f"write {{members: [...], year: YEAR}}, not {raw!r}")
        if not isinstance(raw.get("year"), int):
            ctx.problem(f"expert_panel: year must be a whole number, not {raw.get('year')!r}", at=("year",))
            return None
        return Panel(tuple(map(str, raw["members"])), raw["year"])

    def check_panel(value, ctx):
        for m in value.members:
            if m not in ctx.fw.nodes:
                ctx.problem(f"expert_panel: member {m!r} is not a node", at=("members",))

    def parse_source(raw, ctx):
        return str(raw).upper()

    def source_columns(fw, panel, report):
        for node in fw.aggregates:
            col = node.settings.get("weight_source")
            if col is not None and col.lower() not in panel.table.columns:
                report.data_problem(f"node {node.id!r}: column {col.lower()!r} is not in the data",
                                    column=col.lower())

    register_key("expert_panel", TOP, parse_panel, check=check_panel)
    register_key("weight_source", AGGREGATE, parse_source, check_data=source_columns, dump=str.lower)
    yield
    unregister_key("expert_panel")
    unregister_key("weight_source")


def test_a_registered_key_is_parsed_typed_and_checked(write, tmp_path, third_party_keys):
    text = "expert_panel: {members: [a, b], year: 2024}\n" + BASE.replace(
        "    - id: a\n", "    - id: a\n      weight_source: pop\n")
    fw = load_framework(write("f.yaml", text))
    assert fw.settings["expert_panel"] == Panel(("a", "b"), 2024)
    assert fw.nodes["a"].settings["weight_source"] == "POP"
    # data checks run when the data are loaded for the framework
    load_data(write("d.csv", DATA), framework=fw)
    with pytest.raises(InputError, match="column 'pop' is not in the data"):
        load_data(write("e.csv", DATA_WITHOUT_POP), framework=fw)
    # written back (dumped from the typed value), and read again the same, in YAML and a table
    for name in ("g.yaml", "g.csv", "g.xlsx"):
        save_framework(fw, tmp_path / name)
        again = load_framework(tmp_path / name)
        assert again.settings["expert_panel"] == fw.settings["expert_panel"]
        assert again.nodes["a"].settings["weight_source"] == "POP"
    # problems: a ValueError at the key, ctx.problem at a path inside it, a check, a wrong place
    bad = text.replace("year: 2024", "year: soon").replace("members: [a, b]", "members: [a, zz]")
    (p,) = problems_of(write("h.yaml", bad))
    assert "year must be a whole number" in p.message and p.line == 1
    bad = text.replace("members: [a, b]", "members: [a, zz]")
    (p,) = problems_of(write("i.yaml", bad))
    assert "member 'zz' is not a node" in p.message and p.line == 1
    (p,) = problems_of(write("j.yaml", text.replace("expert_panel: {members: [a, b], year: 2024}",
                                                     "expert_panel: [a, b]")))
    assert p.message == "expert_panel: write {members: [...], year: YEAR}, not ['a', 'b']"
    (p,) = problems_of(write("k.yaml", BASE.replace("{id: x1}", "{id: x1, weight_source: pop}")))
    assert "key 'weight_source' does not apply to an indicator" in p.message


def test_registering_a_core_or_taken_name_is_refused():
    with pytest.raises(ValueError, match="core framework key"):
        register_key("weights", AGGREGATE, lambda raw, ctx: raw)
    with pytest.raises(ValueError, match="registered twice"):
        register_key("screen", TOP, lambda raw, ctx: raw)


def test_builtin_owners_register_their_keys():
    owners = {k.name: k.owner for k in framework_keys()}
    assert owners["tiers"] == "digindex.analytics.tiers"
    assert owners["derive"] == "digindex.microdata.spec"
    assert owners["uncertainty"] == "digindex.uncertainty.problem"
    assert {owners[k] for k in ("screen", "denominator", "factor", "impute", "treat")} == {
        "digindex.framework.builtin_keys"}
    assert set(owners.values()) == set(BUILTIN_KEY_OWNERS)
    assert get_key("impute").where == {INDICATOR}


@pytest.mark.parametrize("key", ["pairwise", "growth", "labels", "populations"])
def test_keys_that_nothing_reads_are_refused(write, key):
    text = BASE.replace("    - id: a\n", f"    - id: a\n      {key}: 1\n") if key == "pairwise" \
        else f"{key}: 1\n" + BASE
    (p,) = problems_of(write("f.yaml", text))
    assert f"key {key!r}" in p.message and p.fix


# ---- method choices: one parser, impute/treat per indicator -------------------------------

def test_one_parser_of_the_method_syntax():
    assert parse_choice("minmax", "normalise") == MethodChoice("minmax")
    assert parse_choice({"method": "mean", "group": "g"}, "impute") == MethodChoice("mean", {"group": "g"})
    with pytest.raises(ValueError, match="unknown impute method 'nope'"):
        parse_choice("nope", "impute")
    with pytest.raises(ValueError, match="unknown parameter 'scael'"):
        parse_choice({"method": "minmax", "scael": [0, 1]}, "normalise")
    with pytest.raises(ValueError, match="must be a method name or"):
        parse_choice(7, "treat")


def test_indicator_impute_and_treat_are_method_choices(write):
    text = "impute: mean\n" + BASE.replace("{id: x1}", "{id: x1, impute: none, treat: {method: winsorise, "
                                                   "points: 1}}")
    fw = load_framework(write("f.yaml", text))
    x1, x2 = fw.nodes["x1"], fw.nodes["x2"]
    assert fw.method_for("impute", x1) == MethodChoice("none") and fw.method_for("impute", x2).name == "mean"
    assert fw.method_for("treat", x1) == x1.treat == MethodChoice("winsorise", {"points": 1})
    changed = fw.with_choice("impute", "previous_year", node="x2")
    assert changed.method_for("impute", changed.nodes["x2"]).name == "previous_year"
    # the engine reads the same choices: x1 is not imputed, x2 gets the mean
    ev = evaluate(fw, load_data(write("d.csv", DATA.replace("u2,2020,2,3", "u2,2020,,")), framework=fw))
    imputed = ev.stage("imputed").set_index("unit")
    assert np.isnan(imputed.loc["u2", "x1"]) and imputed.loc["u2", "x2"] == 1.5


# ---- data checks -----------------------------------------------------------------------------

def test_validate_with_data_runs_the_data_checks(write):
    text = ("impute: {method: mean, group: region}\nscreen: {force_include: [u9]}\n"
            + BASE.replace("{id: x1}", "{id: x1, denominator: popx}"))
    fw_path, data = write("f.yaml", text), write("d.csv", DATA)
    assert cli("validate", fw_path).exit_code == 0
    result = cli("validate", fw_path, "--data", data)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("units not in the data: u9" in e for e in errors)
    assert any("denominator column 'popx' is not in the data" in e for e in errors)
    assert any("group column 'region' is not in the data" in e for e in errors)


# ---- every built-in framework: typed keys, round trips --------------------------------------

TYPES = {"screen": ScreenConfig, "tiers": TierConfig, "uncertainty": UncertaintyProblem,
         "denominator": DenominatorSpec, "derive": DeriveSpec, "impute": MethodChoice, "treat": MethodChoice,
         "definition": dict, "source": dict, "notes": dict, "version": str, "factor": (int, float),
         "publish": PublishSpec, "over": str}
BUILTIN = sorted((ROOT / "src" / "digindex" / "frameworks").glob("*.yaml")) + sorted(EXAMPLES.glob("*/framework.yaml"))


def _settings(fw):
    return {"": fw.settings, **{n.id: n.settings for n in fw.nodes.values()}}


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.parent.name if p.name == "framework.yaml" else p.stem)
def test_builtin_framework_keys_are_typed_and_survive_round_trips(path, tmp_path):
    fw = load_framework(path)
    written = {(where, k) for where, s in _settings(fw).items() for k in s}
    raw = {("", k) for k in fw.extra} | {(n.id, k) for n in fw.nodes.values() for k in n.extra}
    assert written == raw  # every key written is parsed
    for where, settings in _settings(fw).items():
        for key, value in settings.items():
            assert isinstance(value, TYPES[key]), (where, key, value)
    for name in ("f.yaml", "f.csv", "f.xlsx"):
        save_framework(fw, tmp_path / name)
        again = load_framework(tmp_path / name)
        assert _settings(again) == _settings(fw), name


def test_asem_choices_file_loads_into_typed_choices():
    fw = load_framework(EXAMPLES / "asem" / "framework.yaml")
    problem = read_choices_file(fw, EXAMPLES / "asem" / "uncertainty.yaml")
    assert [c.id for c in problem.choices] == ["winsorisation", "normalisation", "weights", "aggregation"]
    assert all(isinstance(c, Choice) for c in problem.choices)
    assert problem.choice("normalisation").alternatives == [MethodChoice("minmax", {"scale": [1, 100]}),
                                                            MethodChoice("zscore", {"mean": 10, "sd": 2})]
    assert problem.choice("weights").weight_targets[0] == ("Conn", 0)


def test_with_key_sets_a_checked_copy(write):
    fw = load_framework(write("f.yaml", BASE))
    screened = with_key(fw, "screen", 0.5)
    assert screened.settings["screen"] == ScreenConfig(min_coverage=0.5) and "screen" not in fw.settings
    with pytest.raises(InputError, match="screen must be a number or a mapping"):
        with_key(fw, "screen", "abc")
    assert with_key(fw, "denominator", "pop", node="x1").nodes["x1"].settings["denominator"].column == "pop"


def test_every_kind_of_key_survives_yaml_and_table_round_trips(write, tmp_path):
    write("w.csv", "a,b\n1,2\n2,1\n")
    text = textwrap.dedent("""\
        id: t
        version: "1.0"
        notes: {en: test, zh: 测试}
        data_columns: [pop, region]
        impute: {method: mean, group: region}
        screen: 0.5
        tiers: {by: score, cuts: [0.7, 0.3]}
        uncertainty:
          sampling: lhs
          choices:
            - {id: drop, exclude: [x1, y1]}
            - {id: sets, weight_sets: w.csv}
            - {id: norm, step: normalise, alternatives: [minmax, {method: zscore, mean: 10, sd: 2}], nodes: [x2]}
            - {id: noise, perturb: weights, nodes: [a], noise: 0.2}
        tree:
          id: root
          children:
            - id: a
              definition: {en: A, zh: 甲}
              children:
                - {id: x1, denominator: {column: pop, on_missing: missing}, factor: 100, impute: none}
                - {id: x2, treat: {method: winsorise, points: 1}, source: Bureau}
                - {id: x3}
            - id: b
              children:
                - {id: y1}
                - {id: y2}
        """)
    fw = load_framework(write("f.yaml", text))
    assert fw.nodes["x1"].settings["denominator"] == DenominatorSpec(column="pop", on_missing="missing", factor=100)
    for name in ("g.yaml", "g.csv", "g.xlsx"):
        save_framework(fw, tmp_path / name)  # beside w.csv: the weight-set path stays valid
        again = load_framework(tmp_path / name)
        assert _settings(again) == _settings(fw), name
        assert again.method_for("impute", again.nodes["x1"]) == MethodChoice("none")


def test_per_unit_weights_with_an_uncertainty_section_are_refused_at_load(write):
    text = AHP3.replace("  weights: {method: ahp, matrix: [[1, 2, 4], ['1/2', 1, 2], ['1/4', '1/2', 1]]}\n",
                        "  weights: bod\n")
    (p,) = problems_of(write("f.yaml", text))
    assert "node 'root' has per-unit weights (bod)" in p.message and p.line == 4  # the choices
