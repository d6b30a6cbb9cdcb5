"""The built-in zhejiang framework and the SYNTHETIC demonstration data generator."""
from __future__ import annotations

import hashlib
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scipy.stats import kurtosis, skew

import digindex
from digindex.demo import DEFAULT_SEED, INDICATOR_ORDER, MICRO_INDICATORS, generate
from digindex.errors import InputError
from digindex.frameworks import builtin_framework_path
from digindex.regions import registry

ASPECTS = {"infra": "基础设施", "dig_ind": "数字产业化", "ind_dig": "产业数字化",
           "new_forms": "新业态新模式", "gov_soc": "政府和社会数字化"}
QUOTED = ["ftth_share", "broadband_speed", "base_station_density", "users_5g", "core_rd_intensity",
          "core_va_gdp_share", "it_staff_share", "digital_tech_ent_share", "ecommerce_sales_pc",
          "online_retail_share", "mobile_payments_pc"]
SAATY_RI = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32}
YEARS = list(range(2017, 2023))


# --- the built-in framework ------------------------------------------------------------------

@pytest.fixture(scope="module")
def fw():
    return digindex.load_framework(builtin_framework_path("zhejiang"))


def test_builtin_path():
    assert builtin_framework_path("zhejiang").name == "zhejiang.yaml"
    assert builtin_framework_path("zhejiang", "xlsx").is_file()
    with pytest.raises(InputError, match="no built-in framework"):
        builtin_framework_path("beijing")


def test_labelled_modelled_on(fw):
    assert "modelled on" in fw.name["en"].lower() and "参照" in fw.name["zh"]
    text = builtin_framework_path("zhejiang").read_text(encoding="utf-8")
    assert "浙江省数字经济发展综合评价办法（试行）" in text
    assert "NOT the official" in text


def test_tree(fw):
    assert fw.tree.id == "zj_dei"
    assert {c.id: c.name["zh"] for c in fw.tree.children} == ASPECTS
    assert 20 <= len(fw.indicators) <= 30
    ids = fw.indicator_ids
    assert set(QUOTED) <= set(ids) and set(MICRO_INDICATORS) <= set(ids)
    for node in fw.indicators:
        assert node.name.get("en") and node.name.get("zh"), node.id
        assert node.unit, node.id
        assert node.extra["definition"].get("en") and node.extra["definition"].get("zh"), node.id
        assert node.extra["source"], node.id
    assert fw.nodes["business_setup_days"].direction == -1


def test_methods(fw):
    norm = fw.defaults["normalise"]
    assert norm.name == "efficacy"
    assert norm.params == {"range": [60, 100], "thresholds": "data", "bounds": "pooled", "clip": True}
    assert fw.tree.weights.name == "ahp"
    for aspect in fw.tree.children:
        w = aspect.weights
        assert w.name == "combined"
        assert w.params == {"a": {"method": "manual"}, "b": {"method": "entropy"},
                            "mode": "linear", "alpha": 0.5}


def test_ahp_consistency_ratio(fw):
    A = np.array([[float(Fraction(str(v))) for v in row] for row in fw.tree.weights.params["matrix"]])
    n = len(A)
    assert A.shape == (5, 5) and n == len(fw.tree.children)
    assert np.allclose(A * A.T, 1) and np.allclose(np.diag(A), 1)
    lam = float(np.max(np.linalg.eigvals(A).real))
    cr = (lam - n) / (n - 1) / SAATY_RI[n]
    assert 0 <= cr < 0.1


def test_tiers_key(fw):
    tiers = fw.extra["tiers"]
    assert tiers["by"] in ("quantile", "score") and tiers["node"] == fw.tree.id
    assert len(tiers["labels"]) == len(tiers["cuts"]) + 1
    assert all(set(label) == {"zh", "en"} for label in tiers["labels"])
    assert tiers["cuts"] == sorted(tiers["cuts"])


def test_workbook_matches_yaml(fw):
    xlsx = builtin_framework_path("zhejiang", "xlsx")
    book = digindex.load_framework(xlsx)
    assert book.id == fw.id and book.name == fw.name
    assert book.defaults == fw.defaults
    assert book.data_columns == fw.data_columns
    assert book.extra["tiers"] == fw.extra["tiers"]
    assert [n.id for n in book.tree.walk()] == [n.id for n in fw.tree.walk()]
    assert book.parent_of == fw.parent_of
    for node in fw.tree.walk():
        other = book.nodes[node.id]
        for attr in ("name", "weight", "unit", "direction", "normalise", "weights", "aggregate"):
            assert getattr(other, attr) == getattr(node, attr), (node.id, attr)
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str)
    dictionary = sheets["指标说明 dictionary"]
    assert list(dictionary["id"]) == fw.indicator_ids
    for col in ("name_zh", "name_en", "unit", "definition_zh", "definition_en", "source_zh",
                "source_en"):
        assert dictionary[col].notna().all(), col


# --- the demonstration data --------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_a")
    start = time.perf_counter()
    paths = generate(out, seed=DEFAULT_SEED)
    return {"paths": paths, "seconds": time.perf_counter() - start, "dir": out}


@pytest.fixture(scope="module")
def counties(demo):
    return pd.read_csv(demo["paths"]["counties_csv"], dtype={"unit": str, "parent": str})


@pytest.fixture(scope="module")
def cities(demo):
    return pd.read_csv(demo["paths"]["cities_csv"], dtype={"unit": str, "parent": str})


@pytest.fixture(scope="module")
def registries(demo):
    return {k: pd.read_parquet(demo["paths"][k])
            for k in ("enterprises", "software_revenue", "projects", "platforms")}


def _digest(paths: dict) -> dict:
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}


def test_same_seed_same_bytes(demo, tmp_path):
    again = generate(tmp_path / "demo_b", seed=DEFAULT_SEED)
    assert _digest(again) == _digest(demo["paths"])


def test_synthetic_labels(demo):
    paths = demo["paths"]
    for name, path in paths.items():
        if name in ("regions", "manifest"):
            continue
        assert "SYNTHETIC" in path.name, path
        if path.suffix == ".parquet":
            meta = pq.read_schema(path).metadata
            assert b"SYNTHETIC" in meta[b"digindex.synthetic"]
    assert "SYNTHETIC" in paths["readme"].read_text(encoding="utf-8")
    assert "SYNTHETIC" in paths["manifest"].read_text(encoding="utf-8")


def test_indicator_tables(counties, cities, fw):
    reg = registry()
    expected = ["unit", "name", "parent", "year", *fw.indicator_ids, *fw.data_columns]
    assert list(counties.columns) == expected and list(cities.columns) == expected
    assert list(INDICATOR_ORDER) == fw.indicator_ids
    assert len(counties) == 90 * 6 and len(cities) == 11 * 6
    assert sorted(counties["year"].unique()) == YEARS
    for table, level in ((counties, "county"), (cities, "prefecture")):
        units = {r.code for r in reg.descendants("33", level=level)}
        assert set(table["unit"]) == units
        for row in table.drop_duplicates("unit").itertuples():
            assert reg[row.unit].name == row.name and reg[row.unit].parent == row.parent
    tong = counties[(counties["unit"] == "330483") & (counties["year"] == 2019)].iloc[0]
    assert tong["name"] == "桐乡市" and tong["parent"] == "3304"


def test_city_denominators_are_county_sums(counties, cities):
    sums = counties.groupby(["parent", "year"])[["population", "industrial_enterprises", "enterprises"]].sum()
    mine = cities.set_index(["unit", "year"])[["population", "industrial_enterprises", "enterprises"]]
    mine.index.names = ["parent", "year"]
    pd.testing.assert_frame_equal(sums.sort_index(), mine.sort_index(), check_dtype=False)


def test_a_few_values_missing(counties):
    cells = counties[list(INDICATOR_ORDER)]
    share = cells.isna().to_numpy().mean()
    assert 0 < share < 0.02
    early = counties[(counties["unit"] == "330383") & (counties["year"] < 2019)]
    assert early["ftth_share"].isna().all()  # 龙港市 was created in 2019


def test_structure(counties):
    latest = counties[counties["year"] == 2022]
    z = latest[list(INDICATOR_ORDER)].rank(pct=True)
    z["business_setup_days"] = 1 - z["business_setup_days"]  # lower is better
    order = latest.assign(level=z.mean(axis=1)).sort_values("level", ascending=False)
    top, bottom = order["unit"].head(8).tolist(), order["unit"].tail(10).tolist()
    central = {"330102", "330105", "330106", "330108", "330110", "330203", "330205", "330212"}
    assert len(central & set(top)) >= 5
    assert sum(u.startswith(("3311", "3308")) for u in bottom) >= 6
    means = counties.groupby("year")[["ftth_share", "broadband_speed", "cloud_ent_rate"]].mean()
    assert (means.diff().dropna() > 0).all().all()  # values grow
    assert (counties.loc[counties["year"] <= 2018, "users_5g"].dropna() == 0).all()


def test_skewed_indicators(counties):
    for year in YEARS:
        x = counties[counties["year"] == year]
        flagged = [c for c in INDICATOR_ORDER
                   if abs(skew(x[c].dropna())) >= 2 and kurtosis(x[c].dropna(), fisher=False) >= 3.5]
        assert 1 <= len(flagged) <= 4, (year, flagged)
        assert "express_parcels_pc" in flagged


def test_evaluates_with_the_framework(demo, fw):
    panel = digindex.load_data([demo["paths"]["counties_csv"]], framework=fw,
                               regions=demo["paths"]["regions"])
    result = digindex.evaluate(fw, panel)
    tidy = result.results()
    total = tidy[tidy["node"] == fw.tree.id]
    assert total["score"].between(60, 100).all()
    aspects = tidy[tidy["node"].isin(ASPECTS)].pivot_table(index=["unit", "year"], columns="node",
                                                          values="score")
    corr = aspects.corr().to_numpy()
    assert (corr[np.triu_indices(5, 1)] > 0.2).all()  # aspects positively correlated


# --- micro-data -----------------------------------------------------------------------------------

def test_registry_sizes(registries):
    assert 290_000 <= len(registries["enterprises"]) <= 310_000
    assert 36_000 <= len(registries["projects"]) <= 44_000
    assert 100 <= len(registries["platforms"]) <= 1000
    assert set(registries["projects"]["type"]) == {"intelligent_transformation",
                                                   "digital_economy_investment"}
    assert set(registries["platforms"]["level"]) == {"provincial", "national"}
    assert registries["projects"]["project_id"].is_unique
    assert (registries["projects"]["completed_investment"]
            <= registries["projects"]["planned_investment"]).all()


CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _ascii(codes: pd.Series, width: int) -> np.ndarray:
    return codes.to_numpy().astype(f"S{width}").view(np.uint8).reshape(-1, width)


def _gb32100_ok(codes: pd.Series) -> np.ndarray:
    """Check character of GB 32100-2015, vectorised: weights 3^(i-1) mod 31."""
    table = np.full(256, -999, dtype=np.int64)
    table[np.frombuffer(CHARSET.encode(), np.uint8)] = np.arange(31)
    vals = table[_ascii(codes, 18)]
    weights = np.array([3 ** i % 31 for i in range(17)])
    check = (31 - (vals[:, :17] * weights).sum(1) % 31) % 31
    return (vals >= 0).all(1) & (check == vals[:, 17])


def _gb11714_ok(codes: pd.Series) -> np.ndarray:
    """Check character of the embedded organisation code (GB 11714): A = 10 ... Z = 35."""
    org = _ascii(codes.str[8:17], 9).astype(np.int64)
    vals = np.where(org[:, :8] <= ord("9"), org[:, :8] - ord("0"), org[:, :8] - 55)
    c9 = 11 - (vals * np.array([3, 7, 9, 10, 5, 8, 4, 2])).sum(1) % 11
    expected = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + ord("0")))
    return expected == org[:, 8]


def test_credit_codes(registries):
    ent = registries["enterprises"]
    codes = ent["credit_code"]
    assert codes.is_unique and (codes.str.len() == 18).all()
    assert _gb32100_ok(codes).all()
    assert _gb11714_ok(codes).all()
    assert (codes.str[2:8] == ent["county"]).all()
    assert not _gb32100_ok(pd.Series(["91330483MA2BXXXXX1"])).any()


def test_enterprise_fields(registries):
    ent = registries["enterprises"]
    assert set(ent["nbs_class"]) == {"01", "02", "03", "04", "05"}
    assert set(ent["status"]) == {"active", "deregistered", "revoked"}
    assert (ent["closed"].isna() == (ent["status"] == "active")).all()
    assert (ent["cloud_year"].isna() == ~ent["cloud"]).all()
    founded_year = pd.to_datetime(ent["founded"]).dt.year
    assert (ent.loc[ent["cloud"], "cloud_year"] >= founded_year[ent["cloud"]]).all()


def _active(ent: pd.DataFrame, year: int) -> pd.Series:
    end = pd.Timestamp(year, 12, 31)
    founded, closed = pd.to_datetime(ent["founded"]), pd.to_datetime(ent["closed"])
    return (founded <= end) & (closed.isna() | (closed > end))


def _recompute(regs: dict, base: pd.DataFrame, unit_of) -> pd.DataFrame:
    """The micro-data indicators recomputed with pandas from the registries."""
    ent = regs["enterprises"].assign(unit=lambda d: unit_of(d["county"]))
    proj = regs["projects"].assign(unit=lambda d: unit_of(d["county"]))
    plat = regs["platforms"].assign(unit=lambda d: unit_of(d["county"]))
    rev = regs["software_revenue"].merge(ent[["credit_code", "unit"]], on="credit_code")
    revenue = rev.groupby(["unit", "year"])["revenue"].sum()
    rows = []
    for year in YEARS:
        act = ent[_active(ent, year)]
        n_all = act.groupby("unit").size()
        n_core = act[act["nbs_class"] != "05"].groupby("unit").size()
        n_cloud = act[act["cloud_year"] <= year].groupby("unit").size()
        p = proj[proj["year"] == year]
        n_it = p[p["type"] == "intelligent_transformation"].groupby("unit").size()
        de = p[p["type"] == "digital_economy_investment"].groupby("unit")["planned_investment"].sum()
        n_plat = plat[plat["year_recognised"] <= year].groupby("unit").size()
        b = base[base["year"] == year].set_index("unit")
        for unit, row in b.iterrows():
            r_now, r_old = revenue.get((unit, year), np.nan), revenue.get((unit, year - 3), np.nan)
            rows.append({
                "unit": unit, "year": year,
                "core_ent_density": 1e4 * n_core.get(unit, 0) / row["population"],
                "software_rev_cagr": 100 * ((r_now / r_old) ** (1 / 3) - 1) if r_old > 0 else np.nan,
                "digital_inv_pc": de.get(unit, 0) * 1e4 / row["population"],
                "cloud_ent_rate": 100 * n_cloud.get(unit, 0) / n_all.get(unit, np.nan),
                "smart_transform_rate": 100 * n_it.get(unit, 0) / row["industrial_enterprises"],
                "iiot_platforms": n_plat.get(unit, 0),
                "enterprises": n_all.get(unit, 0),
            })
    return pd.DataFrame(rows)


@pytest.mark.parametrize("population", ["counties", "cities"])
def test_micro_indicators_match_pandas(population, counties, cities, registries):
    table = counties if population == "counties" else cities
    unit_of = (lambda s: s) if population == "counties" else (lambda s: s.str[:4])
    expected = _recompute(registries, table, unit_of).set_index(["unit", "year"]).sort_index()
    got = table.set_index(["unit", "year"]).sort_index()
    for col in [*MICRO_INDICATORS, "enterprises"]:
        np.testing.assert_allclose(got[col].to_numpy(float), expected[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-6, err_msg=col)
    assert got["software_rev_cagr"].notna().mean() > 0.95
