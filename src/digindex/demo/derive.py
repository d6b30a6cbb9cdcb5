"""Micro-data indicators, computed from the registry Parquet files with plain DuckDB SQL.

For each unit (county, or city: the first four digits of the county code) and year:

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
GRAINS = {"county": "county", "city": "substr(county, 1, 4)"}

SQL = """
WITH years AS (SELECT DISTINCT year FROM base),
ent AS (
    SELECT {unit} AS unit, nbs_class, founded, closed, cloud_year FROM enterprises
),
active AS (
    SELECT e.unit, y.year,
           count(*) AS enterprises,
           count(*) FILTER (WHERE e.nbs_class IN ('01', '02', '03', '04')) AS core_enterprises,
           count(*) FILTER (WHERE e.cloud_year <= y.year) AS cloud_enterprises
    FROM ent e JOIN years y
      ON e.founded <= make_date(y.year::INTEGER, 12, 31)
     AND (e.closed IS NULL OR e.closed > make_date(y.year::INTEGER, 12, 31))
    GROUP BY e.unit, y.year
),
proj AS (
    SELECT {unit} AS unit, year,
           count(*) FILTER (WHERE type = 'intelligent_transformation') AS it_projects,
           coalesce(sum(planned_investment) FILTER (WHERE type = 'digital_economy_investment'), 0)::BIGINT
               AS de_planned
    FROM projects GROUP BY 1, 2
),
plat AS (
    SELECT p.unit, y.year, count(*) AS platforms
    FROM (SELECT {unit} AS unit, year_recognised FROM platforms) p
    JOIN years y ON p.year_recognised <= y.year
    GROUP BY 1, 2
),
rev AS (
    SELECT {unit_e} AS unit, r.year, sum(r.revenue)::BIGINT AS revenue
    FROM software_revenue r JOIN enterprises e ON e.credit_code = r.credit_code
    GROUP BY 1, 2
)
SELECT b.unit, b.year,
       round(10000.0 * coalesce(a.core_enterprises, 0) / b.population, 6) AS core_ent_density,
       round(100.0 * (power(r.revenue::DOUBLE / nullif(r3.revenue, 0), 1.0 / 3) - 1), 6)
           AS software_rev_cagr,
       round(coalesce(p.de_planned, 0) * 10000.0 / b.population, 6) AS digital_inv_pc,
       round(100.0 * coalesce(a.cloud_enterprises, 0) / nullif(a.enterprises, 0), 6) AS cloud_ent_rate,
       round(100.0 * coalesce(p.it_projects, 0) / b.industrial_enterprises, 6) AS smart_transform_rate,
       coalesce(pl.platforms, 0)::INTEGER AS iiot_platforms,
       coalesce(a.enterprises, 0)::INTEGER AS enterprises
FROM base b
LEFT JOIN active a ON a.unit = b.unit AND a.year = b.year
LEFT JOIN proj p ON p.unit = b.unit AND p.year = b.year
LEFT JOIN plat pl ON pl.unit = b.unit AND pl.year = b.year
LEFT JOIN rev r ON r.unit = b.unit AND r.year = b.year
LEFT JOIN rev r3 ON r3.unit = b.unit AND r3.year = b.year - 3
ORDER BY b.unit, b.year
"""


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def micro_indicators(files: dict[str, Path], base: pd.DataFrame, grain: str = "county") -> pd.DataFrame:
    """The micro-data indicators per (unit, year) of ``base``.

    ``files`` maps enterprises, software_revenue, projects and platforms to their
    Parquet files; ``base`` has columns unit, year, population, industrial_enterprises
    at the ``grain`` (county or city).
    """
    import duckdb

    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {sorted(GRAINS)}")
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        for name in ("enterprises", "software_revenue", "projects", "platforms"):
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_quote(files[name])})")
        con.register("base", base[["unit", "year", "population", "industrial_enterprises"]])
        unit = GRAINS[grain]
        sql = SQL.format(unit=unit, unit_e="e." + unit if grain == "county" else "substr(e.county, 1, 4)")
        out = con.execute(sql).df()
    finally:
        con.close()
    out["year"] = out["year"].astype("int64")
    return out
