"""Static subtrees: the part of the index that a batch of replications shares.

Within a batch (one configuration, one set of operators) only some weights differ
between replications: the children's weights of the nodes that a weights
perturbation or a weight-set choice targets ("varying" nodes). A subtree without
a varying node scores the same in every replication of the batch, so it is
aggregated once, with its base weights, and becomes a leaf. What remains is the
"upper" tree, from the root down to the varying nodes; for COINr's ASEM
assumptions it is 2 sub-indices over 8 pillars instead of 49 indicators.

Where the upper nodes share one power mean and the leaves have no gaps, the upper
tree collapses to one effective weight per leaf, so a batch of replications is one
(replications × leaves) @ (leaves × units) product. The leaves themselves are
computed the same way when the whole tree shares that power mean and the data
have no gaps (M_p of M_p's is M_p), node by node otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..methods.aggregate import power_mean
from .batch import TreeArrays, _accepts, common_power, effective_weights, node_scores


@dataclass
class Reduction:
    tree: TreeArrays                 # the upper aggregates over the leaves
    upper: list[int]                 # the upper aggregates' indices in the full tree
    leaves: list[tuple[bool, int]]   # each leaf in the full tree: (is_indicator, index)
    columns: np.ndarray              # the full tree's weight column of each upper weight column
    membership: np.ndarray           # (m, L): 1 where indicator j lies under leaf l

    @classmethod
    def of(cls, full: TreeArrays, varying: set[int]) -> "Reduction | None":
        """The upper tree above the aggregates in ``varying``; None if nothing varies."""
        is_upper = [False] * len(full.aggregates)
        for a, kids in enumerate(full.children):  # children first
            is_upper[a] = a in varying or any(not is_ind and is_upper[j] for is_ind, j in kids)
        if not is_upper[full.root]:
            return None
        upper = [a for a, flag in enumerate(is_upper) if flag]
        position = {a: i for i, a in enumerate(upper)}
        leaves: list[tuple[bool, int]] = []
        leaf_of: dict[tuple[bool, int], int] = {}
        children, columns = [], []
        for a in upper:
            kids = []
            for c, (is_ind, j) in enumerate(full.children[a]):
                columns.append(int(full.offsets[a]) + c)
                if not is_ind and is_upper[j]:
                    kids.append((False, position[j]))
                    continue
                if (is_ind, j) not in leaf_of:
                    leaf_of[(is_ind, j)] = len(leaves)
                    leaves.append((is_ind, j))
                kids.append((True, leaf_of[(is_ind, j)]))
            children.append(kids)
        names = [full.indicators[j] if is_ind else full.aggregates[j] for is_ind, j in leaves]
        tree = TreeArrays.build(names, [full.aggregates[a] for a in upper], children,
                                [full.child_ids[a] for a in upper], full.coverage[upper], position[full.root])
        return cls(tree, upper, leaves, np.array(columns, dtype=np.intp),
                   _membership(full, leaves))

    def upper_power(self, ops) -> float | None:
        """The power mean shared by the upper nodes, or None."""
        return common_power(tuple(ops[a] for a in self.upper))

    def leaf_scores(self, full: TreeArrays, Z: np.ndarray, base: np.ndarray, ops, years, units,
                    source=None) -> np.ndarray:
        """(n, L): each leaf's scores with the base weights ``base`` (K,)."""
        p = common_power(ops)
        if p is not None and not np.isnan(Z).any() and _accepts(Z, ops[0]):
            # each leaf is the power mean of its indicators with the weights below it: the
            # effective weights with the upper tree's weights taken as 1
            share = effective_weights(full, base[None], ones=self.columns)[0][:, None] * self.membership
            return power_mean(Z, share.T, p).T
        scores = node_scores(full, Z, base[None], ops, years, units, source)
        return np.column_stack([Z[:, j] if is_ind else scores[j][0] for is_ind, j in self.leaves])


def _membership(full: TreeArrays, leaves) -> np.ndarray:
    """(m, L): 1 where indicator j is leaf l or lies in leaf l's subtree."""
    M = np.zeros((len(full.indicators), len(leaves)))
    for l, (is_ind, j) in enumerate(leaves):
        if is_ind:
            M[j, l] = 1.0
            continue
        stack = [j]
        while stack:
            a = stack.pop()
            for child_is_ind, k in full.children[a]:
                if child_is_ind:
                    M[k, l] = 1.0
                else:
                    stack.append(k)
    return M
