"""One aggregate node of the tree: its children's weights, then its score.

The engine, the uncertainty engine and the explanations all aggregate a node through
:func:`aggregate_node`, so the coverage rule, the input checks, per-row weights and the
log are written once:

1. rows whose share of present children is below the node's minimum coverage (but above
   0) are set missing *before* the operator runs, so they take no part even in the
   comparisons of operators such as TOPSIS or Copeland, and their score is missing;
2. the operator's capabilities say what it needs of its inputs (> 0, ≥ 0); a cell that
   breaks it is refused, naming the node, child, unit and year;
3. the operator's batched kernel scores R weightings at once (the engine passes one).

:func:`node_weights` calls the node's weighting method on the children's scores.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError, Problem
from ..lazy import lazy_module
from .aggregate.means import check_inputs
from .context import AggregateContext, LogEntry
from .registry import MethodSpec

np = lazy_module("numpy", globals())


@dataclass
class NodeWeights:
    """The weights of a node's children: (k,), or (rows, k) when they differ per unit-year."""

    values: np.ndarray
    info: dict = field(default_factory=dict)  # e.g. AHP λmax, CI, CR; entropy e_j, d_j
    log: list[LogEntry] = field(default_factory=list)


def node_weights(X: np.ndarray, prior: np.ndarray, spec: MethodSpec, params, ctx: AggregateContext,
                 source: str | None = None) -> NodeWeights:
    """Weights of the children (scores ``X``, framework weights ``prior``) by method ``spec``."""
    try:
        out = spec.func(X, prior, params, ctx)
    except ValueError as exc:
        raise InputError(Problem(f"node {ctx.node!r}, weights {spec.name!r}: {exc}", file=source)) from None
    w, info = out if isinstance(out, tuple) else (out, {})
    log = [LogEntry("weights", warning, node=ctx.node) for warning in (info or {}).get("warnings", [])]
    return NodeWeights(np.asarray(w, float), info or {}, log)


def aggregate_node(X: np.ndarray, W: np.ndarray, spec: MethodSpec, params, min_coverage: float,
                   ctx: AggregateContext, log: list | None = None, source: str | None = None) -> np.ndarray:
    """Scores (R, rows) of a node for R weightings of its children.

    ``X`` is (rows, k), shared by every weighting, or (R, rows, k); ``W`` is (R, k) or
    (R, rows, k) (per-row weights). Log entries for rows left missing go to ``log`` when
    it is given (one weighting's rows: ``X`` 2-D). Bad input raises InputError naming the
    node; the message is the same whoever calls.
    """
    X = np.asarray(X, float)
    present = ~np.isnan(X)
    low = None
    if not present.all():
        coverage = present.mean(axis=-1)
        low = (coverage < min_coverage) & (coverage > 0)
        if low.any():
            X = np.where(low[..., None], np.nan, X)
        if log is not None and X.ndim == 2:
            _log_missing(log, ctx, coverage, low, present, min_coverage)
    try:
        check_inputs(X, spec.capabilities(params).inputs, f"aggregation {spec.name!r}", ctx)
        y = np.asarray(spec.batched(X, W, params, ctx), float)
    except ValueError as exc:
        raise InputError(Problem(f"node {ctx.node!r}: {exc}", file=source)) from None
    if low is not None and low.any():
        if low.ndim == 1:
            y[:, low] = np.nan
        else:
            y[low] = np.nan
    return y


def _log_missing(log: list, ctx: AggregateContext, coverage, low, present, min_coverage) -> None:
    for r in np.flatnonzero(low):
        log.append(LogEntry("aggregate", f"coverage {coverage[r]:.0%} is below the minimum "
                            f"{min_coverage:.0%}; score left missing", node=ctx.node,
                            unit=ctx.units[r], year=ctx.years[r],
                            detail={"present": int(present[r].sum())}))
    for r in np.flatnonzero(coverage == 0):
        log.append(LogEntry("aggregate", "all inputs missing; score left missing",
                            node=ctx.node, unit=ctx.units[r], year=ctx.years[r]))
