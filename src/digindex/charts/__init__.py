"""Charts of run, audit and uncertainty, as PNG and SVG, with labels in Chinese and English.

::

    from digindex.charts import run_charts, audit_charts, uncertainty_charts
    run_charts(evaluation, evaluation.results(), regional_tables(evaluation), "out/charts")

- ``run``: the ranking of the latest year, the trends of the best units and of the groups
  (parent regions), the aspect profile of the best units, the tiers (:mod:`.run`);
- ``audit``: the correlation heatmap, the distributions with outliers flagged (:mod:`.audit`);
- ``uncertainty``: rank intervals by nominal rank, Sobol indices with intervals
  (:mod:`.uncertainty`).

matplotlib (Agg) draws them with the CJK font of :mod:`.fonts`; SVG text is drawn as paths, so
Chinese shows without the font installed. matplotlib is imported on first use.
"""
from __future__ import annotations

from pathlib import Path

FOLDER = "charts"  # the charts' folder inside an output folder


def _atomically(draw, folder) -> list[Path]:
    """``draw(batch)`` into ``folder``: an AtomicBatch given, or one of its own (all charts or none)."""
    if hasattr(folder, "path"):
        return draw(folder)
    from ..files import AtomicBatch

    with AtomicBatch(folder) as batch:
        return draw(batch)


def run_charts(evaluation, results, regional: dict, folder) -> list[Path]:
    """The charts of a run into ``folder`` (a path, or an AtomicBatch of the run's files)."""
    from .run import run_charts as draw

    return _atomically(lambda batch: draw(evaluation, results, regional, batch), folder)


def audit_charts(evaluation, audit, folder) -> list[Path]:
    """The charts of an AuditResult of ``evaluation`` into ``folder``."""
    from .audit import audit_charts as draw

    return _atomically(lambda batch: draw(evaluation, audit, batch), folder)


def uncertainty_charts(result, folder, names: dict | None = None) -> list[Path]:
    """The charts of an UncertaintyResult into ``folder`` (units named by ``names``)."""
    from .uncertainty import uncertainty_charts as draw

    return _atomically(lambda batch: draw(result, batch, names), folder)


__all__ = ["FOLDER", "run_charts", "audit_charts", "uncertainty_charts"]
