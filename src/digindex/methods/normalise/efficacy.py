"""Efficacy-coefficient scoring (功效系数法) and its logarithmic form.

Both map an indicator onto a score between a "not allowed" value x_s (worst
acceptable) and a "satisfactory" value x_h. For direction −1 the roles swap:
x_s is the high end and x_h the low end, so the formula is unchanged and a
higher score is still better.

References: the efficacy coefficient method of Chinese multi-indicator
evaluation, e.g. 邱东 (1991) 《多指标综合评价方法的系统分析》, 中国统计出版社;
Guo F., Wang J. et al. (2020) 测度中国数字普惠
金融发展：指数编制与空间特征, 经济学(季刊) 19(4) (log efficacy, base year 2011).
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .common import base_year_mask, indicator_target, param_error, require_values
from .minmax import NormaliseContext, PanelBounds, _nan_bounds, _tf, bounds_scope, per_period

np = lazy_module("numpy", globals())


class EfficacyParams(PanelBounds):
    range: tuple[float, float] = (60.0, 100.0)
    clip: bool = True
    thresholds: Literal["data", "fixed", "target"] = "data"
    low: float | None = None
    high: float | None = Field(None, validate_default=True)
    base_year: int | None = None

    @field_validator("range")
    @classmethod
    def _range(cls, v):
        if not v[0] < v[1]:
            raise param_error("range must be [lo, hi] with lo < hi, e.g. [60, 100] "
                              "(set direction: -1 on the indicator for lower-is-better)")
        return v

    @field_validator("high")
    @classmethod
    def _fixed(cls, high, info: ValidationInfo):
        low, mode = info.data.get("low"), info.data.get("thresholds")
        if mode == "fixed":
            if low is None or high is None:
                raise param_error("thresholds: fixed needs both 'low' and 'high' "
                                  "(in the indicator's units)")
            if not low < high:
                raise param_error("'low' must be below 'high'; use direction: -1 on the "
                                  "indicator for lower-is-better")
        elif low is not None or high is not None:
            raise param_error("'low'/'high' are only used with thresholds: fixed")
        return high

    @field_validator("base_year")
    @classmethod
    def _base(cls, v, info: ValidationInfo):
        if v is not None and info.data.get("thresholds") == "fixed":
            raise param_error("base_year applies to thresholds: data or target, not fixed")
        if v is not None and info.data.get("bounds") == "pooled":
            raise param_error("give either base_year or bounds: pooled, not both")
        return v


def _efficacy_range(params: EfficacyParams, ctx: NormaliseContext):
    lo, hi = params.range
    from_data = params.base_year is None and params.thresholds != "fixed"
    if params.clip:
        return lo, hi, from_data and params.thresholds == "data"
    if from_data:  # the worst unit of each period scores lo; targets can be exceeded
        return lo, (hi if params.thresholds == "data" else math.inf), True
    return -math.inf, math.inf, False


def _efficacy_capabilities(p: EfficacyParams) -> Capabilities:
    if p.base_year is not None:
        return Capabilities(scope="panel")
    return Capabilities() if p.thresholds == "fixed" else bounds_scope(p)


@register("normalise", "efficacy", EfficacyParams, capabilities=_efficacy_capabilities,
          output_range=_efficacy_range)
def efficacy(x: np.ndarray, ctx: NormaliseContext, params: EfficacyParams) -> np.ndarray:
    """Efficacy coefficient (功效系数法): y = lo + (hi − lo)·(x − x_s)/(x_h − x_s).

    ``range`` [lo, hi] defaults to [60, 100]; scores are clipped to it unless
    ``clip: false``. x_s is the not-allowed value and x_h the satisfactory one:

    - ``thresholds: data`` (default): x_s = min, x_h = max of the data of each
      year, of all years (``bounds: pooled``), or of ``base_year`` only (scores
      then stay comparable across years, as provincial statistics bureaus use);
    - ``thresholds: fixed``: x_s = ``low``, x_h = ``high`` (indicator units,
      transformed like the values);
    - ``thresholds: target``: x_h = the indicator's ``target``, x_s from the data
      as above. If every unit already meets the target the thresholds carry no
      scale: all score hi when clipped, otherwise it is an error.

    Direction −1 swaps the roles (x_s = max or ``high``, x_h = min, ``low`` or
    the target). Constant data (x_s = x_h) score the middle of the range;
    constant base-year data are an error, as they give no thresholds.

    Reference: 邱东 (1991) 《多指标综合评价方法的系统分析》 (功效系数法, 60–100
    scale).
    """
    a, b = params.range
    x = np.asarray(x, float)
    d = ctx.direction
    target = None
    if params.thresholds == "target":
        target = indicator_target(ctx, None, "efficacy with thresholds: target", has_param=False)
    if params.thresholds == "fixed":
        with np.errstate(divide="ignore", invalid="ignore"):
            fixed = (_tf(ctx, params.low), _tf(ctx, params.high))
        if not np.all(np.isfinite(fixed)):
            raise ValueError("efficacy: 'low'/'high' cannot be transformed like the values "
                             "(they must be > 0 for transform ln/log10)")

    def thresholds(v):
        lo, hi = fixed if params.thresholds == "fixed" else _nan_bounds(v)
        x_s, x_h = (lo, hi) if d == 1 else (hi, lo)
        return x_s, (x_h if target is None else target)

    def score(v, x_s, x_h):
        if not (np.isfinite(x_s) and np.isfinite(x_h)):
            return np.full_like(v, np.nan)
        gap = (x_h - x_s) * d  # > 0 when x_h is on the better side of x_s
        if gap == 0 and target is None:
            return np.where(np.isnan(v), np.nan, (a + b) / 2)
        if gap <= 0:
            if not params.clip:
                raise ValueError(f"every unit already meets the target {x_h:g} (worst value "
                                 f"{x_s:g}), so it gives no scale; use clip: true or "
                                 "thresholds: data")
            return np.where(np.isnan(v), np.nan, b)
        y = a + (b - a) * (v - x_s) / (x_h - x_s)
        return np.clip(y, a, b) if params.clip else y

    if params.base_year is not None:
        base = x[base_year_mask(ctx, params.base_year, len(x))]
        x_s, x_h = thresholds(base)
        if np.all(np.isnan(base)):
            raise ValueError(f"base year {params.base_year} has no values for this indicator")
        if x_s == x_h and target is None:
            raise ValueError(f"all base-year {params.base_year} values equal {x_s:g}, "
                             "so they give no thresholds")
        return score(x, x_s, x_h)
    return per_period(x, ctx, params.bounds == "pooled", lambda v: score(v, *thresholds(v)))


class LogEfficacyParams(Params):
    base_year: int | None = None
    low: float | None = Field(None, gt=0)
    high: float | None = Field(None, gt=0)
    quantiles: tuple[float, float] = (0.0, 1.0)
    scale: float = Field(100.0, gt=0)

    @field_validator("high")
    @classmethod
    def _order(cls, high, info: ValidationInfo):
        low = info.data.get("low")
        if low is not None and high is not None and not low < high:
            raise param_error("'low' must be below 'high'; use direction: -1 on the "
                              "indicator for lower-is-better")
        return high

    @field_validator("quantiles")
    @classmethod
    def _q(cls, q):
        if not 0 <= q[0] < q[1] <= 1:
            raise param_error("quantiles must be [q_low, q_high] with 0 <= q_low < q_high <= 1, "
                              "e.g. [0.05, 0.95]")
        return q


@register("normalise", "log_efficacy", LogEfficacyParams, capabilities=Capabilities(scope="panel"))
def log_efficacy(x: np.ndarray, ctx: NormaliseContext, params: LogEfficacyParams) -> np.ndarray:
    """Log efficacy function: y = scale·(ln x − ln x_l)/(ln x_h − ln x_l), scale 100.

    x_l and x_h are fixed in the base year (``base_year``; default the earliest
    year), so later years can score above ``scale`` and growth stays visible.
    By default x_l/x_h are the min/max of the base-year values; ``quantiles``
    [q_l, q_h] takes those quantiles instead (Guo et al. report using the 5 %
    and 95 % quantiles of 2011), and ``low``/``high`` fix either one directly.
    Direction −1 swaps them (x_l = the high threshold). Values must be > 0; do
    not also set ``transform`` on the indicator (the method takes the log).

    Reference: Guo F., Wang J., Wang F., Kong T., Zhang X., Cheng Z. (2020),
    经济学(季刊) 19(4): the Peking University Digital Financial Inclusion Index.
    """
    if ctx.transform is not None:
        raise ValueError("log_efficacy takes the logarithm itself; remove 'transform' from "
                         "the indicator")
    x = np.asarray(x, float)
    require_values(x, ctx, "log_efficacy", strict=True)
    if params.base_year is not None:
        base = x[base_year_mask(ctx, params.base_year, len(x))]
    elif ctx.years is not None and any(y is not None for y in ctx.years):
        first = min(y for y in ctx.years if y is not None)
        base = x[base_year_mask(ctx, first, len(x))]
    else:
        base = x
    base = base[~np.isnan(base)]
    need_data = params.low is None or params.high is None
    if need_data and base.size == 0:
        raise ValueError("the base year has no values for this indicator")
    lo = params.low if params.low is not None else float(np.quantile(base, params.quantiles[0]))
    hi = params.high if params.high is not None else float(np.quantile(base, params.quantiles[1]))
    if not lo < hi:
        raise ValueError(f"the base-year thresholds are not ordered (low {lo:g}, high {hi:g}); "
                         "the base-year values may be constant")
    x_l, x_h = (lo, hi) if ctx.direction == 1 else (hi, lo)
    return params.scale * (np.log(x) - np.log(x_l)) / (np.log(x_h) - np.log(x_l)) + 0.0  # no -0
