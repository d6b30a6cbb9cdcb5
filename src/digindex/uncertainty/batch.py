"""Vectorised aggregation over many replications at once.

Each replication differs from the nominal index by its pre-aggregation
configuration (imputation, treatment, normalisation, weighting method, excluded
indicator), its operator per node and its weights. Replications sharing a
configuration and operators are evaluated together:

- node by node, every node through :func:`digindex.methods.node.aggregate_node`, the
  engine's own node aggregation, with the operator's batched kernel (the power means'
  kernel is a matrix product over the replications' weights; other operators loop);
- when every node is the same power mean (its capabilities say so) and nothing is
  missing, the tree collapses into one effective weight per indicator per replication
  (the product of the normalised weights along its path): M_r of M_r's is M_r, so a
  batch is one power mean, by the same kernel, over the indicators.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..framework import Framework
from ..methods import MethodSpec, get_method, make_params
from ..methods.aggregate import power_mean_of_terms, power_terms
from ..methods.context import AggregateContext
from ..methods.node import aggregate_node

Operator = tuple[MethodSpec, object]  # a node's aggregation method and its validated parameters


def operators(names, params) -> tuple[Operator, ...]:
    """The (method, validated parameters) of each node, from names and raw parameters."""
    out = []
    for name, raw in zip(names, params):
        spec = get_method("aggregate", name)
        out.append((spec, make_params(spec, raw)))
    return tuple(out)


@dataclass
class TreeArrays:
    """The framework's tree as index arrays: aggregate nodes children-first.

    All the children's weights of one replication sit in one row of K columns,
    aggregate a's children in columns ``offsets[a]:offsets[a + 1]``; ``owner`` maps
    a column to its aggregate, and ``paths[j]`` lists the columns on indicator j's
    path from the root (padded in front with column K, which holds ones).
    """

    indicators: list[str]
    aggregates: list[str]
    children: list[list[tuple[bool, int]]]  # per aggregate: (is_indicator, index)
    child_ids: list[list[str]]
    coverage: np.ndarray
    root: int
    offsets: np.ndarray
    owner: np.ndarray
    paths: np.ndarray

    @property
    def max_children(self) -> int:
        return int(np.diff(self.offsets).max())

    @cached_property
    def siblings(self) -> np.ndarray:
        """(K, K): 1 where two weight columns belong to the same aggregate (W @ it sums siblings)."""
        return (self.owner[:, None] == self.owner[None, :]).astype(float)

    @classmethod
    def of(cls, fw: Framework) -> "TreeArrays":
        ind = {n: j for j, n in enumerate(fw.indicator_ids)}
        aggs = [n.id for n in fw.aggregates]
        agg = {n: j for j, n in enumerate(aggs)}
        kids = [[(c.is_indicator, ind[c.id] if c.is_indicator else agg[c.id]) for c in fw.inputs_of(fw.nodes[a])]
                for a in aggs]
        cov = np.array([fw.coverage_for(fw.nodes[a]) for a in aggs])
        ids = [[c.id for c in fw.inputs_of(fw.nodes[a])] for a in aggs]
        return cls.build(fw.indicator_ids, aggs, kids, ids, cov, agg[fw.tree.id])

    @classmethod
    def build(cls, indicators, aggregates, children, child_ids, coverage, root) -> "TreeArrays":
        """The arrays of a tree given as children lists (aggregates children-first)."""
        offsets = np.cumsum([0] + [len(k) for k in children])
        owner = np.repeat(np.arange(len(aggregates)), np.diff(offsets))
        paths: list[list[int]] = [[] for _ in indicators]
        stack = [(root, [])]
        while stack:  # walk down from the root, carrying the columns passed through
            a, path = stack.pop()
            for c, (is_ind, j) in enumerate(children[a]):
                col = path + [int(offsets[a]) + c]
                if is_ind:
                    paths[j] = col
                else:
                    stack.append((j, col))
        K, depth = int(offsets[-1]), max(len(p) for p in paths)
        padded = np.array([[K] * (depth - len(p)) + p for p in paths], dtype=np.intp)
        return cls(list(indicators), list(aggregates), children, child_ids, np.asarray(coverage), root,
                   offsets, owner, padded)

    def split(self, W: np.ndarray) -> list[np.ndarray]:
        """Per-aggregate views (R, k_a) of a replications × K weight matrix."""
        return [W[:, self.offsets[a]:self.offsets[a + 1]] for a in range(len(self.aggregates))]


def aggregate_batch(tree: TreeArrays, Z: np.ndarray, weights, ops: tuple[Operator, ...], years=None,
                    units=None, terms_of=None, source: str | None = None) -> np.ndarray:
    """Root scores (R, n) for R replications sharing ``Z`` (n, m) and operators ``ops``.

    ``weights`` is (R, K), every aggregate's children side by side (see
    :class:`TreeArrays`), or a list with aggregate a's (R, k_a) weights. ``terms_of(r)``
    may give Z's power-mean terms of order r when they are kept between calls.
    """
    W = weights if isinstance(weights, np.ndarray) else np.hstack(weights)
    p = common_power(ops)
    if p is not None and not np.isnan(Z).any() and _accepts(Z, ops[0]):
        terms = power_terms(Z, p) if terms_of is None else terms_of(p)
        return power_mean_of_terms(terms, effective_weights(tree, W))
    return node_scores(tree, Z, W, ops, years, units, source)[tree.root]


def node_scores(tree: TreeArrays, Z: np.ndarray, W: np.ndarray, ops: tuple[Operator, ...],
                years=None, units=None, source: str | None = None) -> list[np.ndarray]:
    """Every aggregate's scores (R, n), node by node, children first; W is (R, K)."""
    R = W.shape[0]
    per_node = tree.split(W)
    scores: list[np.ndarray | None] = [None] * len(tree.aggregates)
    for a, kids in enumerate(tree.children):
        if all(is_ind for is_ind, _ in kids):
            X = Z[:, [j for _, j in kids]]  # shared by every replication: (n, k)
        else:
            cols = [np.broadcast_to(Z[:, j], (R, Z.shape[0])) if is_ind else scores[j] for is_ind, j in kids]
            X = np.stack(cols, axis=-1)  # (R, n, k)
        spec, params = ops[a]
        ctx = AggregateContext(node=tree.aggregates[a], children=tree.child_ids[a], units=units, years=years)
        scores[a] = aggregate_node(X, per_node[a], spec, params, tree.coverage[a], ctx, source=source)
    return scores


def common_power(ops: tuple[Operator, ...]) -> float | None:
    """The order r shared by every node's power mean, or None if the operators differ."""
    powers = {spec.capabilities(params).power for spec, params in ops}
    return powers.pop() if len(powers) == 1 and None not in powers else None


def _accepts(X: np.ndarray, op: Operator) -> bool:
    """Whether every present value of X is one the operator takes (else node by node names it)."""
    inputs = op[0].capabilities(op[1]).inputs
    return inputs == "any" or not np.any(X <= 0 if inputs == "positive" else X < 0)


def effective_weights(tree: TreeArrays, weights, ones: np.ndarray | None = None) -> np.ndarray:
    """(R, m): each indicator's weight in the index, the product of normalised weights on its path.

    ``weights`` is (R, K) or a list of per-aggregate (R, k_a) matrices. Normalised weights in
    the columns ``ones`` are taken as 1 (e.g. to weigh indicators within a subtree only).
    """
    W = weights if isinstance(weights, np.ndarray) else np.hstack(weights)
    R, K = W.shape
    N = np.empty((R, K + 1))
    N[:, K] = 1.0  # the padding column of shorter paths
    np.divide(W, W @ tree.siblings, out=N[:, :K])  # each weight over its siblings' total
    if ones is not None:
        N[:, ones] = 1.0
    E = N[:, tree.paths[:, 0]]
    for d in range(1, tree.paths.shape[1]):  # root first: the same products as node by node
        E *= N[:, tree.paths[:, d]]
    return E


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def thread_pool(workers: int) -> ThreadPoolExecutor:
    """A process-wide pool of ``workers`` threads, started once (starting threads costs ms)."""
    with _POOLS_LOCK:
        if workers not in _POOLS:
            _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="digindex-batch")
        return _POOLS[workers]


HEAP_PAD = 64 * 2 ** 20
_heap_kept = False


def keep_heap() -> None:
    """Ask glibc to keep 64 MB spare at the top of the heap (``M_TOP_PAD``), once per process.

    A batched run allocates and frees numpy temporaries of a few hundred kB thousands of
    times. By default glibc gives the top of the heap back to the system as soon as it is
    free and then faults it back in page by page: about 4,000 page faults, a fifth of the
    run time on ASEM. Keeping a pad avoids that at the cost of up to 64 MB held in reserve.
    Elsewhere than glibc this does nothing.
    """
    global _heap_kept
    if _heap_kept:
        return
    _heap_kept = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-2, HEAP_PAD)  # M_TOP_PAD
    except (OSError, AttributeError):
        pass


RANK_CELLS = 52_224  # cells ranked at a time (1,024 rows of 51): small blocks stay in cache


def rank_rows(Y: np.ndarray, workers: int = 1, counts: bool = False):
    """Ranks within each row (1 = best, ties at the minimum, NaN unranked).

    Rows are ranked in blocks, on ``workers`` threads (numpy sorts without the GIL).
    With ``counts``, also returns the (n, n) table of how often each column took each
    rank, counted block by block while the block is in cache.
    """
    Y = np.ascontiguousarray(Y, dtype=float)
    R, n = Y.shape
    out = np.empty(Y.shape)
    block = max(16, RANK_CELLS // max(n, 1))
    starts = range(0, R, block)
    tallies = []
    per_block = counts and n <= 4 * block  # else one block's n × n tally outweighs the block

    def rank_block(start):
        ranks, order, first, ordered = _rank_block(Y[start:start + block])
        out[start:start + block] = ranks
        if per_block:  # column order[r, i] took rank first[r, i]; NaN (sorted last) is not counted
            cells = order * n + (np.arange(n) if first is None else first.astype(np.int64) - 1)
            missing = np.isnan(ordered)
            tallies.append(np.bincount((cells[~missing] if missing.any() else cells).ravel(),
                                       minlength=n * n))

    if workers > 1 and len(starts) > 1:
        list(thread_pool(workers).map(rank_block, starts))
    else:
        for start in starts:
            rank_block(start)
    if not counts:
        return out
    if not per_block:
        from .summary import rank_counts

        return out, rank_counts(out)
    table = np.sum(tallies, axis=0) if tallies else np.zeros(n * n, dtype=np.int64)
    return out, table.reshape(n, n).astype(np.int64)


def _rank_block(Y: np.ndarray):
    """(ranks, order, rank of each ordered position or None if all differ, ordered values).

    ``Y`` is C-contiguous; cells are addressed by flat index (faster than take_along_axis).
    """
    R, n = Y.shape
    order = np.argsort(-Y, axis=1)  # NaN last; the order among ties does not matter below
    flat = order + (np.arange(R) * n)[:, None]
    ordered = np.take(Y, flat)
    positions = np.broadcast_to(np.arange(1.0, n + 1), (R, n))
    tied = ordered[:, 1:] == ordered[:, :-1]
    first = None
    if tied.any():  # a tie takes the position of the first of its group
        starts = np.ones((R, n), dtype=bool)
        starts[:, 1:] = ~tied
        first = np.maximum.accumulate(np.where(starts, positions, 0.0), axis=1)
    ranks = np.empty((R, n))
    ranks.ravel()[flat] = positions if first is None else first
    missing = np.isnan(Y)
    if missing.any():
        ranks[missing] = np.nan
    return ranks, order, first, ordered


def rank_rows_within(Y: np.ndarray, groups: np.ndarray, workers: int = 1) -> np.ndarray:
    """Ranks within each row and each group of columns (e.g. units of one parent city).

    The groups are laid side by side as rows of one padded table (the padding is NaN,
    which is never ranked), so all of them are ranked in one call.
    """
    R, n = Y.shape
    labels, code, sizes = np.unique(np.asarray(groups, dtype=str), return_inverse=True, return_counts=True)
    G, width = len(labels), int(sizes.max(initial=0))
    if G * width > 4 * n:  # very uneven groups: padding would cost more than it saves
        out = np.full(Y.shape, np.nan)
        for g in range(G):
            cols = np.flatnonzero(code == g)
            out[:, cols] = rank_rows(Y[:, cols], workers)
        return out
    order = np.argsort(code, kind="stable")
    slot = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # place within its group
    layout = np.full((G, width), n)  # column n is the NaN padding
    layout[code[order], slot] = order
    padded = np.empty((R, n + 1))
    padded[:, :n] = Y
    padded[:, n] = np.nan
    ranks = rank_rows(padded[:, layout.ravel()].reshape(R * G, width), workers).reshape(R, G * width)
    out = np.empty((R, n + 1))
    out[:, layout.ravel()] = ranks
    return out[:, :n]
