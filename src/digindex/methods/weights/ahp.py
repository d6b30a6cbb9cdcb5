"""Analytic Hierarchy Process weights from a pairwise comparison matrix."""
from __future__ import annotations

from fractions import Fraction

from pydantic import Field, ValidationInfo, field_validator

from ...lazy import lazy_module
from ..registry import Params, register
from ._common import child_names

np = lazy_module("numpy", globals())

# Saaty's random consistency index RI(n) (Saaty 1980, Table 1.4 / Saaty 2008).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
                9: 1.45, 10: 1.49}


def _number(v) -> float:
    if isinstance(v, str):
        try:
            return float(Fraction(v.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{v!r} is not a number or a fraction such as '1/3'") from None
    return float(v)


class AhpParams(Params):
    # max_cr and tolerance come first: the matrix is checked against them (pydantic
    # validates fields in this order), so an inconsistent matrix is refused with its
    # parameters, when the framework is read, and not only when weights are computed
    max_cr: float = Field(0.1, gt=0, description="refuse a matrix whose consistency ratio CR ≥ this")
    tolerance: float = Field(0.01, gt=0, lt=1,
                             description="allowed relative error in a_ij·a_ji = 1 and a_ii = 1")
    matrix: list[list[float | str]] = Field(
        description="k×k pairwise comparisons a_ij = importance of child i over child j "
        "(Saaty 1–9 scale), rows and columns in the order of the node's children; "
        "fractions may be written as '1/3'")

    @field_validator("matrix")
    @classmethod
    def _check_matrix(cls, m, info: ValidationInfo):
        A = [[_number(v) for v in row] for row in m]
        k = len(A)
        if k == 0 or any(len(row) != k for row in A):
            raise ValueError(f"the matrix must be square (k rows of k numbers), got rows of "
                             f"lengths {[len(r) for r in A]}")
        if k > max(RANDOM_INDEX):
            raise ValueError(f"AHP is limited to {max(RANDOM_INDEX)} children (Saaty's random "
                             f"index table); group the children into sub-nodes")
        M = np.array(A, float)
        if not np.all(np.isfinite(M)) or np.any(M <= 0):
            raise ValueError("every comparison must be a positive number")
        names = child_names(None, k)
        if "tolerance" in info.data:  # else its own error is reported
            _check_reciprocal(M, info.data["tolerance"], names)
        if "max_cr" in info.data:
            _check_consistency(M, info.data["max_cr"], names)
        return [list(map(float, row)) for row in M]


def _check_children(params: "AhpParams", child_ids: list[str]) -> str | None:
    n, k = len(params.matrix), len(child_ids)
    if n != k:
        return (f"the AHP matrix is {n}×{n} but the node has {k} children; write one "
                f"row and column per child, in the order of the children ({', '.join(child_ids)})")
    return None


def _check_reciprocal(A: np.ndarray, tol: float, names: list[str]) -> None:
    diag = np.flatnonzero(np.abs(np.diag(A) - 1) > tol)
    if diag.size:
        i = diag[0]
        raise ValueError(f"the diagonal must be 1, but a[{names[i]}, {names[i]}] = {A[i, i]:g}")
    err = np.abs(A * A.T - 1)
    bad = np.argwhere(np.triu(err > tol, 1))
    if bad.size:
        cells = ", ".join(f"a[{names[i]}, {names[j]}] = {A[i, j]:g} vs "
                          f"a[{names[j]}, {names[i]}] = {A[j, i]:g}" for i, j in bad[:3])
        raise ValueError(f"the matrix must be reciprocal (a_ji = 1/a_ij): {cells}")


def consistency(A: np.ndarray) -> dict:
    """Weights and Saaty's consistency of a positive reciprocal matrix A.

    w: the normalised principal eigenvector; CI = (λmax − n)/(n − 1), CR = CI / RI(n)
    (CR = 0 for n ≤ 2).
    """
    n = A.shape[0]
    w, lam = principal_weights(A)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n]
    cr = max(ci, 0.0) / ri if ri > 0 else 0.0
    return {"w": w, "lambda_max": lam, "CI": ci, "RI": ri, "CR": cr, "n": n}


def _check_consistency(A: np.ndarray, max_cr: float, names: list[str]) -> None:
    c = consistency(A)
    w, cr = c["w"], c["CR"]
    if cr >= max_cr:
        dev = np.abs(np.log(A * np.outer(1 / w, w)))  # |ln(a_ij · w_j / w_i)|
        cells = np.argwhere(np.triu(np.ones_like(A, bool), 1))
        worst = sorted(map(tuple, cells), key=lambda c: -dev[c])[:3]
        detail = "; ".join(f"a[{names[i]}, {names[j]}] = {A[i, j]:.3g} but the weights imply "
                           f"{w[i] / w[j]:.3g}" for i, j in worst)
        raise ValueError(f"the AHP matrix is too inconsistent: CR = {cr:.3f} ≥ {max_cr:g} "
                         f"(λmax = {c['lambda_max']:.3f}, CI = {c['CI']:.3f}). Most inconsistent "
                         f"judgements: {detail}. Revise these comparisons")


def principal_weights(A: np.ndarray) -> tuple[np.ndarray, float]:
    """Normalised principal right eigenvector and λmax of a positive matrix."""
    vals, vecs = np.linalg.eig(A)
    i = int(np.argmax(vals.real))
    w = np.abs(vecs[:, i].real)
    return w / w.sum(), float(vals[i].real)


def _without_child(raw: dict, i: int) -> dict:
    """The comparisons without child i: its row and column removed (the others' judgements stand)."""
    matrix = [row[:i] + row[i + 1:] for j, row in enumerate(raw["matrix"]) if j != i]
    return {**raw, "matrix": matrix}


@register("weights", "ahp", AhpParams, check_children=_check_children, without_child=_without_child)
def ahp(X, prior=None, params: AhpParams | None = None, ctx=None):
    """AHP weights: the principal eigenvector of Saaty's pairwise comparison matrix.

    A w = λmax w, w normalised to Σ w = 1 (Perron vector of the positive matrix A).
    Consistency: CI = (λmax − n)/(n − 1), CR = CI / RI(n) with Saaty's random index
    RI = 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 for n = 3…10 (CR = 0 for
    n ≤ 2). A matrix with CR ≥ ``max_cr`` (default 0.1), or not reciprocal, is refused
    with the parameters, i.e. when the framework is read; the message names the judgements
    a_ij (children c1…ck in order) that deviate most from the ratio w_i/w_j the weights
    imply. The matrix must have one row and column per child of the node.
    ``info``: matrix (row child → column child → a_ij), lambda_max, CI, RI, CR, n. The data
    ``X`` and the ``prior`` are not used.
    Reference: Saaty (1980) The Analytic Hierarchy Process, McGraw-Hill; Saaty (2008)
    Decision making with the analytic hierarchy process, Int. J. Services Sciences 1(1).
    """
    if params is None:
        raise ValueError("ahp weights need the parameter 'matrix'")
    A = np.array(params.matrix, float)
    n = A.shape[0]
    # The matrix itself (reciprocal, CR below max_cr) was checked with the parameters.
    k = np.asarray(X).shape[1] if X is not None else n
    if n != k:
        raise ValueError(_check_children(params, child_names(ctx, k)))
    names = child_names(ctx, n)
    c = consistency(A)
    info = {"matrix": {a: dict(zip(names, row)) for a, row in zip(names, A.tolist())},
            "lambda_max": c["lambda_max"], "CI": c["CI"], "RI": c["RI"], "CR": c["CR"], "n": n}
    return c["w"], info
