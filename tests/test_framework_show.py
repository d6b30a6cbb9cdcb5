"""`digindex framework show` prints the weights actually used, not the framework's raw `weight`."""
from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from digindex import evaluate, load_data, load_framework
from digindex.cli import app
from digindex.engine.weights import weight_table

FRAMEWORK = """\
id: mixed
normalise: {method: minmax, scale: [1, 100]}
tree:
  id: index
  weights: {method: ahp, matrix: [[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]]}
  children:
    - id: a
      weights: entropy
      children: [{id: x1}, {id: x2}]
    - id: b
      children: [{id: x3, weight: 3}, {id: x4}]
    - id: c
      children: [{id: x5}]
"""


def _ahp_weights():
    # Saaty's principal eigenvector of the matrix above, computed independently with numpy
    A = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    vals, vecs = np.linalg.eig(A)
    v = np.abs(vecs[:, np.argmax(vals.real)].real)
    return v / v.sum()


def test_weights_without_data(write):
    fw = load_framework(write("f.yaml", FRAMEWORK))
    table = weight_table(fw).set_index("node")
    np.testing.assert_allclose(table.loc[["a", "b", "c"], "weight"], _ahp_weights(), rtol=1e-12)
    assert table.loc["x3", "weight"] == 0.75 and table.loc["x3", "effective_weight"] == 0.75 * _ahp_weights()[1]
    assert (table.loc[["x1", "x2"], "source"] == "needs data").all()
    assert table.loc[["x1", "x2"], "weight"].isna().all()
    result = CliRunner().invoke(app, ["framework", "show", str(write("f.yaml", FRAMEWORK))], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "from the data (give --data" in result.output
    assert f"w={100 * _ahp_weights()[0]:.1f}% in parent" in result.output
    assert "w=1 " not in result.output and "20.0%" not in result.output


def test_weights_with_data(write):
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(12)], **{f"x{j}": rng.uniform(1, 9, 12) for j in range(1, 6)}})
    fw_path, data = write("f.yaml", FRAMEWORK), write("d.csv", df.to_csv(index=False))
    fw = load_framework(fw_path)
    ev = evaluate(fw, load_data(data, framework=fw))
    table = weight_table(fw, ev).set_index("node")
    # entropy on the min-max [1, 100] scores, by the domain brief's formula
    Z = ev.stage("normalised")[["x1", "x2"]].to_numpy()
    Y = (Z - Z.min(0)) / (Z.max(0) - Z.min(0)) + 0.0001  # the usual shift, digindex's default
    P = Y / Y.sum(0)
    e = -(P * np.log(P)).sum(0) / np.log(len(Z))
    assert table.loc["x1", "source"] == "data"
    np.testing.assert_allclose(table.loc[["x1", "x2"], "weight"], (1 - e) / (1 - e).sum(), rtol=1e-12)
    result = CliRunner().invoke(app, ["framework", "show", str(fw_path), "--data", str(data)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"w={100 * table.loc['x1', 'weight']:.1f}% in parent" in result.output and "(from the data)" in result.output
