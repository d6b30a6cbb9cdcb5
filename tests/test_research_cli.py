"""``digindex analyse KIND`` on examples/china-provinces: every kind from a run's folder and from a
plain table, the files and columns of issue 17, and bad input (exit 2, nothing written)."""
from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from digindex.cli import app

HERE = EXAMPLES / "china-provinces"
ASPECTS = "infra,industry,digitalisation,innovation,society"

# the files of each kind and their columns (the table of issue 17)
COLUMNS = {
    "dagum": {"dagum.csv": ["year", "gini", "within", "between", "transvariation", "within_share",
                            "between_share", "transvariation_share"],
              "dagum_within.csv": ["year", "group", "gini"],
              "dagum_between.csv": ["year", "group_a", "group_b", "gini"]},
    "kde": {"kde.csv": ["year", "x", "density"],
            "kde_peaks.csv": ["year", "n", "bandwidth", "peaks", "main_x", "main_density"]},
    "markov": {"markov_transitions.csv": ["from", "to", "count", "probability"],
               "markov_steady_state.csv": ["class", "probability"]},
    "spatial-markov": {"spatial_markov_transitions.csv": ["lag_class", "from", "to", "count", "probability"],
                       "spatial_markov_tests.csv": ["Q", "Q_p", "LR", "LR_p"]},
    "convergence": {"sigma.csv": ["year", "sd", "cv"],
                    "beta.csv": ["model", "beta", "se", "p", "speed", "half_life", "n"]},
    "coupling": {"coupling.csv": ["unit", "year", "C", "T", "D", "grade"]},
    "obstacle": {"obstacle.csv": ["unit", "year", "node", "obstacle"]},
    "grey": {"grey.csv": ["unit", "year", "grade"]},
    "ellipse": {"ellipse.csv": ["year", "x", "y", "sx", "sy", "rotation"]},
    "moran": {"moran.csv": ["year", "I", "expected", "z", "p"], "lisa.csv": ["unit", "year", "Ii", "q", "p"]},
}
CHARTS = {"spatial-markov": "spatial_markov.png", "convergence": "convergence.png"}
OPTIONS = {"dagum": ["--groups", str(HERE / "groups.csv"), "--units-in", "全国"],
           "coupling": ["--nodes", ASPECTS], "grey": ["--nodes", ASPECTS]}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("provinces")
    r = invoke("run", HERE / "framework.yaml", "--data", HERE / "provinces_SYNTHETIC.csv", "--units-in", "全国",
               "--out", out)
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def table(run_dir, tmp_path_factory):
    """The run's index and aspect scores as a plain long table, units written by name."""
    from digindex.regions import registry

    res = pd.read_csv(run_dir / "results.csv", dtype={"unit": str})
    wide = res.pivot_table(index=["unit", "year"], columns="node", values="score").reset_index()
    wide.insert(0, "地区", [registry()[u].name for u in wide["unit"]])
    wide = wide.rename(columns={"dei": "score", "year": "年份"})[["地区", "年份", "score", *ASPECTS.split(",")]]
    path = tmp_path_factory.mktemp("table") / "scores.csv"
    wide.to_csv(path, index=False)
    return path


def _check_files(out, kind):
    for name, columns in COLUMNS[kind].items():
        frame = pd.read_csv(out / name)
        assert list(frame.columns) == columns, name
        assert len(frame), name
    assert (out / CHARTS.get(kind, f"{kind}.png")).stat().st_size > 10_000
    sheets = pd.ExcelFile(out / f"{kind.replace('-', '_')}.xlsx").sheet_names
    assert {n.removesuffix(".csv") for n in COLUMNS[kind]} <= set(sheets)


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_every_kind_from_a_run_folder(kind, run_dir, tmp_path):
    out = tmp_path / kind
    r = invoke("analyse", kind, "--results", run_dir, "--out", out, *OPTIONS.get(kind, []))
    assert r.exit_code == 0, r.output
    _check_files(out, kind)


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_every_kind_from_a_plain_table(kind, table, tmp_path):
    out = tmp_path / kind
    extra = ["--nodes", ASPECTS] if kind == "obstacle" else []
    r = invoke("analyse", kind, "--data", table, "--units-in", "全国", "--out", out, *OPTIONS.get(kind, []), *extra)
    assert r.exit_code == 0, r.output
    _check_files(out, kind)


def test_the_run_and_the_table_give_the_same_numbers(run_dir, table, tmp_path):
    for source in (["--results", run_dir], ["--data", table, "--units-in", "全国"]):
        r = invoke("analyse", "dagum", *source, "--groups", HERE / "groups.csv", "--units-in", "全国",
                   "--out", tmp_path / source[0].strip("-"))
        assert r.exit_code == 0, r.output
    a, b = (pd.read_csv(tmp_path / d / "dagum.csv") for d in ("results", "data"))
    pd.testing.assert_frame_equal(a, b)
    # the example: the east–west gap dominates and everything shrinks as the west catches up
    assert (a["between_share"] > 0.7).all() and a["gini"].is_monotonic_decreasing


def test_obstacle_from_a_run_uses_the_indicators_and_aspects(run_dir, tmp_path):
    r = invoke("analyse", "obstacle", "--results", run_dir, "--out", tmp_path, "--top", "3")
    assert r.exit_code == 0, r.output
    ind = pd.read_csv(tmp_path / "obstacle.csv", dtype={"unit": str})
    assert ind["node"].nunique() == 20
    sums = ind.groupby(["unit", "year"])["obstacle"].sum()
    assert sums.to_numpy() == pytest.approx(1)          # shares sum to 1 per unit and year
    asp = pd.read_csv(tmp_path / "obstacle_aspects.csv", dtype={"unit": str})
    assert set(asp["node"]) == set(ASPECTS.split(","))
    assert asp.groupby(["unit", "year"])["obstacle"].sum().to_numpy() == pytest.approx(1)
    top = pd.read_csv(tmp_path / "obstacle_top.csv", dtype={"unit": str})
    assert top.groupby(["unit", "year"]).size().max() == 3


# -- bad input: exit 2, one line per problem, nothing written

def test_a_bad_cell_names_file_row_and_column_and_writes_nothing(table, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[2] = "n/a?"
    lines[3] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    r = invoke("analyse", "kde", "--data", bad, "--value", "score", "--out", out)
    assert r.exit_code == 2
    assert "bad.csv" in r.output and "row 4" in r.output and "column 'score'" in r.output
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["dagum"], "needs groups"),
    (["coupling", "--nodes", "infra,nope"], "no node 'nope'"),
    (["coupling", "--nodes", "infra,industry", "--scale", "0.1"], "[0, 1]"),
    (["markov", "--classes", "1"], "--classes must be between 2"),
    (["grey", "--nodes", "infra,industry", "--rho", "0"], "--rho must be in (0, 1]"),
])
def test_bad_options_exit_2_with_a_fix(args, message, run_dir, tmp_path):
    r = invoke("analyse", args[0], "--results", run_dir, "--out", tmp_path / "out", *args[1:])
    assert r.exit_code == 2, r.output
    assert message in r.output and "Fix:" in r.output
    assert not (tmp_path / "out").exists()


def test_groups_and_weights_files_are_checked_against_the_data(run_dir, tmp_path):
    groups = tmp_path / "groups.csv"
    groups.write_text((HERE / "groups.csv").read_text(encoding="utf-8").replace("北京市,东部\n", ""), encoding="utf-8")
    r = invoke("analyse", "dagum", "--results", run_dir, "--groups", groups, "--units-in", "全国", "--out", tmp_path / "o")
    assert r.exit_code == 2 and "'11'" in r.output and "has no group" in r.output
    weights = tmp_path / "w.csv"
    weights.write_text("unit,neighbour\n11,12\n12,11\n", encoding="utf-8")
    r = invoke("analyse", "moran", "--results", run_dir, "--weights", weights, "--out", tmp_path / "o")
    assert r.exit_code == 2 and "w.csv" in r.output and "is not in the weights" in r.output
    assert not (tmp_path / "o").exists()


def test_either_results_or_data(run_dir, table, tmp_path):
    r = invoke("analyse", "kde", "--results", run_dir, "--data", table, "--out", tmp_path / "o")
    assert r.exit_code == 2 and "either --results" in r.output


def test_a_failure_while_writing_leaves_nothing(run_dir, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_excel", boom)
    out = tmp_path / "out"
    r = invoke("analyse", "kde", "--results", run_dir, "--out", out)
    assert r.exit_code == 1
    assert not out.exists() or not any(out.iterdir())


def test_an_evaluation_in_memory_gives_the_same_numbers_as_its_folder(run_dir):
    """rs.from_evaluation (what a report holds) and rs.load_results (the written folder) agree."""
    from digindex import run
    from digindex.analytics import research as rs

    ev = run(HERE / "framework.yaml", [HERE / "provinces_SYNTHETIC.csv"], units_in="全国")
    folder = rs.load_results(run_dir)
    groups = rs.groups_of(folder, HERE / "groups.csv", units_in="全国")
    memory = rs.from_evaluation(ev)
    for kind in (lambda d: rs.dagum(d, groups)["dagum"], lambda d: rs.obstacle(d)["obstacle_aspects"]):
        pd.testing.assert_frame_equal(kind(memory), kind(folder), check_exact=False, rtol=1e-12)


def test_coupling_and_grey_need_nodes(run_dir, tmp_path):
    r = invoke("analyse", "coupling", "--results", run_dir, "--out", tmp_path / "o")
    assert r.exit_code == 2 and "needs --nodes" in r.output


def test_weights_from_a_geojson_or_an_edge_list_and_one_period(tmp_path):
    """A 4×4 grid of squares: rook contiguity from the GeoJSON equals the edge list given one way."""
    import json

    from shapely.geometry import box, mapping

    feats, rows, edges = [], [], []
    for i in range(4):
        for j in range(4):
            u = f"c{i}{j}"
            feats.append({"type": "Feature", "properties": {"unit": u}, "geometry": mapping(box(i, j, i + 1, j + 1))})
            rows.append({"unit": u, "value": i + j + 0.1 * ((3 * i + j) % 4)})
            edges += [(u, f"c{i + 1}{j}")] * (i < 3) + [(u, f"c{i}{j + 1}")] * (j < 3)
    (tmp_path / "grid.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    pd.DataFrame(rows).to_csv(tmp_path / "one.csv", index=False)
    pd.DataFrame(edges, columns=["unit", "neighbour"]).to_csv(tmp_path / "edges.csv", index=False)
    results = []
    for weights in ("grid.geojson", "edges.csv"):
        out = tmp_path / weights.split(".")[0]
        r = invoke("analyse", "moran", "--data", tmp_path / "one.csv", "--weights", tmp_path / weights, "--out", out)
        assert r.exit_code == 0, r.output
        results.append(pd.read_csv(out / "moran.csv"))
    pd.testing.assert_frame_equal(*results)
    assert results[0]["year"].isna().all() and results[0]["I"].iat[0] > 0.5   # one period, clustered
    r = invoke("analyse", "ellipse", "--data", tmp_path / "one.csv", "--geometry", tmp_path / "grid.geojson",
               "--out", tmp_path / "e")
    assert r.exit_code == 0, r.output
    e = pd.read_csv(tmp_path / "e" / "ellipse.csv")
    assert e["x"].iat[0] > 2 and e["y"].iat[0] > 2     # weighted towards the high corner (3, 3)
    r = invoke("analyse", "markov", "--data", tmp_path / "one.csv", "--out", tmp_path / "m")
    assert r.exit_code == 2 and "at least two years" in r.output
