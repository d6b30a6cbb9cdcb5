"""Evaluate a whole design of replications, reusing every stage a choice does not touch.

Pre-aggregation configurations (imputation, treatment, normalisation, weighting
method, excluded indicator) are few: each distinct one is evaluated once by the
engine, sharing its stage cache. The replications are then grouped by
configuration and operators and aggregated in vectorised batches, in chunks of
bounded size, on a thread pool (numpy releases the GIL in its kernels).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import evaluate
from ..engine.evaluate import _prepare, normalise_stage
from ..errors import InputError, Problem
from ..framework import Framework
from .batch import TreeArrays, aggregate_batch
from .problem import PRE_AGGREGATION, UncertaintyProblem, apply_levels, without_indicator

CHUNK = 4096
PARALLEL_CELLS = 2_000_000  # replications × units from which batches run on several threads


@dataclass
class Config:
    Z: np.ndarray                # (n, m) normalised indicators, excluded columns 1 (weight 0)
    base_weights: list[np.ndarray]  # per aggregate node, (k,), excluded children 0
    ops: list[str]
    op_params: list[dict]


class BatchedModel:
    """The index as a function of the design: ``scores(design) -> (R, n)`` root scores."""

    def __init__(self, fw: Framework, panel, problem: UncertaintyProblem, cache: dict | None = None,
                 workers: int | None = None):
        self.fw, self.panel, self.problem = fw, panel, problem
        self.cache = {} if cache is None else cache
        self.tree = TreeArrays.of(fw)
        kept, _, _ = _prepare(fw, panel, self.cache, [], quiet=True)
        self.units = list(kept.units)
        self.years = kept.years
        self.parents = kept.parents
        self.workers = workers or min(2, os.cpu_count() or 1)
        self._configs: dict[tuple, Config] = {}
        self.config_choices = [c for c in problem.choices
                               if c.kind == "exclude" or (c.kind == "categorical" and
                                                          (c.step in PRE_AGGREGATION or c.step == "weights"))]
        self.op_choices = [c for c in problem.choices if c.kind == "categorical" and c.step == "aggregate"]

    # ---- configurations ---------------------------------------------
    def config(self, key: tuple) -> Config:
        if key not in self._configs:
            self._configs[key] = self._build_config(key)
        return self._configs[key]

    def _build_config(self, key: tuple) -> Config:
        levels = {c.id: lv for c, lv in zip(self.config_choices, key)}
        fw = apply_levels(self.fw, self.problem, levels)
        for c in self.config_choices:
            if c.kind == "exclude" and levels[c.id] > 0:
                fw = without_indicator(fw, c.excluded[levels[c.id] - 1])
        kept, stages, prev = _prepare(fw, self.panel, self.cache, [], quiet=True)
        if list(kept.units) != self.units:
            raise InputError(Problem("a declared choice changes which units are screened out, so "
                                     "replications would rank different sets of units",
                                     file=self.fw.source, fix="screen before the uncertain steps, or "
                                     "remove the screening"))
        normalised, _ = normalise_stage(fw, stages["treated"], kept.units, kept.years, prev, self.cache)
        if all(fw.method_for("weights", n).name in ("manual", "equal") for n in fw.aggregates):
            wt = {}
            for node in fw.aggregates:
                equal = fw.method_for("weights", node).name == "equal"
                total = sum(c.weight for c in node.children)
                for c in node.children:
                    wt[(node.id, c.id)] = 1.0 / len(node.children) if equal else c.weight / total
        else:  # data-driven weights depend on the aggregated scores below: run the engine
            ev = evaluate(fw, self.panel, cache=self.cache)
            per_unit = ev.weights[ev.weights["method"].str.contains("mean over units", regex=False)]
            if len(per_unit):
                raise InputError(Problem(
                    f"node {per_unit['node'].iloc[0]!r} has per-unit weights (e.g. benefit of the "
                    "doubt), which the uncertainty analysis cannot vary", file=self.fw.source,
                    fix="use node-level weights for this analysis"))
            wt = {(r.node, r.child): r.weight for r in ev.weights.itertuples()}
        cols = {nid: j for j, nid in enumerate(fw.indicator_ids)}
        Z = np.ones((len(self.units), len(self.tree.indicators)))
        for j, nid in enumerate(self.tree.indicators):
            if nid in cols:
                Z[:, j] = normalised[:, cols[nid]]
        base, ops, params = [], [], []
        for a in self.tree.aggregates:
            base.append(np.array([wt.get((a, c.id), 0.0) for c in self.fw.nodes[a].children]))
            if a in fw.nodes:
                op = fw.method_for("aggregate", fw.nodes[a])
            else:
                op = self.fw.method_for("aggregate", self.fw.nodes[a])
            ops.append(op.name)
            params.append(dict(op.params))
        return Config(Z, base, ops, params)

    # ---- replications -----------------------------------------------
    def scores(self, design: pd.DataFrame, progress=None) -> np.ndarray:
        """Root scores (R, n) of every replication of a decoded design."""
        R = len(design)
        cfg_keys = self._config_keys(design)
        op_codes = self._op_codes(design)
        columns = {c: design[c].to_numpy() for c in design.columns}
        # one integer code per distinct (configuration, operators): replications sharing it
        # are one batch
        combined = np.hstack([cfg_keys, op_codes]).astype(np.int64)
        radix = [c.n_levels for c in self.config_choices + self.op_choices]
        code = np.zeros(R, dtype=np.int64)
        for j, base in enumerate(radix):  # mixed-radix number: one integer per combination
            code = code * base + combined[:, j]
        order = np.argsort(code, kind="stable")
        sorted_code = code[order]
        starts = np.flatnonzero(np.r_[True, sorted_code[1:] != sorted_code[:-1]])
        bounds = np.r_[starts, R]
        distinct = combined[order[starts]]
        out = np.empty((R, len(self.units)))
        tasks = []
        nc = cfg_keys.shape[1]
        for g, code in enumerate(distinct):
            cfg = self.config(tuple(int(v) for v in code[:nc]))
            ocode = tuple(int(v) for v in code[nc:]) if op_codes.size else ()
            rows = order[bounds[g]:bounds[g + 1]]
            for start in range(0, len(rows), CHUNK):
                tasks.append((cfg, ocode, rows[start:start + CHUNK]))

        def run(task):
            cfg, ocode, rows = task
            ops, params = self._ops_for(cfg, ocode)
            W = self._weights_for(cfg, columns, rows)
            return rows, aggregate_batch(self.tree, cfg.Z, W, ops, params, self.years,
                                         np.asarray(self.units, dtype=object))

        done = 0
        # Threads pay off only for big batches: small ones are dominated by Python overhead,
        # which holds the GIL, so they run in this thread.
        if self.workers > 1 and len(tasks) > 1 and R * len(self.units) >= PARALLEL_CELLS:
            with ThreadPoolExecutor(self.workers) as pool:
                for rows, Y in pool.map(run, tasks):
                    out[rows] = Y
                    done += len(rows)
                    if progress:
                        progress(done, R)
        else:
            for task in tasks:
                rows, Y = run(task)
                out[rows] = Y
                done += len(rows)
                if progress:
                    progress(done, R)
        return out

    def _config_keys(self, design: pd.DataFrame) -> np.ndarray:
        if not self.config_choices:
            return np.zeros((len(design), 0), dtype=int)
        return np.column_stack([design[c.id].to_numpy(int) - 1 for c in self.config_choices])

    def _op_codes(self, design: pd.DataFrame) -> np.ndarray:
        if not self.op_choices:
            return np.zeros((len(design), 0), dtype=int)
        return np.column_stack([design[c.id].to_numpy(int) - 1 for c in self.op_choices])

    def _ops_for(self, cfg: Config, ocode: tuple):
        ops, params = list(cfg.ops), list(cfg.op_params)
        for c, lv in zip(self.op_choices, ocode):
            alt = c.alternatives[lv]
            for a, nid in enumerate(self.tree.aggregates):
                if c.nodes is None or nid in c.nodes:
                    ops[a], params[a] = alt.name, dict(alt.params)
        return tuple(ops), tuple(params)

    def _weights_for(self, cfg: Config, design: dict, rows: np.ndarray) -> list[np.ndarray]:
        R = len(rows)
        W = [np.tile(w, (R, 1)) for w in cfg.base_weights]
        index = {nid: a for a, nid in enumerate(self.tree.aggregates)}
        for c in self.problem.choices:
            if c.kind == "weight_sets":
                sets = c.weight_sets.to_numpy(float)
                chosen = sets[design[c.id].astype(int)[rows] - 1]
                for col, nid in enumerate(c.weight_sets.columns):
                    parent = self.fw.parent_of[nid]
                    j = [ch.id for ch in self.fw.nodes[parent].children].index(nid)
                    a = index[parent]
                    W[a][:, j] = np.where(cfg.base_weights[a][j] > 0, chosen[:, col], 0.0)
            elif c.kind == "noise":
                for node, j in c.weight_targets:
                    mult = design[f"{c.id}:{node}/{j + 1}"].astype(float)[rows]
                    W[index[node]][:, j] *= mult
        return W


def framework_variant(fw: Framework, problem: UncertaintyProblem, row: dict) -> Framework:
    """The framework of one design row, for evaluating it through the public API.

    This is the plain, one-replication-at-a-time route: it rebuilds the whole
    index. Weight perturbations apply to the nodes' own (manual or equal) weights.
    """
    levels = {c.id: int(row[c.id]) - 1 for c in problem.choices if c.kind != "noise"}
    out = apply_levels(fw, problem, {c.id: levels[c.id] for c in problem.choices if c.kind == "categorical"})
    out = out.copy()  # weights are edited in place below: never touch the caller's tree
    for c in problem.choices:
        if c.kind == "noise":
            for node, j in c.weight_targets:
                parent = out.nodes[node]
                method = out.method_for("weights", parent).name
                if method not in ("manual", "equal"):
                    raise InputError(Problem(f"node {node!r}: weight perturbations of {method!r} weights "
                                             "cannot be replayed one framework at a time"))
                if j == 0:  # normalise once, then perturb each child
                    total = sum(ch.weight for ch in parent.children) if method == "manual" else None
                    for ch in parent.children:
                        ch.weight = ch.weight / total if total else 1.0 / len(parent.children)
                    out = out.with_choice("weights", "manual", node=node)
                    parent = out.nodes[node]
                parent.children[j].weight *= float(row[f"{c.id}:{node}/{j + 1}"])
        elif c.kind == "weight_sets":
            chosen = c.weight_sets.iloc[levels[c.id]]
            for nid, w in chosen.items():
                out.nodes[nid].weight = float(w)
    for c in problem.choices:
        if c.kind == "exclude" and levels[c.id] > 0:
            out = without_indicator(out, c.excluded[levels[c.id] - 1])
    out._index()
    return out
