"""Declared derivations on a hand-built registry whose answers were worked out by hand.

Two counties, 330483 (桐乡市) and 330402 (南湖区), years 2017-2020. Every expected
number below is counted from the rows in this file (see the comments), not computed
by digindex.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from digindex.errors import InputError
from digindex.microdata import derive, derive_with_reports, write_derived

TX, NH = "330483", "330402"
YEARS = [2017, 2018, 2019, 2020]
# Valid codes (GB 32100 and GB 11714 check characters) made by digindex.demo.credit_code.
A, B, C, D = "91330483EFPX14RX0P", "9133048379TD8R7C97", "91330483KH20TPRG05", "91330483RAEQ393E7J"
E, F = "91330402Y4BCW6F85N", "913304020P18FF3Y0G"

ENTERPRISES = pd.DataFrame([
    # code, county, class, founded, status, closed, cloud_year
    (A, TX, "01", "2015-03-01", "active", "", "2018"),
    (B, TX, "03", "2016-12-31", "deregistered", "2019-06-30", "2017"),
    (C, TX, "05", "2018-01-01", "active", "", ""),
    (D, TX, "02", "2019-07-01", "revoked", "2019-12-31", ""),   # closed on 31 Dec: never in stock
    (E, NH, "04", "2017-05-05", "active", "", "2020"),
    (F, NH, "05", "2014-01-01", "deregistered", "2018-01-01", "2016"),
], columns=["credit_code", "region", "nbs_class", "founded", "status", "closed", "cloud_year"])

PROJECTS = pd.DataFrame([
    ("P1", TX, "intelligent_transformation", 2018, 100, 50),
    ("P2", TX, "intelligent_transformation", 2018, 300, 300),
    ("P3", TX, "digital_economy_investment", 2019, 1000, 200),
    ("P4", NH, "digital_economy_investment", 2019, 500, 100),
    ("P5", NH, "intelligent_transformation", 2020, 40, 10),
], columns=["project_id", "region", "type", "year", "planned_investment", "completed_investment"])

PLATFORMS = pd.DataFrame([("L1", TX, "provincial", 2017), ("L2", TX, "national", 2019),
                          ("L3", NH, "provincial", 2020)],
                         columns=["platform_id", "region", "level", "year_recognised"])

REVENUE = pd.DataFrame([(A, 2017, 100), (A, 2018, 121), (A, 2019, 144), (A, 2020, 150),
                        (E, 2019, 50), (E, 2020, 75)], columns=["credit_code", "year", "revenue"])

STATS = pd.DataFrame([(u, y, 700_000 if u == TX else 400_000, 50 if u == TX else 20)
                      for u in (TX, NH) for y in YEARS],
                     columns=["unit", "year", "population", "industrial_enterprises"])

FRAMEWORK = """
id: handbuilt
data_columns: [population, industrial_enterprises]
tree:
  id: root
  children:
    - {id: core_stock, derive: {source: enterprises, filter: {nbs_class: ["01", "02", "03", "04"]},
                                measure: count, window: stock}}
    - {id: all_stock, derive: {source: enterprises, measure: count, window: stock}}
    - {id: core_density, derive: {source: enterprises, filter: {nbs_class: ["01", "02", "03", "04"]},
                                  measure: count, window: stock, per: population, factor: 10000}}
    - {id: cloud_share, derive: {source: enterprises, measure: {share: {cloud_year: {le: year}}},
                                 window: stock, factor: 100}}
    - {id: founded_flow, derive: {source: enterprises, measure: count, window: flow}}
    - {id: founded_cum, derive: {source: enterprises, measure: count, window: cumulative}}
    - {id: cloud_flow, derive: {source: enterprises, measure: count, window: flow, date: cloud_year}}
    - {id: classes, derive: {source: enterprises, measure: {distinct: nbs_class}, window: stock}}
    - {id: de_planned, derive: {source: projects, filter: {type: digital_economy_investment},
                                measure: {sum: planned_investment}, window: flow}}
    - {id: de_pc, derive: {source: projects, filter: {type: digital_economy_investment},
                           measure: {sum: planned_investment}, window: flow, per: population,
                           factor: 10000}}
    - {id: mean_planned, derive: {source: projects, measure: {mean: planned_investment}, window: flow}}
    - {id: it_rate, derive: {source: projects, filter: {type: intelligent_transformation},
                             measure: count, window: flow, per: industrial_enterprises, factor: 100}}
    - {id: platforms_cum, derive: {source: platforms, measure: count, window: cumulative}}
    - {id: national_cum, derive: {source: platforms, filter: {level: national}, measure: count,
                                  window: cumulative}}
    - {id: revenue_yoy, derive: {source: software_revenue, measure: {sum: revenue}, window: flow,
                                 growth: yoy, factor: 100}}
    - {id: revenue_cagr2, derive: {source: software_revenue, measure: {sum: revenue}, window: flow,
                                   growth: {cagr: 2}, factor: 100}}
"""

# (indicator) -> {(unit, year): value}; NaN = missing. Counted by hand from the rows above.
EXPECTED = {
    # A and B in 2017-2018; B closed mid-2019 and D closed on 31 Dec 2019; E from 2017.
    "core_stock": {TX: [2, 2, 1, 1], NH: [1, 1, 1, 1]},
    # C (class 05) joins in 2018; F closed on 1 Jan 2018.
    "all_stock": {TX: [2, 3, 2, 2], NH: [2, 1, 1, 1]},
    "core_density": {TX: [2e4 / 7e5, 2e4 / 7e5, 1e4 / 7e5, 1e4 / 7e5], NH: [1e4 / 4e5] * 4},
    # TX: 2017 B of A,B; 2018 A,B of A,B,C; 2019 A of A,C. NH: 2017 F of E,F; E on the cloud in 2020.
    "cloud_share": {TX: [50, 200 / 3, 50, 50], NH: [50, 0, 0, 100]},
    "founded_flow": {TX: [0, 1, 1, 0], NH: [1, 0, 0, 0]},          # B was founded on 31 Dec 2016
    "founded_cum": {TX: [2, 3, 4, 4], NH: [2, 2, 2, 2]},
    "cloud_flow": {TX: [1, 1, 0, 0], NH: [0, 0, 0, 1]},            # F's 2016 is before the years
    "classes": {TX: [2, 3, 2, 2], NH: [2, 1, 1, 1]},
    "de_planned": {TX: [0, 0, 1000, 0], NH: [0, 0, 500, 0]},
    "de_pc": {TX: [0, 0, 1000 * 1e4 / 7e5, 0], NH: [0, 0, 500 * 1e4 / 4e5, 0]},
    "mean_planned": {TX: [np.nan, 200, 1000, np.nan], NH: [np.nan, np.nan, 500, 40]},
    "it_rate": {TX: [0, 2 / 50 * 100, 0, 0], NH: [0, 0, 0, 1 / 20 * 100]},
    "platforms_cum": {TX: [1, 1, 2, 2], NH: [0, 0, 0, 1]},
    "national_cum": {TX: [0, 0, 1, 1], NH: [0, 0, 0, 0]},
    "revenue_yoy": {TX: [np.nan, 21.0, 100 * (144 / 121 - 1), 100 * (150 / 144 - 1)],
                    NH: [np.nan, np.nan, np.nan, 50.0]},
    "revenue_cagr2": {TX: [np.nan, np.nan, 20.0, 100 * (math.sqrt(150 / 121) - 1)],
                      NH: [np.nan] * 4},
}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    d = tmp_path_factory.mktemp("handbuilt")
    fw = d / "framework.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    ENTERPRISES.to_csv(d / "enterprises.csv", index=False)
    PROJECTS.to_parquet(d / "projects.parquet", index=False)
    PLATFORMS.to_csv(d / "platforms.csv", index=False)
    REVENUE.to_parquet(d / "revenue.parquet", index=False)
    regs = {"enterprises": d / "enterprises.csv", "projects": d / "projects.parquet",
            "platforms": d / "platforms.csv", "software_revenue": d / "revenue.parquet"}
    return {"dir": d, "framework": fw, "registries": regs}


@pytest.fixture(scope="module")
def derived(case):
    return derive_with_reports(case["framework"], case["registries"], STATS, digits=None)


def _expected_frame() -> pd.DataFrame:
    rows = []
    for unit in (TX, NH):
        for i, year in enumerate(YEARS):
            rows.append({"unit": unit, "year": year, **{k: v[unit][i] for k, v in EXPECTED.items()}})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("indicator", list(EXPECTED))
def test_measure_and_window(derived, indicator):
    got = derived.table.set_index(["unit", "year"])[indicator].astype(float)
    want = _expected_frame().set_index(["unit", "year"])[indicator].astype(float)
    np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=1e-12, atol=1e-12,
                               err_msg=indicator)


def test_rows_follow_the_statistics_table(derived):
    assert list(zip(derived.table["unit"], derived.table["year"])) == list(zip(STATS["unit"], STATS["year"]))
    assert derived.table["core_stock"].dtype == "int64"       # plain counts stay whole numbers
    assert all(r.rejected == 0 for r in derived.reports.values())


def test_recomputed_with_pandas(case, derived):
    """A second, independent route: pandas over the same rows (stock: founded <= 31 Dec < closed)."""
    ent = ENTERPRISES.assign(founded=pd.to_datetime(ENTERPRISES["founded"]),
                             closed=pd.to_datetime(ENTERPRISES["closed"].replace("", None)))
    for year in YEARS:
        end = pd.Timestamp(year, 12, 31)
        alive = ent[(ent["founded"] <= end) & (ent["closed"].isna() | (ent["closed"] > end))]
        counts = alive.groupby("region").size()
        got = derived.table[derived.table["year"] == year].set_index("unit")["all_stock"]
        assert got.to_dict() == {u: int(counts.get(u, 0)) for u in (TX, NH)}


def test_without_a_statistics_table(case, tmp_path):
    with pytest.raises(InputError, match="statistics table is needed"):
        derive(case["framework"], case["registries"], years=[2019, 2020])
    counts = tmp_path / "counts.yaml"
    counts.write_text("id: counts\ntree:\n  id: root\n  children:\n"
                      "    - {id: platforms_cum, derive: {source: platforms, measure: count, "
                      "window: cumulative}}\n", encoding="utf-8")
    table = derive(counts, {"platforms": case["registries"]["platforms"]}, years=[2019, 2020])
    assert table.to_dict("records") == [
        {"unit": NH, "year": 2019, "platforms_cum": 0}, {"unit": NH, "year": 2020, "platforms_cum": 1},
        {"unit": TX, "year": 2019, "platforms_cum": 2}, {"unit": TX, "year": 2020, "platforms_cum": 2}]


def test_write_derived(case, tmp_path):
    out = tmp_path / "derived.csv"
    result = write_derived(case["framework"], case["registries"], out, stats_table=STATS)
    table = pd.read_csv(out, dtype={"unit": str})
    assert list(table.columns) == ["unit", "year", *EXPECTED]
    assert table.loc[(table["unit"] == TX) & (table["year"] == 2018), "cloud_share"].item() == 66.666667
    summary = (tmp_path / "derived_validation.json").read_text(encoding="utf-8")
    assert '"accepted": 6' in summary and result.engine == "duckdb"
    assert not (tmp_path / "derived_rejected").exists()  # nothing rejected


def test_missing_registry_and_stats_columns(case):
    regs = dict(case["registries"])
    del regs["platforms"]
    with pytest.raises(InputError, match="registry 'platforms'"):
        derive(case["framework"], regs, STATS)
    with pytest.raises(InputError, match="no column"):
        derive(case["framework"], case["registries"], STATS.drop(columns="population"))
    with pytest.raises(InputError, match="not county-level"):
        derive(case["framework"], case["registries"], STATS[STATS["unit"] == TX].assign(unit="3304"))


def test_trusted_registries_give_the_same_table(case, derived, tmp_path):
    trusted = derive_with_reports(case["framework"], case["registries"], STATS, digits=None, validate=False)
    pd.testing.assert_frame_equal(trusted.table, derived.table)
    # unknown region codes and revenue of unknown enterprises are counted, not dropped silently
    regs = dict(case["registries"])
    PLATFORMS.assign(region=["330483", "339999", "330402"]).to_csv(tmp_path / "p.csv", index=False)
    pd.concat([REVENUE, pd.DataFrame({"credit_code": ["91330483MA2B0000X0"], "year": [2019],
                                      "revenue": [5]})]).to_parquet(tmp_path / "r.parquet", index=False)
    regs.update(platforms=tmp_path / "p.csv", software_revenue=tmp_path / "r.parquet")
    reports = derive_with_reports(case["framework"], regs, STATS, validate=False).reports
    assert reports["platforms"].reasons == {"unknown_region": 1} and reports["platforms"].accepted == 2
    assert reports["software_revenue"].reasons == {"unknown_enterprise": 1}
    assert reports["software_revenue"].input_rows == 7 and reports["software_revenue"].accepted == 6
