"""Compile ``derive:`` specs to Ibis aggregations, then finish the formulas in pandas.

The heavy part runs on the engine: the accepted records of a registry are
expanded to the years of their window and grouped by (unit, year), one
aggregation per (registry, window, year field) for all the indicators that
share them, each indicator's filter applied as the aggregate's ``where``
(so five indicators over the enterprises registry read it once):

- stock: a record counts in year Y when year(start) <= Y and its end is
  missing or year(end) > Y (in operation on 31 December: for dates this is
  the same as start <= Y-12-31 < end);
- flow: when its year field equals Y;
- cumulative: when its year field is Y or earlier.

The engine returns integer counts and sums only. Ratios, denominators,
factors and growth rates are computed from them in pandas, so both engines
give the same table for the same counts.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .engines import from_pandas
from .schema import SCHEMAS
from .spec import YEAR, Condition, DeriveSpec

NEVER = 9999  # end year of records still in operation
UNMATCHED = "__rows__"


def condition(t, c: Condition, year):
    """Boolean Ibis expression of one condition (dates compare by their year)."""
    import ibis

    col = t[c.field]
    if col.type().is_date() or col.type().is_timestamp():
        col = col.year()

    def v(x):
        return year if x == YEAR else ibis.literal(x)

    if c.op == "eq":
        return col == v(c.value)
    if c.op == "ne":
        return col != v(c.value)
    if c.op in ("in", "not_in"):
        fixed = [x for x in c.value if x != YEAR]
        expr = col.isin(fixed) if fixed else ibis.literal(False)
        if YEAR in c.value:
            expr = expr | (col == year)
        return expr if c.op == "in" else ~expr
    if c.op == "between":
        return (col >= v(c.value[0])) & (col <= v(c.value[1]))
    if c.op == "null":
        return col.isnull() if c.value else col.notnull()
    return {"lt": col < v(c.value), "le": col <= v(c.value), "gt": col > v(c.value),
            "ge": col >= v(c.value)}[c.op]


def _all(t, conds, year):
    expr = None
    for c in conds:
        e = condition(t, c, year)
        expr = e if expr is None else expr & e
    return expr


def _year_of(t, name: str):
    col = t[name]
    return col.year().cast("int64") if (col.type().is_date() or col.type().is_timestamp()) else col.cast("int64")


def expand(con, table, spec: DeriveSpec, years: list[int], prefilter: bool):
    """The records of ``table`` once per year of their window, with a ``year`` column."""
    import ibis

    t = table
    if prefilter and spec.filter and not any(c.uses_year for c in spec.filter):
        t = t.filter(_all(t, spec.filter, None))
    ys = from_pandas(con, pd.DataFrame({"_y": np.asarray(years, dtype="int64")}))
    if spec.window == "stock":
        schema = SCHEMAS[spec.source]
        end = _year_of(t, schema.end).fill_null(NEVER) if schema.end in t.columns else ibis.literal(NEVER)
        t = t.mutate(_s=_year_of(t, schema.start), _e=end)
        j = t.join(ys, [t._s <= ys._y, t._e > ys._y])
        return j.rename(year="_y").drop("_s", "_e")
    t = t.mutate(_ev=_year_of(t, spec.year_field))
    if spec.window == "flow":
        return t.filter(t._ev.isin(list(years))).rename(year="_ev")
    j = t.filter(t._ev <= max(years)).join(ys, t._ev <= ys._y)
    return j.rename(year="_y").drop("_ev")


def metrics(j, spec: DeriveSpec) -> dict:
    """Named aggregate expressions (integers or sums) of one indicator over the expanded table."""
    where = _all(j, spec.filter, j.year)
    key = spec.indicator
    if spec.measure == "count":
        return {f"{key}__n": j.count(where=where)}
    if spec.measure == "distinct":
        return {f"{key}__n": j[spec.field].nunique(where=where)}
    if spec.measure == "sum":
        return {f"{key}__s": j[spec.field].sum(where=where)}
    if spec.measure == "mean":
        valid = j[spec.field].notnull() if where is None else where & j[spec.field].notnull()
        return {f"{key}__s": j[spec.field].sum(where=where), f"{key}__c": j.count(where=valid)}
    of = _all(j, spec.share_of, j.year)
    num = of if where is None else where & of
    return {f"{key}__num": j.count(where=num), f"{key}__den": j.count(where=where)}


COUNTED = "__counted__"


def aggregate(con, accepted: dict, specs: list[DeriveSpec], years: list[int],
              count_rows: tuple[str, ...] = (), counts: dict | None = None
              ) -> tuple[pd.DataFrame, dict[str, int], dict[str, dict[str, int]]]:
    """Run the aggregations as one query; one row per (unit, year), columns of :func:`metrics`.

    Each group's aggregate is turned long (unit, year, metric, value) and the groups are
    stacked, so the engine runs a single job whatever the number of groups. For the
    registries in ``count_rows`` (flow windows), the records without a unit in the years
    are counted too: the second value returned, {registry: count}. ``counts`` ({registry:
    one-row table of counts}) are computed in the same query: the third value, {registry:
    {column: count}}.
    """
    import ibis
    import ibis.selectors as s

    groups: dict[tuple, list[DeriveSpec]] = defaultdict(list)
    for spec in specs:
        groups[(spec.source, spec.window, spec.year_field)].append(spec)
    parts = []
    for (source, _, _), group in groups.items():
        j = expand(con, accepted[source], group[0], years, prefilter=len(group) == 1)
        named = {}
        for spec in group:
            named.update(metrics(j, spec))
        if spec.window == "flow" and source in count_rows:
            named[UNMATCHED + source] = j.count()
        agg = j.group_by(["unit", "year"]).aggregate(**{k: v.cast("float64") for k, v in named.items()})
        parts.append(agg.pivot_longer(~s.cols("unit", "year"), names_to="metric", values_to="value"))
    for name, table in (counts or {}).items():  # rows without unit or year, one per count
        row = table.select(**{f"{COUNTED}{name}{c}": table[c].cast("float64") for c in table.columns})
        row = row.mutate(unit=ibis.null("string"), year=ibis.null("int64"))
        parts.append(row.pivot_longer(~s.cols("unit", "year"), names_to="metric", values_to="value")
                     .select("unit", "year", "metric", "value"))
    if not parts:
        return pd.DataFrame(columns=["unit", "year"]), {}, {}
    # through Arrow: Ibis's own to_pandas costs more than the query on large results
    long = ibis.union(*parts, distinct=False).to_pyarrow().to_pandas()
    counted = {}
    for name, table in (counts or {}).items():
        for c in table.columns:
            hit = long.loc[long["metric"] == f"{COUNTED}{name}{c}", "value"]
            counted.setdefault(name, {})[c] = int(hit.iloc[0]) if len(hit) else 0
    long = long[~long["metric"].str.startswith(COUNTED)]
    orphan = long["unit"].isna() & long["metric"].str.startswith(UNMATCHED)
    unmatched = long[orphan].groupby("metric")["value"].sum()
    unmatched = {m[len(UNMATCHED):]: int(v) for m, v in unmatched.items()}
    long = long[long["unit"].notna() & ~long["metric"].str.startswith(UNMATCHED)]
    # one value per (unit, year, metric): each metric comes from one aggregation
    out = long.set_index(["unit", "year", "metric"])["value"].unstack("metric")
    out.columns = [str(c) for c in out.columns]
    out = out.reset_index()
    out["unit"] = out["unit"].astype(str)
    out["year"] = out["year"].astype("int64")
    return out, unmatched, counted


def finish(spec: DeriveSpec, agg: pd.DataFrame, panel: pd.DataFrame, index: pd.MultiIndex | None = None
           ) -> pd.Series:
    """The indicator's values on ``panel`` (unit, year and the stats columns), from the aggregates.

    ``panel`` must hold every year that growth needs (t - k); ``agg`` is indexed
    by (unit, year). ``index``: the panel's (unit, year) index when ``agg`` is already
    aligned to it (several indicators of one panel share the work).
    """
    idx = index if index is not None else pd.MultiIndex.from_frame(panel[["unit", "year"]])
    a = agg if index is not None else agg.reindex(idx)
    k = spec.indicator

    def col(name, fill=None):
        s = a[name].astype("float64") if name in a else pd.Series(np.nan, index=idx)
        return s.fillna(fill) if fill is not None else s

    if spec.measure in ("count", "distinct"):
        m = col(f"{k}__n", 0.0)
    elif spec.measure == "sum":
        m = col(f"{k}__s", 0.0)
    elif spec.measure == "mean":
        c = col(f"{k}__c", 0.0)
        m = col(f"{k}__s", 0.0) / c.where(c > 0)
    else:
        den = col(f"{k}__den", 0.0)
        num = col(f"{k}__num", 0.0)
        m = None
        if spec.growth is None:
            return pd.Series((spec.factor * num / den.where(den > 0)).to_numpy(), index=panel.index)
        m = num / den.where(den > 0)
    per = None
    if spec.per is not None:
        p = pd.Series(pd.to_numeric(panel[spec.per], errors="coerce").to_numpy(dtype=float), index=idx)
        per = p.where(p != 0)
    if spec.growth is None:
        value = spec.factor * m if per is None else spec.factor * m / per
        return pd.Series(value.to_numpy(), index=panel.index)
    base = m if per is None else m / per
    lagged = base.copy()
    lagged.index = pd.MultiIndex.from_arrays([idx.get_level_values(0), idx.get_level_values(1) + spec.growth])
    prev = lagged.reindex(idx)
    prev = prev.where(prev > 0)
    value = spec.factor * ((base / prev) ** (1.0 / spec.growth) - 1)
    return pd.Series(value.to_numpy(), index=panel.index)
