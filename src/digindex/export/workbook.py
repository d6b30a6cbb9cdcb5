"""results.xlsx: the workbook a researcher or a bureau hands in.

Sheets, with headers in the run's language (``--lang``):

- about (说明): what the run is (first, when the data files are marked synthetic, that they are),
  every sheet, and notes (a table too large for Excel);
- per level of the tree, scores and ranks: units down, years across (see :mod:`.wide`);
- weights (权重): each node's weights and its method's details, an AHP matrix as a matrix;
- methods (方法说明): the pipeline in words;
- tiers (梯队): units down, years across, the tier of each year (tiers.csv has scores and ranks);
- framework (指标体系), disparity: as in the CSV files;
- run (运行记录): run.json, key by key.

Every sheet has a frozen header, filters on its tables, widths and number formats; empty
values are empty cells; text is always text (never a formula).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..i18n import text
from .excel import Book, Column
from .methods_text import methods_rows
from .weights import node_details
from .wide import WideTable, level_name, wide_tables, year_header

SMALL_TABLES = ("tiers", "disparity", "disparity_groups")
# cells of one level sheet: beyond this a sheet takes long to write and to open in Excel (the
# indicator level of every county of China is 2.8 million cells); results.csv and
# results.parquet hold every level, whatever the size
CELL_BUDGET = 1_000_000


def write_workbook(path, evaluation, record: dict, regional: dict, lang: str = "en",
                   cell_budget: int = CELL_BUDGET) -> list[str]:
    """Write results.xlsx to ``path``; return the notes it carries (tables left out)."""
    from ..framework.table_io import framework_to_table

    fw = evaluation.framework
    levels = wide_tables(evaluation, lang, max_cells=cell_budget)  # larger levels: their sizes only
    notes, planned = [], []
    for scores, ranks in levels:
        name = level_name(fw, scores.level, lang)
        for table in (scores, ranks):
            sheet = text("sheet_scores" if table.kind == "score" else "sheet_ranks", lang, level=name)
            if not Book.fits(table.n_rows, table.n_columns):
                notes.append(text("too_large_for_excel", lang, sheet=sheet, rows=f"{table.n_rows:,}",
                                  columns=table.n_columns))
            elif table.n_rows * table.n_columns > cell_budget:
                notes.append(text("too_large_for_workbook", lang, sheet=sheet, rows=f"{table.n_rows:,}",
                                  columns=table.n_columns, budget=f"{cell_budget:,}"))
            else:
                planned.append((sheet, table))
    book = Book(path)
    try:
        _about(book, evaluation, record, [s for s, _ in planned], notes, lang)
        for sheet, table in planned:
            book.table(sheet, _columns(table), frozen_columns=len(table.keys))
        _weights(book, evaluation, lang)
        _methods(book, evaluation, lang)
        _, framework_table = framework_to_table(fw)
        book.table(text("sheet_framework", lang), frame_columns(framework_table), frozen_columns=1)
        index_scores = levels[0][0] if levels else None
        for name in SMALL_TABLES:
            if name == "tiers" and name in regional and len(regional[name]) and index_scores is not None \
                    and not index_scores.unbuilt:
                book.table(text("sheet_tiers", lang), tier_columns(index_scores, regional[name]),
                           frozen_columns=len(index_scores.keys))
            elif name in regional and len(regional[name]) and Book.fits(*regional[name].shape):
                frame = regional[name].rename(columns=lambda c: text(f"col_{c}", lang))
                book.table(text(f"sheet_{name}", lang), frame_columns(frame), frozen_columns=1)
        _run(book, record, lang)
    finally:
        book.close()
    return notes


def _columns(table: WideTable) -> list[Column]:
    cols = [Column(h, np.asarray(v, dtype=object)) for h, v in table.keys.items()]
    if table.kind == "score":
        formats = np.array(["0." + "0" * d if d else "0" for d in table.decimals], dtype=object)
        cols += [Column(h, v, formats) for h, v in table.values.items()]
    else:
        cols += [Column(h, v, "0") for h, v in table.values.items()]
    return cols


def tier_columns(index: WideTable, tiers: pd.DataFrame) -> list[Column]:
    """The tiers (梯队) as the index's sheets show units: its key columns and order (best of the
    latest year first), then a column per year with the unit's tier (its label; empty without a
    score). The long table, with scores and ranks, is tiers.csv."""
    units = next(iter(index.keys.values()))
    headers = list(index.values)  # the years of the index's sheets
    years, at_year = np.unique(tiers["year"].map(year_header).to_numpy(dtype=object).astype(str), return_inverse=True)
    column = np.array([headers.index(y) if y in headers else -1 for y in years])[at_year]
    row = pd.Index(units).get_indexer(tiers["unit"].to_numpy(dtype=object))
    cells = np.full((len(units), len(headers)), None, dtype=object)
    shown = (row >= 0) & (column >= 0)
    labels = tiers["tier_label"].to_numpy(dtype=object)
    cells[row[shown], column[shown]] = np.where(pd.isna(labels), None, labels)[shown]
    return [Column(h, v) for h, v in index.keys.items()] + [Column(h, cells[:, j]) for j, h in enumerate(headers)]


def frame_columns(frame: pd.DataFrame) -> list[Column]:
    """A DataFrame's columns for :meth:`Book.table`: numbers as numbers (integers without
    decimals), everything else as text."""
    out = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            out.append(Column(str(c), s.map(str).to_numpy(dtype=object)))
        elif pd.api.types.is_numeric_dtype(s):
            values = pd.to_numeric(s, errors="coerce").astype(float).to_numpy()
            whole = pd.api.types.is_integer_dtype(s) or bool(np.all(np.isnan(values) | (values == np.round(values))))
            out.append(Column(str(c), values, "0" if whole else "0.0000"))
        else:
            values = s.to_numpy(dtype=object)
            text = pd.isna(values) | np.array([isinstance(v, str) for v in values], dtype=bool)
            values = values.copy()
            values[~text] = [str(v) for v in values[~text]]  # labels, years as text ...
            values[pd.isna(values)] = None
            out.append(Column(str(c), values))
    return out


def _about(book: Book, evaluation, record: dict, sheets: list[str], notes: list[str], lang: str) -> None:
    fw = evaluation.framework
    ws = book.sheet(text("sheet_about", lang), [28, 100])
    r = 0
    book.row(ws, r, [fw.label(lang)], book.bold)
    if evaluation.panel.synthetic:  # the data files are marked synthetic: the workbook says so first
        book.row(ws, r + 1, [f"{text('synthetic', lang)}: {text('synthetic_note', lang)}"], book.bold)
    rows = [(text("framework_id", lang), f"{fw.id}  ({record.get('framework', {}).get('file') or ''})"),
            (text("data_files", lang), ", ".join(d["file"] for d in record.get("data", []))),
            (text("n_units", lang), record.get("units")),
            (text("year", lang), ", ".join(str(y) for y in record.get("years", []))),
            (text("version", lang), f"digindex {record.get('digindex_version')}"),
            (text("time", lang), record.get("time"))]
    r += 2
    for key, value in rows:
        book.row(ws, r, [key, value])
        r += 1
    r += 1
    book.row(ws, r, [text("sheets", lang)], book.bold)
    r += 1
    for sheet in sheets:
        book.row(ws, r, [sheet])
        r += 1
    if notes:
        r += 1
        book.row(ws, r, [text("notes", lang)], book.bold)
        for note in notes:
            r += 1
            book.row(ws, r, [note], book.wrap)


def _weights(book: Book, evaluation, lang: str) -> None:
    """Per node: its method; a row per child with its weights and details; the node's values;
    its matrices."""
    fw = evaluation.framework
    ws = book.sheet(text("weights", lang), [18, 28, 14, 14, 14] + [14] * 12)
    base = evaluation.weights
    if base is None or not len(base):
        return
    from ..engine.weights import weight_table

    table = weight_table(fw, evaluation)
    effective = dict(zip(table["node"], table["effective_weight"]))
    details = node_details(evaluation)
    r = 0
    for nid, rows in base.groupby("node", sort=False):
        node = fw.nodes[nid]
        book.row(ws, r, [f"{nid}  {node.label(lang)}", text("method", lang) + ": " + str(rows["method"].iloc[0])],
                 book.bold)
        d = details.get(nid)
        extra = list(d.children) if d else []
        r += 1
        header = [text("node_id", lang), text("col_name", lang), text("weight_in_parent", lang),
                  text("nominal_weight", lang), text("weight_global", lang)] + extra
        book.row(ws, r, header, book.header)
        for rec in rows.itertuples(index=False):
            r += 1
            child = str(rec.child)
            values = [child, fw.nodes[child].label(lang) if child in fw.nodes else "", rec.weight,
                      rec.nominal_weight, effective.get(child)] + [d.children[k].get(child) for k in extra]
            book.row(ws, r, values, number_format="0.0000")
        if d:
            for key, value in d.node.items():
                r += 1
                shown = "; ".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in value) \
                    if isinstance(value, list) else value
                book.row(ws, r, [key, shown], number_format="0.0000")
            for key, matrix in d.matrices.items():
                r += 1
                book.row(ws, r, [key] + list(matrix), book.bold)
                for row_id, row in matrix.items():
                    r += 1
                    book.row(ws, r, [row_id] + [row[c] for c in matrix], number_format="0.000")
        r += 2


def _methods(book: Book, evaluation, lang: str) -> None:
    ws = book.sheet(text("sheet_methods", lang), [16, 28, 36, 90])
    book.row(ws, 0, [text("step", lang), text("applies_to", lang), text("method", lang),
                     text("description", lang)], book.header)
    for r, row in enumerate(methods_rows(evaluation, lang), start=1):
        book.row(ws, r, list(row), book.wrap)
    ws.freeze_panes(1, 0)


def _run(book: Book, record: dict, lang: str) -> None:
    """run.json key by key: text and numbers as they are, lists and mappings as JSON."""
    ws = book.sheet(text("sheet_run", lang), [22, 120])
    book.row(ws, 0, [text("col_key", lang), text("col_value", lang)], book.header)
    for r, (k, v) in enumerate(record.items(), start=1):
        shown = v if v is None or isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False, default=str)
        book.row(ws, r, [k, shown])
    ws.freeze_panes(1, 0)


__all__ = ["write_workbook", "frame_columns"]
