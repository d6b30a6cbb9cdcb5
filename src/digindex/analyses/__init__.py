"""``digindex analyse KIND``: read the input, run one research analysis, write its files.

:func:`analyse` composes :mod:`digindex.analytics.research` (inputs, groups, spatial weights,
the analysis) and :func:`write_analysis`, which writes every table as CSV, all of them in one
Excel workbook (``<kind>.xlsx``, one sheet per table) and the charts as PNG, through one
:class:`~digindex.files.AtomicBatch`: nothing is written unless everything could be.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analytics import research as rs
from ..errors import InputError, Problem
from ..files import AtomicBatch, excel_safe
from ..i18n import langs

# what each kind reads: the one analysed value, named subsystem columns, spatial weights, locations
NEEDS_VALUE = {"dagum", "kde", "markov", "spatial-markov", "convergence", "ellipse", "moran"}
NEEDS_NODES = {"coupling", "grey"}
VALUE_COLUMNS = ("value", "score", "数值", "得分", "值")


def load_input(kind: str, results=None, node=None, data=None, value=None, nodes=None, controls=None,
               sheet=None, units_in=None, level=None) -> rs.ResearchData:
    """The :class:`~digindex.analytics.research.ResearchData` of a run's folder or a table."""
    if kind not in rs.KINDS:
        raise InputError(Problem(f"unknown analysis {kind!r}", fix=f"use one of {', '.join(rs.KINDS)}"))
    if kind in NEEDS_NODES and not nodes:
        raise InputError(Problem(f"{kind} needs --nodes a,b,c: the subsystems (nodes of the run or columns of "
                                 "the table)", fix="e.g. --nodes infra,industry,society"))
    if (results is None) == (data is None):
        raise InputError(Problem("give either --results DIR (a run's output folder) or --data FILE (a table "
                                 "unit, year, value)", fix="e.g. --results out/provinces"))
    if results is not None:
        if value is not None:
            raise InputError(Problem("--value is for --data tables; a run's folder takes --node",
                                     fix="use --node ID"))
        return rs.load_results(results, node)
    if node is not None:
        raise InputError(Problem("--node is for a run's folder; a table takes --value COLUMN", fix="use --value"))
    if kind == "obstacle" and not nodes:
        raise InputError(Problem("obstacle needs --nodes a,b,c: the standardised indicator columns of the table",
                                 file=str(data), fix="e.g. --nodes x1,x2,x3"))
    if kind in NEEDS_VALUE and value is None:
        value = _default_value(data, sheet)
    return rs.load_table(data, value=value if kind in NEEDS_VALUE else None,
                         columns=[*(nodes or []), *(controls or [])], sheet=sheet, units_in=units_in, level=level)


def _default_value(path, sheet) -> str:
    from ..data.layout import find
    from ..data.readers import read_table

    columns = list(read_table(path, sheet).columns)
    found = find(columns, VALUE_COLUMNS)
    if found is None:
        raise InputError(Problem("which column to analyse?", file=str(path),
                                 fix=f"give --value COLUMN, one of: {', '.join(map(str, columns))}"))
    return found


def run_kind(kind: str, data: rs.ResearchData, *, groups=None, units_in=None, level=None, weights=None,
             geometry=None, unit_column=None, nodes=None, node_weights=None, controls=None, classes: int = 4,
             lag_classes=None, pooled_classes: bool = False, relative: bool = False, modified: bool = False,
             scale: float = 1.0, top: int = 5, rho: float = 0.5, reference=None, bandwidth="silverman",
             kernel: str = "gau", points: int = 200, permutations: int = 999, seed: int = 0,
             lang: str = "zh") -> rs.Analysis:
    """Run analysis ``kind`` on ``data`` with the options that apply to it."""
    label_lang = "zh" if lang == "both" else lang
    if kind == "dagum":
        return rs.dagum(data, rs.groups_of(data, groups, units_in=units_in, level=level))
    if kind == "kde":
        return rs.kde(data, bandwidth=bandwidth, kernel=kernel, points=points)
    if kind == "markov":
        return rs.markov(data, classes=classes, pooled=pooled_classes)
    if kind == "spatial-markov":
        nb = rs.neighbours(data.units, weights, geometry, unit_column)
        return rs.spatial_markov(data, nb, classes=classes, lag_classes=lag_classes, pooled=pooled_classes,
                                 relative=relative)
    if kind == "convergence":
        return rs.convergence(data, controls or [])
    if kind == "coupling":
        return rs.coupling(data, nodes, node_weights, modified=modified, lang=label_lang, scale=scale)
    if kind == "obstacle":
        return rs.obstacle(data, nodes, node_weights, top=top, scale=scale)
    if kind == "grey":
        return rs.grey(data, nodes, rho=rho, reference=reference, weights=node_weights)
    if kind == "ellipse":
        where, source = rs.locations(data.units, geometry or _geometry_file(weights), unit_column)
        return rs.ellipse(data, where, source)
    if kind == "moran":
        nb = rs.neighbours(data.units, weights, geometry, unit_column)
        return rs.moran(data, nb, permutations=permutations, seed=seed)
    raise InputError(Problem(f"unknown analysis {kind!r}", fix=f"use one of {', '.join(rs.KINDS)}"))


def _geometry_file(weights):
    """A --weights GeoJSON or shapefile also gives the ellipse its locations."""
    if weights is not None and Path(weights).suffix.lower() in (".geojson", ".json", ".shp", ".gpkg"):
        return weights
    return None


def write_analysis(analysis: rs.Analysis, out, lang: str = "both", charts: bool = True) -> list[Path]:
    """Write ``analysis`` to the folder ``out``: ``<table>.csv`` each, ``<kind>.xlsx`` and the
    PNG charts. Returns the paths, in order."""
    langs(lang)
    out = Path(out)
    figures = {}
    if charts:
        from .charts import DPI, charts as draw

        figures = draw(analysis, lang)
    names = []
    try:
        with AtomicBatch(out) as batch:
            for name, table in analysis.tables.items():
                _plain(table).to_csv(batch.path(f"{name}.csv"), index=False)
                names.append(f"{name}.csv")
            with pd.ExcelWriter(batch.path(f"{analysis.stem}.xlsx"), engine="xlsxwriter") as xw:
                for name, table in analysis.tables.items():
                    excel_safe(_plain(table)).to_excel(xw, sheet_name=name[:31], index=False)
                if analysis.notes:
                    pd.DataFrame({"note": analysis.notes}).to_excel(xw, sheet_name="notes", index=False)
            names.append(f"{analysis.stem}.xlsx")
            for name, fig in figures.items():
                fig.savefig(batch.path(name), format="png", dpi=DPI, metadata={"Software": None})
                names.append(name)
    finally:
        if figures:
            import matplotlib.pyplot as plt

            for fig in figures.values():
                plt.close(fig)
    return [out / n for n in names]


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Years as integers (empty for a single period), for CSV and Excel."""
    if "year" in table.columns:
        table = table.assign(year=pd.array([None if y is None or pd.isna(y) else int(y) for y in table["year"]],
                                           dtype="Int64"))
    return table


def analyse(kind: str, *, results=None, node=None, data=None, value=None, sheet=None, units_in=None,
            level=None, out=None, lang: str = "both", nodes=None, controls=None, **options) -> rs.Analysis:
    """Read the input, run ``kind`` and, with ``out``, write its files (see the module doc).

    ``options`` are those of :func:`run_kind` (groups, weights, classes ...)."""
    langs(lang)
    nodes = rs.parse_list(nodes, "--nodes") if isinstance(nodes, str) else nodes
    controls = rs.parse_list(controls, "--controls") if isinstance(controls, str) else controls
    research = load_input(kind, results, node, data, value, nodes, controls, sheet, units_in, level)
    analysis = run_kind(kind, research, units_in=units_in, level=level, nodes=nodes, controls=controls,
                        lang=lang, **options)
    if out is not None:
        analysis.meta["files"] = write_analysis(analysis, out, lang)
    return analysis


__all__ = ["analyse", "load_input", "run_kind", "write_analysis"]
