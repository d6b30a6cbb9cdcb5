"""The evaluation pipeline: denominate → transform → [screen] → impute → [screen] → treat →
normalise → aggregate → rank.

``evaluate`` returns one :class:`~digindex.engine.result.Evaluation` keeping every
stage. Stages are cached by the choices that produce them, so re-running with
one choice changed recomputes only what that choice touches.
"""
from __future__ import annotations

import hashlib
import json
import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..framework import Framework
from ..framework.parse import normalise_context, transform_fn
from ..methods import get_method, make_params
from ..methods.context import AggregateContext, LogEntry, StageContext  # noqa: F401  (re-exported)
from ..methods.node import NodeWeights, aggregate_node, node_weights


def normalise_stage(fw: Framework, treated: np.ndarray, units, years, prev: str, cache: dict):
    """Normalise every indicator; returns (matrix, methods used).

    Indicators sharing a method that has a many-columns form (and no per-indicator
    bounds) are normalised together; the others one at a time. Both are cached.
    """
    normalised = np.empty_like(treated)
    methods_used: dict[str, str] = {}
    groups: dict[tuple, tuple] = {}
    # id(choice) -> (choice, label, spec, params, params key): indicators share the default's
    # object; holding the choice keeps its id from being reused
    resolved: dict[int, tuple] = {}
    for j, node in enumerate(fw.indicators):
        choice = fw.method_for("normalise", node)
        if id(choice) not in resolved:
            spec = get_method("normalise", choice.name)
            resolved[id(choice)] = (choice, str(choice), spec, make_params(spec, choice.params),
                                    _key(choice.params))
        _, label, spec, params, params_key = resolved[id(choice)]
        methods_used[node.id] = label
        nctx = normalise_context(node)
        if spec.columns is not None and spec.columns_ok(params, nctx):
            groups.setdefault((choice.name, params_key), (spec, params, []))[2].append(j)
            continue
        key = (prev, "normalise", node.id, choice.name, params_key, node.direction,
               node.goalposts, node.clip, node.target, node.transform)
        if key not in cache:
            try:
                cache[key] = spec.func(treated[:, j], _with_rows(nctx, units, years), params)
            except ValueError as exc:
                raise InputError(Problem(f"indicator {node.id!r}: {exc}", file=fw.source)) from None
        normalised[:, j] = cache[key]
    inds = fw.indicators
    for (name, params_key), (spec, params, cols) in groups.items():
        directions = np.array([inds[j].direction for j in cols], dtype=float)
        key = (prev, "normalise-columns", tuple(inds[j].id for j in cols), name, params_key,
               tuple(directions))
        if key not in cache:
            cache[key] = spec.columns(treated[:, cols], directions, years, params)
        normalised[:, cols] = cache[key]
    return normalised, methods_used


def _key(*parts) -> str:
    """A short cache key: the digest of the parts (a previous key among them)."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def evaluate(framework: Framework, panel, cache: dict | None = None):
    """Run the whole pipeline of ``framework`` on ``panel``; returns an Evaluation."""
    from .result import Evaluation

    cache = {} if cache is None else cache
    fw = framework
    panel = getattr(panel, "origin", None) or panel  # a screened panel: start again from all rows
    ind_ids = fw.indicator_ids
    missing = [i for i in ind_ids if i not in panel.table.columns]
    if missing:
        raise InputError([Problem(f"framework indicator {i!r} is missing from the data",
                                  fix=f"add a column for {i!r}") for i in missing])
    log: list[LogEntry] = []
    panel, stages, prev = _prepare(fw, panel, cache, log)
    units, years = panel.units, panel.years

    normalised, methods_used = normalise_stage(fw, stages["treated"], units, years, prev, cache)
    stages["normalised"] = normalised

    # aggregate, children before parents; a node combines its inputs (its children, or every
    # indicator below it with ``over: indicators``)
    col = {nid: j for j, nid in enumerate(ind_ids)}
    scores = {nid: normalised[:, j] for nid, j in col.items()}
    weight_rows, weight_info, node_weight_values = [], {}, {}
    for node in fw.aggregates:
        input_ids = [c.id for c in fw.inputs_of(node)]
        X = np.column_stack([scores[c] for c in input_ids])
        actx = AggregateContext(node=node.id, children=input_ids, units=units, years=years)
        weights = _node_weights(fw, node, X, actx, weight_rows)
        if weights.info:
            weight_info[node.id] = weights.info
        log.extend(weights.log)
        node_weight_values[node.id] = weights.values
        op = fw.method_for("aggregate", node)
        aspec = get_method("aggregate", op.name)
        scores[node.id] = aggregate_node(X, weights.values[None], aspec, make_params(aspec, op.params),
                                         fw.coverage_for(node), actx, log=log, source=fw.source)[0]
        methods_used[node.id] = str(op)

    return Evaluation(framework=fw, panel=panel, stages=stages, scores=scores,
                      weights=pd.DataFrame(weight_rows), log=log, methods=methods_used, cache=cache,
                      weight_info=weight_info, node_weights=node_weight_values, evaluator=evaluate)


# ---- before normalisation: denominate, transform, screen, impute, treat -------------------

def _prepare(fw: Framework, panel, cache: dict, log: list, quiet: bool = False):
    """raw → denominated → transformed → imputed → treated, screening where the framework says.

    Returns the panel of the rows kept (with ``origin`` the full panel), the stages restricted
    to those rows, and the cache key of the last stage. Keys chain: each includes the previous.
    """
    from ..data.panel import Panel
    from ..framework.keys import check_data
    from ..methods.impute.prepare import denominate, denominator_specs, screen, screen_config

    check_data(fw, panel)  # what the framework's keys need of the data (columns, units)
    units, years = panel.units, panel.years
    raw = panel.matrix(fw.indicator_ids)
    specs = denominator_specs(fw)
    prev = _key("data", _fingerprint(panel), fw.indicator_ids, "denominate",
                {k: v.model_dump() for k, v in sorted(specs.items())})
    if prev not in cache:
        cache[prev] = denominate(fw, panel, raw, specs)
    denominated, entries = cache[prev]
    log.extend(entries)
    prev = _key(prev, "transform", [(n.id, n.transform) for n in fw.indicators])
    if prev not in cache:
        cache[prev] = _transform(fw, denominated, units, years)
    stages = {"raw": raw, "denominated": denominated, "transformed": cache[prev]}

    cfg = screen_config(fw)
    keep = np.ones(len(units), dtype=bool)
    skip: list[int] = []
    current = stages["transformed"]
    for step, name in (("impute", "imputed"), ("treat", "treated")):
        if cfg is not None and (cfg.after == "denominate") == (step == "impute"):
            prev = _key(prev, "screen", cfg.model_dump())
            if prev not in cache:
                cache[prev] = screen(fw, current, units, years, cfg)
            keep, skip, entries = cache[prev]
            log.extend(entries)
            current = current[keep].copy()
            current[:, skip] = np.nan
            if step == "treat":
                stages["imputed"] = current
        rows = panel.table if keep.all() else panel.table[keep].reset_index(drop=True)
        ctx = StageContext(fw, units[keep], years[keep], fw.indicator_ids, panel.parents, rows, quiet,
                           cache if quiet else None)
        prev = _key(prev, step, fw.defaults[step].name, fw.defaults[step].params,
                    _per_indicator_choices(fw, step), quiet)
        if prev not in cache:
            cache[prev] = _run_step(fw, step, current, ctx, set(skip))
        current, entries = cache[prev]
        stages[name] = current
        log.extend(entries)

    if not keep.all():
        for name in ("raw", "denominated", "transformed"):
            stages[name] = stages[name][keep]
        panel = Panel(table=panel.table[keep].reset_index(drop=True), parents=panel.parents,
                      names=panel.names, files=panel.files, origin=panel)
    return panel, stages, prev


def _fingerprint(panel) -> str:
    """A digest of the panel's rows, values, group/denominator columns and parents (memoised)."""
    import hashlib

    if panel.digest is not None:  # panels are treated as immutable once loaded
        return panel.digest
    h = hashlib.sha1(pd.util.hash_pandas_object(panel.table, index=False).to_numpy().tobytes())
    h.update(json.dumps([str(c) for c in panel.table.columns]).encode())
    h.update(json.dumps(sorted(panel.parents.items()), default=str).encode())
    panel.digest = h.hexdigest()
    return panel.digest


def _run_step(fw: Framework, step: str, X: np.ndarray, ctx: StageContext, skip: set[int]):
    """Run ``step`` (impute or treat), indicators grouped by their method; skip screened-out ones."""
    from dataclasses import replace

    ids = fw.indicator_ids
    groups: dict[str, tuple] = {}
    # id(choice) -> (choice, key): most indicators share the default's object; holding the
    # choice keeps its id from being reused
    keys: dict[int, tuple] = {}
    for j, node in enumerate(fw.indicators):
        if j not in skip:
            choice = fw.method_for(step, node)
            if id(choice) not in keys:
                keys[id(choice)] = (choice, _key(choice.name, choice.params))
            groups.setdefault(keys[id(choice)][1], (choice, []))[1].append(j)
    out, entries = X.copy(), []
    for choice, cols in groups.values():
        names = ", ".join(repr(ids[c]) for c in cols[:5]) + (" ..." if len(cols) > 5 else "")
        try:
            spec = get_method(step, choice.name)
            params = make_params(spec, choice.params)
            values, ents = spec.func(X[:, cols], replace(ctx, indicators=[ids[c] for c in cols]), params)
        except ValueError as exc:
            raise InputError(Problem(f"{step} {choice} (indicators {names}): {exc}", file=fw.source,
                                     fix=f"run 'digindex methods {step}' for the methods and their "
                                         "parameters")) from None
        values = np.asarray(values, float)
        seen = ~np.isnan(X[:, cols])
        if step == "impute" and not np.array_equal(values[seen], X[:, cols][seen]):
            raise RuntimeError(f"impute method {choice.name!r} changed observed values")
        out[:, cols] = values
        entries.extend(ents)
    return out, entries


def _node_weights(fw, node, X, actx, weight_rows) -> NodeWeights:
    """Weights of ``node``'s inputs (a vector, or one row per unit-year), and their table rows."""
    wchoice = fw.method_for("weights", node)
    wspec = get_method("weights", wchoice.name)
    prior = np.array(fw.input_weights(node), dtype=float)
    weights = node_weights(X, prior, wspec, make_params(wspec, wchoice.params), actx, fw.source)
    w = weights.values
    shown = w if w.ndim == 1 else np.nanmean(w, axis=0)
    for cid, wv, pv in zip(actx.children, shown, prior / prior.sum()):
        weight_rows.append({"node": node.id, "child": cid, "weight": wv, "nominal_weight": pv,
                            "method": str(wchoice) + ("" if w.ndim == 1 else " (mean over units)")})
    return weights


def _per_indicator_choices(fw: Framework, step: str):
    return [(n.id, c.name, c.params) for n in fw.indicators if (c := getattr(n, step))]


def _with_rows(ctx, units, years):
    from dataclasses import replace

    return replace(ctx, units=units, years=years)


def _transform(fw: Framework, raw: np.ndarray, units, years) -> np.ndarray:
    out = raw.copy()
    problems = []
    for j, node in enumerate(fw.indicators):
        fn = transform_fn(node)
        if fn is None:
            continue
        col = raw[:, j]
        bad = np.flatnonzero(col <= 0)
        for r in bad[:10]:
            problems.append(Problem(
                f"indicator {node.id!r} has value {col[r]:g} for unit {units[r]!r}, year {years[r]}, "
                f"but transform {node.transform} needs values > 0",
                fix="correct the value, or remove the transform from the framework"))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, j] = fn(col)
    if problems:
        raise InputError(problems)
    return out
