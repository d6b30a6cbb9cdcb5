"""Normalisation methods: bring indicators onto a common scale.

Every function takes the values of one indicator over all (unit, year) rows,
already transformed (``ln``/``log10``) where the framework asks for it, and a
:class:`NormaliseContext` carrying the indicator's direction, goalposts, target
and the row labels. Higher output is always better: direction ``-1`` is handled
inside each method.

References: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*,
section 5; UNDP (2022) HDR Technical note 1 (goalposts).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import warnings

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register

np = lazy_module("numpy", globals())


@dataclass(frozen=True)
class NormaliseContext:
    """What a normaliser may know besides the values themselves."""

    indicator: str
    direction: int = 1
    years: np.ndarray | None = None
    units: np.ndarray | None = None
    goalposts: tuple[float, float] | None = None  # transformed like the values
    clip: bool | None = None
    target: float | None = None
    transform: object = field(default=None, repr=False)  # maps raw bounds to transformed


def per_period(x: np.ndarray, ctx: NormaliseContext, pooled: bool, fn) -> np.ndarray:
    """Apply ``fn`` to each year's slice of ``x`` (or to all of it when pooled)."""
    if pooled or ctx.years is None:
        return fn(x)
    out = np.full_like(x, np.nan, dtype=float)
    years = np.asarray(ctx.years, dtype=object)
    for year in dict.fromkeys(years.tolist()):
        mask = years == year
        out[mask] = fn(x[mask])
    return out


def _increasing_scale(v: tuple[float, float]) -> tuple[float, float]:
    """Refuse a reversed scale: it would make higher scores worse."""
    if not v[0] < v[1]:
        raise PydanticCustomError(
            "invalid_parameter", "scale must be [a, b] with a < b (set direction: -1 on the "
            "indicator for lower-is-better)")
    return v


def _nan_bounds(x: np.ndarray) -> tuple[float, float]:
    if np.all(np.isnan(x)):
        return np.nan, np.nan
    return float(np.nanmin(x)), float(np.nanmax(x))


class PanelBounds(Params):
    """Normalisations whose bounds come from the data: per year (default) or over the panel.

    ``pooled: true`` is the spelling every within-year method shares (TOPSIS, VIKOR,
    Copeland, MPI take it too); it is the same as ``bounds: pooled``.
    """

    bounds: Literal["per_year", "pooled"] = "per_year"
    pooled: bool | None = Field(None, description="true: bounds over every year of the panel "
                                                  "(the same as bounds: pooled)")

    @model_validator(mode="before")
    @classmethod
    def _pooled_sets_bounds(cls, data):
        if isinstance(data, dict) and data.get("pooled") is not None:
            implied = "pooled" if data["pooled"] else "per_year"
            if data.get("bounds", implied) != implied:
                raise ValueError(f"pooled: {str(data['pooled']).lower()} contradicts "
                                 f"bounds: {data['bounds']}; give one of them")
            data = {**data, "bounds": implied}
        return data


class MinMaxParams(PanelBounds):
    min: float | None = None
    max: float | None = None
    scale: tuple[float, float] = (0.0, 100.0)
    clip: bool | None = None

    _scale = field_validator("scale")(_increasing_scale)

    @field_validator("max")
    @classmethod
    def _order(cls, v, info):
        lo = info.data.get("min")
        if v is not None and lo is not None and not lo < v:
            raise PydanticCustomError("invalid_parameter", "'min' must be below 'max' (set "
                                      "direction: -1 on the indicator for lower-is-better)")
        return v


def _minmax_range(params: MinMaxParams, ctx: NormaliseContext):
    a, b = params.scale
    fixed = params.min is not None or params.max is not None or ctx.goalposts is not None
    clip = params.clip if params.clip is not None else bool(ctx.clip)
    if fixed and not clip:
        return -math.inf, math.inf, False
    return min(a, b), max(a, b), not fixed


def _minmax_columns(X: np.ndarray, directions: np.ndarray, years, params: MinMaxParams) -> np.ndarray:
    """Data-driven min-max of many indicators at once (same formula as ``minmax``)."""
    a, b = params.scale
    clip = bool(params.clip)

    def scale(V):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column stays missing
            lo, hi = np.nanmin(V, axis=0), np.nanmax(V, axis=0)
            frac = (V - lo) / (hi - lo)
        frac = np.where(directions == -1, 1.0 - frac, frac)
        if clip:
            frac = np.clip(frac, 0.0, 1.0)
        out = a + (b - a) * frac
        const = (hi == lo)
        return np.where(const & ~np.isnan(V), (a + b) / 2.0, out)

    return columns_per_period(X, years, params.bounds == "pooled", scale)


def columns_per_period(X, years, pooled, fn):
    """Apply ``fn`` to each year's block of rows of X (or to all rows when pooled)."""
    X = np.asarray(X, float)
    if pooled or years is None:
        return fn(X)
    out = np.full_like(X, np.nan)
    years = np.asarray(years, dtype=object)
    for year in dict.fromkeys(years.tolist()):
        mask = years == year
        out[mask] = fn(X[mask])
    return out


def _minmax_columns_ok(params: MinMaxParams, ctx: NormaliseContext) -> bool:
    return params.min is None and params.max is None and ctx.goalposts is None


def bounds_scope(params) -> Capabilities:
    """Scope of a normalisation whose bounds come from the data: the year's rows, or all rows."""
    return Capabilities(scope="panel" if getattr(params, "bounds", "per_year") == "pooled" else "year")


def _minmax_capabilities(p: MinMaxParams) -> Capabilities:
    return Capabilities() if p.min is not None and p.max is not None else bounds_scope(p)


@register("normalise", "minmax", MinMaxParams, capabilities=_minmax_capabilities, output_range=_minmax_range,
          columns=_minmax_columns, columns_ok=_minmax_columns_ok)
def minmax(x: np.ndarray, ctx: NormaliseContext, params: MinMaxParams) -> np.ndarray:
    """Min-max rescaling onto ``scale`` [a, b].

    y = a + (b − a)·(x − min)/(max − min), and for direction −1
    y = a + (b − a)·(max − x)/(max − min).

    ``min``/``max`` come from the data (per year, or pooled over all years with
    ``bounds: pooled``), from the fixed parameters ``min``/``max`` or from the
    indicator's ``goalposts`` (all in the indicator's units, transformed like the
    values). Fixed bounds are not clipped unless ``clip: true`` (DESI practice).
    A constant indicator (max = min) scores the middle of the scale.

    Reference: OECD/JRC (2008) Handbook, §5.2 (min-max); European Commission,
    DESI 2022 methodological note (fixed bounds, no clipping).
    """
    a, b = params.scale
    lo_fixed, hi_fixed = params.min, params.max
    if ctx.goalposts is not None:
        lo_fixed = ctx.goalposts[0] if lo_fixed is None else _tf(ctx, lo_fixed)
        hi_fixed = ctx.goalposts[1] if hi_fixed is None else _tf(ctx, hi_fixed)
    else:
        lo_fixed = None if lo_fixed is None else _tf(ctx, lo_fixed)
        hi_fixed = None if hi_fixed is None else _tf(ctx, hi_fixed)
    clip = params.clip if params.clip is not None else bool(ctx.clip)

    def scale_one(v):
        lo, hi = _nan_bounds(v)
        lo = lo if lo_fixed is None else lo_fixed
        hi = hi if hi_fixed is None else hi_fixed
        if not np.isfinite(hi - lo):
            return np.full_like(v, np.nan, dtype=float)
        if hi == lo:
            return np.where(np.isnan(v), np.nan, (a + b) / 2.0)
        frac = (v - lo) / (hi - lo)
        if ctx.direction == -1:
            frac = 1.0 - frac
        if clip:
            frac = np.clip(frac, 0.0, 1.0)
        return a + (b - a) * frac

    return per_period(np.asarray(x, float), ctx, params.bounds == "pooled", scale_one)


class GoalpostParams(Params):
    scale: tuple[float, float] = (0.0, 1.0)
    clip: bool | None = None

    _scale = field_validator("scale")(_increasing_scale)


def _goalposts_range(params: GoalpostParams, ctx: NormaliseContext):
    clip = params.clip if params.clip is not None else bool(ctx.clip)
    if not clip:
        return -math.inf, math.inf, False
    a, b = params.scale
    return min(a, b), max(a, b), False


@register("normalise", "goalposts", GoalpostParams, output_range=_goalposts_range)
def goalposts(x: np.ndarray, ctx: NormaliseContext, params: GoalpostParams) -> np.ndarray:
    """Distance between fixed goalposts [lo, hi], given on the indicator.

    y = (x − lo)/(hi − lo) (direction −1: (hi − x)/(hi − lo)), mapped onto
    ``scale`` (default [0, 1]) and clipped to it when the indicator or the method
    sets ``clip: true``. With ``transform: ln`` the goalposts are logged too,
    as for the HDI income index: (ln x − ln 100)/(ln 75000 − ln 100).

    Reference: UNDP (2022) Human Development Report 2021/22, Technical note 1.
    """
    if ctx.goalposts is None:
        raise ValueError(
            f"indicator {ctx.indicator!r} uses goalposts normalisation but has no "
            "'goalposts: [lo, hi]'"
        )
    lo, hi = ctx.goalposts
    a, b = params.scale
    clip = params.clip if params.clip is not None else bool(ctx.clip)
    frac = (np.asarray(x, float) - lo) / (hi - lo)
    if ctx.direction == -1:
        frac = 1.0 - frac
    if clip:
        frac = np.clip(frac, 0.0, 1.0)
    return a + (b - a) * frac


def _tf(ctx: NormaliseContext, value: float) -> float:
    """Transform a bound given in the indicator's own units like the values."""
    return float(ctx.transform(np.array([value]))[0]) if ctx.transform else float(value)


@register("normalise", "none")
def identity(x: np.ndarray, ctx: NormaliseContext, params) -> np.ndarray:
    """No normalisation: values pass through unchanged; direction −1 negates them.

    Use when the data already hold scores on a common scale.
    """
    if ctx.direction == -1:
        return -np.asarray(x, float)
    return np.asarray(x, float)
