"""SYNTHETIC panels of Chinese populations for the report tests: the cities of a province and every
county of China, with a small arithmetic framework (0–100 scores) and a spatial pattern (units
of the east score higher), so that Moran's I is positive."""
from __future__ import annotations

import numpy as np
import pandas as pd

from digindex.regions import registry

FRAMEWORK = """\
id: synthetic_regions
name: {en: Regional digital development index (test), zh: 区域数字发展指数（测试）}
normalise: {method: minmax, scale: [0, 100]}
weights: equal
aggregate: arithmetic
tiers: {by: quantile, cuts: [0.2, 0.5, 0.8]}
tree:
  id: idx
  name: {en: Regional digital development index, zh: 区域数字发展指数}
  children:
    - id: infra
      name: {en: Infrastructure, zh: 基础设施}
      children:
        - {id: ports, name: {en: Broadband ports per 100 residents, zh: 每百人宽带端口数}, unit: per 100}
        - {id: stations, name: {en: 5G base stations per 10k residents, zh: 每万人5G基站数}, unit: per 10k}
    - id: industry
      name: {en: Digital industry, zh: 数字产业}
      children:
        - {id: revenue, name: {en: Software revenue per capita, zh: 人均软件业务收入}, unit: yuan}
        - {id: firms, name: {en: Digital firms per 10k residents, zh: 每万人数字企业数}, unit: per 10k}
    - id: society
      name: {en: Digital society, zh: 数字社会}
      children:
        - {id: users, name: {en: Internet users per 100 residents, zh: 互联网普及率}, unit: "%"}
        - {id: services, name: {en: Government services online, zh: 政务服务网上可办率}, unit: "%"}
"""
INDICATORS = ["ports", "stations", "revenue", "firms", "users", "services"]
YEARS = [2021, 2022]


def panel(units, seed: int) -> pd.DataFrame:
    """One row per unit and year: indicators rising to the east (longitude from the code's province)."""
    rng = np.random.default_rng(seed)
    east = np.array([_eastness(u.code) for u in units])
    base = 20 + 60 * east[:, None] + rng.normal(0, 8, (len(units), len(INDICATORS)))
    rows = []
    for k, year in enumerate(YEARS):
        values = np.clip(base * (1.06 ** k) + rng.normal(0, 2, base.shape), 1, None).round(3)
        part = pd.DataFrame(values, columns=INDICATORS)
        part.insert(0, "year", year)
        part.insert(0, "unit", [u.code for u in units])
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


EAST = {"3": 1.0, "4": 0.6, "1": 0.7, "2": 0.5, "5": 0.3, "6": 0.1, "8": 0.9}


def _eastness(code: str) -> float:
    """A rough east–west position from the first digit of the code (3x east, 6x north-west) and the
    second (spreading provinces within a region)."""
    return EAST.get(code[0], 0.5) * 0.8 + int(code[1]) / 50


def write(root, units, name: str, seed: int):
    """Write the framework and the panel of ``units``; returns (framework path, data path)."""
    root.mkdir(parents=True, exist_ok=True)
    fw = root / "framework.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data = root / f"{name}_SYNTHETIC.csv"
    panel(units, seed).to_csv(data, index=False)
    return fw, data


def cities_of(province: str):
    return [r for r in registry() if r.level == "prefecture" and r.code.startswith(province)]


def counties_of(within: str = ""):
    return [r for r in registry() if r.level == "county" and r.code.startswith(within)]
