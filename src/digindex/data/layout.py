"""Which column holds what: headers, aliases and the three table layouts.

- **wide**: ``unit, year, <indicator columns>`` (``year`` optional for one period);
- **long**: ``unit, year, indicator, value``;
- **yearbook**: one sheet per indicator, named by the indicator's id or name; the first
  column holds the units and the other columns are years (2013, 2014年 ...). A CSV file in
  this layout is one indicator, named by the file's name.

Headers are matched ignoring case, spaces and full-width forms. Chinese headers are read
as their roles: 地区, 地区名称, 省份, 城市, 区县 -> ``unit`` (when several are present,
the most specific is the unit and the others say which region it lies in); 年份, 年度 ->
``year``; 指标 -> ``indicator``; 数值 -> ``value``. A header equal to an indicator's
Chinese or English name reads as its id. Comment columns (备注, 说明, notes, remarks,
comments) are skipped. Every such reading is reported as a note.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import Note, ProblemCollector

# The unit column: the first of these present (most specific first).
UNIT_HEADERS = ("unit", "区县", "城市", "地区名称", "地区", "省份")
# Columns that say which region a unit lies in, coarse to fine (the finest that resolves is used):
# the unit headers, and the forms statistical tables give a unit's province or city in.
CONTEXT_HEADERS = ("省份", "所属省份", "所属省", "地区", "地区名称", "城市", "所属城市", "所属市", "所属地市",
                   "地级市", "区县", "parent")
YEAR_HEADERS = ("year", "年份", "年度")
INDICATOR_HEADERS = ("indicator", "指标", "指标名称")
VALUE_HEADERS = ("value", "数值", "值")
COMMENT_HEADERS = ("备注", "说明", "注释", "注", "note", "notes", "remark", "remarks", "comment",
                   "comments")
LAYOUTS = ("auto", "wide", "long", "yearbook")
YEAR_RE = re.compile(r"^(1[89]|2[01])\d\d(\.0+)?\s*年?$")
MAX_LISTED = 8


def header_key(text) -> str:
    """A header as compared: NFKC (full-width to half-width), no spaces, lower case."""
    return _header_key(str(text))


@lru_cache(maxsize=65536)
def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def year_of(header) -> int | None:
    return _year_of(str(header))


@lru_cache(maxsize=65536)
def _year_of(header: str) -> int | None:
    text = unicodedata.normalize("NFKC", header).strip()
    return int(text[:4]) if YEAR_RE.match(text) else None


def listing(items, n: int = MAX_LISTED) -> str:
    items = [str(i) for i in items]
    more = f" ... ({len(items) - n} more)" if len(items) > n else ""
    return ", ".join(items[:n]) + more


@dataclass
class Table:
    """One table of a data file and the role of its columns."""

    df: pd.DataFrame
    file: str
    sheet: str | None
    kind: str                                   # wide | long | yearbook
    unit: str                                   # the column of units
    year: str | None = None                     # the column of years (wide, long)
    context: list[str] = field(default_factory=list)  # columns naming the unit's region, coarse to fine
    extras: dict[str, str] = field(default_factory=dict)  # 'parent' / 'name' -> column
    indicator: str | None = None                # long: the indicator column; yearbook: the indicator
    value: str | None = None                    # long: the value column
    # wide: column -> indicator id; long: indicator name -> id; yearbook: column -> year
    columns: dict = field(default_factory=dict)

    @property
    def row_offset(self) -> int:
        return self.df.attrs.get("row_offset", 2)


class Names:
    """Indicator ids, and the framework's Chinese and English names of its indicators."""

    def __init__(self, framework=None):
        self.ids: set[str] = set()
        self.by_name: dict[str, str] = {}
        if framework is None:
            return
        self.ids = set(framework.indicator_ids) | set(framework.data_columns)
        seen: dict[str, set[str]] = {}
        for node in framework.indicators:
            for text in (node.name or {}).values():
                if text:
                    seen.setdefault(header_key(text), set()).add(node.id)
        # a name shared by two indicators names neither
        self.by_name = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}

    def id_of(self, header: str) -> str | None:
        """The indicator id a header names by its id or by its name (None if neither)."""
        if header in self.ids:
            return header
        return self.by_name.get(header_key(header))


def find(headers, wanted) -> str | None:
    keys = _header_keys(tuple(headers))
    return next((keys[header_key(w)] for w in wanted if header_key(w) in keys), None)


@lru_cache(maxsize=64)
def _header_keys(headers: tuple) -> dict:
    """Compared header -> its first header (a table's roles are looked up a dozen times)."""
    return {header_key(h): h for h in reversed(headers)}


def year_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if year_of(c) is not None]


def looks_like_yearbook(df: pd.DataFrame) -> bool:
    """Years as headers (at least two, and most of the columns after the first)."""
    rest = [c for c in list(df.columns)[1:] if header_key(c) not in COMMENT_KEYS]
    years = [c for c in rest if year_of(c) is not None]
    return len(years) >= 2 and len(years) * 2 > len(rest) and find(df.columns, YEAR_HEADERS) is None


def looks_like_data(df: pd.DataFrame) -> bool:
    return len(df) > 0 and (find(df.columns, UNIT_HEADERS) is not None or looks_like_yearbook(df))


COMMENT_KEYS = frozenset(header_key(h) for h in COMMENT_HEADERS)


def drop_comments(df: pd.DataFrame, where: dict, notes: list) -> pd.DataFrame:
    comments = [c for c in df.columns if header_key(c) in COMMENT_KEYS]
    if comments:
        notes.append(Note(f"comment column{'s' if len(comments) > 1 else ''} "
                          f"{listing(repr(c) for c in comments)} ignored", **where))
        df = df.drop(columns=comments)
    return df


def plan_tables(path, book: dict, sheet, layout: str, names: Names, problems: ProblemCollector,
                notes: list) -> list[Table]:
    """The tables to read from one file (its sheets as read by ``read_sheets``)."""
    file = str(path)
    first = next(iter(book))
    if layout == "yearbook":
        return _yearbook_tables(path, book, names, problems, notes, explicit=True)
    if sheet is not None or first is None or layout in ("wide", "long"):
        return [t for t in [_table(book[first], layout, names, problems, notes, path)] if t]
    # a workbook, no sheet chosen: its first sheet, unless it is a cover or the book is a yearbook
    data_sheets = [s for s, df in book.items() if looks_like_data(df)]
    yearbook = [s for s in data_sheets if looks_like_yearbook(book[s])]
    if yearbook and len(yearbook) == len(data_sheets) and any(
            names.id_of(s) for s in yearbook):
        return _yearbook_tables(path, book, names, problems, notes, explicit=False)
    if first in data_sheets:
        return [t for t in [_table(book[first], layout, names, problems, notes, path)] if t]
    others = [s for s in data_sheets if s != first]
    if not others:
        return [t for t in [_table(book[first], layout, names, problems, notes, path)] if t]
    fix = (f"choose the data sheet with --sheet (sheet=...): sheets that look like data: "
           f"{listing(repr(s) for s in others)}")
    if yearbook:
        fix += "; or read one sheet per indicator with --layout yearbook"
    problems.add(f"the first sheet {first!r} holds no data table (no 'unit' column or no rows)",
                 file=file, sheet=first, fix=fix)
    return []


def _table(df: pd.DataFrame, layout: str, names: Names, problems: ProblemCollector, notes: list,
           path) -> Table | None:
    file, sheet = df.attrs["file"], df.attrs["sheet"]
    where = {"file": file, "sheet": sheet}
    if df.shape[0] == 0:
        problems.add("the table has a header but no data rows", **where,
                     fix="add data rows below the header")
        return None
    if layout == "auto" and looks_like_yearbook(df):
        indicator = names.id_of(sheet if sheet is not None else Path(path).stem)
        if indicator is not None:
            notes.append(Note(f"read as a yearbook table of indicator {indicator!r} (years as columns)",
                              **where))
            return _yearbook_table(df, indicator, problems, notes)
        years = year_columns(df)
        problems.add(f"columns {listing(repr(c) for c in years[:3])} ... are years: this looks like "
                     "a yearbook layout (one sheet per indicator, years as columns)", **where,
                     fix="read it with --layout yearbook (load_data(..., layout='yearbook')), naming "
                         "each sheet (or CSV file) after an indicator's id or name; or write one "
                         "row per unit and year (unit, year, <indicators>)")
        return None
    df = drop_comments(df, where, notes)
    headers = list(df.columns)  # the Index gives its names one by one, slowly
    unit = find(headers, UNIT_HEADERS)
    if unit is None:
        problems.add("no 'unit' column", **where,
                     fix="name the column holding unit codes or names 'unit' (地区, 地区名称, 省份, "
                         "城市 and 区县 are read as 'unit' too)")
        return None
    table = Table(df, file, sheet, "wide", unit, year=find(headers, YEAR_HEADERS))
    table.context = [c for c in (find(headers, [h]) for h in CONTEXT_HEADERS)
                     if c is not None and c != unit]
    for role in ("parent", "name"):
        col = find(headers, [role])
        if col is not None:
            table.extras[role] = col
    renamed = {c: role for c, role in ((unit, "unit"), (table.year, "year"))
               if c and header_key(c) != role}
    indicator, value = find(headers, INDICATOR_HEADERS), find(headers, VALUE_HEADERS)
    if indicator is not None and value is not None and layout != "wide":
        table.kind, table.indicator, table.value = "long", indicator, value
        for name in dict.fromkeys(df[indicator]):  # indicators written by their names
            target = names.id_of(name)
            if target is not None and target != name:
                table.columns[name] = target
        if table.columns:
            notes.append(Note("indicators read by their names: " + ", ".join(
                f"{c!r} -> {t!r}" for c, t in table.columns.items()), **where))
    else:
        reserved = {unit, table.year, *table.context, *table.extras.values()} - {None}
        for c in headers:
            if c in reserved:
                continue
            target = names.id_of(c) or c
            table.columns[c] = target
            if target != c:
                renamed[c] = target
    if renamed:
        notes.append(Note("columns read by their names: " + ", ".join(
            f"{c!r} -> {t!r}" for c, t in renamed.items()), **where))
    return table


def _yearbook_table(df: pd.DataFrame, indicator: str, problems: ProblemCollector, notes: list) -> Table | None:
    file, sheet = df.attrs["file"], df.attrs["sheet"]
    df = drop_comments(df, {"file": file, "sheet": sheet}, notes)
    unit = find(df.columns, UNIT_HEADERS) or df.columns[0]
    table = Table(df, file, sheet, "yearbook", unit, indicator=indicator)
    table.context = [c for c in (find(df.columns, [h]) for h in CONTEXT_HEADERS)
                     if c is not None and c != unit]
    for c in df.columns:
        if c == unit or c in table.context:
            continue
        year = year_of(c)
        if year is None:
            problems.add(f"column {c!r} of a yearbook table is not a year", file=file, sheet=sheet,
                         column=c, fix="headers after the unit column must be years (2013 or 2013年); "
                                       "delete the column or name it 备注 (comments are skipped)")
            continue
        table.columns[c] = year
    if len(set(table.columns.values())) < len(table.columns):
        problems.add("two columns name the same year", file=file, sheet=sheet,
                     fix="keep one column per year")
    return table


def _yearbook_tables(path, book: dict, names: Names, problems: ProblemCollector, notes: list,
                     explicit: bool) -> list[Table]:
    tables, skipped = [], []
    for sheet, df in book.items():
        label = sheet if sheet is not None else Path(path).stem
        where = {"file": str(path), "sheet": sheet}
        if not looks_like_yearbook(df) or len(df) == 0:
            if sheet is None or len(book) == 1:
                problems.add("not a yearbook table: the first column must hold the units and the "
                             "other headers must be years", **where,
                             fix="check the layout, or leave out --layout yearbook")
            else:
                skipped.append(sheet)
            continue
        indicator = names.id_of(label) if names.ids else label
        if indicator is None:
            problems.add(f"{'sheet' if sheet is not None else 'file'} name {label!r} is not an "
                         "indicator of the framework (a yearbook table is one indicator)", **where,
                         fix="name it after an indicator's id or its Chinese or English name")
            continue
        table = _yearbook_table(df, indicator, problems, notes)
        if table is not None:
            tables.append(table)
    if skipped:
        notes.append(Note(f"sheets skipped (not yearbook tables): {listing(repr(s) for s in skipped)}",
                          file=str(path)))
    if tables:
        named = listing(f"{t.sheet!r} -> {t.indicator!r}" if t.sheet is not None else repr(t.indicator)
                        for t in tables)
        how = "" if explicit else " (detected; --layout yearbook says so)"
        notes.append(Note(f"read as a yearbook, one sheet per indicator{how}: {named}", file=str(path)))
    seen: dict[str, str] = {}
    for t in tables:
        if t.indicator in seen:
            problems.add(f"sheets {seen[t.indicator]!r} and {t.sheet!r} are both indicator {t.indicator!r}",
                         file=str(path), sheet=t.sheet, fix="keep one sheet per indicator")
        seen.setdefault(t.indicator, t.sheet)
    return tables
