"""Wide tables per level of the tree: units down, years across, for scores and for ranks.

Built from the evaluation's published scores and its ranks tables (no ranking here: the same
numbers as results.csv). One table per level of the tree (the index, its aspects, ..., the indicators);
a level with several nodes stacks one block per node, best unit of the latest year first, so
that a filter on the node column shows one node's table. The rank table has the rank in the
whole population for every year, then (with parent regions) the rank within the parent.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import text


@dataclass
class WideTable:
    """One level's table: key columns (text), then value columns (numbers), one row per unit
    (per node and unit on levels of several nodes)."""

    level: int
    nodes: list[str]
    keys: dict[str, np.ndarray]            # header -> text per row
    values: dict[str, np.ndarray]          # header -> float per row (NaN: empty)
    decimals: np.ndarray                   # per row: decimals of its node's scores
    kind: str = "score"                    # score | rank
    notes: list[str] = field(default_factory=list)
    unbuilt: tuple[int, int] | None = None  # (rows, columns) of a table larger than was asked for

    @property
    def n_rows(self) -> int:
        return self.unbuilt[0] if self.unbuilt else len(self.decimals)

    @property
    def n_columns(self) -> int:
        return self.unbuilt[1] if self.unbuilt else len(self.keys) + len(self.values)


CHINESE_NUMERALS = "一二三四五六七八九十"


def level_name(fw, level: int, lang: str) -> str:
    """What a level is called: the index; below it 一级指标 (aspects), 二级指标, ... by depth
    (in English the aspects, level-k nodes and, at the bottom, the indicators)."""
    depth = max(fw.levels.values()) - level
    if depth == 0:
        return text("level_index", lang)
    if lang == "en":
        key = "level_indicators" if level == 1 else "level_aspects" if depth == 1 else "level_n"
        return text(key, lang, n=depth)
    # Chinese counts every level from the top: 一级指标, 二级指标, ...
    return text("level_n", lang, n=CHINESE_NUMERALS[depth - 1] if depth <= 10 else str(depth))


def _parent_names(panel, parent_of: np.ndarray) -> np.ndarray | None:
    """Names of the parent regions: from the data's names, or from the region registry when the
    units were read as regions; None when no parent has a name."""
    names = dict(panel.names or {})
    if panel.level is not None:
        from ..regions import registry

        reg = registry()
        names = {**{p: reg[p].name for p in set(parent_of) if p in reg}, **names}
    found = np.array([names.get(p, "") for p in parent_of], dtype=object)
    return found if any(found) else None


def score_decimals(values: np.ndarray) -> int:
    """Decimals that show a node's scores: 4 on [0, 1] scales, 2 up to 1,000, else 1."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return 4 if top <= 1.0 else 2 if top <= 1000 else 1


def wide_tables(evaluation, lang: str = "en", max_cells: int | None = None) -> list[tuple[WideTable, WideTable]]:
    """(scores, ranks) per level, the index first: the published scores of
    ``Evaluation.scores_table()`` and the ranks of its ``ranks_table()`` (also within parents).
    With ``max_cells``, a table of more cells is not built: it has only its size (``unbuilt``)."""
    fw = evaluation.framework
    panel = evaluation.panel
    names = panel.names or {}
    parents = panel.parents if panel.has_parents else {}
    nodes = evaluation.node_order
    node_at = {n: i for i, n in enumerate(nodes)}
    table = evaluation.scores_table()
    years = sorted({y for y in pd.unique(table["year"]) if y is not None and not pd.isna(y)})
    year_list = years or [None]
    # the cell of every row of the tables: (unit, year)
    unit_codes, units = pd.factorize(table["unit"])
    year_index = {y: i for i, y in enumerate(year_list)}
    year_codes = np.array([year_index[None if y is None or pd.isna(y) else y] for y in table["year"]], dtype=int)

    def cube(frame: pd.DataFrame) -> np.ndarray:  # node × unit × year
        values = frame[nodes].to_numpy(dtype=float, na_value=np.nan).T
        out = np.full((len(nodes), len(units), len(year_list)), np.nan)
        out[:, unit_codes, year_codes] = values
        return out

    score = cube(table)
    rank = cube(evaluation.ranks_table())
    rip = cube(evaluation.ranks_table(within_parent=True)) if panel.has_parents else None
    parent_of = np.array([parents.get(u, "") for u in units], dtype=object) if parents else None
    parent_names = _parent_names(panel, parent_of) if parents else None
    out = []
    for level in sorted(set(fw.levels.values()), reverse=True):
        ids = [n for n in evaluation.node_order if fw.levels[n] == level and n in node_at]
        if not ids:
            continue
        blocks = []
        for nid in ids:
            k = node_at[nid]
            present = np.flatnonzero(~np.all(np.isnan(score[k]), axis=1))
            last = rank[k][present, -1]  # best of the latest year first, then by code
            order = present[np.lexsort((np.asarray(units, dtype=str)[present],
                                        np.where(np.isnan(last), np.inf, last)))]
            blocks.append((nid, k, order))
        n_rows = sum(len(o) for _, _, o in blocks)
        n_keys = (1 + bool(names) + (1 + (parent_names is not None) if parents else 0)
                  + (2 if len(ids) > 1 else 0))  # code, name, parent, parent's name, node, measure
        if max_cells is not None and n_rows * (n_keys + len(year_list)) > max_cells:  # neither is built
            n_ranks = len(year_list) * (2 if rip is not None else 1)
            none = np.zeros(0, int)
            out.append((WideTable(level, ids, {}, {}, none, "score", unbuilt=(n_rows, n_keys + len(year_list))),
                        WideTable(level, ids, {}, {}, none, "rank", unbuilt=(n_rows, n_keys + n_ranks))))
            continue
        rows_node = np.concatenate([np.full(len(o), k) for _, k, o in blocks])
        rows_unit = np.concatenate([o for _, _, o in blocks])
        row_ids = [nid for nid, _, o in blocks for _ in range(len(o))]
        keys = {text("col_code", lang): np.asarray(units, dtype=object)[rows_unit]}
        if names:
            keys[text("col_name", lang)] = np.array([names.get(u, "") for u in units], dtype=object)[rows_unit]
        if parents:
            keys[text("parent", lang)] = parent_of[rows_unit]
            if parent_names is not None:
                keys[text("parent_name", lang)] = parent_names[rows_unit]
        if len(ids) > 1:
            label = {n: fw.nodes[n].label(lang) for n in ids}
            keys[text("node_id", lang)] = np.array(row_ids, dtype=object)
            keys[text("measure", lang)] = np.array([label[n] for n in row_ids], dtype=object)
        publish = fw.settings.get("publish")  # the published precision, when the framework sets one
        decimals = {nid: publish.decimals if publish is not None else score_decimals(score[k])
                    for nid, k, _ in blocks}
        row_decimals = np.array([decimals[n] for n in row_ids], dtype=int)
        headers = [year_header(y) for y in year_list]
        scores = {h: score[rows_node, rows_unit, j] for j, h in enumerate(headers)}
        ranks = {text("rank_in_year", lang, year=h): rank[rows_node, rows_unit, j] for j, h in enumerate(headers)}
        if rip is not None:
            ranks.update({text("rank_in_parent_year", lang, year=h): rip[rows_node, rows_unit, j]
                          for j, h in enumerate(headers)})
        out.append((WideTable(level, ids, keys, scores, row_decimals, "score"),
                    WideTable(level, ids, dict(keys), ranks, np.zeros(len(row_ids), int), "rank")))
    return out


def year_header(year) -> str:
    return "" if year is None or pd.isna(year) else str(int(year))


__all__ = ["WideTable", "wide_tables", "level_name", "score_decimals", "year_header"]
