"""Ratio normalisations: distance to a target, a reference unit, the leader, a base year.

Each divides by a reference value, so the indicator must be on a ratio scale:
values >= 0, and > 0 where a value is the divisor (direction −1 inverts the
ratio so that higher is still better). ``scale`` multiplies the result
(e.g. 100 for "reference = 100").

Reference: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5
(distance to a reference, indicators relative to a base year).
"""
from __future__ import annotations

import math

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .common import base_year_mask, indicator_target, require_values, where, year_groups
from .minmax import NormaliseContext, PanelBounds, bounds_scope, per_period

np = lazy_module("numpy", globals())


def _ratio(x: np.ndarray, ref, ctx: NormaliseContext, method: str) -> np.ndarray:
    """x/ref for direction +1, ref/x for −1, after checking the values may be divided."""
    require_values(x, ctx, method, strict=ctx.direction == -1)
    return x / ref if ctx.direction == 1 else ref / x


class TargetParams(Params):
    target: float | None = None
    cap: bool = True
    scale: float = Field(1.0, gt=0)


@register("normalise", "distance_to_target", TargetParams,
          output_range=lambda p, c: (0.0, p.scale if p.cap else math.inf, False))
def distance_to_target(x: np.ndarray, ctx: NormaliseContext, params: TargetParams) -> np.ndarray:
    """Distance to target: y = scale·min(x/target, 1); direction −1: scale·min(target/x, 1).

    The target is the indicator's ``target`` or else the parameter ``target``
    (in the indicator's units, transformed like the values); it must be > 0.
    ``cap: false`` lets units beyond the target score above ``scale``.

    Reference: OECD/JRC (2008) Handbook, §5 (distance to a target).
    """
    t = indicator_target(ctx, params.target, "distance_to_target")
    if t <= 0:
        raise ValueError(f"distance_to_target needs a target > 0, not {t:g}")
    y = _ratio(np.asarray(x, float), t, ctx, "distance_to_target")
    return params.scale * (np.minimum(y, 1.0) if params.cap else y)


class ReferenceParams(Params):
    unit: str
    scale: float = Field(1.0, gt=0)


@register("normalise", "distance_to_reference", ReferenceParams, capabilities=Capabilities(scope="year"),
          output_range=lambda p, c: (0.0, math.inf, False))
def distance_to_reference(x: np.ndarray, ctx: NormaliseContext,
                          params: ReferenceParams) -> np.ndarray:
    """Distance to a reference unit: y = scale·x/x_ref, direction −1: scale·x_ref/x.

    x_ref is the value of the unit named by ``unit`` in the same year (e.g. the
    national average or the EU, so that the reference scores ``scale``). A
    year in which the reference unit has no value is an error.

    Reference: OECD/JRC (2008) Handbook, §5 (distance to a reference country).
    """
    if ctx.units is None:
        raise ValueError("distance_to_reference needs the unit of each row")
    x = np.asarray(x, float)
    is_ref = np.array([str(u) == params.unit for u in ctx.units], dtype=bool)
    if not is_ref.any():
        raise ValueError(f"reference unit {params.unit!r} is not in the data")
    out = np.full_like(x, np.nan)
    for year, rows in year_groups(ctx, len(x)):
        ref = x[rows & is_ref]
        ref = ref[~np.isnan(ref)]
        when = "" if year is None else f" in year {year}"
        if ref.size == 0:
            raise ValueError(f"reference unit {params.unit!r} has no value{when}")
        if ref[0] <= 0:
            raise ValueError(f"reference unit {params.unit!r} has value {ref[0]:g}{when}; "
                             "it must be > 0")
        out[rows] = _ratio(x[rows], ref[0], ctx, "distance_to_reference")
    return params.scale * out


class MaxParams(PanelBounds):
    scale: float = Field(1.0, gt=0)


@register("normalise", "distance_to_max", MaxParams, capabilities=bounds_scope,
          output_range=lambda p, c: (0.0, p.scale, False))
def distance_to_max(x: np.ndarray, ctx: NormaliseContext, params: MaxParams) -> np.ndarray:
    """Distance to the leader: y = scale·x/max; direction −1: y = scale·min/x.

    max (min) is taken over the units of each year, or over all years with
    ``bounds: pooled``; the leader scores ``scale``. If every value is 0
    (direction +1) all units lead and score ``scale``.

    Reference: OECD/JRC (2008) Handbook, §5 (distance to the group leader).
    """
    x = np.asarray(x, float)
    require_values(x, ctx, "distance_to_max", strict=ctx.direction == -1)

    def one(v):
        if np.all(np.isnan(v)):
            return v.copy()
        if ctx.direction == -1:
            return np.nanmin(v) / v
        top = np.nanmax(v)
        return np.where(np.isnan(v), np.nan, 1.0) if top == 0 else v / top

    return params.scale * per_period(x, ctx, params.bounds == "pooled", one)


class BaseYearParams(Params):
    base_year: int
    scale: float = Field(100.0, gt=0)


@register("normalise", "index_to_base_year", BaseYearParams, capabilities=Capabilities(scope="panel"),
          output_range=lambda p, c: (0.0, math.inf, False))
def index_to_base_year(x: np.ndarray, ctx: NormaliseContext, params: BaseYearParams) -> np.ndarray:
    """Index to a base year: y = 100·x_t/x_b, per unit; direction −1: 100·x_b/x_t.

    x_b is the unit's own value in ``base_year`` (so every unit scores 100 in the
    base year; ``scale`` changes 100). Units with no value in the base year, or
    a base value <= 0, are an error naming them.

    Reference: OECD/JRC (2008) Handbook, §5 (indicators relative to a reference
    year).
    """
    if ctx.units is None:
        raise ValueError("index_to_base_year needs the unit of each row")
    x = np.asarray(x, float)
    require_values(x, ctx, "index_to_base_year", strict=ctx.direction == -1)
    base_rows = np.flatnonzero(base_year_mask(ctx, params.base_year, len(x)) & ~np.isnan(x))
    base = {ctx.units[i]: x[i] for i in base_rows}
    missing = list(dict.fromkeys(u for u in ctx.units if u not in base))
    if missing:
        shown = ", ".join(map(repr, missing[:5])) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"{len(missing)} unit(s) have no value in base year "
                         f"{params.base_year}: {shown}")
    bad = [i for i in base_rows if x[i] <= 0]
    if bad:
        i = bad[0]
        raise ValueError(f"base-year values must be > 0, but {where(ctx, i)} has {x[i]:g}")
    ref = np.array([base[u] for u in ctx.units])
    return params.scale * _ratio(x, ref, ctx, "index_to_base_year")
