"""The bulletin's chapter on disparity and dynamics (reports/dynamics.py), on the 31 provinces of
examples/china-provinces in three regions and a hand-made population.

Independent checks: the plain Gini (mean absolute difference over twice the mean, computed here),
Dagum's between-group Gini of two groups computed here from his eq. (6), the identity
G = G_w + G_nb + G_t (Dagum 1997), and the transitions counted by hand from quantile classes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES

from digindex import evaluate, load_data, load_framework
from digindex.reports.bulletin import build_bulletin
from digindex.reports.population import describe, rekey, with_peers

PROVINCES = EXAMPLES / "china-provinces"


@pytest.fixture(scope="module")
def provinces():
    fw = load_framework(PROVINCES / "framework.yaml")
    ev = evaluate(fw, load_data(PROVINCES / "provinces_SYNTHETIC.csv", framework=fw, units_in="全国"))
    named = pd.read_csv(PROVINCES / "groups.csv")
    return ev, rekey(ev, dict(zip(named["unit"], named["group"])))  # keyed by the units' codes


def _chapter(doc, title):
    found = [s for s in doc.sections if title in s.title]
    return found[0] if found else None


def _gini(y):
    y = np.asarray(y, float)
    return np.abs(y[:, None] - y[None, :]).sum() / (2 * y.size ** 2 * y.mean())


def test_the_chapter_reproduces_the_gini_dagum_and_the_transitions(provinces, tmp_path):
    ev, groups = provinces
    doc = build_bulletin(ev, lang="en", permutations=9, groups=groups)
    chapter = _chapter(doc, "regional disparity and dynamics")
    assert chapter is not None and len(chapter.images) == 1 and chapter.images[0].gid == "kde"
    dagum, matrix, markov = chapter.tables
    scores = ev.scores_table()
    root = ev.framework.tree.id
    for year, g, g_w, g_nb, g_t, *shares in dagum.rows:
        y = scores.loc[scores["year"] == year, root]
        assert g == pytest.approx(_gini(y), abs=1e-12)
        assert g_w + g_nb + g_t == pytest.approx(g, abs=1e-12)
        assert sum(shares) == pytest.approx(1, abs=1e-12)
    # the between-group Gini of the bulletin's year, Dagum (1997) eq. (6), for every pair
    last = scores[scores["year"] == scores["year"].max()].assign(group=lambda t: t["unit"].map(groups))
    names = matrix.headers[1:]
    pop = describe(with_peers(ev, groups))
    by_name = {pop.peer_name(g)["en"]: g for g in set(groups.values())}
    values = {by_name[n]: last.loc[last["group"] == by_name[n], root].to_numpy(float) for n in names}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ya, yb = values[by_name[a]], values[by_name[b]]
            if i == j:
                expected = _gini(ya)
            else:
                expected = np.abs(ya[:, None] - yb[None, :]).sum() / (ya.size * yb.size * (ya.mean() + yb.mean()))
            assert matrix.rows[i][1 + j] == pytest.approx(expected, abs=1e-12)
    # groups in order of their mean, lowest first
    assert [values[by_name[n]].mean() for n in names] == sorted(values[by_name[n]].mean() for n in names)
    # the transitions: 4 quantile classes per year, counted by hand
    wide = scores.pivot(index="unit", columns="year", values=root)
    classes = wide.apply(lambda col: pd.qcut(col.rank(method="first"), 4, labels=False) + 1)
    counts = np.zeros((4, 4), int)
    for a, b in zip(wide.columns[:-1], wide.columns[1:]):
        for u in wide.index:
            counts[classes.loc[u, a] - 1, classes.loc[u, b] - 1] += 1
    body = markov.rows[:4]
    assert [row[1] for row in body] == list(counts.sum(axis=1))
    for i, row in enumerate(body):
        assert row[2:] == pytest.approx(list(counts[i] / counts[i].sum()), abs=1e-12)
    steady = markov.rows[4][2:]
    p = counts / counts.sum(axis=1, keepdims=True)
    assert np.asarray(steady) @ p == pytest.approx(steady, abs=1e-9) and sum(steady) == pytest.approx(1)
    from digindex.reports.render import write_html

    html = write_html(doc, tmp_path / "b.html").read_text(encoding="utf-8")
    assert "regional disparity and dynamics" in html and 'data-gid="kde"' in html


def test_no_chapter_without_groups_and_a_sentence_for_one_year(provinces):
    ev, groups = provinces
    doc = build_bulletin(ev, lang="zh", permutations=9)
    assert _chapter(doc, "区域差异与动态演进") is None   # no peer groups: provinces have one parent
    from digindex.reports.dynamics import dynamics_section

    grouped = with_peers(ev, groups)  # the chapter of the first year: one year only
    section = dynamics_section(grouped, describe(grouped), int(min(ev.panel.years)), "zh")
    assert "仅有一年数据，无法计算转移概率。" in section.paragraphs
    assert [t.title for t in section.tables][0].endswith("Dagum基尼系数及其分解")
    assert len(section.tables[0].rows) == 1
