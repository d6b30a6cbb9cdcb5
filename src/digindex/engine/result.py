"""The evaluation result: every stage of one run, tidy exports and re-runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..framework import Framework
from .publish import published
from .ranks import rank_within_each

STAGES = ("raw", "transformed", "imputed", "treated", "normalised")


@dataclass
class Evaluation:
    """One evaluation: the framework, the data and every stage in between.

    - ``stage(name)``: a wide table (unit, year, indicators) of ``raw``,
      ``transformed``, ``imputed``, ``treated`` or ``normalised`` values;
    - ``scores_table()``: every node's score; ``ranks_table()``: province ranks;
    - ``results()``: the tidy table written to ``results.csv``;
    - ``rerun(step, method, node=None)``: the same evaluation with one choice
      changed, reusing every stage that choice does not touch.
    """

    framework: Framework
    panel: Any
    stages: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]
    weights: pd.DataFrame
    log: list
    methods: dict[str, str]
    cache: dict = field(default_factory=dict, repr=False)
    weight_info: dict = field(default_factory=dict)  # e.g. AHP λmax, CI, CR per node
    # the weights each node used: (k,), or (rows, k) where they differ per unit-year
    node_weights: dict = field(default_factory=dict)
    # the function that made this evaluation (engine.evaluate), for variants of it
    evaluator: Any = field(default=None, repr=False)
    # rank tables already computed (an evaluation is not edited once made): by within_parent,
    # every node's; by a tuple of nodes, {within_parent: those nodes'}
    _ranks: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # the key and score tables already built (callers get copies: they may add columns)
    _tables: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- tables -------------------------------------------------------
    def _keys(self) -> pd.DataFrame:
        if "keys" not in self._tables:
            keys = pd.DataFrame({"unit": self.panel.units, "year": self.panel.years})
            if self.panel.has_parents:
                keys["parent"] = [self.panel.parents.get(u) for u in self.panel.units]
            self._tables["keys"] = keys
        return self._tables["keys"].copy()

    def stage(self, name: str) -> pd.DataFrame:
        if name not in self.stages:
            raise KeyError(f"no stage {name!r}; stages are {', '.join(self.stages)}")
        values = pd.DataFrame(self.stages[name], columns=self.framework.indicator_ids)
        return pd.concat([self._keys()[["unit", "year"]], values], axis=1)

    @property
    def node_order(self) -> list[str]:
        return [n.id for n in self.framework.tree.walk()]

    def scores_table(self, exact: bool = False) -> pd.DataFrame:
        """Every node's score per unit-year: as published (rounded when the framework declares
        ``publish: {decimals: N}``), or with ``exact`` at full precision."""
        name = "exact" if exact else "published"
        if name not in self._tables:
            values = pd.DataFrame({nid: self.scores[nid] if exact else published(self.scores[nid], self.framework)
                                   for nid in self.node_order})
            self._tables[name] = pd.concat([self._keys(), values], axis=1)
        return self._tables[name].copy()

    def ranks_table(self, within_parent: bool = False, nodes: list[str] | None = None) -> pd.DataFrame:
        """Ranks of every node's published score per year (and parent): 1 best, ties at the minimum.
        ``nodes``: only these nodes' ranks (computed alone when the others' are not yet known)."""
        if within_parent in self._ranks:
            full = self._ranks[within_parent]
            return (full if nodes is None else full[[*self._keys().columns, *nodes]]).copy()
        if nodes is None:
            self._ranks.update(self._rank_tables(self.node_order))
            return self._ranks[within_parent].copy()
        if tuple(nodes) not in self._ranks:
            self._ranks[tuple(nodes)] = self._rank_tables(list(nodes))
        return self._ranks[tuple(nodes)][within_parent].copy()

    def _rank_tables(self, nodes: list[str]) -> dict[bool, pd.DataFrame]:
        """{within_parent: ranks of ``nodes``}: both rankings when there are parents (one sort)."""
        table = self.scores_table()
        wanted = [False, True] if self.panel.has_parents else [False]
        groupings = [["year", "parent"] if w else ["year"] for w in wanted]
        return {w: pd.concat([self._keys(), ranks.astype("Int64")], axis=1)
                for w, ranks in zip(wanted, rank_within_each(table, nodes, groupings))}

    def _result_cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(row of the panel, node) of each row of the tidy results: by year (no year last),
        then node in tree order, then the panel's row order."""
        years = self._keys()["year"].to_numpy(dtype=object)
        n_nodes = len(self.node_order)
        no_year = np.array([y is None for y in years], dtype=bool)
        by_year = np.lexsort((np.where(no_year, 0, years).astype(float), no_year))
        starts = np.flatnonzero(np.r_[True, (years[by_year][1:] != years[by_year][:-1])
                                      | (no_year[by_year][1:] != no_year[by_year][:-1])]) if len(years) else []
        blocks = np.split(by_year, starts[1:]) if len(years) else []
        row = np.concatenate([np.tile(b, n_nodes) for b in blocks]) if blocks else np.zeros(0, int)
        col = np.concatenate([np.repeat(np.arange(n_nodes), len(b)) for b in blocks]) if blocks else row
        return row, col

    def results(self) -> pd.DataFrame:
        """Tidy results: one row per (unit, year, node), the ``results.csv`` contract."""
        keys = self._keys()
        nodes = self.node_order
        scores = self.scores_table()
        ranks = self.ranks_table()
        with_parent = self.panel.has_parents
        rip = self.ranks_table(within_parent=True) if with_parent else None
        exact = self.scores_table(exact=True) if "publish" in self.framework.settings else None
        row, col = self._result_cells()
        import pyarrow as pa

        taken = keys.take(row).reset_index(drop=True)
        columns = {"unit": taken["unit"], "year": taken["year"],
                   "node": pa.array(nodes, pa.string()).take(col).to_pandas(),
                   "level": np.array([self.framework.levels[n] for n in nodes], dtype=np.int64)[col],
                   "score": scores[nodes].to_numpy(dtype=float)[row, col]}
        if exact is not None:
            columns["score_exact"] = exact[nodes].to_numpy(dtype=float)[row, col]
        columns["rank"] = _cells(ranks[nodes], row, col)
        if with_parent:
            columns["parent"] = taken["parent"]
            columns["rank_in_parent"] = _cells(rip[nodes], row, col)
        return pd.DataFrame(columns)

    def results_table(self, nodes: list[str] | None = None):
        """:meth:`results` as an Arrow table, built without the pandas frame (results.csv,
        results.parquet and the run store are written from it): ``year`` and the ranks as
        int64 (null where missing), with the pandas metadata that reads them back as ``Int64``.
        ``nodes``: only these nodes' rows (the charts' rows, before the others' ranks exist)."""
        import pyarrow as pa

        keys = self._keys()
        nodes_all = self.node_order
        row, col = self._result_cells()
        if nodes is not None:
            keep = np.isin(col, [nodes_all.index(n) for n in nodes])
            row, col = row[keep], col[keep]
        taken = pa.Table.from_pandas(keys, preserve_index=False).take(pa.array(row))

        def ranks(within_parent: bool):
            frame = self.ranks_table(within_parent, nodes).reindex(columns=nodes_all)
            values = frame.to_numpy(dtype=float, na_value=np.nan)[row, col]
            missing = np.isnan(values)
            return pa.array(np.where(missing, 0, values).astype(np.int64), mask=missing)

        columns = {"unit": taken["unit"], "year": taken["year"].cast(pa.int64()),
                   "node": pa.array(nodes_all, pa.large_string()).take(pa.array(col)),
                   "level": np.array([self.framework.levels[n] for n in nodes_all], dtype=np.int64)[col],
                   "score": pa.array(self.scores_table()[nodes_all].to_numpy(dtype=float)[row, col],
                                     from_pandas=True)}
        dtypes = {"unit": keys["unit"].dtype, "year": "Int64", "node": "str", "level": "int64", "score": "float64"}
        if "publish" in self.framework.settings:
            columns["score_exact"] = pa.array(self.scores_table(exact=True)[nodes_all].to_numpy(dtype=float)[row, col],
                                              from_pandas=True)  # NaN: null, as from a DataFrame
            dtypes["score_exact"] = "float64"
        columns["rank"], dtypes["rank"] = ranks(False), "Int64"
        if self.panel.has_parents:
            columns["parent"], dtypes["parent"] = taken["parent"], keys["parent"].dtype
            columns["rank_in_parent"], dtypes["rank_in_parent"] = ranks(True), "Int64"
        typed = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})
        return pa.table(columns).replace_schema_metadata(
            pa.Table.from_pandas(typed, preserve_index=False).schema.metadata)

    def scopes(self) -> dict[str, str]:
        """What each node's method compared: ``row``, ``year`` or ``panel`` (the pooled forms).

        Indicators report their normalisation, aggregate nodes their aggregation.
        """
        from ..methods import get_method

        fw = self.framework
        out = {}
        for node in fw.tree.walk():
            step = "normalise" if node.is_indicator else "aggregate"
            choice = fw.method_for(step, node)
            out[node.id] = get_method(step, choice.name).capabilities(choice.params).scope
        return out

    def log_table(self) -> pd.DataFrame:
        cols = ["stage", "node", "unit", "year", "message"]
        return pd.DataFrame([e.as_dict() for e in self.log] or None, columns=None if self.log else cols)

    def top(self, n: int = 10, node: str | None = None, year=None) -> pd.DataFrame:
        """The ``n`` best units at ``node`` (default the index) in ``year`` (default latest)."""
        node = node or self.framework.tree.id
        table = self.scores_table()
        ranks = self.ranks_table()
        table["rank"] = ranks[node]
        years = [y for y in table["year"].unique()]
        if year is None:
            real = [y for y in years if y is not None]
            year = max(real) if real else None
        sel = table[table["year"].map(lambda y: y == year if year is not None else y is None)]
        sel = sel.sort_values([node], ascending=False, kind="stable").head(n)
        cols = ["rank", "unit"] + (["parent"] if "parent" in sel else []) + [node]
        return sel[cols].rename(columns={node: "score"}).reset_index(drop=True)

    # ---- variants -----------------------------------------------------
    def rerun(self, step: str, method, node: str | None = None) -> "Evaluation":
        """The same evaluation with one choice changed (a method, at a node or by default)."""
        return self.evaluator(self.framework.with_choice(step, method, node), self.panel, cache=self.cache)

    def rerun_with(self, framework: Framework) -> "Evaluation":
        """Evaluate an edited framework on the same data, reusing cached stages."""
        return self.evaluator(framework, self.panel, cache=self.cache)


def _cells(ranks: pd.DataFrame, row: np.ndarray, col: np.ndarray) -> pd.arrays.IntegerArray:
    """The ranks at (row, col) of a table of Int64 ranks, as Int64 (missing where unranked)."""
    values = ranks.to_numpy(dtype=float, na_value=np.nan)[row, col]
    out = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64), dtype="Int64")
    out[np.isnan(values)] = pd.NA
    return out
