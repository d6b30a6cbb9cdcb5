"""Standard deviational ellipse of the score-weighted unit centroids, per year (标准差椭圆).

With the units' centroids ``(x_i, y_i)`` weighted by their scores ``w_i ≥ 0``, the centre is the
weighted mean centre ``(x̄, ȳ) = (Σ w_i x_i / Σ w_i, Σ w_i y_i / Σ w_i)``; with deviations
``x̃_i = x_i − x̄``, ``ỹ_i = y_i − ȳ`` the rotation ``θ`` solves
``tan θ = [(Σ w x̃² − Σ w ỹ²) + sqrt((Σ w x̃² − Σ w ỹ²)² + 4 (Σ w x̃ ỹ)²)] / (2 Σ w x̃ ỹ)`` and the
standard deviations along the two axes are
``σ = sqrt(2) · sqrt(Σ w (ỹ cos θ − x̃ sin θ)² / Σ w) · sqrt(n / (n − 2))`` (CrimeStat's
correction: the √2 of a two-dimensional ellipse and n − 2 degrees of freedom), as computed by
``pointpats.centrography.ellipse(points, weights, method="crimestat")`` (Levine, *CrimeStat
IV*, ch. 4; Yuill 1971). ``sx`` is the semi-major axis, ``sy`` the semi-minor one, and
``rotation`` the angle of the major axis in degrees, measured clockwise from north (0–180),
as ArcGIS reports it. Coordinates are used as they are: for Chinese units longitude/latitude
degrees, so the axes are in degrees.

``ellipse_shift`` gives the move of the centre from year to year: distance and direction
(degrees clockwise from north).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData
from .result import Analysis


def weighted_ellipse(points, weights) -> dict:
    """{x, y, sx, sy, rotation} of one year's points (n × 2) and weights (see the module doc)."""
    from pointpats.centrography import ellipse as pp_ellipse

    pts = np.asarray(points, dtype=float)
    w = np.asarray(weights, dtype=float)
    x, y = np.average(pts[:, 0], weights=w), np.average(pts[:, 1], weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        major, minor, _ = pp_ellipse(pts, weights=w, method="crimestat")
    return {"x": float(x), "y": float(y), "sx": float(major), "sy": float(minor), "rotation": _bearing(pts, w)}


def _bearing(pts, w) -> float:
    """The major axis as degrees clockwise from north in [0, 180): the direction of the largest
    weighted spread, i.e. the leading eigenvector of the weighted scatter matrix (the θ that
    the ellipse's formula solves for, without its sign conventions)."""
    xm = pts - np.average(pts, axis=0, weights=w)
    scatter = (xm * w[:, None]).T @ xm
    vals, vecs = np.linalg.eigh(scatter)
    vx, vy = vecs[:, int(np.argmax(vals))]
    return float(np.degrees(np.arctan2(vx, vy)) % 180.0)


def ellipse(data: ResearchData, locations: dict, source: str = "") -> Analysis:
    """The standard deviational ellipse of ``data.value`` per year over ``locations``
    ({unit: (x, y)}). Tables: ``ellipse`` (year, x, y, sx, sy, rotation), ``ellipse_shift``
    (year, distance, direction) and ``ellipse_points`` (unit, x, y)."""
    values = data.column()
    if (values["value"] < 0).any():
        raise InputError(Problem(f"the ellipse weights units by {data.value}, which has negative values",
                                 file=data.source, fix="analyse a score on a non-negative scale"))
    rows = []
    for year, part in values.groupby("year", sort=True, dropna=False):
        year = None if pd.isna(year) else year
        if len(part) < 3 or part["value"].sum() <= 0:
            raise InputError(Problem("the ellipse needs at least 3 units with a positive total"
                                     + (f" in {year}" if year is not None else ""), file=data.source,
                                     fix="analyse more units"))
        pts = np.array([locations[u] for u in part["unit"]])
        rows.append({"year": year, **weighted_ellipse(pts, part["value"].to_numpy(float))})
    main = pd.DataFrame(rows)[["year", "x", "y", "sx", "sy", "rotation"]]
    shift = []
    for a, b in zip(rows, rows[1:]):
        dx, dy = b["x"] - a["x"], b["y"] - a["y"]
        shift.append({"year": b["year"], "distance": float(np.hypot(dx, dy)),
                      "direction": float(np.degrees(np.arctan2(dx, dy)) % 360.0)})
    points = pd.DataFrame([{"unit": u, "x": locations[u][0], "y": locations[u][1]}
                           for u in dict.fromkeys(values["unit"])])
    return Analysis("ellipse", {"ellipse": main,
                                "ellipse_shift": pd.DataFrame(shift, columns=["year", "distance", "direction"]),
                                "ellipse_points": points},
                    notes=[f"locations: {source}"] if source else [],
                    meta={"value": data.value, "value_label": data.label(data.value)})


__all__ = ["ellipse", "weighted_ellipse"]
