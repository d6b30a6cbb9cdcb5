"""Indicator growth on the raw data: year-on-year growth and CAGR over a window.

Formulas (OECD, *Glossary of Statistical Terms*, "compound annual growth rate")::

    yoy(t)          = x(t) / x(t-1) - 1
    cagr(t0 -> t1)  = (x(t1) / x(t0)) ** (1 / (t1 - t0)) - 1

e.g. CAGR 2019 -> 2022 = (x_2022 / x_2019) ** (1/3) - 1. Both values must be
present and strictly positive; otherwise the growth is NaN and ``note`` says why
(``missing <year>`` or ``non-positive <year>``). YoY compares with the calendar
year ``t - 1`` only: a gap in the data gives NaN with a note, never a rate over
two years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ._common import check_year, real_years


def growth_rate(first, last, periods=1) -> np.ndarray:
    """Compound growth per period: ``(last / first) ** (1 / periods) - 1``.

    NaN where either value is missing or not strictly positive, or ``periods`` ≤ 0.
    """
    first = np.asarray(first, dtype=float)
    last = np.asarray(last, dtype=float)
    periods = np.asarray(periods, dtype=float)
    ok = (first > 0) & (last > 0) & (periods > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.power(last / first, 1.0 / periods) - 1.0
    return np.where(ok, rate, np.nan)


def _note(first, last, y0, y1) -> list[str]:
    """Why each growth is NaN ("" where it is not); ``y0``/``y1`` scalars or per row."""
    first, last = np.asarray(first, dtype=float), np.asarray(last, dtype=float)
    y0s, y1s = np.broadcast_to(y0, first.shape), np.broadcast_to(y1, first.shape)
    notes = []
    for a, b, y0, y1 in zip(first, last, y0s, y1s):
        parts = []
        for value, year in ((a, y0), (b, y1)):
            if np.isnan(value):
                parts.append(f"missing {year}")
            elif value <= 0:
                parts.append(f"non-positive {year}")
        notes.append("; ".join(parts))
    return notes


def _indicators(evaluation, indicators) -> list[str]:
    ids = evaluation.framework.indicator_ids
    if indicators is None:
        return list(ids)
    indicators = [indicators] if isinstance(indicators, str) else list(indicators)
    unknown = [i for i in indicators if i not in ids]
    if unknown:
        raise InputError(Problem(f"not indicators of framework {evaluation.framework.id!r}: "
                                 f"{', '.join(map(str, unknown))}", file=evaluation.framework.source,
                                 fix="name indicators (leaves of the tree), not aggregates"))
    return indicators


def _raw_long(evaluation, indicators: list[str]) -> pd.DataFrame:
    raw = evaluation.stage("raw")
    raw = raw[raw["year"].notna()]
    return raw.melt(id_vars=["unit", "year"], value_vars=indicators, var_name="indicator",
                    value_name="value").assign(year=lambda d: d["year"].astype(int))


def indicator_yoy(evaluation, indicators=None) -> pd.DataFrame:
    """Year-on-year growth of raw indicator values per (unit, indicator, year).

    One row per unit-year row of the data except those of the first year, per
    indicator; columns ``unit, year, indicator, prev_value, value, yoy, note``.
    """
    indicators = _indicators(evaluation, indicators)
    years = real_years(evaluation)
    cols = ["unit", "year", "indicator", "prev_value", "value", "yoy", "note"]
    if len(years) < 2:
        return pd.DataFrame(columns=cols)
    long = _raw_long(evaluation, indicators)
    prev = long.assign(year=long["year"] + 1).rename(columns={"value": "prev_value"})
    out = long[long["year"] > years[0]].merge(prev, on=["unit", "year", "indicator"], how="left")
    out["yoy"] = growth_rate(out["prev_value"], out["value"], 1)
    out["note"] = _note(out["prev_value"], out["value"], out["year"].to_numpy() - 1, out["year"].to_numpy())
    return out[cols].reset_index(drop=True)


def indicator_cagr(evaluation, start=None, end=None, indicators=None) -> pd.DataFrame:
    """Compound annual growth rate of raw indicator values from ``start`` to ``end``.

    ``start``/``end`` default to the first and last year of the data and must
    be years of the data with ``start < end``. One row per (unit, indicator);
    columns ``unit, indicator, start, end, years, start_value, end_value, cagr, note``.
    """
    years = real_years(evaluation)
    if len(years) < 2:
        raise InputError(Problem("growth needs data for at least two years", column="year",
                                 fix="add data for more years"))
    y0 = check_year(evaluation, years[0] if start is None else start, "start year")
    y1 = check_year(evaluation, years[-1] if end is None else end, "end year")
    if y0 >= y1:
        raise InputError(Problem(f"the growth window {y0} -> {y1} does not run forward",
                                 fix="give a start year before the end year, e.g. 2019 -> 2022"))
    indicators = _indicators(evaluation, indicators)
    long = _raw_long(evaluation, indicators)
    units = pd.Series(pd.unique(long["unit"]), name="unit")
    grid = pd.MultiIndex.from_product([units, indicators], names=["unit", "indicator"]).to_frame(index=False)
    first = long[long["year"] == y0].drop(columns="year").rename(columns={"value": "start_value"})
    last = long[long["year"] == y1].drop(columns="year").rename(columns={"value": "end_value"})
    out = grid.merge(first, on=["unit", "indicator"], how="left").merge(last, on=["unit", "indicator"], how="left")
    out.insert(2, "start", y0)
    out.insert(3, "end", y1)
    out.insert(4, "years", y1 - y0)
    out["cagr"] = growth_rate(out["start_value"], out["end_value"], y1 - y0)
    out["note"] = _note(out["start_value"], out["end_value"], y0, y1)
    return out
