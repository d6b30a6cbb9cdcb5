"""Derive then evaluate (``digindex run --registry``), and the helpers the command line uses."""
from __future__ import annotations

import pandas as pd
import pytest

import digindex
from digindex.demo import MICRO_INDICATORS, generate
from digindex.errors import InputError
from digindex.frameworks import builtin_framework_path
from digindex.microdata import read_stats, run_with_registries
from digindex.microdata.output import parse_registries, parse_years

REGS = ("enterprises", "software_revenue", "projects", "platforms")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_run")
    paths = generate(out, n_enterprises=5_000, n_projects=1_000)
    full = pd.read_csv(paths["counties_csv"], dtype={"unit": str, "parent": str})
    survey = out / "survey_and_denominators.csv"
    full.drop(columns=list(MICRO_INDICATORS)).to_csv(survey, index=False)
    return {"paths": paths, "survey": survey, "dir": out}


def test_same_scores_as_the_published_table(demo, tmp_path):
    fw = builtin_framework_path("zhejiang")
    regs = {k: demo["paths"][k] for k in REGS}
    result, derivation = run_with_registries(fw, regs, data=[demo["survey"]], out=tmp_path / "run")
    reference = digindex.run(fw, demo["paths"]["counties_csv"])
    cols = ["unit", "year", "node", "score", "rank"]
    got = result.results()[cols].sort_values(cols[:3]).reset_index(drop=True)
    want = reference.results()[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    assert (tmp_path / "run" / "results.csv").exists() and (tmp_path / "run" / "derived.csv").exists()
    assert (tmp_path / "run" / "derived_validation.json").exists()
    assert set(derivation.specs) == set(MICRO_INDICATORS)


def test_derived_columns_must_not_be_in_the_data(demo):
    regs = {k: demo["paths"][k] for k in REGS}
    with pytest.raises(InputError, match="both in this file and derived"):
        run_with_registries(builtin_framework_path("zhejiang"), regs, data=[demo["paths"]["counties_csv"]])


def test_stats_from_several_files(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    pd.DataFrame({"unit": ["330483", "330402"], "year": [2020, 2020], "population": [7, 4]}).to_csv(a, index=False)
    pd.DataFrame({"UNIT": ["330483"], "Year": [2020], "gdp": [1.5]}).to_csv(b, index=False)
    stats = read_stats([a, b], "county")
    assert stats[["unit", "year", "population"]].to_dict("records") == [
        {"unit": "330483", "year": 2020, "population": "7"}, {"unit": "330402", "year": 2020, "population": "4"}]
    assert stats["gdp"].iloc[0] == "1.5" and pd.isna(stats["gdp"].iloc[1])
    pd.DataFrame({"unit": ["330483"], "year": [2020], "population": [8]}).to_csv(b, index=False)
    with pytest.raises(InputError, match="two values of 'population' for unit 330483, year 2020"):
        read_stats([a, b], "county")


def test_command_line_helpers():
    assert parse_registries(["enterprises=e.parquet", "platforms = p.csv"]) == \
        {"enterprises": "e.parquet", "platforms": "p.csv"}
    with pytest.raises(InputError) as err:
        parse_registries(["enterprises", "firms=f.csv", "platforms=a", "platforms=b"])
    assert len(err.value.problems) == 3
    assert parse_years("2017-2019") == [2017, 2018, 2019]
    assert parse_years("2019,2021-2022") == [2019, 2021, 2022]
    assert parse_years(None) is None
    with pytest.raises(InputError, match="--years"):
        parse_years("last year")
