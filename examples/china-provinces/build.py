"""Build the SYNTHETIC 31-province panel of examples/china-provinces (same seed, same bytes).

31 provinces of mainland China, 2013–2022, 20 indicators of the digital economy in 5
dimensions. The values are invented: each province starts from a level drawn around its
region's (east above central above west) and every indicator grows 3–25 % a year, with a
little noise and a few missing cells. They are labelled SYNTHETIC in the file names and
must not be read as statistics.

Writes ``provinces_SYNTHETIC.csv`` (地区, 年份, one column per indicator, by Chinese name) and
``groups.csv`` (the NBS east / central / west division).

Run: ``.venv/bin/python examples/china-provinces/build.py``
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
YEARS = range(2013, 2023)
# the National Bureau of Statistics' three regions (东部 11, 中部 8, 西部 12)
GROUPS = {
    "东部": ["北京市", "天津市", "河北省", "辽宁省", "上海市", "江苏省", "浙江省", "福建省", "山东省",
             "广东省", "海南省"],
    "中部": ["山西省", "吉林省", "黑龙江省", "安徽省", "江西省", "河南省", "湖北省", "湖南省"],
    "西部": ["内蒙古自治区", "广西壮族自治区", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区",
             "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"],
}
LEVEL = {"东部": 1.6, "中部": 1.0, "西部": 0.7}
# a typical central province's 2013 value of each indicator (invented, of a plausible size)
BASE = {"broadband_ports": 30, "mobile_penetration": 85, "fibre_density": 1.2, "base_stations_5g": 0.5,
        "telecom_volume": 900, "software_revenue": 600, "electronics_revenue": 2500, "ict_employment": 1.5,
        "digital_finance": 150, "ecommerce_sales": 3000, "ecommerce_firms": 8, "websites_per_firm": 50,
        "rd_intensity": 1.4, "patents": 2.0, "tech_market": 150, "hightech_revenue": 3000,
        "internet_penetration": 45, "online_retail": 2500, "online_services": 40, "digital_tv": 40}


def build(seed: int = 2013) -> tuple[pd.DataFrame, pd.DataFrame]:
    framework = yaml.safe_load((HERE / "framework.yaml").read_text(encoding="utf-8"))
    indicators = [ind for dim in framework["tree"]["children"] for ind in dim["children"]]
    rng = np.random.default_rng(seed)
    rows = []
    for group, provinces in GROUPS.items():
        for province in provinces:
            level = LEVEL[group] * rng.lognormal(0.0, 0.25)
            start = {ind["id"]: BASE[ind["id"]] * level * rng.lognormal(0.0, 0.2) for ind in indicators}
            growth = {ind["id"]: rng.uniform(1.03, 1.25) for ind in indicators}
            for t, year in enumerate(YEARS):
                row = {"地区": province, "年份": year}
                for ind in indicators:
                    value = start[ind["id"]] * growth[ind["id"]] ** t * rng.lognormal(0.0, 0.02)
                    if ind.get("unit") == "%":
                        value = min(value, 99.5)
                    row[ind["name"]["zh"]] = round(value, 3)
                rows.append(row)
    data = pd.DataFrame(rows)
    # a few cells not reported, as in real yearbooks (filled by interpolation in the framework)
    for _ in range(12):
        r, c = rng.integers(len(data)), rng.integers(2, data.shape[1])
        if data.iloc[r]["年份"] not in (2013, 2022):
            data.iat[r, c] = np.nan
    groups = pd.DataFrame([{"unit": p, "group": g} for g, ps in GROUPS.items() for p in ps])
    return data, groups


if __name__ == "__main__":
    data, groups = build()
    data.to_csv(HERE / "provinces_SYNTHETIC.csv", index=False)
    groups.to_csv(HERE / "groups.csv", index=False)
    print(f"wrote {len(data)} rows × {data.shape[1] - 2} indicators and {len(groups)} groups to {HERE}")
