"""The ``derive:`` block of an indicator: which registry records, counted how, per what.

::

    - id: core_ent_density
      derive:
        source: enterprises                      # registry (see digindex.microdata.schema)
        filter: {nbs_class: ["01", "02", "03", "04"]}
        measure: count                           # count | {distinct: F} | {sum: F} | {mean: F}
                                                 # | {share: CONDITIONS}
        window: stock                            # stock | flow | cumulative
        per: population                          # a column of the statistics table
        factor: 10000

Keys:

- ``source`` (required): enterprises, projects, platforms or software_revenue.
- ``filter``: conditions that must all hold, ``FIELD: CONDITION``. A condition is
  a value (equality), a list (one of), or a mapping of operators ``eq, ne, in,
  not_in, lt, le, gt, ge, between: [lo, hi], null: true|false``. The operand
  ``year`` means the year being derived (``cloud_year: {le: year}``). Date
  fields compare by their year (``founded: {ge: 2015}``).
- ``measure`` (required): ``count`` records; ``{distinct: FIELD}`` distinct
  values; ``{sum: FIELD}``; ``{mean: FIELD}``; ``{share: CONDITIONS}`` the number
  of filtered records meeting CONDITIONS over the number of filtered records.
- ``window`` (required): ``stock`` records in operation at the end of the year
  (started by then and not ended by then; registries with a life span only:
  enterprises, from ``founded`` to ``closed``); ``flow`` records whose year is
  the year; ``cumulative`` records whose year is the year or earlier.
- ``date``: the field giving a record's year for flow and cumulative windows
  (default: founded, year, year_recognised); e.g. ``date: cloud_year``.
- ``per``: denominator, a column of the statistics table (population, gdp,
  enterprises, industrial_enterprises ...); ``factor`` multiplies the result
  (default 1): value = factor × measure / per.
- ``growth``: ``yoy`` or ``{cagr: k}``: with m_t the measure (divided by
  ``per`` when given), value = factor × ((m_t / m_(t−k))^(1/k) − 1), k = 1 for
  yoy; missing when m_(t−k) is missing or not above 0.

Counts and sums of units without records are 0; shares and means are missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..framework.keys import INDICATOR, register_key
from .schema import CLASSES, LEVEL_VALUES, SCHEMAS, STATUS_VALUES

KEYS = {"source", "filter", "measure", "window", "date", "per", "factor", "growth"}
MEASURES = ("count", "distinct", "sum", "mean", "share")
WINDOWS = ("stock", "flow", "cumulative")
OPERATORS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between", "null")
YEAR = "year"


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # a value, a list, the string "year", or a bool for null

    @property
    def uses_year(self) -> bool:
        vals = self.value if isinstance(self.value, tuple) else (self.value,)
        return YEAR in vals


@dataclass(frozen=True)
class DeriveSpec:
    indicator: str
    source: str
    measure: str
    window: str
    filter: tuple[Condition, ...] = ()
    field: str | None = None
    share_of: tuple[Condition, ...] = ()
    date: str | None = None
    per: str | None = None
    factor: float = 1.0
    growth: int | None = None  # lag k in years

    @property
    def year_field(self) -> str:
        schema = SCHEMAS[self.source]
        return self.date or (schema.start if self.window == "stock" else schema.event)


def parse_spec(indicator: str, raw: Any, data_columns: list[str] | None = None):
    """(DeriveSpec or None, [(key path, message, fix)]) for one ``derive:`` block."""
    errs: list[tuple[tuple, str, str | None]] = []

    def err(path, message, fix=None):
        errs.append((path, f"indicator {indicator!r}: derive: {message}", fix))

    if not isinstance(raw, dict):
        err((), f"must be a mapping with source, measure and window, not {raw!r}")
        return None, errs
    for k in raw:
        if k not in KEYS:
            err((k,), f"unknown key {k!r}", f"use: {', '.join(sorted(KEYS))}")
    source = raw.get("source")
    if source not in SCHEMAS:
        err(("source",), f"unknown source {source!r}", f"use one of: {', '.join(SCHEMAS)}")
        return None, errs
    schema = SCHEMAS[source]
    fields = set(schema.by_name)
    filt = _conditions(raw.get("filter", {}), ("filter",), fields, source, err)
    measure, fld, share_of = "count", None, ()
    m = raw.get("measure")
    if m == "count":
        pass
    elif isinstance(m, dict) and len(m) == 1 and next(iter(m)) in MEASURES[1:]:
        measure, arg = next(iter(m.items()))
        if measure == "share":
            share_of = _conditions(arg, ("measure", "share"), fields, source, err)
            if not share_of:
                err(("measure",), "share needs conditions, e.g. {share: {cloud: true}}")
        elif arg not in fields:
            err(("measure", measure), f"{measure} of unknown field {arg!r}",
                f"fields of {source}: {', '.join(sorted(fields))}")
        elif measure in ("sum", "mean") and schema.by_name[arg].kind not in ("money", "int", "coord", "year"):
            err(("measure", measure), f"cannot take the {measure} of {arg!r} (not a number)")
        else:
            fld = arg
    else:
        err(("measure",), f"unknown measure {m!r}",
            "use count, {distinct: FIELD}, {sum: FIELD}, {mean: FIELD} or {share: CONDITIONS}")
    window = raw.get("window")
    if window not in WINDOWS:
        err(("window",), f"window must be stock, flow or cumulative, not {window!r}",
            "stock: in operation at year end; flow: within the year; cumulative: up to year end")
    elif window == "stock" and (schema.start is None or "date" in raw):
        err(("window",), f"a stock window needs a registry with a life span (enterprises), not {source!r}"
            if schema.start is None else "a stock window uses founded/closed; 'date' applies to flow "
            "and cumulative windows", "use flow or cumulative")
    date = raw.get("date")
    if date is not None and date not in schema.year_fields():
        err(("date",), f"date must be a year or date field of {source} ({', '.join(schema.year_fields())}), "
            f"not {date!r}")
    per = raw.get("per")
    if per is not None and (not isinstance(per, str) or not per):
        err(("per",), f"per must name a column of the statistics table, not {per!r}")
    elif per is not None and data_columns is not None and per not in data_columns:
        err(("per",), f"per {per!r} is not one of the framework's data_columns",
            f"add {per!r} to data_columns, or use one of: {', '.join(data_columns)}")
    factor = raw.get("factor", 1)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor == 0:
        err(("factor",), f"factor must be a non-zero number, not {factor!r}")
        factor = 1
    growth = None
    g = raw.get("growth")
    if g == "yoy":
        growth = 1
    elif isinstance(g, dict) and set(g) == {"cagr"} and isinstance(g["cagr"], int) \
            and not isinstance(g["cagr"], bool) and g["cagr"] >= 1:
        growth = g["cagr"]
    elif g is not None:
        err(("growth",), f"growth must be yoy or {{cagr: K}} with K a whole number of years, not {g!r}")
    if errs:
        return None, errs
    return DeriveSpec(indicator, source, measure, window, filt, fld, share_of, date, per,
                      float(factor), growth), errs


def _conditions(raw, path, fields, source, err) -> tuple[Condition, ...]:
    if raw in (None, {}):
        return ()
    if not isinstance(raw, dict):
        err(path, f"conditions must be a mapping FIELD: CONDITION, not {raw!r}")
        return ()
    out = []
    for f, cond in raw.items():
        if f not in fields:
            err(path + (f,), f"{source} has no field {f!r}", f"fields: {', '.join(sorted(fields))}")
            continue
        if isinstance(cond, dict):
            for op, v in cond.items():
                if op not in OPERATORS:
                    err(path + (f, op), f"unknown operator {op!r}", f"use: {', '.join(OPERATORS)}")
                elif op in ("in", "not_in") and not isinstance(v, list):
                    err(path + (f, op), f"{op} needs a list, not {v!r}")
                elif op == "between" and not (isinstance(v, list) and len(v) == 2):
                    err(path + (f, op), f"between needs [lo, hi], not {v!r}")
                elif op == "null" and not isinstance(v, bool):
                    err(path + (f, op), f"null needs true or false, not {v!r}")
                else:
                    out.append(Condition(f, op, tuple(v) if isinstance(v, list) else v))
        elif isinstance(cond, list):
            out.append(Condition(f, "in", tuple(cond)))
        else:
            out.append(Condition(f, "eq", cond))
    for c in out:
        _check_values(c, source, path, err)
    return tuple(out)


def _check_values(c: Condition, source, path, err):
    allowed = {"nbs_class": CLASSES, "status": tuple(sorted(set(STATUS_VALUES.values()))),
               "level": tuple(sorted(set(LEVEL_VALUES.values())))}.get(c.field)
    if allowed is None or c.op not in ("eq", "ne", "in", "not_in"):
        return
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    bad = [v for v in values if str(v) not in allowed]
    if bad:
        err(path + (c.field,), f"{c.field} value(s) {', '.join(map(repr, bad))} never occur",
            f"use: {', '.join(allowed)} (quote classes: \"01\")")


def framework_specs(fw) -> dict[str, DeriveSpec]:
    """{indicator: spec} of every ``derive:`` block (parsed and checked when the framework was read)."""
    return {n.id: n.settings["derive"] for n in fw.indicators if "derive" in n.settings}


# ---- the framework key ``derive`` ---------------------------------------------------------

def _parse_key(raw, ctx) -> DeriveSpec | None:
    spec, errors = parse_spec(ctx.node.id, raw, list(ctx.fw.data_columns) or None)
    for path, message, fix in errors:
        ctx.problem(message, fix, path)
    return spec


register_key("derive", INDICATOR, _parse_key,
             doc="derive the indicator from micro-data registries: microdata.spec.DeriveSpec")
