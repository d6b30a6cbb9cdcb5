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
from ._common import check_year, node_positions, real_years


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
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~((first > 0) & (last > 0)))
    notes = [""] * len(first)
    y0s, y1s = np.broadcast_to(y0, first.shape), np.broadcast_to(y1, first.shape)

    def why(value, year) -> str:
        return f"missing {year}" if np.isnan(value) else f"non-positive {year}" if value <= 0 else ""

    for i in bad.tolist():  # few rows: the notes are built one by one
        a, b = why(first[i], y0s[i]), why(last[i], y1s[i])
        notes[i] = f"{a}; {b}" if a and b else a or b
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


def score_yoy(evaluation, nodes) -> pd.DataFrame:
    """Year-on-year growth of the scores of ``nodes`` per (unit, node, year).

    Meaningful where scores are comparable across years (pooled or fixed-bound
    normalisations). One row per unit-year row of the data except those of the first year,
    per node; columns ``unit, year, node, prev_value, value, yoy, note`` (the values are scores).
    """
    cols = ["unit", "year", "node", "prev_value", "value", "yoy", "note"]
    years = real_years(evaluation)
    nodes = [nodes] if isinstance(nodes, str) else list(nodes)
    if len(years) < 2 or not nodes:
        return pd.DataFrame(columns=cols)
    scores = evaluation.scores_table()
    scores = scores[scores["year"].notna()]
    long = scores.melt(id_vars=["unit", "year"], value_vars=nodes, var_name="node", value_name="value") \
        .assign(year=lambda d: d["year"].astype(int))
    return _yoy(long, "node", years[0])[cols]


def growth_table(evaluation, nodes) -> pd.DataFrame:
    """Year-on-year growth for ``nodes``: of the score for an aggregate (``basis`` score), of
    the raw value for an indicator (``basis`` raw). Columns ``unit, year, node, basis,
    prev_value, value, yoy, note``; nodes in the framework's order."""
    fw = evaluation.framework
    nodes = [nodes] if isinstance(nodes, str) else list(nodes)
    parts = []
    aggregates = [n for n in nodes if not fw.nodes[n].is_indicator]
    indicators = [n for n in nodes if fw.nodes[n].is_indicator]
    if aggregates:
        parts.append(score_yoy(evaluation, aggregates).assign(basis="score"))
    if indicators:
        parts.append(indicator_yoy(evaluation, indicators).rename(columns={"indicator": "node"})
                     .assign(basis="raw"))
    cols = ["unit", "year", "node", "basis", "prev_value", "value", "yoy", "note"]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(_n=node_positions(evaluation, out["node"])).sort_values(["year", "_n"], kind="stable")
    return out[cols].reset_index(drop=True)


def _yoy(long: pd.DataFrame, key: str, first_year) -> pd.DataFrame:
    """Growth of ``value`` over the calendar year before, per unit and ``key``."""
    prev = long.assign(year=long["year"] + 1).rename(columns={"value": "prev_value"})
    out = long[long["year"] > first_year].merge(prev, on=["unit", "year", key], how="left")
    out["yoy"] = growth_rate(out["prev_value"], out["value"], 1)
    out["note"] = _note(out["prev_value"], out["value"], out["year"].to_numpy() - 1, out["year"].to_numpy())
    return out.reset_index(drop=True)


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
    return _yoy(long, "indicator", years[0])[cols]


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
