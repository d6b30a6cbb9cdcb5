"""Units named by code or by name, resolved through the region registry.

With ``units_in`` (the whole country -- 全国, 中国, China, CN -- or a province, city or
county by code or name), a unit column may hold GB/T 2260 codes, Chinese names with or
without suffix (桐乡 / 桐乡市, 新疆 / 新疆维吾尔自治区), pinyin or English (Tongxiang, Inner
Mongolia): every value becomes its code, so two names of one region are one unit. The level
(province, city, county) is inferred from the names or given (``level``). A province or
city column beside the units (省份, 城市, parent) tells same-named units apart. Unknown names
get a "did you mean" error naming the file, row and column.

Without ``units_in`` units stay as written; but when they look like Chinese region names
and two of them name the same region, loading stops and says which scope to give.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Note, ProblemCollector
from ..regions import Name, Scope, common_scope, infer_level, parse_scope, registry, resolve_names
from ..regions.columns import candidates
from ..regions.registry import normalise_code
from .layout import Table, listing

MAX_REPORTED = 20
_CJK = re.compile("[\u4e00-\u9fff]")
PLURAL = {"province": "provinces", "prefecture": "prefecture-level cities", "county": "county-level units"}


def scope_of(units_in) -> Scope:
    """The scope named by ``units_in`` (全国 / China / CN, or a region by code or name)."""
    return parse_scope(units_in, option="--units-in")


def _context(tables: list[Table], scope: Scope | None) -> list[pd.Series]:
    """Per table and row, the code prefix of the finest context column that names a region."""
    reg = registry()
    prefix = scope.prefix if scope else ""
    out = []
    for t in tables:
        ctx = pd.Series("", index=t.df.index, dtype=object)
        for col in t.context:
            values = t.df[col]
            names = [Name(v) for v in pd.unique(values.to_numpy(dtype=object)) if v]  # first-seen order
            if not names:
                continue
            resolved = resolve_names(names, prefix=prefix, registry=reg, explain=False)
            codes = {text: code for (_, text), code in resolved.codes.items()}
            mapped = values.map(codes).fillna("")
            ctx = ctx.where(mapped == "", mapped)
        out.append(ctx)
    return out


def _names(tables: list[Table], contexts: list[pd.Series | None]) -> list[Name]:
    """Distinct (context, unit) pairs over all tables, each with its first occurrence
    (``contexts``: per table, the context of each row, or None for none)."""
    seen: dict[tuple[str, str], Name] = {}
    for t, ctx in zip(tables, contexts):
        offset = t.row_offset  # a DataFrame's attrs are slow to read: once per table
        text = t.df[t.unit].astype(str)
        codes, uniques = pd.factorize(text if ctx is None else ctx.astype(str) + "\x1f" + text)
        counts = np.bincount(codes, minlength=len(uniques))
        _, first = np.unique(codes, return_index=True)
        # as Python lists: iterating pandas' Arrow-backed arrays goes element by element
        keys = np.asarray(uniques, dtype=object).tolist()
        for k, pos, n in zip(keys, first.tolist(), counts[codes[first]].tolist()):
            c, value = ("", k) if ctx is None else k.split("\x1f", 1)
            if value == "":
                continue
            item = seen.get((c, value))
            if item is None:
                seen[(c, value)] = Name(value, c, {"file": t.file, "sheet": t.sheet,
                                                   "row": int(pos) + offset, "column": t.unit}, n)
            else:
                item.count += n
    return list(seen.values())


def _check_blank(tables: list[Table], problems: ProblemCollector) -> None:
    reported = 0
    for t in tables:
        for pos in t.df.index[t.df[t.unit].to_numpy(dtype=object) == ""].tolist():
            reported += 1
            if reported <= MAX_REPORTED:
                problems.add("empty unit", file=t.file, sheet=t.sheet, row=int(pos) + t.row_offset,
                             column=t.unit, fix="fill in the unit code or name, or delete the row")
    if reported > MAX_REPORTED:
        problems.add(f"{reported - MAX_REPORTED} more rows have an empty unit")


def read_units(tables: list[Table], scope: Scope | None, level, problems: ProblemCollector,
               notes: list) -> tuple[list[pd.Series], str | None]:
    """The unit of every row of every table (a code with a scope, else the text as written),
    and the level used (None without a scope)."""
    _check_blank(tables, problems)
    if scope is None:
        if level is not None:
            problems.add("a level (--level) needs a scope of region names (--units-in)",
                         fix="add --units-in 全国 (or the province or city the units lie in)")
        refuse_doubles(tables, problems, notes)
        return [t.df[t.unit].astype(object) for t in tables], None
    contexts = _context(tables, scope)
    names = _names(tables, contexts)
    result = resolve_names(names, prefix=scope.prefix, level=level)
    problems.problems.extend(result.problems)
    if result.problems:
        return [t.df[t.unit].astype(object) for t in tables], result.level
    codes = {f"{c}\x1f{text}": code for (c, text), code in result.codes.items()}
    units = [(ctx + "\x1f" + t.df[t.unit]).map(codes).astype(object) for t, ctx in zip(tables, contexts)]
    _note_reading(result, scope, names, notes)
    return units, result.level


def _note_reading(result, scope: Scope, names: list[Name], notes: list) -> None:
    if result.level is not None:
        how = "inferred from the names; choose it with --level" if result.inferred else "as given"
        notes.append(Note(f"units read as {PLURAL[result.level]} of {scope.label} ({how})"))
    forms: dict[str, list[str]] = {}
    for name in names:
        code = result.codes.get(name.key)
        if code is not None and name.text not in forms.setdefault(code, []):
            forms[code].append(name.text)
    doubles = {c: f for c, f in forms.items() if len(f) > 1}
    if doubles:
        reg = registry()
        pairs = [" / ".join(f) + f" -> {reg[c].name} ({c})" for c, f in doubles.items()]
        notes.append(Note(f"{len(doubles)} region{'s are' if len(doubles) > 1 else ' is'} written in "
                          f"more than one form, read as one unit each: {listing(pairs, 5)}"))


def looks_like_regions(texts) -> bool:
    """Worth checking against the registry: some names are Chinese or GB/T 2260 codes."""
    return any(_CJK.search(t) or normalise_code(t) is not None for t in texts)


def refuse_doubles(tables: list[Table], problems: ProblemCollector, notes: list | None = None) -> None:
    """Without a scope: stop if two names of the data are one Chinese region; note (in ``notes``)
    when most units are regions written in several forms (codes, names, short names)."""
    contexts = _context(tables, None) if any(t.context for t in tables) else [None] * len(tables)
    names = _names(tables, contexts)
    if not names or not looks_like_regions(n.text for n in names[:2000]):
        return
    _refuse_homonyms(tables, names, problems)
    reg = registry()
    matched, forms, written = 0, {}, {}
    level = infer_level(names, "", reg)
    for name in names:
        found = candidates(reg, name.text, name.within, "", level)
        matched += bool(found)
        if len(found) == 1:
            group = forms.setdefault(found[0].code, {})
            group.setdefault(name.text, name)
            written.setdefault(_form(name.text, found[0]), name.text)
    if matched * 2 <= len(names):  # most names are not regions: nothing to say
        return
    scope = common_scope(list(forms), reg)
    option = f"--units-in {scope.option}"
    doubles = {c: list(f.values()) for c, f in forms.items() if len(f) > 1}
    if not doubles:
        if len(written) > 1 and notes is not None:  # e.g. '5107', '德阳' and '乐山市' side by side
            notes.append(Note(
                f"the units look like regions of {scope.label} written in several forms (e.g. "
                f"{listing(repr(t) for t in written.values())}): with {option} they are read as "
                "regions, each under its registry name and with its parent"))
        return
    for i, (code, group) in enumerate(doubles.items()):
        if i == MAX_REPORTED:
            problems.add(f"{len(doubles) - MAX_REPORTED} more regions are written in two forms")
            break
        first, second = group[0], group[1]
        also = "".join(f" and {g.text!r}" for g in group[2:])
        problems.add(
            f"{first.text!r} ({_at(first)}) and {second.text!r}{also} are one region, "
            f"{reg[code].name} ({code}), but as written they would be two units",
            **second.where,
            fix=f"give {option} to read the names as regions (one unit each), or write every "
                "region one way")


def _form(text: str, region) -> str:
    """How ``text`` names ``region``: by its code, its full name or otherwise (short, pinyin)."""
    if normalise_code(text) is not None:
        return "code"
    return "name" if text == region.name else "other"


def _refuse_homonyms(tables: list[Table], names: list[Name], problems: ProblemCollector) -> None:
    """Without a scope: one name in two regions (朝阳区 of 北京 and of 长春) would be one unit."""
    within: dict[str, list[Name]] = {}
    for name in names:
        if name.within:
            within.setdefault(name.text, []).append(name)
    homonyms = {t: g for t, g in within.items() if len({n.within for n in g}) > 1}
    if not homonyms:
        return
    reg = registry()
    columns = ", ".join(dict.fromkeys(repr(c) for t in tables for c in t.context))
    for i, (text, group) in enumerate(homonyms.items()):
        if i == MAX_REPORTED:
            problems.add(f"{len(homonyms) - MAX_REPORTED} more names are units of several regions")
            break
        regions = listing(reg[n.within].name for n in group if n.within in reg)
        problems.add(f"{text!r} is a unit of several regions ({regions}), but as written it would "
                     "be one unit", **group[1].where,
                     fix=f"give --units-in 全国 to read names as regions: the {columns} column then "
                         "tells them apart")


def _at(name: Name) -> str:
    w = name.where
    parts = [str(w["file"])] + ([f"sheet {w['sheet']!r}"] if w.get("sheet") else []) + [f"row {w['row']}"]
    return ", ".join(parts)


def resolve_values(values: pd.Series, scope: Scope, level, file: str, sheet, column: str,
                   row_offset: int, problems: ProblemCollector) -> pd.Series:
    """One column of a regions or groups file resolved like the data's units."""
    names = [n for n in _distinct(values, file, sheet, column, row_offset) if n.text]
    result = resolve_names(names, prefix=scope.prefix, level=level)
    problems.problems.extend(result.problems)
    codes = {text: code for (_, text), code in result.codes.items()}
    return values.map(codes).astype(object)


def resolve_parents(frame: pd.DataFrame, scope: Scope, column: str = "parent") -> pd.DataFrame:
    """Parent names that name one region become its code; others stay as written (a parent
    may be a grouping of the user's own)."""
    values = frame[column].astype(str)
    names = [Name(v) for v in dict.fromkeys(values) if v]
    if not names:
        return frame
    codes = {text: code for (_, text), code in resolve_names(names, prefix="", explain=False).codes.items()}
    return frame.assign(**{column: values.map(codes).fillna(values)})


def _distinct(values: pd.Series, file, sheet, column, row_offset) -> list[Name]:
    seen: dict[str, Name] = {}
    for pos, v in zip(values.index, values):
        if v in seen:
            seen[v].count += 1
        else:
            seen[v] = Name(v, "", {"file": file, "sheet": sheet, "row": int(pos) + row_offset,
                                   "column": column})
    return list(seen.values())


def registry_parents(units) -> dict[str, str]:
    """Each unit's parent code from the registry."""
    reg = registry()
    return {u: reg[u].parent for u in units if u in reg and reg[u].parent}


def registry_names(units) -> dict[str, str]:
    reg = registry()
    return {u: reg[u].name for u in units if u in reg}
