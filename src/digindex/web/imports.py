"""Bulk import of accepted data by the province admin (history, city-level data, corrections).

A table in the wide layout (``unit, year, <indicator ids>``; other columns such as
``name``, ``parent`` or denominators are ignored) becomes *locked* submissions: new
(unit, year) pairs are created, existing ones get the new values. Everything is checked
first (every problem is reported with its row and column); nothing is written unless the
whole table is valid. Each change is audited; each state change is a transition.
"""
from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import select

from . import indicators, units
from .authz import Principal, require_role
from .errors import Invalid
from .messages import t
from .models import Submission, utcnow
from .workflow import _move, audit, record_revision, validate_values


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def read_table(data: bytes, filename: str, settings) -> pd.DataFrame:
    """A CSV or .xlsx upload as a DataFrame of strings (Excel checked by :mod:`uploads`)."""
    from .uploads import check_size, open_workbook, reading

    check_size(data, settings)
    if filename.lower().endswith(".xlsx"):
        wb = open_workbook(data, settings)
        try:
            with reading():
                ws = wb.worksheets[0]
                rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
        if not rows:
            raise Invalid(t("file_empty"))
        header = [str(h).strip() for h in rows[0]]
        return pd.DataFrame(rows[1:], columns=header, dtype=object)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError:
            continue
    raise Invalid(t("cannot_read_table"))


def _unit_code(value) -> str | None:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if units.get(text):
        return text
    for u in units.units().values():
        if text in (u.name, u.short):
            return u.code
    return None


def prepare(df: pd.DataFrame, fw: str = "zhejiang") -> dict:
    """{(unit, year): values} from a wide table, or :class:`Invalid` listing every problem."""
    info = indicators.info(fw)
    cols = {str(c).strip().lower(): c for c in df.columns}
    problems = []
    for need in ("unit", "year"):
        if need not in cols:
            problems.append({"sheet": "data", "cell": "1", "problem": t("no_column", column=need)})
    ind_cols = [c for c in df.columns if str(c).strip() in info.indicator_ids]
    if not ind_cols and not problems:
        problems.append({"sheet": "data", "cell": "1", "problem": t("no_indicator_columns")})
    if problems:
        raise Invalid(t("import_refused", n=len(problems)), problems=problems)
    out: dict = {}
    positions = {c: i for i, c in enumerate(df.columns)}
    for r, row in enumerate(df.itertuples(index=False), start=2):
        rec = dict(zip(df.columns, row))
        code = _unit_code(rec[cols["unit"]])
        year_val, year_problem = indicators.parse_number(rec[cols["year"]])
        if code is None:
            problems.append({"sheet": "data", "cell": f"{_col_letter(positions[cols['unit']])}{r}",
                             "problem": t("unknown_unit", unit=repr(rec[cols["unit"]])[:40])})
            continue
        if year_problem or year_val is None or year_val % 1:
            problems.append({"sheet": "data", "cell": f"{_col_letter(positions[cols['year']])}{r}",
                             "problem": t("year_whole_number")})
            continue
        values = {str(c).strip(): rec[c] for c in ind_cols}
        clean, errors = validate_values(values, fw)
        for e in errors:
            col = next(c for c in ind_cols if str(c).strip() == e["cell"])
            problems.append({"sheet": "data", "cell": f"{_col_letter(positions[col])}{r}", "problem": e["problem"]})
        key = (code, int(year_val))
        if key in out:
            problems.append({"sheet": "data", "cell": f"A{r}", "problem": t("duplicate_row", unit=code,
                                                                             year=key[1])})
        out[key] = clean
    if problems:
        raise Invalid(t("import_refused", n=len(problems)), problems=problems[:200])
    return out


def import_values(db, p: Principal, rows: dict) -> dict:
    """Write prepared rows as locked submissions; returns counts created/updated/unchanged."""
    require_role(p, "admin")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with db.write() as s:
        existing = {(x.unit, x.year): x for x in s.scalars(select(Submission).where(
            Submission.year.in_(sorted({y for _u, y in rows}))))}
        created = []
        for (unit, year), values in sorted(rows.items()):
            sub = existing.get((unit, year))
            if sub is None:
                sub = Submission(unit=unit, year=year, state="locked", values=values, notes={}, source="import",
                                 comment="",
                                 created_by=p.id or None, updated_by=p.id or None, created_at=utcnow(),
                                 updated_at=utcnow())
                s.add(sub)
                created.append(sub)
                counts["created"] += 1
                continue
            old = dict(sub.values or {})
            if old == values and sub.state == "locked":
                counts["unchanged"] += 1
                continue
            for k in sorted(set(old) | set(values)):
                if old.get(k) != values.get(k):
                    audit(s, p, "import", "submission", sub.id, k, old.get(k), values.get(k))
            sub.values, sub.source = values, "import"
            sub.updated_by, sub.updated_at = p.id or None, utcnow()
            if sub.state != "locked":
                _move(s, p, sub, "import", "locked", "bulk import")
            else:
                s.flush()
                record_revision(s, p, sub, "import")
            counts["updated"] += 1
        s.flush()  # one round of inserts; the new ids are known from here on
        for sub in created:
            audit(s, p, "import", "submission", sub.id, None, None, {"unit": sub.unit, "year": sub.year, **sub.values})
            record_revision(s, p, sub, "import")
    return counts
