"""examples/china-provinces: the SYNTHETIC 31-province panel, pooled entropy–TOPSIS."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from typer.testing import CliRunner

from conftest import EXAMPLES
from digindex.cli import app

HERE = EXAMPLES / "china-provinces"


def test_the_data_are_rebuilt_byte_for_byte(tmp_path):
    """build.py is the source of the committed data (same seed, same bytes)."""
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import build; d, g = build.build(); "
            f"d.to_csv({str(tmp_path / 'd.csv')!r}, index=False); g.to_csv({str(tmp_path / 'g.csv')!r}, index=False)")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert (tmp_path / "d.csv").read_bytes() == (HERE / "provinces_SYNTHETIC.csv").read_bytes()
    assert (tmp_path / "g.csv").read_bytes() == (HERE / "groups.csv").read_bytes()


def test_run_gives_31_provinces_and_a_rising_pooled_index(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(HERE / "framework.yaml"), "--data", str(HERE / "provinces_SYNTHETIC.csv"),
                                 "--units-in", "全国", "--out", str(out)])
    assert r.exit_code == 0, r.output
    res = pd.read_csv(out / "results.csv", dtype={"unit": str})
    index = res[res.node == "dei"]
    assert index.unit.nunique() == 31 and sorted(index.year.unique()) == list(range(2013, 2023))
    assert index.groupby("year").score.mean().is_monotonic_increasing
    record = json.loads((out / "run.json").read_text())
    assert record["scopes"]["dei"] == "panel" and record["scopes"]["infra"] == "panel"
    groups = pd.read_csv(HERE / "groups.csv")
    assert groups.group.value_counts().to_dict() == {"西部": 12, "东部": 11, "中部": 8}
