"""Micro-data indicators of the demo, derived from the registry files by digindex.microdata.

The six indicators are declared in the built-in ``zhejiang`` framework (their
``derive:`` blocks) and computed by :func:`digindex.microdata.derive` with the
DuckDB engine, for each unit (county, or city) and year:

- core_ent_density: enterprises of classes 01-04 in operation at year end
  (founded on or before 31 December, not closed by then) per 10,000 residents;
- cloud_ent_rate: enterprises in operation at year end with cloud_year <= year,
  per 100 enterprises in operation (``enterprises``, also returned);
- smart_transform_rate: intelligent-transformation projects of the year per 100
  industrial enterprises above designated size;
- digital_inv_pc: planned investment (10,000 yuan x 10,000) of the year's
  digital-economy investment projects per resident, in yuan;
- iiot_platforms: platforms recognised (provincial or national) up to the year;
- software_rev_cagr: 100 x ((R_t / R_(t-3))^(1/3) - 1), R the revenue of the
  unit's software and IT-services enterprises; missing when R_(t-3) is 0 or absent.

Counts and money are integers, so the results are identical on every run.
Values are rounded to 6 decimals.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

MICRO_INDICATORS = ("core_ent_density", "software_rev_cagr", "digital_inv_pc", "cloud_ent_rate",
                    "smart_transform_rate", "iiot_platforms")
GRAINS = {"county": "county", "city": "prefecture"}
REGISTRIES = ("enterprises", "software_revenue", "projects", "platforms")
# The denominator column 'enterprises': registry enterprises in operation at year end.
IN_OPERATION = {"enterprises": {"source": "enterprises", "measure": "count", "window": "stock"}}


def micro_indicators(files: dict[str, Path], base: pd.DataFrame, grain: str = "county") -> pd.DataFrame:
    """The micro-data indicators per (unit, year) of ``base``.

    ``files`` maps enterprises, software_revenue, projects and platforms to their
    Parquet files; ``base`` has columns unit, year, population, industrial_enterprises
    at the ``grain`` (county or city).
    """
    from ..frameworks import builtin_framework_path
    from ..microdata import derive_with_reports

    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {sorted(GRAINS)}")
    stats = base[["unit", "year", "population", "industrial_enterprises"]]
    result = derive_with_reports(builtin_framework_path("zhejiang"), {k: files[k] for k in REGISTRIES},
                                 stats, level=GRAINS[grain], digits=6, extra=IN_OPERATION)
    rejected = {name: r.rejected for name, r in result.reports.items() if r.rejected}
    if rejected:  # the generator makes valid records only
        raise AssertionError(f"demo registries have rejected records: {rejected}")
    out = result.table[["unit", "year", *MICRO_INDICATORS, "enterprises"]].copy()
    out["year"] = out["year"].astype("int64")
    return out
