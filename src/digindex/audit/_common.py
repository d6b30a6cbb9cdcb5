"""Helpers shared by the audit modules: year groups, tree walks and pairwise-complete data."""
from __future__ import annotations

import contextlib

import numpy as np

from ..methods.impute.common import year_slices


def year_groups(evaluation, years=None) -> list[tuple[object, np.ndarray]]:
    """(year, row indices) of the evaluated rows, one group per year (``None`` for one period).

    ``years`` (optional) keeps only those years; an unknown year raises ``InputError``.
    """
    groups = year_slices(evaluation.panel.years)
    if years is None:
        return groups
    wanted = list(years) if isinstance(years, (list, tuple, set)) else [years]
    known = {y for y, _ in groups}
    unknown = [y for y in wanted if y not in known]
    if unknown:
        from ..errors import InputError, Problem

        shown = ", ".join(str(y) for y in known if y is not None) or "none (single-period data)"
        raise InputError(Problem(f"years {unknown} are not in the evaluated data", column="year",
                                 fix=f"choose among the data's years: {shown}"))
    return [(y, rows) for y, rows in groups if y in wanted]


def groups_of(framework) -> list:
    """Aggregate nodes, parents before children (the order a reader expects)."""
    return [n for n in framework.tree.walk() if not n.is_indicator]


def non_root(framework) -> list[str]:
    """Every node id but the root, parents before children."""
    return [n.id for n in framework.tree.walk() if n.id != framework.tree.id]


def aspects(framework) -> list[str]:
    """The children of the root (the level below the index)."""
    return [c.id for c in framework.tree.children]


def complete(*cols: np.ndarray) -> np.ndarray:
    """Mask of rows where every column is finite."""
    mask = np.ones(len(cols[0]), dtype=bool)
    for c in cols:
        mask &= np.isfinite(np.asarray(c, float))
    return mask


def is_constant(v: np.ndarray) -> bool:
    """True when the finite values of ``v`` take at most one value."""
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    return v.size == 0 or bool(np.all(v == v[0]))


@contextlib.contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread: the audit's many tiny matrix operations run far faster so
    (multi-threaded OpenBLAS spends longer waking threads than computing a 50×50 eigh)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
