"""``digindex audit`` and ``digindex uncertainty`` on a province's cities written in mixed forms:
the units resolve as in ``run`` (--units-in), and each command draws its charts (PNG and SVG)
titled under the framework's name, as the run's charts are."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from digindex import load_framework
from digindex.charts.draw import named
from digindex.cli import app

runner = CliRunner()

FRAMEWORK = """\
id: sc
name: {zh: 四川城市（合成示例）, en: Sichuan cities (synthetic example)}
normalise: {method: minmax, scale: [1, 100]}
uncertainty:
  choices:
    - {id: agg, step: aggregate, alternatives: [arithmetic, geometric], nodes: [root]}
    - {id: w, perturb: weights, levels: [1], noise: 0.25}
tree:
  id: root
  children:
    - id: a
      children: [{id: x1}, {id: x2}]
    - id: b
      children: [{id: x3}, {id: x4}]
"""
# three forms of a city's name: its full name, without 市, its code
CITIES = ["成都市", "自贡", "5104", "泸州市", "德阳", "5107", "广元市", "遂宁"]
CODES = ["5101", "5103", "5104", "5105", "5106", "5107", "5108", "5109"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("sichuan")
    (root / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    rng = np.random.default_rng(7)
    rows = [{"地区": city, "年份": year, **{f"x{k}": round(float(rng.uniform(10, 100)), 3) for k in range(1, 5)}}
            for city in CITIES for year in (2021, 2022)]
    pd.DataFrame(rows).to_csv(root / "cities_SYNTHETIC.csv", index=False)
    return root


def _command(inputs, tmp_path, *args):
    r = runner.invoke(app, [args[0], str(inputs / "fw.yaml"), "--data", str(inputs / "cities_SYNTHETIC.csv"),
                            "--units-in", "四川", "--out", str(tmp_path / args[0]), *args[1:]])
    assert r.exit_code == 0, r.output
    return tmp_path / args[0]


def _charts(folder, stems):
    names = sorted(p.name for p in (folder / "charts").iterdir())
    assert names == sorted(f"{s}.{e}" for s in stems for e in ("png", "svg"))
    for stem in stems:
        assert (folder / "charts" / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "</svg>" in (folder / "charts" / f"{stem}.svg").read_text(encoding="utf-8")


def test_audit_resolves_units_and_draws_its_charts(inputs, tmp_path):
    out = _command(inputs, tmp_path, "audit")
    _charts(out, ["correlations", "distributions"])
    coverage = pd.read_csv(out / "coverage_units.csv", dtype={"unit": str})
    assert set(coverage["unit"]) == set(CODES)


def test_uncertainty_resolves_units_and_draws_its_charts(inputs, tmp_path):
    out = _command(inputs, tmp_path, "uncertainty", "--runs", "16")
    _charts(out, ["rank_intervals", "sensitivity"])
    summary = pd.read_csv(out / "uncertainty_summary.csv", dtype={"unit": str})
    assert sorted(summary["unit"]) == CODES  # 自贡 and 5104 are the cities 5103 and 5104, not new units


def test_analysis_charts_are_titled_under_the_framework_name(inputs):
    fw = load_framework(inputs / "fw.yaml")
    assert named(fw, "排名 Ranks") == "四川城市（合成示例） Sichuan cities (synthetic example)\n排名 Ranks"
    assert named(None, "排名 Ranks") == "排名 Ranks"


@pytest.mark.parametrize("command, drawer", [("audit", "audit_charts"), ("uncertainty", "uncertainty_charts")])
def test_a_chart_that_fails_leaves_no_output(inputs, tmp_path, monkeypatch, command, drawer):
    """The files and the charts are written all or nothing: a failure while drawing leaves neither."""
    import digindex.charts

    original = getattr(digindex.charts, drawer)

    def fails_after_drawing(*args, **kwargs):
        original(*args, **kwargs)  # some charts are drawn (under temporary names) first
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(digindex.charts, drawer, fails_after_drawing)
    extra = ["--runs", "16"] if command == "uncertainty" else []
    r = runner.invoke(app, [command, str(inputs / "fw.yaml"), "--data", str(inputs / "cities_SYNTHETIC.csv"),
                            "--units-in", "四川", "--out", str(tmp_path / "out"), *extra])
    assert r.exit_code == 1 and "the disk is full" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))
