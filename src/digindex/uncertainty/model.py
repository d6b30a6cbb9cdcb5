"""Evaluate a whole design of replications, reusing every stage a choice does not touch.

Pre-aggregation configurations (imputation, treatment, normalisation, weighting
method, excluded indicator) are few: each distinct one is evaluated once by the
engine, sharing its stage cache. Replications sharing a configuration and
operators form a batch: its static subtrees are aggregated once (see
:mod:`.reduce`) and its replications in vectorised spans of bounded size, on a
thread pool for big designs (numpy releases the GIL in its kernels).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import evaluate
from ..engine.evaluate import _prepare, normalise_stage
from ..engine.weights import fixed_weights, is_data_driven
from ..errors import InputError, Problem
from ..framework import Framework
from ..methods import get_method
from ..methods.aggregate import PowerTerms, power_mean_of_terms, power_terms
from .batch import Operator, TreeArrays, _accepts, aggregate_batch, effective_weights, keep_heap, operators, thread_pool
from .problem import PRE_AGGREGATION, UncertaintyProblem, apply_levels, without_indicator
from .reduce import Reduction

SPAN_CELLS = 65_536         # replications × columns per span: arrays of about 0.5 MB stay in cache
TREE_CELLS = 4_000_000      # replications × units × children per node-by-node batch
PARALLEL_CELLS = 2_000_000  # replications × units from which spans run on several threads


@dataclass
class Config:
    Z: np.ndarray                # (n, m) normalised indicators, excluded columns 1 (weight 0)
    base_weights: np.ndarray     # (K,) every aggregate's children side by side, excluded ones 0
    ops: tuple[Operator, ...]    # each aggregate's operator
    terms: dict = field(default_factory=dict)  # r -> PowerTerms of Z, made when first needed

    def power_terms(self, r: float) -> PowerTerms:
        if r not in self.terms:
            self.terms[r] = power_terms(self.Z, r)
        return self.terms[r]


@dataclass
class Batch:
    """Replications sharing a configuration and operators, and what they share."""

    cfg: Config
    ops: tuple[Operator, ...]
    constant: np.ndarray | None = None    # (n,) scores, when no weight varies
    leaves: PowerTerms | None = None      # the upper tree's power-mean terms of the leaf scores,
                                          # when it collapses


class BatchedModel:
    """The index as a function of the design: ``scores(design) -> (R, n)`` root scores."""

    def __init__(self, fw: Framework, panel, problem: UncertaintyProblem, cache: dict | None = None,
                 workers: int | None = None):
        keep_heap()
        self.fw, self.panel, self.problem = fw, panel, problem
        self.cache = {} if cache is None else cache
        self.tree = TreeArrays.of(fw)
        kept, _, _ = _prepare(fw, panel, self.cache, [], quiet=True)
        self.kept = kept  # the panel's rows that are evaluated (after any screening)
        self.units = list(kept.units)
        self.years = kept.years
        self.parents = kept.parents
        self.workers = workers or min(2, os.cpu_count() or 1)
        self._unit_array = np.asarray(self.units, dtype=object)
        self._configs: dict[tuple, Config] = {}
        self._operators: dict[tuple, Operator] = {}
        self.config_choices = [c for c in problem.choices
                               if c.kind == "exclude" or (c.kind == "categorical" and
                                                          (c.step in PRE_AGGREGATION or c.step == "weights"))]
        self.op_choices = [c for c in problem.choices if c.kind == "categorical" and c.step == "aggregate"]
        varying = set()  # aggregates whose children's weights differ between replications
        for c in problem.choices:
            if c.kind == "noise":
                varying.update(self.tree.aggregates.index(node) for node, _ in c.weight_targets)
            elif c.kind == "weight_sets":
                varying.update(self.tree.aggregates.index(fw.parent_of[nid]) for nid in c.weight_sets.columns)
        self.reduction = Reduction.of(self.tree, varying)
        self._weight_sets = [  # (choice, its sets (rows × columns), the weight column of each set column)
            (c, c.weight_sets.to_numpy(float),
             np.array([self._weight_column(fw.parent_of[nid],
                                           [ch.id for ch in fw.inputs_of(fw.nodes[fw.parent_of[nid]])].index(nid))
                       for nid in c.weight_sets.columns], dtype=np.intp))
            for c in problem.choices if c.kind == "weight_sets"]
        K = int(self.tree.offsets[-1])
        self._full_position = np.arange(K)
        self._upper_position = np.full(K, -1)
        if self.reduction is not None:
            self._upper_position[self.reduction.columns] = np.arange(len(self.reduction.columns))

    # ---- configurations ---------------------------------------------
    def config(self, key: tuple) -> Config:
        if key not in self._configs:
            self._configs[key] = self._build_config(key)
        return self._configs[key]

    def nominal_scores(self) -> np.ndarray:
        """Root scores (n,) of the framework as declared, by the kernels of the replications.

        The same arithmetic as the replications, so a replication that repeats the nominal
        choices gives exactly the nominal scores (and no rank shift from rounding).
        """
        cfg = self._config_of(self.fw)
        return self._aggregate(cfg, cfg.base_weights[None], cfg.ops, nominal=True)[0]

    def _aggregate(self, cfg: Config, W: np.ndarray, ops: tuple, nominal: bool = False) -> np.ndarray:
        """Root scores (R, n) by the engine's node aggregation; the nominal choices fail as the engine does."""
        try:
            return aggregate_batch(self.tree, cfg.Z, W, ops, self.years, self._unit_array,
                                   terms_of=cfg.power_terms, source=self.fw.source)
        except InputError as exc:
            if nominal:
                raise
            raise InputError([Problem(f"a declared uncertain choice cannot be evaluated: {problem.message}",
                                      file=problem.file, fix="pair geometric or harmonic means only with "
                                      "normalisations whose scores are above 0") for problem in exc.problems]) from None

    def _batch(self, cfg: Config, ops: tuple) -> Batch:
        """What the replications of one configuration and operators share."""
        if self.reduction is None:  # no weight varies: every replication scores the same
            return Batch(cfg, ops, constant=self._aggregate(cfg, cfg.base_weights[None], ops)[0])
        p = self.reduction.upper_power(ops)
        if p is not None:
            try:
                leaves = self.reduction.leaf_scores(self.tree, cfg.Z, cfg.base_weights, ops, self.years,
                                                    self._unit_array, self.fw.source)
            except InputError:
                leaves = None  # node by node, below, names the problem
            if leaves is not None and not np.isnan(leaves).any() and _accepts(leaves, ops[self.tree.root]):
                return Batch(cfg, ops, leaves=power_terms(leaves, p))
        return Batch(cfg, ops)

    def _build_config(self, key: tuple) -> Config:
        levels = {c.id: lv for c, lv in zip(self.config_choices, key)}
        fw = apply_levels(self.fw, self.problem, levels)
        for c in self.config_choices:
            if c.kind == "exclude" and levels[c.id] > 0:
                fw = without_indicator(fw, c.excluded[levels[c.id] - 1])
        return self._config_of(fw)

    def _config_of(self, fw: Framework) -> Config:
        """Normalised matrix, base weights and operators of one framework variant."""
        kept, stages, prev = _prepare(fw, self.panel, self.cache, [], quiet=True)
        if list(kept.units) != self.units:
            raise InputError(Problem("a declared choice changes which units are screened out, so "
                                     "replications would rank different sets of units",
                                     file=self.fw.source, fix="screen before the uncertain steps, or "
                                     "remove the screening"))
        normalised, _ = normalise_stage(fw, stages["treated"], kept.units, kept.years, prev, self.cache)
        wt = {(a, c.id): w for a, ws in self._weights_of(fw).items()
              for c, w in zip(fw.inputs_of(fw.nodes[a]), ws)}
        if fw.indicator_ids == self.tree.indicators:
            Z = normalised  # a new array, not a cached one
        else:  # an excluded indicator keeps its column, at 1 with weight 0
            cols = {nid: j for j, nid in enumerate(fw.indicator_ids)}
            Z = np.ones((len(self.units), len(self.tree.indicators)))
            for j, nid in enumerate(self.tree.indicators):
                if nid in cols:
                    Z[:, j] = normalised[:, cols[nid]]
        base, ops = [], []
        for a in self.tree.aggregates:
            base.extend(wt.get((a, c.id), 0.0) for c in self.fw.inputs_of(self.fw.nodes[a]))
            op = (fw if a in fw.nodes else self.fw).method_for("aggregate", (fw if a in fw.nodes else self.fw).nodes[a])
            ops.append(self._operator(op.name, op.params))
        return Config(Z, np.array(base), tuple(ops))

    def _weights_of(self, fw: Framework) -> dict[str, np.ndarray]:
        """Each aggregate's children's weights (summing to 1) in framework variant ``fw``.

        Fixed weights (manual, equal, AHP) come from the framework alone; data-driven ones
        depend on the aggregated scores below, so the engine evaluates the variant.
        """
        methods = {n.id: fw.method_for("weights", n) for n in fw.aggregates}
        caps = {nid: get_method("weights", m.name).capabilities(m.params) for nid, m in methods.items()}
        per_row = [nid for nid, c in caps.items() if c.per_row]
        if per_row:
            raise InputError(Problem(
                f"node {per_row[0]!r} has per-unit weights ({methods[per_row[0]].name}), which the "
                "uncertainty analysis cannot vary", file=self.fw.source,
                fix="use node-level weights for this analysis"))
        if any(c.data_driven for c in caps.values()):
            return evaluate(fw, self.panel, cache=self.cache).node_weights
        return {node.id: fixed_weights(fw, node) for node in fw.aggregates}

    def _operator(self, name: str, params: dict) -> Operator:
        """A node's (method, validated parameters), resolved once per distinct choice."""
        key = (name, repr(sorted(params.items())))
        if key not in self._operators:
            self._operators[key] = operators([name], [params])[0]
        return self._operators[key]

    # ---- replications -----------------------------------------------
    def scores(self, design, progress=None) -> np.ndarray:
        """Root scores (R, n) of every replication of a decoded design (a table or a dict of columns).

        Replications are sorted by batch (configuration and operators; see :meth:`_batch`
        for what a batch shares) and taken in spans of about a thousand: small enough to
        stay in the processor's cache and to bound memory; big designs run spans on
        ``workers`` threads. In a span the varying weights and the upper tree's effective
        weights of every replication are computed at once.
        """
        if isinstance(design, pd.DataFrame):  # one conversion, not one per column
            values = design.to_numpy(dtype=float)
            columns = {c: values[:, i] for i, c in enumerate(design.columns)}
            R = len(design)
        else:  # a dict of columns
            columns = {c: np.asarray(v) for c, v in design.items()}
            R = len(next(iter(columns.values())))
        cfg_index, configs = self._distinct(self._levels(columns, self.config_choices, R),
                                            self.config_choices, self.config)
        op_index, op_codes = self._distinct(self._levels(columns, self.op_choices, R), self.op_choices,
                                            lambda code: code)
        # replications sorted by (configuration, operators): each batch is a run of rows
        code = cfg_index * len(op_codes) + op_index
        order = np.argsort(code, kind="stable")
        batches = {}
        for c in np.unique(code).tolist():
            cfg = configs[c // len(op_codes)]
            batches[c] = self._batch(cfg, self._ops_for(cfg, op_codes[c % len(op_codes)]))
        base = np.stack([cfg.base_weights for cfg in configs])
        base_upper = base[:, self.reduction.columns] if self.reduction is not None else None
        multipliers = self._multipliers(columns, R)
        out = np.empty((R, len(self.units)))
        width = max(len(self.units), len(self.tree.indicators), int(self.tree.offsets[-1]))
        span = max(64, SPAN_CELLS // width)

        def run_span(start: int) -> int:
            rows = order[start:start + span]
            codes = code[rows]
            bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
            E = None  # effective weights of the upper tree's leaves, made when first needed
            for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
                batch, part = batches[int(codes[lo])], rows[lo:hi]
                if batch.constant is not None:
                    out[part] = batch.constant
                elif batch.leaves is not None:
                    if E is None:
                        W = self._weights_for(base_upper[cfg_index[rows]], columns, multipliers, rows,
                                              self._upper_position)
                        E = effective_weights(self.reduction.tree, W)
                    out[part] = power_mean_of_terms(batch.leaves, E[lo:hi])
                else:  # node by node, on (rows, units, children) arrays: in smaller pieces
                    W = self._weights_for(base[cfg_index[part]], columns, multipliers, part,
                                          self._full_position)
                    step = max(1, TREE_CELLS // (len(self.units) * self.tree.max_children))
                    for piece in range(0, len(part), step):
                        out[part[piece:piece + step]] = self._aggregate(batch.cfg, W[piece:piece + step],
                                                                        batch.ops)
            return len(rows)

        starts = range(0, R, span)
        done = 0
        # small designs are dominated by Python overhead, which holds the GIL: one thread
        if self.workers > 1 and len(starts) > 1 and R * len(self.units) >= PARALLEL_CELLS:
            for n_rows in thread_pool(self.workers).map(run_span, starts):
                done += n_rows
                if progress:
                    progress(done, R)
        else:
            for start in starts:
                done += run_span(start)
                if progress:
                    progress(done, R)
        return out

    @staticmethod
    def _distinct(keys: np.ndarray, choices, make):
        """(index per row, [make(key) for each distinct key]): rows of ``keys`` are levels."""
        if keys.shape[1] == 0:
            return np.zeros(len(keys), dtype=np.intp), [make(())]
        code = np.zeros(len(keys), dtype=np.int64)
        for j, c in enumerate(choices):  # mixed-radix number: one integer per combination
            code = code * c.n_levels + keys[:, j]
        _, first, index = np.unique(code, return_index=True, return_inverse=True)
        return index.reshape(-1), [make(tuple(int(v) for v in keys[i])) for i in first]

    @staticmethod
    def _levels(columns: dict, choices, R: int) -> np.ndarray:
        """(R, len(choices)) 0-based alternatives of these choices in each replication."""
        if not choices:
            return np.zeros((R, 0), dtype=np.int64)
        return np.column_stack([np.asarray(columns[c.id], dtype=np.int64) - 1 for c in choices])

    def _ops_for(self, cfg: Config, ocode: tuple) -> tuple[Operator, ...]:
        """The configuration's operators with the operator choices' levels ``ocode`` applied."""
        ops = list(cfg.ops)
        for c, lv in zip(self.op_choices, ocode):
            alt = c.alternatives[lv]
            for a, nid in enumerate(self.tree.aggregates):
                if c.nodes is None or nid in c.nodes:
                    ops[a] = self._operator(alt.name, alt.params)
        return tuple(ops)

    def _weight_column(self, node: str, child: int) -> int:
        """The column of ``node``'s child ``child`` in a replications × K weight matrix."""
        return int(self.tree.offsets[self.tree.aggregates.index(node)]) + child

    def _multipliers(self, design: dict, R: int) -> tuple[np.ndarray, np.ndarray]:
        """Every noise choice's weight multipliers (R, t) and the weight columns they scale."""
        cols, values = [], []
        for c in self.problem.choices:
            if c.kind == "noise":
                for node, j in c.weight_targets:
                    cols.append(self._weight_column(node, j))
                    values.append(np.asarray(design[c.column(node, j)], dtype=float))
        M = np.column_stack(values) if values else np.ones((R, 0))
        return M, np.array(cols, dtype=np.intp)

    def _weights_for(self, base: np.ndarray, design: dict, multipliers, rows: np.ndarray,
                     position: np.ndarray) -> np.ndarray:
        """The children's weights in these replications, one row each.

        ``base`` holds each row's configuration weights (excluded children 0) for some of
        the weight columns; ``position`` maps a full column to its place in ``base``.
        """
        W = base  # a fresh gather: edited in place
        for c, sets, set_columns in self._weight_sets:
            chosen = sets[design[c.id].astype(int)[rows] - 1]
            k = position[set_columns]
            W[:, k] = np.where(base[:, k] > 0, chosen, 0.0)
        M, cols = multipliers
        cols = position[cols]
        if cols.size and np.unique(cols).size == cols.size:
            W[:, cols] *= M[rows]
        else:  # two choices perturb one weight: apply both
            for i, k in enumerate(cols):
                W[:, k] *= M[rows, i]
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
                if j == 0:  # the node's own weights as manual ones, once; then perturb each child
                    if is_data_driven(out, parent):
                        raise InputError(Problem(f"node {node!r}: weight perturbations of data-driven "
                                                 "weights cannot be replayed one framework at a time"))
                    if out.inputs_of(parent) != parent.children:
                        raise InputError(Problem(f"node {node!r} combines the indicators below it: its "
                                                 "weight perturbations cannot be replayed one framework "
                                                 "at a time"))
                    fixed = fixed_weights(out, parent)
                    for ch, w in zip(parent.children, fixed):
                        ch.weight = float(w)
                    out = out.with_choice("weights", "manual", node=node)
                    parent = out.nodes[node]
                parent.children[j].weight *= float(row[c.column(node, j)])
        elif c.kind == "weight_sets":
            chosen = c.weight_sets.iloc[levels[c.id]]
            for nid, w in chosen.items():
                out.nodes[nid].weight = float(w)
    for c in problem.choices:
        if c.kind == "exclude" and levels[c.id] > 0:
            out = without_indicator(out, c.excluded[levels[c.id] - 1])
    out._index()
    return out

