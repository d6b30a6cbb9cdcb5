"""SYNTHETIC values of the survey-type indicators (those not derived from micro-data).

Each county has five latent aspect levels, positively correlated through its
development level; an indicator follows its aspect's level plus noise, grows
over time and is calibrated so that 2020 values are near the province-wide
figures Zhejiang has quoted (e.g. FTTH 91 %, 201.3 Mbps, 5.5 stations per km²).
City values aggregate their counties (weighted means with population, GDP, area
or industrial enterprises as weights, so e.g. base stations per km² is total
stations over total area).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .units import LONGGANG, YIWU

ASPECTS = ("infra", "dig_ind", "ind_dig", "new_forms", "gov_soc")


@dataclass(frozen=True)
class Spec:
    id: str
    aspect: str
    kind: str       # share (%, logistic), level (lognormal), density, g5, days
    level: float    # typical 2020 value (province-wide figure where one is quoted)
    spread: float   # cross-sectional spread (logit or log scale)
    trend: float    # change per year (logit or log scale)
    weight: str     # weight when aggregating counties to cities: pop, gdp, area, ind
    digits: int = 2


SPECS = (
    Spec("ftth_share", "infra", "share", 0.91, 0.6, 0.30, "pop", 2),
    Spec("broadband_speed", "infra", "level", 201.3, 0.12, 0.30, "pop", 1),
    Spec("base_station_density", "infra", "density", 5.5, 0.25, 0.10, "area", 3),
    Spec("users_5g", "infra", "g5", 23.8, 0.35, 0.0, "pop", 2),
    Spec("iot_connections", "infra", "level", 75.0, 0.3, 0.25, "pop", 1),
    Spec("core_va_gdp_share", "dig_ind", "level", 10.9, 0.4, 0.05, "gdp", 2),
    Spec("core_rd_intensity", "dig_ind", "level", 2.2, 0.35, 0.04, "gdp", 3),
    Spec("it_staff_share", "dig_ind", "level", 2.4, 0.35, 0.06, "pop", 3),
    Spec("digital_tech_ent_share", "ind_dig", "share", 0.467, 0.5, 0.15, "gdp", 2),
    Spec("nc_key_process_rate", "ind_dig", "share", 0.58, 0.4, 0.08, "ind", 2),
    Spec("digital_rd_tool_rate", "ind_dig", "share", 0.85, 0.45, 0.08, "ind", 2),
    Spec("ecommerce_sales_pc", "new_forms", "level", 18_745.0, 0.45, 0.10, "pop", 0),
    Spec("online_retail_share", "new_forms", "level", 84.9, 0.4, 0.06, "pop", 2),
    Spec("mobile_payments_pc", "new_forms", "level", 177.6, 0.3, 0.15, "pop", 1),
    Spec("digital_finance_index", "new_forms", "level", 125.0, 0.08, 0.04, "pop", 2),
    Spec("express_parcels_pc", "new_forms", "level", 277.0, 0.4, 0.12, "pop", 1),
    Spec("gov_online_rate", "gov_soc", "share", 0.95, 0.5, 0.5, "pop", 2),
    Spec("zlb_users_pc", "gov_soc", "level", 85.0, 0.2, 0.30, "pop", 2),
    Spec("internet_hospital_share", "gov_soc", "share", 0.80, 0.6, 0.40, "pop", 2),
    Spec("digital_school_share", "gov_soc", "share", 0.60, 0.6, 0.35, "pop", 2),
    Spec("business_setup_days", "gov_soc", "days", 1.6, 0.25, -0.35, "pop", 2),
)
SURVEY_INDICATORS = tuple(s.id for s in SPECS)
# 5G service began in November 2019: users per 100 residents relative to 2020.
G5_PATH = {2017: 0.0, 2018: 0.0, 2019: 0.04, 2020: 1.0, 2021: 1.95, 2022: 2.8}
# E-commerce hub: Yiwu's per-capita e-commerce and parcels are far above every other county.
YIWU_FACTOR = {"ecommerce_sales_pc": 2.5, "online_retail_share": 2.5, "express_parcels_pc": 12.0}


def aspect_levels(dev: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(counties, 5) latent aspect levels, correlated through the development level."""
    e = rng.normal(0, 1, (len(dev), len(ASPECTS)))
    z = 0.85 * dev[:, None] + 0.53 * e
    return (z - z.mean(0)) / z.std(0)


def survey_values(panel: pd.DataFrame, z: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Columns of survey-indicator values for the county-year rows of ``panel``.

    ``panel`` is sorted by unit then year (see units.yearly); ``z`` holds the
    counties' aspect levels in the same unit order.
    """
    years = panel["year"].to_numpy()
    n_units = len(z)
    n_years = len(years) // n_units
    t = years - 2020
    out = {}
    for spec in SPECS:
        k = ASPECTS.index(spec.aspect)
        own = rng.normal(0, 1, n_units)  # persistent unit effect
        s = np.repeat(0.8 * z[:, k] + 0.6 * own, n_years) + rng.normal(0, 0.08, len(years))
        if spec.kind == "share":
            logit = np.log(spec.level / (1 - spec.level)) + spec.spread * s + spec.trend * t
            v = 100 / (1 + np.exp(-logit))
        elif spec.kind == "density":
            stations = panel["population"].to_numpy() * 0.009 * np.exp(spec.spread * s + spec.trend * t)
            v = stations / panel["area_km2"].to_numpy()
        elif spec.kind == "g5":
            v = spec.level * np.exp(spec.spread * s) * pd.Series(years).map(G5_PATH).to_numpy()
        elif spec.kind == "days":
            v = spec.level * np.exp(-spec.spread * s + spec.trend * t)
        else:
            v = spec.level * np.exp(spec.spread * s + spec.trend * t)
        if spec.id in YIWU_FACTOR:
            v = np.where(panel["unit"].to_numpy() == YIWU, v * YIWU_FACTOR[spec.id], v)
        out[spec.id] = np.round(v, spec.digits)
    values = pd.DataFrame(out, index=panel.index)
    _blank(values, panel, rng)
    return values


def _blank(values: pd.DataFrame, panel: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make a few values missing, as in real returns."""
    # 龙港市 became a county-level city in 2019: no separate returns before that.
    early = ((panel["unit"] == LONGGANG) & (panel["year"] < 2019)).to_numpy()
    values.loc[early, list(SURVEY_INDICATORS)] = np.nan
    # A dozen scattered non-returns (never 5G in 2017-2019, where the value is known to be 0).
    cols = [c for c in SURVEY_INDICATORS if c != "users_5g"]
    rows = rng.choice(np.flatnonzero(~early), size=12, replace=False)
    which = rng.choice(len(cols), size=12)
    for r, c in zip(rows, which):
        values.iloc[r, values.columns.get_loc(cols[c])] = np.nan


def city_values(county: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """City-year survey values: weighted means of their counties' values."""
    weights = {"pop": "population", "gdp": "gdp", "area": "area_km2", "ind": "industrial_enterprises"}
    keys = [county["city"], county["year"]]
    out = {}
    for spec in SPECS:
        w = county[weights[spec.weight]].astype(float)
        x = county[spec.id]
        num = (x * w).groupby(keys).sum(min_count=1)
        den = w.where(x.notna()).groupby(keys).sum(min_count=1)
        out[spec.id] = np.round(num / den, spec.digits)
    df = pd.DataFrame(out)
    df.index.names = ["unit", "year"]
    df = df.reset_index()
    # One city return missing.
    r = rng.integers(len(df))
    df.loc[r, "digital_school_share"] = np.nan
    return df
