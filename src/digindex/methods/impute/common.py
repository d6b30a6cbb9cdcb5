"""Helpers shared by the imputation and treatment methods (not methods themselves).

Both families receive ``X`` (rows = (unit, year), columns = ``ctx.indicators``) and a
``StageContext``; they work one year at a time on panels and report every change as a
``LogEntry``.
"""
from __future__ import annotations

from typing import Any

from ...lazy import lazy_module
from ..context import LogEntry

np = lazy_module("numpy", globals())


def year_slices(years) -> list[tuple[Any, np.ndarray]]:
    """(year, row indices) for each year, in order of first appearance."""
    years = np.asarray(years, dtype=object)
    first: dict = {}
    codes = np.fromiter((first.setdefault(y, len(first)) for y in years.tolist()), dtype=np.int64,
                        count=len(years))
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return list(zip(first, np.split(order, bounds))) if len(order) else []


def unit_slices(units, years) -> list[tuple[Any, np.ndarray]]:
    """(unit, row indices sorted by year) for each unit; needs real years."""
    units = np.asarray(units, dtype=object)
    years = np.asarray(years, dtype=object)
    if any(y is None for y in years):
        raise ValueError("this method works along time and needs a 'year' column in the data")
    first: dict = {}
    codes = np.fromiter((first.setdefault(u, len(first)) for u in units.tolist()), dtype=np.int64,
                        count=len(units))
    # one sort for all units (stable: rows of one unit and year keep their order)
    order = np.lexsort((years.astype(float), codes))
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return list(zip(first, np.split(order, bounds))) if len(order) else []


def log_entry(stage: str, message: str, node=None, unit=None, year=None, **detail):
    """A LogEntry of this stage, with the details as keyword arguments."""
    return LogEntry(stage, message, node=node, unit=unit, year=year, detail=detail)


def imputed(method: str, indicator: str, unit, year, value: float, source: str):
    """The log entry of one imputed cell: stage "impute", with its value and source."""
    return log_entry("impute", f"imputed {value:.6g} by {method} ({source})", node=indicator,
                     unit=unit, year=year, method=method, value=float(value), source=source)


def fmt_year(year) -> str:
    return "" if year is None else str(year)
