"""Helpers shared by the imputation and treatment methods (not methods themselves).

Both families receive ``X`` (rows = (unit, year), columns = ``ctx.indicators``) and a
``StageContext``; they work one year at a time on panels and report every change as a
``LogEntry``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..context import LogEntry


def year_slices(years) -> list[tuple[Any, np.ndarray]]:
    """(year, row indices) for each year, in order of first appearance."""
    years = np.asarray(years, dtype=object)
    out = []
    for year in dict.fromkeys(years.tolist()):
        out.append((year, np.flatnonzero(np.array([y == year for y in years], dtype=bool))))
    return out


def unit_slices(units, years) -> list[tuple[Any, np.ndarray]]:
    """(unit, row indices sorted by year) for each unit; needs real years."""
    units = np.asarray(units, dtype=object)
    years = np.asarray(years, dtype=object)
    if any(y is None for y in years):
        raise ValueError("this method works along time and needs a 'year' column in the data")
    out = []
    for unit in dict.fromkeys(units.tolist()):
        rows = np.flatnonzero(units == unit)
        rows = rows[np.argsort(np.array([years[r] for r in rows], dtype=float), kind="stable")]
        out.append((unit, rows))
    return out


def log_entry(stage: str, message: str, node=None, unit=None, year=None, **detail):
    """A LogEntry of this stage, with the details as keyword arguments."""
    return LogEntry(stage, message, node=node, unit=unit, year=year, detail=detail)


def imputed(method: str, indicator: str, unit, year, value: float, source: str):
    """The log entry of one imputed cell: stage "impute", with its value and source."""
    return log_entry("impute", f"imputed {value:.6g} by {method} ({source})", node=indicator,
                     unit=unit, year=year, method=method, value=float(value), source=source)


def fmt_year(year) -> str:
    return "" if year is None else str(year)
