"""Tables to long records: one record per unit, year and indicator, with where it was read.

Records keep the cell as text (numbers are parsed once, for all files, by
:func:`digindex.data.checks.to_numbers`), the unit (a code when names were resolved) and its
``form``, the unit as written, so that two names of one region can be told apart in messages.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from .layout import Table

MAX_REPORTED = 20
SMALL = 100_000  # cells
COLUMNS = ["unit", "form", "year", "indicator", "value", "row", "file", "sheet", "column"]


def _years(t: Table, problems: ProblemCollector) -> pd.Series:
    if t.year is None:
        return pd.Series([None] * len(t.df), index=t.df.index, dtype=object)
    raw = t.df[t.year]
    codes, distinct = pd.factorize(raw)  # each distinct text parsed once
    num = pd.to_numeric(np.asarray(distinct, dtype=object), errors="coerce").astype(float)
    whole = ~np.isnan(num) & (num % 1 == 0)
    bad = (codes < 0) | ~whole[codes]
    for idx in np.flatnonzero(bad)[:MAX_REPORTED]:
        problems.add(f"year is not a whole number: {raw.iloc[idx]!r}", file=t.file, sheet=t.sheet,
                     row=int(idx) + t.row_offset, column=t.year, fix="write the year as e.g. 2022")
    year = np.array([int(v) if w else None for v, w in zip(num, whole)] + [None], dtype=object)
    return pd.Series(year[codes], index=t.df.index, dtype=object)  # code -1 (missing): None


def read_records(t: Table, unit: pd.Series, text_ok: frozenset, problems: ProblemCollector):
    """(records with text values, text records of label columns, extras {parent|name: frame})."""
    form = t.df[t.unit].astype(object)
    rows = np.arange(len(t.df)) + t.row_offset
    extras = {role: pd.DataFrame({"unit": unit, role: t.df[col], "row": rows, "file": t.file})
              for role, col in t.extras.items()}
    texts, parts = [], []

    def part(year, indicator, cells, column, keep=None):
        frame = pd.DataFrame({"unit": unit, "form": form, "year": year, "indicator": indicator,
                              "value": cells, "row": rows, "file": t.file, "sheet": t.sheet,
                              "column": column})
        return frame if keep is None else frame[keep]

    if t.kind == "yearbook":
        for col, year in t.columns.items():
            parts.append(part(year, t.indicator, t.df[col], col))
        return _concat(parts), texts, extras
    year = _years(t, problems)
    if t.kind == "long":
        ind = t.df[t.indicator]
        if t.columns:
            ind = ind.map(lambda v: t.columns.get(v, v))
        is_text = ind.isin(text_ok).to_numpy()
        if is_text.any():
            texts.append(part(year, ind, t.df[t.value], t.value, is_text))
        parts.append(part(year, ind, t.df[t.value], t.value, ~is_text))
        return _concat(parts), texts, extras
    if not t.columns:
        problems.add("no indicator columns", file=t.file, sheet=t.sheet,
                     fix="use the wide layout (unit, year, <indicators>) or the long layout "
                         "(unit, year, indicator, value)")
        return None, texts, extras
    numbers, labels = [], []
    for col, indicator in t.columns.items():
        if col == "" or col.startswith("Unnamed:"):
            problems.add("a column has no name", file=t.file, sheet=t.sheet, column=col,
                         fix="give every column a header or delete it")
            continue
        (labels if indicator in text_ok else numbers).append((col, indicator))
    # a small table's cells as one matrix of text, converted once for both kinds of columns
    cells = t.df.to_numpy(dtype=object) if t.df.size <= SMALL and t.df.columns.is_unique else None
    if labels:
        texts.append(_columns(t, unit, form, year, rows, labels, cells))
    return (_columns(t, unit, form, year, rows, numbers, cells) if numbers else None), texts, extras


def _columns(t: Table, unit, form, year, rows, columns: list[tuple[str, str]], cells=None) -> pd.DataFrame:
    """The records of several columns of a wide table, column after column (as one ``part``
    per column, concatenated, would give them), built at once: from ``cells``, the table as a
    matrix of text, when given (a small table: its records as one block of Python objects, as
    pandas' cost is per column and per block more than per cell), else from the columns' text
    as pyarrow holds it (no copy to Python strings)."""
    k, n = len(columns), len(t.df)
    names, indicators = zip(*columns)
    if cells is not None:
        position = {c: i for i, c in enumerate(t.df.columns)}

        def each(values):  # one value per column, repeated down its records
            return np.repeat(np.array(values, dtype=object), n)

        def tiled(series):
            return np.tile(np.asarray(series, dtype=object), k)

        block = np.column_stack([tiled(unit), tiled(form), tiled(year), each(indicators),
                                 cells[:, [position[c] for c in names]].ravel(order="F"),
                                 each([t.file] * k), each([t.sheet] * k), each(names)])
        frame = pd.DataFrame(block, columns=[c for c in COLUMNS if c != "row"], dtype=object)
        frame.insert(COLUMNS.index("row"), "row", np.tile(rows, k))
        return frame
    import pyarrow as pa

    each = np.repeat(np.arange(k), n)

    def text(values):  # one text per column, repeated down its records: pandas' str dtype
        return pa.array(list(values), pa.string()).take(each).to_pandas()

    def tiled(series):
        return pd.Series(np.tile(np.asarray(series, dtype=object), k), dtype=object)

    values = pd.concat([t.df[c] for c in names], ignore_index=True)
    return pd.DataFrame({
        "unit": tiled(unit), "form": tiled(form), "year": tiled(year), "indicator": text(indicators),
        "value": values, "row": np.tile(rows, k),
        "file": text([t.file] * k), "sheet": t.sheet if t.sheet is None else text([t.sheet] * k),
        "column": text(names)})


def _concat(parts):
    return pd.concat(parts, ignore_index=True) if parts else None
