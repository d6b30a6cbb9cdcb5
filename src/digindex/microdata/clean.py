"""Typed canonical columns and record checks, as Ibis expressions (any backend).

Each column is converted according to its kind (see :mod:`.schema`) whatever
its type in the file: text from CSV or Excel, or native Parquet types. A cell
that is present but cannot be read (a date such as ``2020-02-30``, a class
``07``) is invalid, never silently blank.

Checks, in the order in which a record's reason is chosen (each rejected record
is counted once, under its first failed check):

- credit codes: 18 characters of the GB 32100-2015 set (0-9 and A-Y without
  I, O, S, V, Z) with the right check character: C18 = 31 − (Σ c_i·w_i mod 31),
  w_i = 3^(i−1) mod 31 (the value 31 written as 0); and the embedded GB 11714
  organisation code (characters 9-17) with its own check character,
  C9 = 11 − (Σ c_i·w_i mod 11), w = 3, 7, 9, 10, 5, 8, 4, 2 (10 written X, 11 as 0);
- classes 01-05 (4- and 6-digit NBS codes cut to their 2-digit class);
- dates: readable, not before 1900 nor after today; closing after founding;
  status consistent with the closing date; cloud adoption within the
  enterprise's life; years readable and not in the future;
- amounts present and not negative; platform level provincial or national.

Region checks (unknown codes, coordinates) and duplicates are added by
:mod:`.validate`.
"""
from __future__ import annotations

import datetime as _dt

from .schema import (FALSE_VALUES, FIRST_YEAR, LEVEL_VALUES, STATUS_VALUES, TRUE_VALUES,
                     Schema)

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS_18 = [pow(3, i, 31) for i in range(17)]
WEIGHTS_ORG = [3, 7, 9, 10, 5, 8, 4, 2]


def barrier(table):
    """Stop Ibis from inlining this projection into the next one.

    Ibis merges consecutive projections by substituting expressions, which
    repeats a column's expression at every use; an impure value (``random()``)
    in a projection blocks the merge, so each value is computed once.
    """
    import ibis

    return table.mutate(_barrier=ibis.random()).drop("_barrier")


def _text(col):
    """A column as stripped text, empty text as null."""
    return col.cast("string").strip().nullif("")


def as_date(col):
    """(date, present-but-unreadable) for a date column of any type."""
    import ibis

    t = col.type()
    if t.is_date():
        return col, ibis.literal(False)
    if t.is_timestamp():
        return col.date(), ibis.literal(False)
    d = col.try_cast("date")
    return d, col.notnull() & d.isnull()


def clean_date_text(col):
    """Date text in ISO form: 2020/1/5, 2020.01.05, 2020年1月5日, 20200105 and times accepted."""
    import ibis

    s = _text(col)
    for a, b in (("年", "-"), ("月", "-"), ("日", ""), ("/", "-"), (".", "-")):
        s = s.replace(a, b)
    s = s.substr(0, 10)
    return ibis.ifelse(s.re_search(r"^[0-9]{8}$"),
                       s.substr(0, 4).concat("-", s.substr(4, 2), "-", s.substr(6, 2)), s)


def as_number(col):
    """(number, present-but-unreadable): numeric columns as they are, text as float64."""
    import ibis

    if col.type().is_numeric():
        return col, ibis.literal(False)
    v = col.try_cast("float64")
    return v, col.notnull() & v.isnull()


def as_year(col):
    """(int64 year, present-but-unreadable): whole numbers only; dates give their year."""
    import ibis

    t = col.type()
    if t.is_date() or t.is_timestamp():
        return col.year().cast("int64"), ibis.literal(False)
    if t.is_integer():
        return col.cast("int64"), ibis.literal(False)
    v, bad = as_number(col)
    whole = v == v.floor()
    return ibis.ifelse(whole, v.cast("int64"), ibis.null("int64")), bad | (v.notnull() & ~whole)


def as_bool(col):
    import ibis

    if col.type().is_boolean():
        return col, ibis.literal(False)
    if col.type().is_numeric():
        return col != 0, ibis.literal(False)
    s = col.lower()
    v = ibis.cases((s.isin(TRUE_VALUES), True), (s.isin(FALSE_VALUES) | s.isnull(), False),
                   else_=ibis.null("boolean"))
    return v, v.isnull()


def as_choice(col, values: dict[str, str]):
    s = col.lower()
    v = s.substitute({k.lower(): val for k, val in values.items()}, else_=None)
    return v, s.notnull() & v.isnull()


def as_class(col):
    """(class 01-05, present-but-invalid): 1-5, 01-05 and 4- or 6-digit NBS codes."""
    import ibis

    ok = col.re_search(r"^(0?[1-5]|0[1-5][0-9]{2}|0[1-5][0-9]{4})$")
    value = ibis.ifelse(col.length() == 1, ibis.literal("0").concat(col), col.substr(0, 2))
    return ibis.ifelse(ok, value, ibis.null("string")), col.notnull() & ~ok


CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


def credit_code_flags(table):
    """Add ``_cc_ok``: the credit code passes the GB 32100 and GB 11714 checks (staged)."""
    import ibis

    code = table.credit_code
    charset = ibis.literal(CHARSET)
    vals = {f"_v{i}": charset.find(code.substr(i, 1)) for i in range(18)}
    t = barrier(table.mutate(_cc_form=code.re_search(CODE_PATTERN), **vals))
    v = [t[f"_v{i}"] for i in range(18)]
    total = sum(x * w for x, w in zip(v[:17], WEIGHTS_18))
    ok18 = ((31 - total % 31) % 31) == v[17]
    # GB 11714 values: digits as themselves, letters A=10 ... Z=35; the charset skips I, O, S, V
    org = [x + (x >= 18).cast("int64") + (x >= 23).cast("int64") + (x >= 26).cast("int64")
           + (x >= 28).cast("int64") for x in v[8:16]]
    c9 = (11 - sum(x * w for x, w in zip(org, WEIGHTS_ORG)) % 11) % 11
    c9_actual = ibis.ifelse(v[16] == CHARSET.index("X"), 10, v[16])
    ok9 = ((v[16] < 10) | (v[16] == CHARSET.index("X"))) & (c9_actual == c9)
    t = t.mutate(_cc_ok=t._cc_form & ok18 & ok9)
    return barrier(t.drop(*[f"_v{i}" for i in range(18)], "_cc_form"))


def trusted_value(kind: str, col):
    """The typed value of one column, without checks (trusted registries)."""
    if kind == "date":
        return as_date(clean_date_text(col) if col.type().is_string() else col)[0]
    if kind in ("text", "region", "code"):
        return _text(col)
    fn = {"year": as_year, "money": as_number, "int": as_number, "coord": as_number, "bool": as_bool,
          "class": as_class}.get(kind)
    if fn is not None:
        return fn(_text(col) if col.type().is_string() else col)[0]
    return as_choice(_text(col), STATUS_VALUES if kind == "status" else LEVEL_VALUES)[0]


def typed(table, schema: Schema, columns: list[str], checks_wanted: bool = True):
    """(staged table, [(reason, condition, detail)] in check order).

    The staged table has the typed canonical columns, ``_raw_<c>`` (the value as
    written, for reports) and ``_bad_<c>`` flags; conditions and details are
    functions of it.
    """
    import ibis

    today = _dt.date.today()
    this_year = today.year
    text, raw, kinds = {}, {}, {}
    for c in columns:
        kind = kinds[c] = schema.by_name[c].kind
        col = table[c]
        if col.type().is_string() and kind not in ("text", "region", "code"):
            raw[f"_raw_{c}"] = col  # the value as written, for reports
        if col.type().is_string() or kind in ("text", "region", "code", "class", "status", "level"):
            text[c] = clean_date_text(col) if kind == "date" else _text(col)
            if kind == "code":
                text[c] = text[c].upper()
        else:
            text[c] = col
    extra = {k: table[k] for k in table.columns if k not in columns}
    t0 = barrier(table.select(**extra, **raw, **text))
    out, bad = {}, {}
    for c in columns:
        kind, col = kinds[c], t0[c]
        b = None
        if kind in ("text", "region", "code"):
            out[c] = col
        elif kind == "class":
            out[c], b = as_class(col)
        elif kind == "date":
            out[c], b = as_date(col)
        elif kind == "year":
            out[c], b = as_year(col)
        elif kind in ("money", "int", "coord"):
            out[c], b = as_number(col)
        elif kind == "bool":
            out[c], b = as_bool(col)
        elif kind in ("status", "level"):
            out[c], b = as_choice(col, STATUS_VALUES if kind == "status" else LEVEL_VALUES)
        if b is not None:
            bad[f"_bad_{c}"] = b
    keep = {k: t0[k] for k in t0.columns if k not in columns}
    t = barrier(t0.select(**keep, **out, **bad))
    if not checks_wanted:
        return t.drop(*[c for c in t.columns if c.startswith(("_raw_", "_bad_"))]), []
    own_code = "credit_code" in columns and schema.key == "credit_code"  # revenue codes must match one
    if own_code:
        t = credit_code_flags(t)

    checks = []
    for c in schema.required:  # empty, as opposed to present but unreadable (bad_...)
        flag = f"_bad_{c}"
        missing = t[c].isnull() & ~t[flag] if flag in t.columns else t[c].isnull()
        checks.append((f"missing_{c}", missing, ibis.literal("")))
    if own_code:
        checks.append(("bad_credit_code", t.credit_code.notnull() & ~t._cc_ok, t.credit_code))
    for c in columns:
        if f"_bad_{c}" in t.columns:
            cond = t[f"_bad_{c}"]
            if kinds[c] == "year":
                cond = cond | (t[c] < FIRST_YEAR) | (t[c] > this_year)
            elif kinds[c] == "money":
                cond = cond | (t[c] < 0)
            detail = t[f"_raw_{c}"] if f"_raw_{c}" in t.columns else t[c].cast("string")
            checks.append((f"bad_{c}", cond, detail))
    if schema.name == "enterprises":
        f = t.founded
        cl = t.closed if "closed" in columns else ibis.null("date")
        early, late = ibis.date(FIRST_YEAR, 1, 1), ibis.literal(today)
        checks.append(("impossible_founded", (f < early) | (f > late), f.cast("string")))
        if "closed" in columns:
            checks += [("closed_before_founded", cl < f, cl.cast("string")),
                       ("closed_in_future", cl > late, cl.cast("string")),
                       ("status_conflict", ((t.status == "active") & cl.notnull())
                        | ((t.status != "active") & cl.isnull()), t.status)]
        else:
            checks.append(("status_conflict", t.status != "active", t.status))
        if "cloud_year" in columns:
            end = cl.year() if "closed" in columns else ibis.literal(this_year)
            cy = t.cloud_year
            checks.append(("impossible_cloud_year", (cy < f.year()) | (cy > end), cy.cast("string")))
    return t, checks
