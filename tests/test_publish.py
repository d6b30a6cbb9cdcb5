"""Ranks as published: scores rounded to the framework's `publish: {decimals: N}`; equal published
scores share a rank (the minimum) and a tier everywhere."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from digindex import evaluate, load_data, load_framework
from digindex.analytics import tiers
from digindex.cli import app
from digindex.engine.publish import round_half_away
from digindex.explain import change_attribution, strengths_weaknesses

FRAMEWORK = """\
id: pub
normalise: none
publish: {decimals: 2}
tiers: {by: quantile, cuts: [0.5]}
tree:
  id: root
  children: [{id: x1}, {id: x2}]
"""
# root = (x1 + x2) / 2: A 80.704 and B 80.696 both publish as 80.70; C 80.705 as 80.71 (四舍五入)
DATA = """unit,year,x1,x2
A,2021,80.0,80.0
B,2021,70.0,70.0
C,2021,60.0,60.0
D,2021,50.0,50.0
A,2022,80.704,80.704
B,2022,80.696,80.696
C,2022,80.705,80.705
D,2022,10.0,10.0
"""


def test_round_half_away_from_zero_on_the_written_value():
    # 80.705 is stored as 80.70499999…; it is published as 80.71, as a person rounding would
    assert round_half_away([80.705, 80.704, 80.695, -0.125, 2.5, np.nan], 2)[:5].tolist() == \
        [80.71, 80.7, 80.7, -0.13, 2.5]
    assert np.isnan(round_half_away([np.nan], 2)[0])
    assert round_half_away([0.5, 1.5, 2.5], 0).tolist() == [1.0, 2.0, 3.0]  # not half-to-even


@pytest.fixture
def ev(write):
    fw = load_framework(write("f.yaml", FRAMEWORK))
    return evaluate(fw, load_data(write("d.csv", DATA), framework=fw))


def test_equal_published_scores_share_rank_and_tier(ev):
    res = ev.results().query("year == 2022 and node == 'root'").set_index("unit")
    assert res.loc[["A", "B", "C"], "score"].tolist() == [80.70, 80.70, 80.71]
    assert res.loc["A", "score_exact"] == pytest.approx(80.704)
    assert res.loc[["C", "A", "B", "D"], "rank"].tolist() == [1, 2, 2, 4]
    t = tiers(ev).query("year == 2022").set_index("unit")
    # n = 4, cut 0.5: tier 1 is rank ≤ 2, so A and B (tied at 2) are both in tier 1
    assert t.loc[["A", "B", "C", "D"], "tier"].tolist() == [1, 1, 1, 2]
    top = ev.top(4, year=2022)
    assert top["rank"].tolist() == [1, 2, 2, 4] and top["score"].tolist()[:3] == [80.71, 80.70, 80.70]


def test_explanations_use_the_published_ranks(ev):
    ca = change_attribution(ev, "B", 2022)
    assert ca.ranks["province"][1] == 2 and ca.score == 80.70 and ca.prev_score == 70.0
    assert ca.exact_change == pytest.approx(10.696)
    sw = strengths_weaknesses(ev, "A", 2022, n=1)
    assert set(sw["strengths"]["rank"]) <= {1, 2}


def test_cli_prints_the_published_ranks(write, tmp_path):
    fw, data = write("f.yaml", FRAMEWORK), write("d.csv", DATA)
    r = CliRunner().invoke(app, ["run", str(fw), "--data", str(data), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    res = pd.read_csv(tmp_path / "o" / "results.csv").query("year == 2022 and node == 'root'")
    assert sorted(res["rank"].tolist()) == [1, 2, 2, 4]


def test_publish_key_is_checked(write):
    from digindex import InputError

    with pytest.raises(InputError, match="publish.decimals must be a whole number"):
        load_framework(write("f.yaml", FRAMEWORK.replace("decimals: 2", "decimals: 2.5")))
