"""Helpers shared by the normalisation modules: years, base years, checks, targets."""
from __future__ import annotations

from typing import Iterator

from pydantic_core import PydanticCustomError

from ...lazy import lazy_module
from .minmax import NormaliseContext, _tf

np = lazy_module("numpy", globals())


def param_error(message: str) -> PydanticCustomError:
    """A parameter error whose text ``make_params`` shows as written (no braces in it)."""
    return PydanticCustomError("invalid_parameter", message)


def where(ctx: NormaliseContext, i: int) -> str:
    """'unit 'X', year 2020' for row ``i``, as far as the context knows it."""
    parts = []
    if ctx.units is not None:
        parts.append(f"unit {ctx.units[i]!r}")
    if ctx.years is not None and ctx.years[i] is not None:
        parts.append(f"year {ctx.years[i]}")
    return ", ".join(parts) or f"row {i}"


def year_groups(ctx: NormaliseContext, n: int) -> Iterator[tuple[object, np.ndarray]]:
    """(year, row mask) for each year in order of appearance; one group if no years."""
    if ctx.years is None:
        yield None, np.ones(n, dtype=bool)
        return
    years = np.asarray(ctx.years, dtype=object)
    for year in dict.fromkeys(years.tolist()):
        yield year, years == year


def base_year_mask(ctx: NormaliseContext, base_year: int, n: int) -> np.ndarray:
    """Rows of ``base_year``; ValueError if the data have no years or not that one."""
    if ctx.years is None:
        raise ValueError(f"base_year {base_year} needs data with a 'year' column")
    years = np.asarray(ctx.years, dtype=object)
    mask = np.array([y is not None and y == base_year for y in years.tolist()], dtype=bool)
    if not mask.any():
        known = sorted({y for y in years.tolist() if y is not None})
        shown = f"{known[0]}–{known[-1]}" if known else "none"
        raise ValueError(f"base_year {base_year} is not in the data (years: {shown})")
    return mask


def require_values(x: np.ndarray, ctx: NormaliseContext, method: str, strict: bool) -> None:
    """Refuse values < 0 (or <= 0 when ``strict``), naming the first offending row."""
    bad = (x <= 0) if strict else (x < 0)
    bad &= ~np.isnan(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        need = "> 0" if strict else ">= 0"
        raise ValueError(
            f"{method} needs values {need} (ratio scale), but {where(ctx, i)} has {x[i]:g} "
            f"({int(bad.sum())} such value(s))"
        )


def indicator_target(ctx: NormaliseContext, param: float | None, method: str,
                     has_param: bool = True) -> float:
    """The indicator's ``target`` (or else the method parameter), transformed like the values."""
    value = ctx.target if ctx.target is not None else param
    if value is None:
        how = " or the method parameter 'target'" if has_param else ""
        raise ValueError(f"{method} needs a target: give the indicator 'target: <value>'{how}")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _tf(ctx, value)
    if not np.isfinite(out):
        raise ValueError(f"target {value:g} cannot be transformed like the values (is it > 0?)")
    return out


def counts(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """For each value: how many present values are below it, how many equal it
    (itself included), and the number ``n`` of present values. NaN rows get 0."""
    ok = ~np.isnan(v)
    s = np.sort(v[ok])
    less = np.searchsorted(s, v, side="left").astype(float)
    equal = np.searchsorted(s, v, side="right") - less
    less[~ok] = 0
    equal[~ok] = 0
    return less, equal, int(ok.sum())
