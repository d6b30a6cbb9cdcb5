"""ASEM (COINr's running example): importer, and COINr's example pipeline reproduced.

Three independent checks of ``examples/asem``:

1. COINr's published figures. Vignette "results" (COINr 1.1, bluefoxr/COINr articles/results.md)
   prints ``get_results(build_example_coin(), dset = "Aggregated")``: the top six units with
   every aggregate score, and ``get_unit_summary(coin, usel = "IND")`` with scores and ranks.
   Vignette "treat" (articles/treat.md) prints skew/kurtosis of the raw indicators and the
   result of winsorising and of log_CT on Flights and Goods.
2. A recomputation in this file with plain numpy/pandas/scipy following COINr's documented
   steps (R/examples.R ``build_example_coin``; R/treat.R ``winsorise``, ``log_CT``,
   ``check_SkewKurt``; skew/kurtosis = scipy with bias=False, COINr's e1071 type 2).
3. The bundled example files are exactly what build.py makes from COINr's tables.
"""
from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from conftest import EXAMPLES
from digindex import evaluate, load_data, load_framework
from digindex.framework.keys import with_key
from digindex.importers.coinr import import_coinr, read_idata, read_imeta

# COINr vignette "results": get_results(coin, dset = "Aggregated", tab_type = "Aggs"), head(6)
COINR_TOP6 = {  # uCode: the scores of COLUMNS below, in that order
    "CHE": (68.38, 62.79, 73.98, 63.41, 32.87, 74.78, 85.94, 56.93, 77.21, 87.85, 56.88),
    "NLD": (64.82, 61.94, 67.70, 64.87, 46.62, 84.55, 71.74, 41.92, 58.73, 86.58, 57.78),
    "DNK": (64.80, 57.10, 72.51, 50.52, 30.43, 78.13, 75.35, 51.04, 69.83, 86.40, 61.29),
    "NOR": (64.47, 57.44, 71.50, 58.18, 25.70, 80.03, 89.46, 33.80, 70.90, 87.00, 56.59),
    "BEL": (63.54, 63.99, 63.09, 71.97, 48.22, 80.84, 75.60, 43.32, 53.01, 86.17, 50.09),
    "SWE": (63.00, 53.87, 72.12, 51.51, 23.87, 80.98, 74.51, 38.50, 66.37, 87.74, 62.27),
}
COLUMNS = ("Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ",
           "Social", "SusEcFin")
# COINr vignette "results": get_unit_summary(coin, usel = "IND", Levels = c(4, 3, 2))
COINR_IND = {"Index": (39.79, 45), "Conn": (28.60, 44), "Sust": (50.99, 43), "Physical": (18.78, 48),
             "ConEcFin": (6.38, 49), "Political": (51.90, 33), "Instit": (59.84, 37), "P2P": (6.07, 47),
             "Environ": (75.34, 6), "Social": (22.74, 51), "SusEcFin": (54.88, 36)}
# COINr vignette "treat": Treat(coin, dset = "Raw") Dets_Table (skew, kurtosis of the raw data)
COINR_RAW_SKEW_KURT = {
    "LPI": (-0.3042681, -0.6567514), "Flights": (2.1032872, 4.5088794), "Ship": (-0.5756680, -0.6814795),
    "Bord": (2.1482360, 5.7914905), "Elec": (2.2252736, 5.7910268), "Gas": (2.8294486, 10.3346494),
    "ConSpeed": (0.4622037, 0.1873214), "Cov4G": (-1.3725191, 0.5419314),
    "Goods": (2.6499733, 8.2666095), "Services": (1.7010849, 2.3756557)}


@pytest.fixture(scope="module")
def asem():
    fw = load_framework(EXAMPLES / "asem" / "framework.yaml")
    return evaluate(fw, load_data(EXAMPLES / "asem" / "data.csv", framework=fw))


@pytest.fixture(scope="module")
def tables(validation):
    src = validation / "asem"
    return pd.read_csv(src / "ASEM_iData.csv"), pd.read_csv(src / "ASEM_iMeta.csv")


# ---- 1. COINr's published results ----------------------------------------------------------

def test_top_six_match_coinr_results_vignette(asem):
    scores = asem.scores_table().set_index("unit")
    assert asem.top(6)["unit"].tolist() == list(COINR_TOP6)
    for unit, expected in COINR_TOP6.items():
        ours = scores.loc[unit, list(COLUMNS)].to_numpy(float)
        np.testing.assert_allclose(ours, expected, atol=0.005 + 1e-9, err_msg=unit)


def test_india_summary_matches_coinr(asem):
    scores = asem.scores_table().set_index("unit")
    ranks = asem.ranks_table().set_index("unit")
    for node, (score, rank) in COINR_IND.items():
        assert scores.loc["IND", node] == pytest.approx(score, abs=0.005 + 1e-9), node
        assert ranks.loc["IND", node] == rank, node
    assert len(scores) == 51  # India ranks 51st on Social: COINr's screening dropped nobody


def test_raw_skew_kurtosis_and_log_match_coinr_treat_vignette(tables):
    from digindex.methods.treat.outliers import kurt, log_ct, skew, winsorise_points

    data, _ = tables
    for code, (s, k) in COINR_RAW_SKEW_KURT.items():
        x = data[code].to_numpy(float)
        assert skew(x) == pytest.approx(s, abs=5e-7) and kurt(x) == pytest.approx(k, abs=5e-7), code
    # winmax = 1: Flights passes after one point (1.900658, 3.336065), Goods does not (2.469910,
    # 7.087309) and is log-transformed (0.03104001, -0.8888965); Flights logged: -0.09502644, -0.8305217
    w, *_ = winsorise_points(data["Flights"].to_numpy(float), 1, 2, 3.5)
    assert (skew(w), kurt(w)) == pytest.approx((1.900658, 3.336065), abs=5e-7)
    goods = data["Goods"].to_numpy(float)
    w, *_ = winsorise_points(goods, 1, 2, 3.5)
    assert (skew(w), kurt(w)) == pytest.approx((2.469910, 7.087309), abs=5e-7)
    w, *_ = winsorise_points(goods, 5, 2, 3.5)
    assert (skew(w), kurt(w)) == pytest.approx((1.140608, 0.1572047), abs=5e-7)  # Treat(df1): nwin 2
    lg, _ = log_ct(goods)
    assert (skew(lg), kurt(lg)) == pytest.approx((0.03104001, -0.8888965), abs=5e-8)
    lf, _ = log_ct(data["Flights"].to_numpy(float))
    assert (skew(lf), kurt(lf)) == pytest.approx((-0.09502644, -0.8305217), abs=5e-8)


# ---- 2. an independent recomputation of COINr's example pipeline --------------------------

def coinr_pipeline(data: pd.DataFrame, meta: pd.DataFrame):
    """Plain pandas/numpy/scipy, following build_example_coin(); returns (scores, treatment)."""
    ind = meta[meta.Type == "Indicator"]
    x = data[ind.iCode].astype(float).copy()
    for code, den in zip(ind.iCode, ind.Denominator):            # 1. Denominate
        if isinstance(den, str):
            x[code] = x[code] / data[den]
    for code in x:                                                # 2. i_mean_grp(EurAsia_group)
        x[code] = x[code].fillna(x.groupby(data.EurAsia_group)[code].transform("mean"))
    keep = x.notna().mean(axis=1) >= 0.9                          # 3. Screen(dset = "Imputed", 0.9)
    x, units = x[keep], data.uCode[keep]
    fails = lambda v: abs(st.skew(v, bias=False)) >= 2 and st.kurtosis(v, bias=False) >= 3.5  # noqa: E731
    treatment = {}
    for code in x:                                                # 4. Treat (defaults)
        v = x[code].to_numpy(float).copy()
        if not fails(v):
            continue
        moved, w = np.zeros(len(v), bool), v.copy()
        while fails(w) and moved.sum() < 5:                      # one extreme at a time, re-test
            hi = st.skew(w, bias=False) >= 0
            at = w == (w.max() if hi else w.min())
            w[at] = w[~at].max() if hi else w[~at].min()
            moved |= at
        n = int(moved.sum())
        if fails(w):
            w = np.log(v - v.min() + 0.01 * (v.max() - v.min()))
            n = "log"
        x[code], treatment[code] = w, n
    d = dict(zip(ind.iCode, ind.Direction))                       # 5. n_minmax to [0, 100]
    norm = x.apply(lambda c: 100 * (c - c.min()) / (c.max() - c.min()) if d[c.name] == 1
                   else 100 * (c.max() - c) / (c.max() - c.min()))
    scores = norm.copy()                                          # 6. a_amean, level by level
    for level in (2, 3, 4):
        for r in meta[meta.Level == level].itertuples():
            kids = meta.iCode[meta.Parent == r.iCode]
            scores[r.iCode] = scores[list(kids)].mean(axis=1)
    scores.index = units
    return scores, treatment


def test_pipeline_matches_independent_recomputation(asem, tables):
    data, meta = tables
    expected, treatment = coinr_pipeline(data, meta)
    ours = asem.scores_table().set_index("unit")
    assert list(ours.index) == list(expected.index)
    nodes = [c for c in expected.columns]
    np.testing.assert_allclose(ours[nodes].to_numpy(float), expected[nodes].to_numpy(float),
                               rtol=0, atol=1e-9)
    # the treated indicators and the number of winsorised points of each
    log = asem.log_table()
    summary = log[(log.stage == "treat") & log.unit.isna() & (log.detail_action != "passes")]
    got = {r.node: (int(r.detail_points) if r.detail_action == "winsorised" else "log")
           for r in summary.itertuples()}
    assert got == treatment
    assert got == {"Flights": 1, "Bord": 3, "Gas": 3, "Services": 4, "FDI": 2, "ForPort": 3,
                   "CostImpEx": 1, "Tariff": 3, "StMob": 2, "CultServ": 3, "Forest": 2, "Poverty": 3,
                   "NGOs": 3, "FemLab": 1, "PubDebt": 1}
    assert sum(got.values()) == 35
    points = log[(log.stage == "treat") & log.unit.notna()]
    assert len(points) == 35 and set(points.node) == set(got)


def test_imputation_and_screening_are_logged(asem, tables):
    data, meta = tables
    log = asem.log_table()
    imputed = log[(log.stage == "impute") & log.detail_value.notna()]
    # 63 missing indicator values in iData, plus Elec and Gas of LAO whose Energy is missing
    assert len(imputed) == int(data[meta.iCode[meta.Type == "Indicator"]].isna().sum().sum()) + 2 == 65
    lao = imputed[(imputed.unit == "LAO") & (imputed.node == "Elec")].iloc[0]
    assert lao.detail_source == "mean of 20 values (EurAsia_group=Asia, year 2018)"
    screen = log[log.stage == "screen"]
    assert len(screen) == 1 and "dropped 0 rows" in screen.message.iloc[0]
    # screening before imputation instead (the Handbook order) drops the five sparsest Asian units
    fw = load_framework(EXAMPLES / "asem" / "framework.yaml")
    early = asem.rerun_with(with_key(fw, "screen", {"min_coverage": 0.9}))
    assert sorted(set(asem.panel.units) - set(early.panel.units)) == ["BGD", "BRN", "KHM", "LAO", "MMR"]


# ---- 3. the importer and the bundled files ----------------------------------------------------

def test_importer_builds_the_framework(validation):
    src = validation / "asem"
    fw, table = import_coinr(src / "ASEM_iMeta.csv", src / "ASEM_iData.csv", "asem")
    assert fw["data_columns"] == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group", "Area",
                                  "Energy", "GDP", "Population"]
    tree = fw["tree"]
    assert tree["id"] == "Index" and [c["id"] for c in tree["children"]] == ["Conn", "Sust"]
    pillars = [p for s in tree["children"] for p in s["children"]]
    leaves = [i for p in pillars for i in p["children"]]
    assert len(pillars) == 8 and len(leaves) == 49
    by_id = {i["id"]: i for i in leaves}
    assert by_id["Flights"]["denominator"] == "Population" and by_id["CostImpEx"]["direction"] == -1
    assert by_id["Elec"]["denominator"] == {"column": "Energy", "on_missing": "missing"}  # LAO has no Energy
    assert by_id["LPI"] == {"id": "LPI", "name": "Logistics Performance Index", "unit": "Score 1-5",
                            "target": 4.11803135}
    assert list(table.columns[:4]) == ["unit", "year", "name", "GDP_group"]


def test_bundled_example_is_what_build_makes(tmp_path, validation, monkeypatch):
    spec = importlib.util.spec_from_file_location("asem_build", EXAMPLES / "asem" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.build(validation / "asem")
    for name in ("framework.yaml", "data.csv"):
        assert (tmp_path / name).read_text() == (EXAMPLES / "asem" / name).read_text(), name
    # the data values are iData's cells unchanged (full precision text)
    ours = pd.read_csv(EXAMPLES / "asem" / "data.csv", dtype=str, keep_default_na=False)
    theirs = pd.read_csv(validation / "asem" / "ASEM_iData.csv", dtype=str, keep_default_na=False)
    assert (ours["LPI"] == theirs["LPI"]).all() and (ours["unit"] == theirs["uCode"]).all()


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.replace('1,"LPI"', '1,"Flights"', 1), "duplicate iCode 'Flights'"),
    (lambda m: m.replace('"Physical","Indicator"', '"Nowhere","Indicator"', 1),
     "Parent 'Nowhere' of 'LPI' is not an Aggregate row"),
    (lambda m: m.replace('Performance Index",1,1', 'Performance Index",2,1'), "Direction must be 1 or -1"),
    (lambda m: m.replace('Performance Index",1,1', 'Performance Index",1,0'), "Weight must be a number > 0"),
    (lambda m: m.replace('"Indicator"', '"Indicatr"', 1), "unknown Type 'Indicatr'"),
    (lambda m: m.replace('"Population","Physical"', '"Pop","Physical"', 1), "Denominator 'Pop' of 'Flights'"),
])
def test_importer_errors_name_the_row(write, validation, edit, message):
    from digindex import InputError

    text = (validation / "asem" / "ASEM_iMeta.csv").read_text()
    bad = write("iMeta.csv", edit(text))
    with pytest.raises(InputError, match=message) as err:
        read_imeta(bad)
    assert err.value.problems[0].row is not None and err.value.problems[0].file.endswith("iMeta.csv")


def test_importer_refuses_unknown_idata_columns(write, validation):
    from digindex import InputError

    meta = read_imeta(validation / "asem" / "ASEM_iMeta.csv")
    text = (validation / "asem" / "ASEM_iData.csv").read_text().replace('"Time"', '"When"', 1)
    with pytest.raises(InputError, match="columns not in iMeta: When"):
        read_idata(write("iData.csv", text), meta)


def test_write_coinr_import_makes_a_runnable_example(tmp_path, validation):
    from digindex.importers import write_coinr_import

    src = validation / "asem"
    fw_path, data_path = write_coinr_import(src / "ASEM_iMeta.csv", src / "ASEM_iData.csv", tmp_path)
    fw = load_framework(fw_path)
    assert fw.id == "asem" and len(fw.indicator_ids) == 49 and fw.defaults["impute"].name == "none"
    result = evaluate(fw, load_data(data_path, framework=fw))
    assert len(result.panel.units) == 51
    # without imputation, LAO's Elec and Gas (no Energy denominator) stay missing, and are logged
    assert np.isnan(result.stage("denominated").set_index("unit").loc["LAO", ["Elec", "Gas"]]).all()
