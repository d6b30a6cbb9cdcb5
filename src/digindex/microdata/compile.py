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


def expand(table, spec: DeriveSpec, years: list[int], prefilter: bool):
    """The records of ``table`` once per year of their window, with a ``year`` column.

    Stock and cumulative windows unnest each record's range of years (first year
    in its window to the last), which costs the engine less than a join with a
    table of years (that one sorts every record).
    """
    import ibis

    t = table
    if prefilter and spec.filter and not any(c.uses_year for c in spec.filter):
        t = t.filter(_all(t, spec.filter, None))
    first, last = min(years), max(years)
    if spec.window == "stock":
        schema = SCHEMAS[spec.source]
        start = _year_of(t, schema.start)
        end = _year_of(t, schema.end).fill_null(NEVER) if schema.end in t.columns else ibis.literal(NEVER)
        t = t.filter(start <= last, end > first)
        span = ibis.range(ibis.greatest(start, first), ibis.least(end, last + 1))
    else:
        event = _year_of(t, spec.year_field)
        if spec.window == "flow":
            return t.filter(event.isin(list(years))).mutate(year=event)
        t = t.filter(event <= last)
        span = ibis.range(ibis.greatest(event, first), last + 1)
    j = t.select(*[t[c] for c in t.columns if c != "year"], year=span.unnest())  # year: the window's
    return j if len(years) == last - first + 1 else j.filter(j.year.isin(list(years)))


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
CODE = "region"  # trusted records keep their region code, mapped to its unit after the aggregation


def aggregate(con, accepted: dict, specs: list[DeriveSpec], years: list[int],
              count_rows: tuple[str, ...] = (), counts: dict | None = None,
              unit_of: pd.DataFrame | None = None
              ) -> tuple[pd.DataFrame, dict[str, int], dict[str, dict]]:
    """Run the aggregations as one query; one row per (unit, year), columns of :func:`metrics`.

    Each group's aggregate is turned long (unit, year, metric, value) and the groups are
    stacked, so the engine runs a single job whatever the number of groups. For the
    registries in ``count_rows`` (flow windows), the records without a unit in the years
    are counted too: the second value returned, {registry: count}. ``counts`` ({registry:
    table of record counts ``_n`` per region code ``region``}) are computed in the same
    query: the third value, {registry: {code: count}}.

    Tables without a ``unit`` column (trusted registries) carry their region code (``region``):
    they are grouped by code, and ``unit_of`` (the region map: code, unit) maps the codes of
    the few thousand result rows, the values of the codes of one unit added up, which spares
    the engine a join of every record. Distinct counts do not add up, so a group with one
    joins its records to the map in the engine instead.
    """
    import ibis
    import ibis.selectors as s

    groups: dict[tuple, list[DeriveSpec]] = defaultdict(list)
    for spec in specs:
        groups[(spec.source, spec.window, spec.year_field)].append(spec)
    parts, by_code = [], set()
    for (source, _, _), group in groups.items():
        table, key = accepted[source], "unit"
        if key not in table.columns:
            if any(spec.measure == "distinct" for spec in group):
                m = from_pandas(con, unit_of[["code", "unit"]]).rename(_m="code")
                table = table.left_join(m, table[CODE] == m._m).drop("_m")
            else:
                key = CODE
        j = expand(table, group[0], years, prefilter=len(group) == 1)
        named = {}
        for spec in group:
            named.update(metrics(j, spec))
        if spec.window == "flow" and source in count_rows:
            named[UNMATCHED + source] = j.count()
        if key == CODE:
            by_code.update(named)
        agg = j.group_by([key, "year"]).aggregate(**{k: v.cast("float64") for k, v in named.items()})
        agg = agg.rename(unit=CODE) if key == CODE else agg
        parts.append(agg.pivot_longer(~s.cols("unit", "year"), names_to="metric", values_to="value"))
    for name, table in (counts or {}).items():  # the code in 'unit', no year
        parts.append(table.select(unit=table[CODE].cast("string"), year=ibis.null("int64"),
                                  metric=ibis.literal(COUNTED + name), value=table._n.cast("float64")))
    if not parts:
        return pd.DataFrame(columns=["unit", "year"]), {}, {}
    # through Arrow and NumPy: pandas' string operations cost more than the query here; run on
    # ``con`` directly (Ibis would otherwise search the whole expression for its backend)
    long = con.to_pyarrow(ibis.union(*parts, distinct=False))
    codes = dict(zip(unit_of["code"].to_numpy(dtype=object), unit_of["unit"].to_numpy(dtype=object))) \
        if by_code else {}
    return _widen(long, by_code, codes, list(counts or {}))


def _widen(long, by_code: set, unit_of: dict, counted_names: list[str]):
    """The long result (Arrow: unit, year, metric, value) as :func:`aggregate` returns it.

    Rows of the ``by_code`` metrics carry a region code in ``unit``, mapped with ``unit_of``;
    rows of one (unit, year, metric) add up, all-null values staying null. The work is on
    integer codes of the few metrics and units, not on the strings of every row.
    """
    metric = long["metric"].combine_chunks().dictionary_encode()
    names = metric.dictionary.to_pylist()
    m = metric.indices.to_numpy(zero_copy_only=False)
    key = long["unit"].combine_chunks().dictionary_encode()
    keys = key.dictionary.to_pylist()
    k = key.indices.fill_null(-1).to_numpy(zero_copy_only=False)  # -1: no unit
    value = long["value"].to_numpy(zero_copy_only=False)  # null -> NaN
    counted = {}
    for name in counted_names:
        sel = m == (names.index(COUNTED + name) if COUNTED + name in names else -1)
        counted[name] = {keys[c] if c >= 0 else None: int(v) for c, v in zip(k[sel], value[sel])}
    units = sorted(set(keys) | {unit_of.get(x) for x in keys} - {None})
    pos = {u: i for i, u in enumerate(units)}
    # unit number of each key, as itself and as a mapped code; the trailing -1 serves k == -1
    as_unit = np.array([pos[x] for x in keys] + [-1], dtype="int64")
    as_code = np.array([pos.get(unit_of.get(x), -1) for x in keys] + [-1], dtype="int64")
    coded = np.array([n in by_code for n in names], dtype=bool)[m]
    uid = np.where(coded, as_code[k], as_unit[k])
    extra = np.array([n.startswith((UNMATCHED, COUNTED)) for n in names], dtype=bool)[m]
    unmatched = {}
    for i in np.unique(m[(uid < 0) & extra]):
        if names[i].startswith(UNMATCHED):
            unmatched[names[i][len(UNMATCHED):]] = int(np.nansum(value[(uid < 0) & (m == i)]))
    keep = (uid >= 0) & ~extra
    cols = sorted({names[i] for i in np.unique(m[keep])})
    if not cols:
        return pd.DataFrame(columns=["unit", "year"]), unmatched, counted
    col_of = np.full(len(names), -1, dtype="int64")
    col_of[[names.index(c) for c in cols]] = np.arange(len(cols))
    year = long["year"].fill_null(0).to_numpy(zero_copy_only=False)[keep].astype("int64")
    low, span = int(year.min()), int(year.max() - year.min()) + 1
    cell = uid[keep] * span + (year - low)  # (unit, year) on the full grid, then its present cells
    present = np.bincount(cell, minlength=len(units) * span) > 0
    cells, row = np.flatnonzero(present), (np.cumsum(present) - 1)[cell]  # sorted by unit, year
    flat = row * len(cols) + col_of[m[keep]]
    v = value[keep]
    ok = ~np.isnan(v)
    size = len(cells) * len(cols)
    total = np.bincount(flat[ok], weights=v[ok], minlength=size)
    seen = np.bincount(flat[ok], minlength=size) > 0
    out = pd.DataFrame(np.where(seen, total, np.nan).reshape(len(cells), len(cols)), columns=cols)
    out.insert(0, "year", (cells % span + low).astype("int64"))
    out.insert(0, "unit", pd.Series(np.array(units, dtype=object)[cells // span]).astype(str))
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
