"""Denomination (per capita, per area ...) and screening of units by data availability."""
from __future__ import annotations

import numpy as np
import pytest

from digindex import InputError, evaluate, load_data, load_framework

FRAMEWORK = """
id: t
normalise: {method: minmax, scale: [0, 100]}
tree:
  id: root
  children:
    - {id: gdp, denominator: pop, factor: 10000}
    - {id: area_share, denominator: {column: area}}
    - {id: score}
"""
DATA = """unit,year,pop,area,gdp,area_share,score
a,2020,200,10,50,5,1
b,2020,400,20,60,4,2
c,2020,100,40,40,8,3
"""


def run(write, framework=FRAMEWORK, data=DATA, name="fw.yaml"):
    fw = load_framework(write(name, framework))
    return evaluate(fw, load_data(write("d.csv", data), framework=fw))


def test_denominator_and_factor(write):
    result = run(write)
    den = result.stage("denominated").set_index("unit")
    # gdp per 10k residents: 50 / 200 · 10000 = 2500; 60 / 400 · 10000 = 1500; 40 / 100 · 10000 = 4000
    assert den["gdp"].tolist() == [2500, 1500, 4000]
    # area_share / area: 5/10 = 0.5, 4/20 = 0.2, 8/40 = 0.2
    assert den["area_share"].tolist() == [0.5, 0.2, 0.2]
    assert den["score"].tolist() == [1, 2, 3]
    assert result.stage("raw")["gdp"].tolist() == [50, 60, 40]
    assert list(result.stages)[:3] == ["raw", "denominated", "transformed"]
    # normalised from the denominated values: (2500 - 1500)/(4000 - 1500) = 40
    assert result.stage("normalised")["gdp"].tolist() == [40, 0, 100]
    log = result.log_table()
    assert log[log.stage == "denominate"].message.tolist() == ["divided by 'pop', times 10000",
                                                              "divided by 'area'"]


def test_denominate_before_transform(write):
    fw = FRAMEWORK.replace("{id: gdp, denominator: pop, factor: 10000}",
                           "{id: gdp, denominator: pop, factor: 10000, transform: ln}")
    result = run(write, fw)
    np.testing.assert_allclose(result.stage("transformed")["gdp"], np.log([2500, 1500, 4000]))


@pytest.mark.parametrize("cell, what", [("", "missing"), ("0", "zero")])
def test_missing_or_zero_denominator_is_an_error(write, cell, what):
    data = DATA.replace("b,2020,400,", f"b,2020,{cell},")
    with pytest.raises(InputError) as err:
        run(write, data=data)
    (problem,) = err.value.problems
    assert problem.message == (f"indicator 'gdp' needs denominator 'pop', which is {what} for unit 'b', "
                               "year 2020")
    assert problem.column == "pop" and problem.file.endswith("d.csv") and "on_missing" in problem.fix


def test_missing_denominator_without_a_value_is_fine(write):
    # b has no gdp value: its missing pop does not matter
    result = run(write, data=DATA.replace("b,2020,400,20,60", "b,2020,,20,"))
    assert np.isnan(result.stage("denominated")["gdp"].iloc[1])


def test_on_missing_missing_leaves_a_gap_for_imputation(write):
    fw = FRAMEWORK.replace("denominator: {column: area}", "denominator: {column: area, on_missing: missing}")
    fw = "impute: mean\n" + fw
    result = run(write, fw, DATA.replace("c,2020,100,40,", "c,2020,100,,"))
    assert np.isnan(result.stage("denominated")["area_share"].iloc[2])
    assert result.stage("imputed")["area_share"].iloc[2] == pytest.approx(0.35)  # mean(0.5, 0.2)
    log = result.log_table()
    gap = log[(log.stage == "denominate") & (log.unit == "c")]
    assert gap.message.tolist() == ["denominator 'area' is missing; value left missing"]


def test_denominator_columns_need_not_be_listed_but_must_exist(write):
    # pop and area are not in data_columns: the framework names them, so the data may have them
    assert run(write).panel.table["pop"].tolist() == [200, 400, 100]
    data = "\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != 2)
                     for line in DATA.splitlines())
    with pytest.raises(InputError, match="denominator column 'pop' is not in the data"):
        run(write, data=data)


@pytest.mark.parametrize("bad, message", [
    ("{id: score, factor: 100}", "has a factor but no denominator"),
    ("{id: score, denominator: pop, factor: -1}", "factor a number > 0"),
    ("{id: score, denominator: {col: pop}}", "denominator must be a column name"),
])
def test_malformed_denominator_keys(write, bad, message):
    with pytest.raises(InputError, match=message):
        run(write, FRAMEWORK.replace("{id: score}", bad))


# ---- screening --------------------------------------------------------------------------

SCREEN_FW = """
id: s
screen: {min_coverage: 0.75}
impute: mean
normalise: {method: minmax, scale: [0, 100]}
tree:
  id: root
  children:
    - {id: i1}
    - {id: i2}
    - {id: i3}
    - {id: i4}
"""
# coverage per row: a 4/4, b 3/4 = 75 % (kept: not below), c 2/4 = 50 % (dropped), d 4/4;
# in 2021 c has 4/4 and b 1/4.
SCREEN_DATA = """unit,year,i1,i2,i3,i4
a,2020,1,2,3,4
b,2020,2,,4,5
c,2020,,9,,9
d,2020,4,5,6,7
a,2021,1,2,3,4
b,2021,,,4,
c,2021,9,9,9,9
d,2021,4,5,6,7
"""


def test_screening_drops_rows_from_every_stage_and_the_results(write):
    result = run(write, SCREEN_FW, SCREEN_DATA)
    kept = [("a", 2020), ("b", 2020), ("d", 2020), ("a", 2021), ("c", 2021), ("d", 2021)]
    assert list(zip(result.panel.units, result.panel.years)) == kept
    for name in result.stages:
        assert list(zip(result.stage(name).unit, result.stage(name).year)) == kept, name
    tidy = result.results()
    assert set(zip(tidy.unit, tidy.year)) == set(kept)
    ranks = result.ranks_table()
    assert sorted(ranks[ranks.year == 2020]["root"].tolist()) == [1, 2, 3]
    # the imputation means exclude dropped rows: b 2020 i2 = mean(2, 5) = 3.5
    assert result.stage("imputed").set_index(["unit", "year"]).loc[("b", 2020), "i2"] == 3.5
    log = result.log_table()
    dropped = log[(log.stage == "screen") & log.unit.notna()]
    assert list(zip(dropped.unit, dropped.year)) == [("c", 2020), ("b", 2021)]
    assert dropped.message.iloc[0] == "dropped: 50.0% of indicators present, below 75%"
    assert "kept 6 of 8 rows" in log[(log.stage == "screen") & log.unit.isna()].message.iloc[0]


def test_screening_after_imputation_as_coinr(write):
    # measured on the imputed data every cell is filled: nobody is dropped (COINr's example order)
    fw = SCREEN_FW.replace("{min_coverage: 0.75}", "{min_coverage: 0.75, after: impute}")
    result = run(write, fw, SCREEN_DATA)
    assert len(result.panel.units) == 8
    # with impute: none, coverage after imputation equals the raw coverage
    result = run(write, fw.replace("impute: mean", "impute: none"), SCREEN_DATA, "fw2.yaml")
    assert len(result.panel.units) == 6
    assert np.isnan(result.stage("imputed").set_index(["unit", "year"]).loc[("b", 2020), "i2"])


def test_screening_per_unit_and_forced_units(write):
    # per unit: b has (3 + 1) / 8 = 50 % -> all of b goes; c has (2 + 4) / 8 = 75 % -> kept
    fw = SCREEN_FW.replace("{min_coverage: 0.75}", "{min_coverage: 0.75, per: unit}")
    assert set(run(write, fw, SCREEN_DATA).panel.units) == {"a", "c", "d"}
    fw = SCREEN_FW.replace("{min_coverage: 0.75}",
                           "{min_coverage: 0.75, force_include: [c], force_exclude: [d]}")
    result = run(write, fw, SCREEN_DATA, "fw2.yaml")
    assert list(zip(result.panel.units, result.panel.years)) == [("a", 2020), ("b", 2020), ("c", 2020),
                                                                  ("a", 2021), ("c", 2021)]
    log = result.log_table()
    assert "forced out" in log[(log.stage == "screen") & (log.unit == "d")].message.iloc[0]


def test_indicator_screening(write):
    # i1 and i2 are present in 6 of 8 rows = 75 % < 80 %; i3 and i4 in 7 of 8: i1 and i2 are
    # screened out, never imputed, and aggregation skips them
    fw = SCREEN_FW.replace("{min_coverage: 0.75}", "{min_coverage: 0, indicator_min_coverage: 0.8}")
    result = run(write, fw, SCREEN_DATA)
    for name in ("imputed", "treated", "normalised"):
        assert result.stage(name)[["i1", "i2"]].isna().all().all(), name
    assert not result.stage("imputed")[["i3", "i4"]].isna().any().any()
    assert not np.isnan(result.scores["root"]).any()
    log = result.log_table()
    screened = log[(log.stage == "screen") & log.node.notna()]
    assert screened.node.tolist() == ["i1", "i2"]
    assert screened.message.iloc[0].startswith("indicator screened out: present in 75% of rows, below 80%")
    assert not ((log.stage == "impute") & log.node.isin(["i1", "i2"])).any()
    # unit coverage then counts the 2 remaining indicators: b 2021 has 1 of 2 = 50 %
    fw = fw.replace("min_coverage: 0,", "min_coverage: 0.6,")
    panel = run(write, fw, SCREEN_DATA, "fw2.yaml").panel
    assert set(zip(panel.units, panel.years)) == {("a", 2020), ("b", 2020), ("d", 2020), ("a", 2021),
                                                  ("c", 2021), ("d", 2021)}


def test_rerun_starts_from_all_rows(write):
    result = run(write, SCREEN_FW, SCREEN_DATA)
    again = result.rerun("normalise", {"method": "minmax", "scale": [1, 100]})
    assert list(again.panel.units) == list(result.panel.units)
    looser = result.rerun_with(load_framework(write("fw2.yaml", SCREEN_FW.replace("0.75", "0.25"))))
    assert len(looser.panel.units) == 8
    # the same cache serves both panels: stages are keyed by the rows they hold
    assert len(looser.stage("raw")) == 8 and len(result.stage("raw")) == 6


@pytest.mark.parametrize("screen, message", [
    ("{min_coverage: 1.5}", "min_coverage"),
    ("{min: 0.5}", "min"),
    ("{min_coverage: 0.5, after: treat}", "after"),
    ("[0.5]", "screen must be a number or a mapping"),
    ("{min_coverage: 0.5, force_include: [zz]}", "units not in the data: zz"),
    ("{min_coverage: 0.5, force_exclude: [a, b, c, d]}", "screening drops every unit"),
])
def test_bad_screen_settings(write, screen, message):
    with pytest.raises(InputError, match=message):
        run(write, SCREEN_FW.replace("{min_coverage: 0.75}", screen), SCREEN_DATA)


def test_screen_shorthand(write):
    result = run(write, SCREEN_FW.replace("{min_coverage: 0.75}", "0.75"), SCREEN_DATA)
    assert len(result.panel.units) == 6


def test_stage_cache_is_keyed_by_indicators_and_data(write):
    # one cache, three evaluations: a framework without 'score', and different data values
    fw = load_framework(write("fw.yaml", FRAMEWORK))
    cache: dict = {}
    full = evaluate(fw, load_data(write("d.csv", DATA), framework=fw), cache=cache)
    fw2 = load_framework(write("fw2.yaml", FRAMEWORK.replace("    - {id: score}\n", "")))
    fewer = evaluate(fw2, load_data(write("d2.csv", DATA.replace(",score", "").replace(",1\n", "\n")
                                          .replace(",2\n", "\n").replace(",3\n", "\n")), framework=fw2),
                     cache=cache)
    assert list(fewer.stage("denominated").columns) == ["unit", "year", "gdp", "area_share"]
    other = evaluate(fw, load_data(write("d3.csv", DATA.replace("a,2020,200", "a,2020,100")), framework=fw),
                     cache=cache)
    assert other.stage("denominated")["gdp"].iloc[0] == 5000 != full.stage("denominated")["gdp"].iloc[0]
