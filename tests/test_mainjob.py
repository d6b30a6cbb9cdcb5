"""The main job on the SYNTHETIC Zhejiang demo: determinism, consistency of ranks, the summary."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from digindex.cli import app
from digindex.mainjob import run_main_job, summary_tables


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    base = tmp_path_factory.mktemp("main")
    return run_main_job(base / "data", base / "out", base / "store.duckdb")


def test_both_populations_all_years(job):
    counties, cities = job.evaluations["counties"], job.evaluations["cities"]
    assert len(set(counties.panel.units)) == 90 and len(set(cities.panel.units)) == 11
    assert sorted(set(counties.panel.years)) == [2017, 2018, 2019, 2020, 2021, 2022]
    for population in ("counties", "cities"):
        folder = job.out_dir / population
        for name in ("results.csv", "results.parquet", "results.xlsx", "run.json", "tiers.csv",
                     "disparity.csv", "changes.csv"):
            assert (folder / name).exists(), name
    assert job.run_ids["counties"] != job.run_ids["cities"]


def test_rank_within_city_follows_province_scores(job):
    res = pd.read_csv(job.out_dir / "counties" / "results.csv", dtype={"unit": str, "parent": str})
    for (year, node, parent), grp in res.groupby(["year", "node", "parent"]):
        expected = grp["score"].rank(method="min", ascending=False).astype(int)
        assert (grp["rank_in_parent"] == expected).all(), (year, node, parent)
        # the province-wide order restricted to the city is the city order
        assert (grp.sort_values("rank")["rank_in_parent"].diff().dropna() >= 0).all()


def test_same_inputs_same_results(job, tmp_path):
    again = run_main_job(job.data_dir, tmp_path / "out", tmp_path / "store.duckdb")
    for population in ("counties", "cities"):
        a = (job.out_dir / population / "results.csv").read_bytes()
        b = (again.out_dir / population / "results.csv").read_bytes()
        assert a == b


def test_summary_tongxiang(job):
    s = summary_tables(job)
    focus = s["focus"]
    assert focus["name"] == "桐乡市" and focus["parent_name"] == "嘉兴市" and focus["n_in_parent"] == 7
    table = focus["table"].set_index("node")
    res = job.evaluations["counties"].ranks_table(within_parent=True)
    row = res[(res["unit"] == "330483") & (res["year"] == s["year"])].iloc[0]
    assert table.loc["zj_dei", "rank_in_parent"] == row["zj_dei"]
    assert len(s["top10"]) == 10 and len(s["cities"]) == 11
    assert sum(len(v) for v in s["tiers"].values()) == 90
    assert np.all(np.diff(s["top10"]["rank"].to_numpy()) >= 0)


def test_cli_demo_prints_the_bilingual_summary(job, tmp_path):
    r = CliRunner().invoke(app, ["demo", "--data-dir", str(job.data_dir), "--out", str(tmp_path / "o"),
                                 "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 0, r.output
    for text in ("SYNTHETIC", "桐乡市", "Tongxiang", "嘉兴市", "第一梯队", "Top 10", "11个设区市"):
        assert text in r.output
    runs = CliRunner().invoke(app, ["runs", "list", "--store", str(tmp_path / "s.duckdb")])
    assert runs.exit_code == 0 and "r2" in runs.output
    diff = CliRunner().invoke(app, ["runs", "diff", "r1", "r2", "--store", str(tmp_path / "s.duckdb")])
    assert diff.exit_code == 0 and "data changed" in diff.output
