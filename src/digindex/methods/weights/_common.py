"""Helpers shared by the data-driven weighting methods (not a method themselves).

Policy for missing values (listwise deletion): a row (unit-year) with any missing
child is left out of the weight computation and a warning says how many rows were
left out; too few complete rows is refused with a ValueError.

Policy for constant children: a child with no variation over the complete rows
carries no information for a data-driven method; it gets weight 0 and a warning,
and the method runs on the other children. If no child varies, it is refused.
"""
from __future__ import annotations

import functools

from ...lazy import lazy_module

np = lazy_module("numpy", globals())


def one_child_gets_all(func):
    """Decorator: a node with a single child gives it weight 1 without computing anything."""
    @functools.wraps(func)
    def wrapper(X, prior=None, params=None, ctx=None):
        if np.ndim(X) == 2 and np.shape(X)[1] == 1:
            return np.ones(1), {}
        return func(X, prior, params, ctx)
    return wrapper


def child_names(ctx, k: int) -> list[str]:
    """The children's ids from the engine context, or c1..ck without one."""
    names = list(getattr(ctx, "children", None) or [])
    return names if len(names) == k else [f"c{j + 1}" for j in range(k)]


def complete_rows(X, method: str, warnings: list[str], min_rows: int = 2) -> np.ndarray:
    """X without incomplete rows; a warning if some were left out."""
    X = np.asarray(X, float)
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError(f"{method} weights need a 2-D matrix with at least one child")
    ok = ~np.isnan(X).any(axis=1)
    dropped = int((~ok).sum())
    if dropped:
        warnings.append(f"{method} weights: {dropped} of {len(X)} unit-years with a missing "
                        f"child were left out of the weight computation")
    Xc = X[ok]
    if len(Xc) < min_rows:
        raise ValueError(f"{method} weights need at least {min_rows} unit-years with every child "
                         f"present, found {len(Xc)}; impute missing values or choose manual weights")
    if not np.isfinite(Xc).all():
        raise ValueError(f"{method} weights need finite values (found ±inf)")
    return Xc


def varying(Xc: np.ndarray, names: list[str], method: str, warnings: list[str],
            min_varying: int = 1) -> np.ndarray:
    """Boolean mask of the children that vary; constant ones are warned about."""
    spread = np.ptp(Xc, axis=0)
    scale = 1.0 + np.max(np.abs(Xc), axis=0)
    mask = spread > 1e-12 * scale
    for j in np.flatnonzero(~mask):
        warnings.append(f"{method} weights: child {names[j]!r} is constant over all unit-years "
                        f"(value {Xc[0, j]:g}) and gets weight 0")
    if mask.sum() < min_varying:
        need = "any child" if min_varying == 1 else f"at least {min_varying} children"
        raise ValueError(f"{method} weights need {need} to vary over the unit-years, but "
                         f"{int(mask.sum())} of {len(names)} vary; choose manual or equal weights")
    return mask


def scatter(mask: np.ndarray, w_sub: np.ndarray) -> np.ndarray:
    """Full weight vector: ``w_sub`` on the varying children, 0 elsewhere, sum 1."""
    w = np.zeros(len(mask))
    w[mask] = w_sub
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("the weights could not be computed (their sum is not positive)")
    return w / total


def rel_weights(values, k: int, what: str) -> np.ndarray:
    """Relative positive weights of length k, normalised to sum 1."""
    v = np.asarray(values, float)
    if v.shape != (k,):
        raise ValueError(f"{what} has {v.size} values but the node has {k} children")
    if not np.all(np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
        raise ValueError(f"{what} must be non-negative numbers with a positive sum")
    return v / v.sum()
