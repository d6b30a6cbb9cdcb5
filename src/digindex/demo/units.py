"""The 90 county-level units of Zhejiang with SYNTHETIC size and development attributes.

Codes, names, types and parents are real (from the region registry). Everything
else here is invented to give the demonstration data a realistic structure:

- a latent development level per county: a city effect, a type effect (districts
  above county-level cities above counties), a bonus for the central districts of
  Hangzhou and Ningbo and a penalty for mountainous counties (mostly Lishui and
  Quzhou), plus noise;
- resident population, land area, GDP and the number of industrial enterprises
  above designated size, per year, with province totals of the right magnitude
  (about 65 million residents, 105,500 km², GDP 7.8 trillion yuan in 2022).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..regions import registry

YEARS = tuple(range(2017, 2023))
PROVINCE = "33"

# Digital-economy development of each prefecture-level city relative to the province.
CITY_EFFECT = {"3301": 1.1, "3302": 0.6, "3303": 0.35, "3304": 0.5, "3305": 0.35, "3306": 0.35,
               "3307": 0.25, "3308": -0.3, "3309": 0.0, "3310": 0.1, "3311": -0.45}
TYPE_EFFECT = {"市辖区": 0.3, "县级市": 0.1, "县": -0.2, "自治县": -0.2}
# Central districts of Hangzhou and Ningbo (and Yuhang, home of large platform companies).
CORE_BONUS = {"330102": 0.9, "330105": 0.8, "330106": 1.0, "330108": 1.2, "330110": 0.8,
              "330203": 0.6, "330205": 0.5, "330212": 0.7}
# Mountainous counties, most of them in Lishui and Quzhou.
MOUNTAIN_PENALTY = {"331121": -0.3, "331122": -0.4, "331123": -0.6, "331124": -0.6,
                    "331125": -0.6, "331126": -0.7, "331127": -0.7, "331181": -0.5,
                    "330822": -0.5, "330824": -0.6, "330881": -0.3, "330803": -0.3,
                    "330127": -0.4, "330328": -0.5, "330329": -0.5, "330727": -0.5,
                    "331024": -0.3, "331023": -0.2, "331022": -0.2}
YIWU, TONGXIANG, LONGGANG = "330782", "330483", "330383"

POP_2022 = 65.8e6       # residents
AREA_TOTAL = 105_500.0  # km²
GDP_PC_2022 = 118_000.0  # yuan per resident
INDUSTRIAL_2022 = 55_000  # industrial enterprises above designated size


def counties(rng: np.random.Generator) -> pd.DataFrame:
    """One row per county: code, name, city, type and SYNTHETIC static attributes."""
    reg = registry()
    rows = [(r.code, r.name, r.parent, r.type) for r in reg.descendants(PROVINCE, level="county")]
    df = pd.DataFrame(rows, columns=["unit", "name", "city", "type"])
    n = len(df)
    dev = (df["city"].map(CITY_EFFECT).to_numpy() + df["type"].map(TYPE_EFFECT).to_numpy()
           + df["unit"].map(CORE_BONUS).fillna(0).to_numpy()
           + df["unit"].map(MOUNTAIN_PENALTY).fillna(0).to_numpy() + rng.normal(0, 0.2, n))
    df["dev"] = (dev - dev.mean()) / dev.std()
    df["mountain"] = df["unit"].isin(list(MOUNTAIN_PENALTY))

    is_district = (df["type"] == "市辖区").to_numpy()
    core = df["unit"].isin(list(CORE_BONUS)).to_numpy()
    mountain = df["mountain"].to_numpy()
    log_pop = np.where(is_district, np.log(75), np.where(df["type"] == "县级市", np.log(90), np.log(42)))
    log_pop = log_pop + 0.25 * df["dev"].to_numpy() - 0.5 * mountain + rng.normal(0, 0.3, n)
    pop = np.exp(log_pop)
    df["pop_2022"] = np.round(pop / pop.sum() * POP_2022, -2)
    log_area = np.where(core, np.log(120), np.where(is_district, np.log(900), np.log(1600)))
    log_area = log_area + 0.6 * mountain + rng.normal(0, 0.35, n)
    area = np.exp(log_area)
    df["area_km2"] = np.round(area / area.sum() * AREA_TOTAL, 1)
    gdp_pc = np.exp(0.3 * df["dev"].to_numpy() + rng.normal(0, 0.15, n))
    gdp = df["pop_2022"].to_numpy() * gdp_pc
    df["gdp_2022"] = gdp / gdp.sum() * POP_2022 * GDP_PC_2022 / 1e8  # 100 million yuan
    # Manufacturing weight: central districts are service economies.
    manuf = np.exp(-0.8 * core + 0.3 * (df["type"] != "市辖区").to_numpy() - 0.4 * mountain
                   + rng.normal(0, 0.25, n))
    ind = df["gdp_2022"].to_numpy() * manuf
    df["industrial_2022"] = ind / ind.sum() * INDUSTRIAL_2022
    df["pop_growth"] = 0.002 + 0.012 / (1 + np.exp(-1.5 * df["dev"].to_numpy()))
    return df


def yearly(base: pd.DataFrame) -> pd.DataFrame:
    """County-year rows with population, area, GDP and industrial enterprises by year."""
    years = np.array(YEARS)
    n, k = len(base), len(years)
    out = base.loc[np.repeat(np.arange(n), k)].reset_index(drop=True)
    out["year"] = np.tile(years, n)
    back = (out["year"] - 2022).to_numpy()
    out["population"] = np.round(out["pop_2022"] * (1 + out["pop_growth"]) ** back, -2).astype("int64")
    out["gdp"] = np.round(out["gdp_2022"] * 1.065 ** back, 2)
    out["industrial_enterprises"] = np.round(out["industrial_2022"] * 1.035 ** back).astype("int64")
    out["industrial_enterprises"] = out["industrial_enterprises"].clip(lower=20)
    return out
