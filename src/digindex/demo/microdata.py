"""SYNTHETIC micro-data registries: enterprises, software revenue, projects, platforms.

All draws are vectorised over rows (no Python loops over enterprises). Money is
in integer units of 10,000 yuan (万元) so that sums are exact and the derived
indicators are the same on every run.

- enterprises: digital-economy enterprises (NBS classes 01-05) with a valid
  unified social credit code, county, founding date, status, closing date and
  cloud adoption (flag and year);
- software_revenue: yearly revenue 2014-2022 of the software and IT-services
  enterprises (class 03), for the three-year growth indicator;
- projects: intelligent-transformation and digital-economy investment projects
  with planned and completed investment;
- platforms: industrial-internet platforms recognised at provincial or national level.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import credit_code
from .units import TONGXIANG, YEARS

CLASSES = np.array(["01", "02", "03", "04", "05"])
CORE_MIX = np.array([0.25, 0.15, 0.45, 0.15])  # shares of 01-04 among core enterprises
REVENUE_YEARS = tuple(range(2014, 2023))
END = np.datetime64("2022-12-31")


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def enterprises(units: pd.DataFrame, z_dig: np.ndarray, z_ind: np.ndarray,
                rng: np.random.Generator, n: int) -> pd.DataFrame:
    """About ``n`` enterprises spread over the counties of ``units`` (rows in unit order)."""
    weight = units["pop_2022"].to_numpy() * np.exp(0.3 * z_dig)
    counts = rng.multinomial(n, weight / weight.sum())
    county_idx = np.repeat(np.arange(len(units)), counts)
    county = units["unit"].to_numpy()[county_idx]

    core = rng.random(n) < _sigmoid(np.log(0.35 / 0.65) + 0.3 * z_dig[county_idx])
    core_class = rng.choice(4, size=n, p=CORE_MIX)
    nbs_class = CLASSES[np.where(core, core_class, 4)]

    years = np.arange(1995, 2023)
    p_year = np.exp(0.12 * (years - 1995))
    found_year = rng.choice(years, size=n, p=p_year / p_year.sum())
    founded = (found_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") \
        + rng.integers(0, 365, n).astype("timedelta64[D]")
    life = np.ceil(rng.exponential(25 * 365.25, n)).astype("int64").astype("timedelta64[D]")
    closed = founded + life
    is_closed = closed <= END
    status = np.where(~is_closed, "active", np.where(rng.random(n) < 0.7, "deregistered", "revoked"))
    closed = np.where(is_closed, closed, np.datetime64("NaT"))

    p_cloud = _sigmoid(-0.6 + 0.7 * z_ind[county_idx] + 0.6 * core)
    cloud = rng.random(n) < p_cloud
    first = np.maximum(found_year, 2015)
    last = np.where(is_closed, closed.astype("datetime64[Y]").astype(int) + 1970, 2022)
    # adoption leans towards later years: first + (last - first) * u^0.6
    cloud_year = first + np.floor((last - first + 1) * rng.random(n) ** 0.6).astype(int)
    cloud &= (cloud_year <= last) & (first <= last)
    codes = credit_code.generate(county, rng)
    df = pd.DataFrame({
        "credit_code": codes, "county": county, "nbs_class": nbs_class,
        "founded": founded, "status": status, "closed": closed,
        "cloud": cloud, "cloud_year": pd.array(np.where(cloud, cloud_year, 0), dtype="Int16"),
    })
    df.loc[~cloud, "cloud_year"] = pd.NA
    return df.sort_values("credit_code", kind="stable").reset_index(drop=True)


def software_revenue(ent: pd.DataFrame, units: pd.DataFrame, z_dig: np.ndarray,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Revenue (10,000 yuan) of class-03 enterprises in each year they operated, 2014-2022."""
    firms = ent[ent["nbs_class"] == "03"]
    m = len(firms)
    growth_by_county = pd.Series(0.08 + 0.05 * z_dig, index=units["unit"].to_numpy())
    growth_by_county[TONGXIANG] = 0.30  # the article: > 50 % a year for three years
    mu = growth_by_county.reindex(firms["county"]).to_numpy()
    years = np.array(REVENUE_YEARS)
    g = mu[:, None] + rng.normal(0, 0.1, (m, 1)) + rng.normal(0, 0.1, (m, len(years)))
    base = np.exp(rng.normal(np.log(300), 1.2, m))
    level = base[:, None] * np.exp(np.cumsum(g, axis=1) - g[:, :1])
    start = firms["founded"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
    closed = firms["closed"].to_numpy()
    stop = np.where(np.isnat(closed), 9999, closed.astype("datetime64[Y]").astype(int) + 1970)
    alive = (years[None, :] >= start[:, None]) & (years[None, :] <= stop[:, None])
    rows, cols = np.nonzero(alive)
    return pd.DataFrame({
        "credit_code": firms["credit_code"].to_numpy()[rows],
        "year": years[cols].astype("int16"),
        "revenue": np.maximum(np.round(level[rows, cols]), 1).astype("int64"),
    })


def projects(panel: pd.DataFrame, z_dig: np.ndarray, z_ind: np.ndarray,
             rng: np.random.Generator, n: int) -> pd.DataFrame:
    """About ``n`` projects over the county-years of ``panel`` (sorted by unit, year)."""
    n_years = len(YEARS)
    t = panel["year"].to_numpy() - 2020
    lam_it = panel["industrial_enterprises"].to_numpy() * np.exp(0.35 * np.repeat(z_ind, n_years) + 0.12 * t)
    lam_de = panel["population"].to_numpy() * np.exp(0.5 * np.repeat(z_dig, n_years) + 0.10 * t)
    lam_it *= 0.6 * n / lam_it.sum()
    lam_de *= 0.4 * n / lam_de.sum()
    parts = []
    for kind, lam, median, sigma in (("intelligent_transformation", lam_it, 800, 1.0),
                                     ("digital_economy_investment", lam_de, 5000, 1.2)):
        k = rng.poisson(lam)
        row = np.repeat(np.arange(len(panel)), k)
        planned = np.maximum(np.round(np.exp(rng.normal(np.log(median), sigma, row.size))), 10)
        year = panel["year"].to_numpy()[row]
        done = rng.beta(2 + (2022 - year), 2, row.size)  # older projects are further along
        parts.append(pd.DataFrame({
            "type": kind, "county": panel["unit"].to_numpy()[row], "year": year.astype("int16"),
            "planned_investment": planned.astype("int64"),
            "completed_investment": np.round(planned * done).astype("int64"),
        }))
    df = pd.concat(parts, ignore_index=True).sort_values(["year", "county", "type"], kind="stable")
    seq = np.arange(1, len(df) + 1)
    df.insert(0, "project_id", pd.Series(seq).map("ZJP{:06d}".format).to_numpy())
    return df.reset_index(drop=True)


def platforms(units: pd.DataFrame, z_ind: np.ndarray, rng: np.random.Generator,
              per_year: tuple[int, int] = (45, 6)) -> pd.DataFrame:
    """Platforms recognised each year 2017-2022: about 45 provincial and 6 national a year."""
    weight = units["pop_2022"].to_numpy() * np.exp(0.6 * z_ind)
    p = weight / weight.sum()
    parts = []
    for level, lam in zip(("provincial", "national"), per_year):
        counts = rng.poisson(lam, len(YEARS))
        year = np.repeat(np.array(YEARS), counts)
        county = rng.choice(units["unit"].to_numpy(), size=year.size, p=p)
        parts.append(pd.DataFrame({"county": county, "level": level,
                                   "year_recognised": year.astype("int16")}))
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values(["year_recognised", "level", "county"], kind="stable")
    df.insert(0, "platform_id", [f"IIP{i:04d}" for i in range(1, len(df) + 1)])
    return df.reset_index(drop=True)
