"""Imputation along time, one unit at a time: carry, interpolate, or scale by a reference unit.

Only observed values are used as sources (never values imputed in the same pass). These
methods need a ``year`` column; cells with no usable source stay missing and are logged.
"""
from __future__ import annotations

from typing import Literal

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .common import imputed, log_entry, unit_slices

np = lazy_module("numpy", globals())


class PreviousYearParams(Params):
    direction: Literal["forward_then_back", "forward", "back"] = "forward_then_back"


@register("impute", "previous_year", PreviousYearParams, capabilities=Capabilities(scope="panel"))
def previous_year(X, ctx, params: PreviousYearParams):
    """Last observation carried forward, then next observation carried back.

    x̂_ut = x_us with s the latest observed year before t (forward); cells still missing take
    the earliest observed year after t (back). ``direction``: forward_then_back (default),
    forward, or back.

    Reference: OECD/JRC (2008) Handbook, §1.3 (single imputation: last value carried forward).
    """
    X = np.asarray(X, float)
    out = X.copy()
    entries = []
    fwd = params.direction in ("forward_then_back", "forward")
    back = params.direction in ("forward_then_back", "back")
    for unit, rows in unit_slices(ctx.units, ctx.years):
        yrs = [ctx.years[r] for r in rows]
        gaps = np.isnan(X[rows]).any(axis=0)
        for j, ind in enumerate(ctx.indicators):
            if not gaps[j]:  # nothing to impute for this unit and indicator
                continue
            col = X[rows, j]
            seen = np.flatnonzero(~np.isnan(col))
            for k in np.flatnonzero(np.isnan(col)):
                before, after = seen[seen < k], seen[seen > k]
                src = before[-1] if fwd and before.size else after[0] if back and after.size else None
                if src is None:
                    entries.append(log_entry("impute", "not imputed: no observed year to carry",
                                             node=ind, unit=unit, year=yrs[k], method="previous_year"))
                    continue
                out[rows[k], j] = col[src]
                entries.append(imputed("previous_year", ind, unit, yrs[k], col[src], f"{unit} {yrs[src]}"))
    return out, entries


class InterpolateParams(Params):
    ends: Literal["leave", "nearest"] = "leave"


@register("impute", "interpolate", InterpolateParams, capabilities=Capabilities(scope="panel"))
def interpolate(X, ctx, params: InterpolateParams):
    """Linear interpolation in time, per unit.

    x̂_ut = x_ua + (x_ub − x_ua)·(t − a)/(b − a), a < t < b the nearest observed years. Before
    the first or after the last observation the cell stays missing (``ends: leave``) or takes
    the nearest observed value (``ends: nearest``).

    Reference: OECD/JRC (2008) Handbook, §1.3; Little & Rubin (2002) Statistical Analysis with
    Missing Data, ch. 4.
    """
    X = np.asarray(X, float)
    out = X.copy()
    slices = unit_slices(ctx.units, ctx.years)
    if not slices or not np.isnan(X).any():
        return out, []
    # every unit's rows one after the other, by year: the nearest observed row before and
    # after each cell, per column, found for all cells at once
    rows = np.concatenate([r for _, r in slices])
    sizes = np.array([len(r) for _, r in slices])
    unit_of = np.repeat(np.arange(len(slices)), sizes)
    first_row = np.repeat(np.cumsum(sizes) - sizes, sizes)[:, None]
    years = np.asarray(ctx.years, dtype=object)[rows]
    t = years.astype(float)
    x = X[rows]
    missing = np.isnan(x)
    n = len(rows)
    position = np.arange(n)[:, None]
    before = np.maximum.accumulate(np.where(missing, -1, position), axis=0)
    after = np.minimum.accumulate(np.where(missing, n, position)[::-1], axis=0)[::-1]
    has_before = before >= first_row  # an observed year of the same unit before
    has_after = after < first_row + sizes[unit_of][:, None]
    i, j = np.nonzero(missing)
    order = np.lexsort((i, j, unit_of[i]))  # as the methods log: unit, indicator, year
    i, j = i[order], j[order]
    a, b = before[i, j], after[i, j]
    both = has_before[i, j] & has_after[i, j]
    one = ~both & (has_before[i, j] | has_after[i, j]) & (params.ends == "nearest")
    a_, b_ = np.where(both, a, 0), np.where(both, b, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = x[a_, j] + (x[b_, j] - x[a_, j]) * (t[i] - t[a_]) / (t[b_] - t[a_])
    nearest = np.where(has_before[i, j], a, np.where(has_after[i, j], b, 0))
    entries = []
    names = [unit for unit, _ in slices]
    for c in range(len(i)):
        unit, ind, year = names[unit_of[i[c]]], ctx.indicators[j[c]], years[i[c]]
        if both[c]:
            value, src = between[c], f"{unit} {years[a[c]]} and {years[b[c]]}"
        elif one[c]:
            value, src = x[nearest[c], j[c]], f"{unit} {years[nearest[c]]} (nearest end)"
        else:
            entries.append(log_entry("impute", "not imputed: no observed year on both sides",
                                     node=ind, unit=unit, year=year, method="interpolate"))
            continue
        out[rows[i[c]], j[c]] = value
        entries.append(imputed("interpolate", ind, unit, year, value, src))
    return out, entries


class ReferenceRatioParams(Params):
    reference: str
    prefer: Literal["earlier", "later"] = "earlier"


@register("impute", "reference_ratio", ReferenceRatioParams, capabilities=Capabilities(scope="panel"))
def reference_ratio(X, ctx, params: ReferenceRatioParams):
    """The DESI rule: the unit's nearest observed year, scaled by the reference unit's change.

    x̂_ut = x_us · r_t / r_s, with s the observed year of unit u nearest to t (ties: ``prefer``
    earlier) for which the reference unit ``reference`` (e.g. "EU") has r_s ≠ 0 and r_t.

    Reference: European Commission, DESI 2022 Methodological Note (missing values: latest
    available value of the country times the EU's change between the two years).
    """
    X = np.asarray(X, float)
    out = X.copy()
    entries = []
    slices = dict(unit_slices(ctx.units, ctx.years))
    if params.reference not in slices:
        raise ValueError(f"reference unit {params.reference!r} is not in the data")
    ref_rows = slices[params.reference]
    ref_year = {ctx.years[r]: r for r in ref_rows}
    for unit, rows in slices.items():
        for j, ind in enumerate(ctx.indicators):
            col = X[rows, j]
            for k in np.flatnonzero(np.isnan(col)):
                t = ctx.years[rows[k]]
                rt = X[ref_year[t], j] if t in ref_year else np.nan
                cands = []
                for m in np.flatnonzero(~np.isnan(col)):
                    s = ctx.years[rows[m]]
                    rs = X[ref_year[s], j] if s in ref_year else np.nan
                    if not np.isnan(rt) and not np.isnan(rs) and rs != 0:
                        late = float(s) > float(t)
                        tie = late if params.prefer == "earlier" else not late
                        cands.append((abs(float(s) - float(t)), tie, m, rs))
                if not cands:
                    entries.append(log_entry(
                        "impute", f"not imputed: no observed year with {params.reference} values",
                        node=ind, unit=unit, year=t, method="reference_ratio"))
                    continue
                _, _, m, rs = min(cands, key=lambda c: (c[0], c[1]))
                s = ctx.years[rows[m]]
                value = col[m] * rt / rs
                out[rows[k], j] = value
                entries.append(imputed("reference_ratio", ind, unit, t, value,
                                       f"{unit} {s} × {params.reference} {t}/{s}"))
    return out, entries
