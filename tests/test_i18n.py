"""The one message catalogue (digindex.i18n) and the one number formatter (digindex.formatting).

The catalogue is checked against its users: every key the reports, the web (Python and
Jinja templates) and the command line look up exists, and no other module keeps its own
bilingual dictionary.
"""
from __future__ import annotations

import ast
import math
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from digindex import formatting as f
from digindex.i18n import MESSAGES, langs, text, translator

SRC = Path(__file__).resolve().parents[1] / "src" / "digindex"
USERS = sorted([*(SRC / "reports").rglob("*.py"), *(SRC / "web").rglob("*.py"),
                *(SRC / "analyses").rglob("*.py"), *(SRC / "analytics" / "research").rglob("*.py"),
                *(SRC / "export").rglob("*.py"), *(SRC / "charts").rglob("*.py"),
                SRC / "cli.py", SRC / "summary.py", SRC / "mainjob.py"])
TEMPLATES = sorted([*(SRC / "web" / "templates").glob("*.html"), *(SRC / "reports" / "templates").glob("*.html")])
LOOKUPS = ("text", "t", "both")   # the names under which the catalogue is called (both: the charts')


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# -- the catalogue itself

def test_every_key_has_both_languages():
    for key, pair in MESSAGES.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert zh.strip() and en.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the zh text has no Chinese: {zh!r}"


def test_placeholders_are_the_same_in_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert _fields(zh) == _fields(en), key


def test_text_in_each_language():
    assert text("rank_province", "zh") == "全省排名"
    assert text("rank_province", "en") == "Rank in province"
    assert text("rank_province", "both") == "全省排名 Rank in province"
    assert text("top_n", "en", n=10) == "Top 10" and text("top_n", "zh", n=10) == "前10名"
    assert text("uncertainty_note", "en", runs=500).endswith("over 500 Monte Carlo runs.")
    # a field with one value per language
    where = {"zh": "嘉兴市", "en": "Jiaxing"}
    both = text("target_note", "both", scope=where, rank=3, achieved=2)
    assert "达到嘉兴市第3位" in both and "rank 3 in Jiaxing" in both and "rank 2)" in both
    assert langs("both") == ["zh", "en"] and langs("en") == ["en"]
    assert translator("zh")("login") == "登录"


def test_unknown_keys_and_languages_fail_loudly():
    with pytest.raises(KeyError, match="no_such_key"):
        text("no_such_key", "en")
    with pytest.raises(KeyError):
        translator("en")("no_such_key")
    with pytest.raises(ValueError, match="zh, en or both"):
        text("rank", "fr")
    with pytest.raises(ValueError):
        translator("de")


# -- the catalogue's users

def _keys_in(expr: ast.expr) -> set[str] | None:
    """The keys a lookup's first argument can take, or None if it is computed."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        a, b = _keys_in(expr.body), _keys_in(expr.orelse)
        return None if a is None or b is None else a | b
    return None


def _python_lookups():
    """(static keys, computed lookups as 'file: source') over every user module."""
    static, computed = {}, set()
    for path in USERS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LOOKUPS
                    and node.args):
                keys = _keys_in(node.args[0])
                where = f"{path.relative_to(SRC)}"
                if keys is None:
                    computed.add(f"{where}: {ast.unparse(node.args[0])}")
                else:
                    for k in keys:
                        static.setdefault(k, where)
    return static, computed


def _literal_arguments(calls: dict[str, int]) -> set[str]:
    """The literal keys given to the functions ``calls`` ({name: argument position}) in the user modules."""
    keys = set()
    for path in USERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls
                    and len(node.args) > calls[node.func.id]):
                keys |= _keys_in(node.args[calls[node.func.id]]) or set()
    return keys


TEMPLATE_CALL = re.compile(r"\bt\(\s*([^()]*?)\s*\)")


def _template_lookups():
    static, computed = {}, set()
    for path in TEMPLATES:
        for arg in TEMPLATE_CALL.findall(path.read_text(encoding="utf-8")):
            literal = re.fullmatch(r"""'([^']*)'|"([^"]*)\"""", arg)
            if literal:
                static.setdefault(literal.group(1) or literal.group(2), path.name)
            else:
                computed.add(f"{path.name}: {arg}")
    return static, computed


def _computed_keys():
    """Where a key is computed, the keys it can take (a new computed lookup must be listed here)."""
    from digindex.analytics.research.coupling import GRADE_KEYS
    from digindex.reports.annex import METHOD_NOTES
    from digindex.web.authz import ACTIONS, STATES
    from digindex.web.routes.pages_public import DASHBOARD_LABELS

    from digindex.reports import population

    # reports.population.both(key) is the reports' one computed lookup: the keys of its tables and
    # the literal keys given to both() and heading() anywhere in the reports
    spoken = (set(population.WHERE_KEY.values()) | set(population.NOUN_KEY.values())
              | set(population.GROUP_KEY.values()) | {k for keys in population.PEER_KEYS.values() for k in keys}
              | _literal_arguments({"both": 0, "heading": 1}))
    from digindex.analytics.disparity import COLUMNS as DISPARITY_COLUMNS
    from digindex.export.workbook import SMALL_TABLES
    from digindex.framework.model import STEPS

    titles = {"chart_ranking", "chart_trends_top", "chart_trends_groups", "chart_aspects", "chart_tiers"}
    sobol = {"sobol_s1", "sobol_st"}
    in_charts = {k for k, where in _python_lookups()[0].items() if where.startswith("charts/")}
    return {
        "reports/population.py: key": spoken,
        "reports/population.py: WHERE_KEY.get(self.extent_type, 'where_all')":
            set(population.WHERE_KEY.values()) | {"where_all"},
        "reports/population.py: keys[('rank', 'median', 'gap', 'column').index(what)]":
            {k for keys in population.PEER_KEYS.values() for k in keys},
        "reports/population.py: self.noun_key": set(population.NOUN_KEY.values()),
        "charts/draw.py: key": titles | sobol | in_charts,  # both(), the charts' two-language label
        "charts/run.py: key": titles,
        "charts/uncertainty.py: f'sobol_{key.lower()}'": sobol,
        "export/methods_text.py: 'describe_tiers_' + tiers.by": {"describe_tiers_quantile", "describe_tiers_score"},
        "export/methods_text.py: f'step_{step}'": {f"step_{step}" for step in STEPS},
        "export/wide.py: key": {"level_indicators", "level_aspects", "level_n"},
        "export/workbook.py: f'sheet_{name}'": {f"sheet_{name}" for name in SMALL_TABLES},
        "export/workbook.py: f'col_{c}'": {f"col_{c}" for columns in DISPARITY_COLUMNS.values() for c in columns},
        "reports/annex.py: key": set(METHOD_NOTES),
        "web/routes/pages_public.py: k": set(DASHBOARD_LABELS),
        "submission.html: sub.state": set(STATES),
        "submission.html: a": set(ACTIONS),
        "work.html: s": set(STATES),
        "work.html: s.state": set(STATES),
        "analytics/research/coupling.py: GRADE_KEYS[int(grade) - 1]": set(GRADE_KEYS),
        "analyses/charts.py: key": {"an_gini", "an_within", "an_between", "an_transvariation"},
    }


def test_every_key_used_exists():
    py_static, py_computed = _python_lookups()
    tpl_static, tpl_computed = _template_lookups()
    assert len(py_static) > 80 and len(tpl_static) > 60  # the scans do find the lookups
    missing = {k: where for k, where in {**py_static, **tpl_static}.items() if k not in MESSAGES}
    assert not missing, f"keys missing from digindex/i18n.py: {missing}"
    known = _computed_keys()
    unlisted = (py_computed | tpl_computed) - set(known)
    assert not unlisted, f"computed lookups whose keys this test does not know: {sorted(unlisted)}"
    assert set(known) <= py_computed | tpl_computed, "a listed computed lookup is gone: update the list"
    for where, keys in known.items():
        assert keys and keys <= set(MESSAGES), (where, keys - set(MESSAGES))
    used = set(py_static) | set(tpl_static) | set().union(*known.values())
    assert not set(MESSAGES) - used, f"keys nobody uses: {sorted(set(MESSAGES) - used)}"


def test_templates_render_every_literal_key():
    """The templates' ``t`` is the strict translator: an unknown key would raise, not show."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined)
    assert env.from_string("{{ t('score') }} {{ t('measure') }}").render(t=translator("en")) == "Score Measure"
    with pytest.raises(KeyError):
        env.from_string("{{ t('no_such_key') }}").render(t=translator("en"))


def _bilingual_dicts(tree: ast.AST):
    """Dict literals that hold Chinese–English text: values like ("中文", "English"), or
    literal {"zh": "中文...", "en": ...} tables."""
    cjk = re.compile(r"[\u4e00-\u9fff]")

    def is_pair(v):
        return (isinstance(v, (ast.Tuple, ast.List)) and len(v.elts) == 2
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                and bool(cjk.search(v.elts[0].value)) and not cjk.search(v.elts[1].value))

    def has_literal_cjk(v):  # f-strings are built from data (e.g. default tier labels), not texts
        return not isinstance(v, ast.JoinedStr) and any(
            isinstance(n, ast.Constant) and isinstance(n.value, str) and cjk.search(n.value) for n in ast.walk(v))

    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        if sum(map(is_pair, node.values)) >= 2:
            yield node.lineno
            continue
        keys = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
        if {"zh", "en"} <= set(keys) and has_literal_cjk(keys["zh"]):
            yield node.lineno


def test_no_other_bilingual_dictionary():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "i18n.py":
            continue
        found += [f"{path.relative_to(SRC)}:{line}"
                  for line in _bilingual_dicts(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, f"bilingual texts belong in digindex/i18n.py: {found}"


def test_the_scan_finds_a_bilingual_dictionary():
    old = 'WORDS = {"score": ("得分", "Score"), "rank": ("排名", "Rank")}\nX = {"zh": ["标准化"], "en": ["norm"]}'
    assert len(list(_bilingual_dicts(ast.parse(old)))) == 2
    assert not list(_bilingual_dicts(ast.parse('L = {"en": f"Tier {k}", "zh": f"第{k}梯队"}')))


# -- the number formatter

@pytest.mark.parametrize("value, digits, expected", [
    (822.3600000000001, 2, "822.36"),
    (12345.678, 2, "12,345.68"),
    (12345.678, None, "12,346"),
    (822.36, None, "822.4"),
    (12.345, None, "12.35"),   # 12.345 is 12.3449999... in binary
    (0.12345, None, "0.123"),
    (0, None, "0.00"),
    (-0.0001, 2, "0.00"),      # no "-0.00"
    (-1234.5, 1, "-1,234.5"),
    (None, 2, "—"),
    (float("nan"), 2, "—"),
    (np.nan, None, "—"),
    (pd.NA, None, "—"),
    (np.float64(3.14159), 3, "3.142"),
    (np.int64(7), 0, "7"),
    (float("inf"), 2, "∞"),
])
def test_number(value, digits, expected):
    assert f.number(value, digits) == expected


def test_signed_and_trimmed_numbers():
    assert f.number(1.5, 2, signed=True) == "+1.50"
    assert f.number(-1.5, 2, signed=True) == "-1.50"
    assert f.number(0.001, 2, signed=True) == "0.00"   # zero has no sign (as Excel's +0.00;-0.00;0.00)
    assert f.number(0.4, 6, trim=True) == "0.4" and f.number(2.0, 3, trim=True) == "2"
    assert f.number("Tier 1") == "Tier 1"   # a label passes through


@pytest.mark.parametrize("value, expected", [
    (822.3600000000001, "822.36"), (12345.678, "12,345.678"), (3.0, "3"), (-0.5, "-0.5"),
    (1e-07, "0.0000001"), (0.1 + 0.2, "0.3"), (None, "—"), (float("nan"), "—"),
])
def test_exact(value, expected):
    assert f.exact(value) == expected


def test_exact_keeps_twelve_significant_digits():
    assert f.exact(1 / 3) == "0.333333333333" and f.exact(1 / 3, 6) == "0.333333"
    assert float(f.exact(math.pi).replace(",", "")) == pytest.approx(math.pi, rel=1e-11)


@pytest.mark.parametrize("value, expected", [
    (2013, "2013"), (2013.0, "2013"), (np.int64(2013), "2013"), ("2013", "2013"), (None, "—"),
    (float("nan"), "—"),
])
def test_year_has_no_thousands_separator(value, expected):
    assert f.year(value) == expected


def test_rank_integer_percent():
    assert f.rank(3, 11) == "3/11" and f.rank(3.0, 11.0) == "3/11" and f.rank(3) == "3"
    assert f.rank(None, 11) == "—" and f.rank(float("nan")) == "—"
    assert f.rank_range(2.6, 7.0) == "3–7" and f.rank_range(None, 7) == "—"
    assert f.integer(12345.6) == "12,346" and f.integer(3, signed=True) == "+3"
    assert f.integer(-3, signed=True) == "-3" and f.integer(0, signed=True) == "0"
    assert f.percent(0.4) == "40.0%" and f.percent(1 / 3, 2) == "33.33%" and f.percent(None) == "—"


def test_report_cells_use_the_formatter():
    from digindex.reports.document import display

    assert display(2013, "year") == "2013" and display(2013, "int") == "2,013"
    assert display(822.3600000000001, "value") == "822.4" and display(None, "score") == "—"
    assert display(3.0, "rank") == "3" and display(-0.25, "signed") == "-0.25" and display(None, "text") == ""


def test_no_key_is_written_twice_in_the_catalogue():
    """A repeated key in the dict literal would silently replace the first text with the second."""
    import ast

    from digindex import i18n

    tree = ast.parse(open(i18n.__file__, encoding="utf-8").read())
    keys = [k.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert not repeated, repeated
