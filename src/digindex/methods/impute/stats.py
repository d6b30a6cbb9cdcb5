"""Imputation by a central value: mean or median, overall or within a group, per year.

``group`` is a data column of the panel (listed in the framework's ``data_columns`` or only
named here, e.g. ``EurAsia_group``) or ``parent`` for the unit's parent region. Units without a
group label, and groups with no value in that year, are left missing (and logged).
"""
from __future__ import annotations

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from .common import imputed, log_entry, year_slices

np = lazy_module("numpy", globals())


class CentralParams(Params):
    group: str | None = None


def group_labels(ctx, group: str | None) -> np.ndarray:
    """One label per row: all equal (no group), the parent region, or a data column."""
    n = len(ctx.units)
    if group is None:
        return np.array(["all"] * n, dtype=object)
    if group == "parent":
        if not ctx.parents:
            raise ValueError("group 'parent' needs parent regions (a 'parent' column or a regions file)")
        return np.array([ctx.parents.get(u) for u in ctx.units], dtype=object)
    if group not in ctx.data.columns:
        raise ValueError(f"group column {group!r} is not in the data")
    labels = ctx.data[group].to_numpy(dtype=object)
    return np.array([None if (lab is None or (isinstance(lab, float) and np.isnan(lab)) or lab == "")
                     else lab for lab in labels], dtype=object)


def _central(X, ctx, params: CentralParams, name: str, fn):
    X = np.asarray(X, float)
    out = X.copy()
    entries = []
    labels = group_labels(ctx, params.group)
    where = (lambda lab: "all units") if params.group is None else (lambda lab: f"{params.group}={lab}")
    quiet = getattr(ctx, "quiet", False)
    for year, rows in year_slices(ctx.years):
        labs = labels[rows]
        unlabelled = np.array([lab is None for lab in labs], dtype=bool)
        members = {lab: np.array([x == lab for x in labs], dtype=bool)
                   for lab in dict.fromkeys(labs[~unlabelled])}
        for j, ind in enumerate(ctx.indicators):
            col = X[rows, j]
            missing = np.isnan(col)
            if not missing.any():
                continue
            for r in np.flatnonzero(missing & unlabelled):
                entries.append(log_entry("impute", f"not imputed: unit has no {params.group!r} group",
                                         node=ind, unit=ctx.units[rows[r]], year=year, method=name))
            for lab in dict.fromkeys(lab for lab in labs[missing] if lab is not None):
                in_group = members[lab]
                peers = col[in_group & ~missing]
                value = float(fn(peers)) if peers.size else None
                for r in np.flatnonzero(in_group & missing):
                    unit = ctx.units[rows[r]]
                    if value is None:
                        entries.append(log_entry("impute", f"not imputed: no value in group {lab!r}",
                                                 node=ind, unit=unit, year=year, method=name))
                        continue
                    out[rows[r], j] = value
                    if not quiet:
                        entries.append(imputed(name, ind, unit, year, value,
                                               f"{name} of {peers.size} values ({where(lab)}, year {year})"))
    return out, entries


@register("impute", "mean", CentralParams, capabilities=Capabilities(scope="year"))
def mean(X, ctx, params: CentralParams):
    """Mean substitution: x̂_ut = mean of the observed x_vt in year t over units v in u's group.

    ``group``: none (all units), a data column, or ``parent``.

    Reference: OECD/JRC (2008) Handbook, §1.3 (unconditional/conditional mean substitution);
    COINr ``i_mean()`` / ``i_mean_grp()``.
    """
    return _central(X, ctx, params, "mean", np.mean)


@register("impute", "median", CentralParams, capabilities=Capabilities(scope="year"))
def median(X, ctx, params: CentralParams):
    """Median substitution: x̂_ut = median of the observed x_vt in year t over u's group.

    Reference: OECD/JRC (2008) Handbook, §1.3; COINr ``i_median()`` / ``i_median_grp()``.
    """
    return _central(X, ctx, params, "median", np.median)
