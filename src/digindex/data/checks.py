"""Checks on the values read: numbers, repeated cells and rows, coverage, look-alike units.

- a cell must be a finite number (inf, -inf and overflowing literals such as 1e999 are refused);
- a unit, year and indicator has one value: an exact copy of a row is reported once, as a
  row; two names of one region (浙江 / 浙江省) holding equal values are merged (a note),
  different values stop loading, naming both forms;
- coverage per file and per unit, units present in only some files and units whose names
  differ only by spaces, full-width characters or a suffix are reported as warnings.
"""
from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..errors import Note, ProblemCollector
from ..regions import registry, short_name
from ..regions.names import key as region_key
from .layout import listing

MISSING_MARKERS = {"", "na", "n/a", "nan", "null", "none", "..", "-", "—", "–"}
MAX_REPORTED = 20
LOW_COVERAGE = 0.5


def to_numbers(records: pd.DataFrame, problems: ProblemCollector) -> pd.Series:
    """The ``value`` cells as floats (missing markers -> NaN); bad cells are problems."""
    fast = _finite_numbers(records["value"])
    if fast is not None:
        return fast
    cells = records["value"].astype(str)
    missing = pd.Series(missing_markers(cells), index=cells.index)
    numbers = pd.to_numeric(cells.where(~missing, None), errors="coerce").astype(float)
    bad = numbers.isna() & ~missing
    infinite = np.isinf(numbers.to_numpy())
    reported = 0
    for idx in np.flatnonzero(bad.to_numpy() | infinite):
        reported += 1
        if reported > MAX_REPORTED:
            continue
        rec = records.iloc[idx]
        where = dict(file=rec.file, sheet=rec.sheet, row=int(rec.row), column=rec.column)
        if infinite[idx]:
            problems.add(f"not a finite number: {cells.iloc[idx]!r}", **where,
                         fix="enter a finite number (a value too large for a 64-bit float is read as "
                             "infinite), or leave the cell empty if missing")
        else:
            problems.add(f"not a number: {cells.iloc[idx]!r}", **where,
                         fix="enter a plain number (no units or % signs), or leave the cell empty if missing")
    if reported > MAX_REPORTED:
        problems.add(f"{reported - MAX_REPORTED} more cells are not numbers",
                     file=", ".join(dict.fromkeys(str(f) for f in records["file"])))
    return numbers.where(~infinite)


def missing_markers(cells: pd.Series) -> np.ndarray:
    """Which cells are missing markers (:data:`MISSING_MARKERS`, in any case)."""
    return _marked(cells)[1].to_numpy(zero_copy_only=False)


def _marked(cells: pd.Series):
    """(the cells as pyarrow text, which are missing markers): lower-cased by pyarrow's
    function, the one pandas' ``str.lower`` calls on text it holds in pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(cells, type=pa.large_string(), from_pandas=True)  # objects: strings only
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = pa.array(cells.astype(str), type=pa.large_string(), from_pandas=True)
    return text, pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(MISSING_MARKERS), text.type))


def _finite_numbers(cells: pd.Series) -> pd.Series | None:
    """The cells as floats when every one is a finite number or a missing marker (pyarrow's
    parser, which accepts a subset of what pandas accepts, with the same values); else None,
    and pandas parses them and says which cells are not numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text, missing = _marked(cells)
    try:
        values = pc.cast(pc.if_else(missing, pa.scalar(None, text.type), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    values = values.to_numpy(zero_copy_only=False)
    if np.isinf(values).any():
        return None
    return pd.Series(values, index=cells.index)


CODES = {"unit": "_unit", "year": "_year", "indicator": "_indicator"}


def with_codes(long: pd.DataFrame) -> pd.DataFrame:
    """``long`` with an integer code per unit, year and indicator (columns ``_unit``, ``_year``,
    ``_indicator``: 0 for a missing value, then 1, 2, ... in order of first appearance),
    computed once for the checks and the pivot that follow."""
    return long.assign(**{code: pd.factorize(long[column])[0] + 1 for column, code in CODES.items()})


def key_codes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One integer per distinct combination of the ``key`` columns (from ``with_codes`` when
    present)."""
    code = np.zeros(len(frame), dtype=np.int64)
    for column in key:
        part = frame[CODES[column]].to_numpy() if CODES.get(column) in frame else \
            pd.factorize(frame[column])[0] + 1
        code = code * (int(part.max()) + 1 if len(part) else 1) + part
    return code


def duplicated_keys(frame: pd.DataFrame, key: list[str], keep=False) -> np.ndarray:
    """``frame.duplicated(key, keep=keep)`` by integer codes (the same answer, faster)."""
    code = key_codes(frame, key)
    if keep is False and len(code) and code.max() < 8 * len(code) + 1024:  # dense codes: count them
        return np.bincount(code)[code] > 1
    return pd.Series(code).duplicated(keep=keep).to_numpy()


def _region(unit) -> str:
    reg = registry()
    return reg.describe(reg[unit]) if unit in reg else repr(unit)


def _where(rec) -> str:
    sheet = f", sheet {rec.sheet!r}" if isinstance(rec.sheet, str) and rec.sheet else ""
    return f"{rec.file}{sheet}, row {int(rec.row)}, column {rec.column!r}"


def repeated_cells(long: pd.DataFrame, problems: ProblemCollector, notes: list) -> pd.DataFrame:
    """``long`` with one record per (unit, year, indicator), or problems.

    Records of one key written under two forms of one region (``form``) with equal values
    are merged (a missing value gives way to a value). Same form: an exact copy of a whole
    row is one problem; any other repeated cell is a problem naming both places.
    """
    key = ["unit", "year", "indicator"]
    dup = pd.Series(duplicated_keys(long, key), index=long.index)
    if not dup.any():
        return long
    d = long[dup].copy()
    d["gid"] = d.groupby(key, dropna=False, sort=False).ngroup()
    g = d.groupby("gid", sort=False)
    d["forms"] = g["form"].transform("nunique")
    d["values"] = g["value"].transform("nunique")
    d["nth"] = g.cumcount()
    first = d[d["nth"] == 0].set_index("gid")
    fv = d["gid"].map(first["value"]).to_numpy(dtype=float)
    v = d["value"].to_numpy(dtype=float)
    d["equal"] = (v == fv) | (np.isnan(v) & np.isnan(fv))
    found = []
    # two forms of one region with different values
    for _, grp in d[(d["forms"] > 1) & (d["values"] > 1)].groupby("gid", sort=False):
        head = grp[grp["value"].notna()].iloc[0]
        other = grp[grp["value"].notna() & (grp["value"] != head.value)].iloc[0]
        found.append(dict(
            message=f"{head.form!r} and {other.form!r} are one region, {_region(head.unit)}, but hold "
                    f"different values for year {head.year}, indicator {head.indicator!r}: "
                    f"{head.value:.12g} ({_where(head)}) and {other.value:.12g}",
            file=other.file, sheet=other.sheet, row=int(other.row), column=other.column,
            fix="keep one value: correct or delete one of the two cells"))
        if len(found) >= MAX_REPORTED:
            break
    # two forms, equal values: keep the first record with a value
    merge = d[(d["forms"] > 1) & (d["values"] <= 1)]
    keep = merge.assign(_na=merge["value"].isna()).sort_values(["gid", "_na"], kind="stable") \
        .drop_duplicates("gid").index
    drop = merge.index.difference(keep)
    # one form written twice: whole copied rows, else cells
    same = d[(d["forms"] == 1) & (d["nth"] > 0)].copy()
    if len(same):
        found.extend(_copies(long, same, first))
    for item in found:
        problems.add(**item)
    if len(merge) and not found:
        forms = merge.groupby("unit", sort=False)["form"].unique()
        text = [f"{' / '.join(map(str, f))} -> {_region(u)}" for u, f in forms.items()]
        notes.append(Note(f"{len(forms)} region(s) written in two forms held the same cells with equal "
                          f"values ({len(drop)} cells), merged: {listing(text, 5)}"))
    return long.drop(index=drop)


def _sheet_key(sheets: pd.Series) -> pd.Series:
    """Sheet names as text ('' for none: pandas would read None as a missing group key)."""
    return sheets.map(lambda s: s if isinstance(s, str) else "").astype(object)


def _copies(long: pd.DataFrame, same: pd.DataFrame, first: pd.DataFrame) -> list[dict]:
    """Problems for records repeating an earlier record of the same unit as written."""
    found = []
    orig = first.loc[same["gid"]]
    same["of"] = (orig["file"].astype(str) + "\x1f" + _sheet_key(orig["sheet"]) + "\x1f"
                  + orig["row"].astype(str)).to_numpy()
    same["sheet_key"] = _sheet_key(same["sheet"])
    rowkey = ["file", "sheet_key", "row"]
    stats = same.groupby(rowkey, sort=False).agg(n=("equal", "size"), equal=("equal", "all"),
                                                 of=("of", "nunique"), orig=("of", "first"))
    involved = long[long["file"].isin(set(same["file"])) & long["row"].isin(set(same["row"]))]
    sizes = involved.assign(sheet_key=_sheet_key(involved["sheet"])).groupby(rowkey, sort=False).size()
    stats["size"] = sizes.reindex(stats.index).to_numpy()
    exact = stats[stats["equal"] & (stats["of"] == 1) & (stats["n"] == stats["size"])]
    first_rec = same.drop_duplicates(rowkey).set_index(rowkey)
    for idx, st in exact.head(MAX_REPORTED).iterrows():
        rec = first_rec.loc[idx]
        ofile, osheet, orow = st["orig"].split("\x1f")
        at = f"row {orow}" if (ofile, osheet) == (idx[0], idx[1]) else f"{ofile} row {orow}"
        year = f", year {rec.year}" if rec.year is not None else ""
        found.append(dict(message=f"this row repeats {at} exactly (unit {rec.form!r}{year})",
                          file=idx[0], sheet=rec.sheet, row=int(idx[2]), column=None,
                          fix="delete the repeated row"))
    if len(exact) > MAX_REPORTED:
        found.append(dict(message=f"{len(exact) - MAX_REPORTED} more rows repeat other rows exactly"))
    in_exact = same.set_index(rowkey).index.isin(exact.index)
    rest = same[~in_exact]
    for rec in rest.head(MAX_REPORTED).itertuples(index=False):
        o = first.loc[rec.gid]
        found.append(dict(
            message=f"duplicate value for unit {rec.form!r}, year {rec.year}, indicator "
                    f"{rec.indicator!r} (also at {o.file} row {o.row})",
            file=rec.file, sheet=rec.sheet, row=int(rec.row), column=rec.column,
            fix="keep one row per unit, year and indicator"))
    if len(rest) > MAX_REPORTED:
        found.append(dict(message=f"{len(rest) - MAX_REPORTED} more repeated cells"))
    return found


# ---- coverage and look-alikes -----------------------------------------------------------------

def file_coverage(long: pd.DataFrame, indicators: list[str] | None) -> pd.DataFrame:
    """Per file: units, years, indicators, cells and the share of cells with a value."""
    rows = []
    files, names = pd.factorize(long["file"])
    units = key_codes(long, ["unit"])  # 0: missing, which nunique() does not count
    years = key_codes(long, ["year"])
    inds = key_codes(long, ["indicator"])
    keep = _isin_by_code(long["indicator"], inds, indicators) if indicators else np.ones(len(long), bool)
    present = long["value"].notna().to_numpy()
    for code, file in enumerate(names):
        sel = keep & (files == code)
        n = int(sel.sum())
        have = int(present[sel].sum())
        rows.append({"file": file, "units": _distinct(units[sel]), "years": _distinct(years[sel], True),
                     "indicators": _distinct(inds[sel]), "cells": n, "missing": n - have,
                     "coverage": have / n if n else 0.0})
    return pd.DataFrame(rows, columns=["file", "units", "years", "indicators", "cells", "missing",
                                       "coverage"])


def _isin_by_code(values: pd.Series, codes: np.ndarray, wanted) -> np.ndarray:
    """``values.isin(wanted)`` from the codes of ``key_codes``: one test per distinct value."""
    first = np.unique(codes, return_index=True)[1]  # a record of each code, in code order
    wanted = set(wanted)
    hit = np.zeros(codes.max() + 1 if len(codes) else 1, dtype=bool)
    hit[codes[first]] = [v in wanted for v in values.array.take(first)]
    return hit[codes]


def _distinct(codes: np.ndarray, missing: bool = False) -> int:
    """Distinct codes of ``key_codes`` (0, missing, counted only with ``missing``)."""
    present = np.bincount(codes) > 0 if len(codes) else np.zeros(1, bool)
    return int(present.sum() if missing else present[1:].sum())


def unit_coverage(table: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Per unit: years, cells of ``indicators`` and the share with a value."""
    present = table[indicators].notna().to_numpy() if indicators else None
    units, years, cells, have = _unit_counts(table["unit"].to_numpy(dtype=object), present)
    out = pd.DataFrame({"unit": units, "years": years, "cells": cells, "missing": cells - have})
    out["coverage"] = (have / cells) if len(indicators) else 1.0
    return out


def _unit_counts(units: np.ndarray, present: np.ndarray | None):
    """Per distinct unit, in order of first appearance: (units, years, cells, cells with a
    value), from the units of the rows and which cells of the rows hold a value (None: none)."""
    codes, uniques = pd.factorize(units)
    years = np.bincount(codes, minlength=len(uniques))
    per_row = present.sum(axis=1) if present is not None else np.zeros(len(units))
    width = present.shape[1] if present is not None else 0
    have = np.bincount(codes, weights=per_row, minlength=len(uniques)).astype(np.int64)
    return uniques, years, years * width, have


def coverage_notes(long: pd.DataFrame, units: np.ndarray, indicators: list[str], present: np.ndarray | None,
                   threshold: float, notes: list, files: list[str]) -> None:
    """Warnings: units in only some files, units and indicators with low coverage (``units``:
    the panel's unit of each row; ``present``: which of its ``indicators`` cells hold a value)."""
    if len(files) > 1:
        by_file = {f: set(g) for f, g in long.groupby("file", sort=False)["unit"]}
        every = set(units)
        for f in files:
            absent = sorted(every - by_file.get(str(f), set()), key=str)
            if by_file.get(str(f)) and absent:
                notes.append(Note(f"{len(absent)} unit(s) of the data are not in this file: "
                                  f"{listing(absent)}", file=str(f), severity="warning"))
    if not indicators:
        return
    distinct, _, cells, have = _unit_counts(units, present)
    share = have / cells
    low = [f"{u} {c:.0%}" for u, c in zip(distinct, share) if c < threshold]
    if low:
        notes.append(Note(f"{len(low)} unit(s) have values for less than {threshold:.0%} of their "
                          f"indicator cells: {listing(low)}", severity="warning",
                          fix="check the data for these units, or screen them out"))
    weak = [f"{i} {c:.0%}" for i, c in zip(indicators, present.mean(axis=0)) if c < threshold]
    if weak:
        notes.append(Note(f"{len(weak)} indicator(s) have values for less than {threshold:.0%} of "
                          f"the unit-years: {listing(weak)}", severity="warning"))


def lookalike_key(text: str) -> str:
    """A unit name without spaces, width or case differences and without a region suffix."""
    k = region_key(text)
    return region_key(short_name(k)) if k else k


def lookalike_notes(units, notes: list) -> None:
    """Warn about units whose names differ only by spaces, full-width forms or a suffix."""
    groups: dict[str, list[str]] = {}
    for u in dict.fromkeys(units):
        groups.setdefault(lookalike_key(str(u)), []).append(str(u))
    same = [g for g in groups.values() if len(g) > 1]
    if same:
        text = [" / ".join(repr(u) for u in g) for g in same]
        regions = any("\u4e00" <= ch <= "\u9fff" for g in same for u in g for ch in u)
        notes.append(Note(f"{len(same)} group(s) of units look like one unit written differently "
                          f"(spaces, full-width characters or a suffix): {listing(text, 5)}",
                          severity="warning",
                          fix="write each unit one way" + (", or give --units-in 全国 to read the "
                                                           "names as regions" if regions else "")))


def close_names(name: str, options, n: int = 3) -> list[str]:
    """Names in ``options`` close to ``name``: one region by the registry first, then by spelling."""
    options = list(dict.fromkeys(str(o) for o in options))
    reg = registry()
    same = []
    mine = reg.find(name)
    if len(mine) == 1:
        same = [o for o in options if [r.code for r in reg.find(o)] == [mine[0].code]]
    keys = {lookalike_key(o): o for o in options}
    near = [keys[k] for k in difflib.get_close_matches(lookalike_key(name), list(keys), n=n, cutoff=0.6)]
    return list(dict.fromkeys(same + near))[:n]
