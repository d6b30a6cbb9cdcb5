"""Weights optimised so that each child's correlation with the aggregate matches a target."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...lazy import lazy_module
from ..registry import Capabilities, Params, register
from ._common import one_child_gets_all, child_names, complete_rows, rel_weights, scatter, varying

np = lazy_module("numpy", globals())


class OptimisedParams(Params):
    targets: list[float] | None = Field(
        None, description="relative target importances, one per child (default: the "
        "framework's weights, normalised)")
    correlation: Literal["pearson", "spearman"] = "pearson"
    tol: float = Field(1e-10, gt=0, description="convergence tolerance of the optimiser")
    maxiter: int = Field(5000, ge=10, description="maximum optimiser iterations")


def _corr_with_index(Y: np.ndarray, w: np.ndarray, spearman: bool) -> np.ndarray:
    y = Y @ w
    A = np.column_stack([Y, y])
    if spearman:
        from scipy.stats import rankdata

        A = np.apply_along_axis(rankdata, 0, A)
    A = A - A.mean(axis=0)
    sd = np.sqrt((A ** 2).sum(axis=0))
    if sd[-1] == 0:
        return np.zeros(Y.shape[1])
    return (A[:, :-1].T @ A[:, -1]) / (sd[:-1] * sd[-1])


@register("weights", "optimised", OptimisedParams, capabilities=Capabilities(scope="panel", data_driven=True))
@one_child_gets_all
def optimised(X, prior, params: OptimisedParams | None = None, ctx=None):
    """Weights whose children correlate with the aggregate in the target proportions.

    With y = Σ_j w_j x_j (weighted arithmetic mean, Σ w = 1, w ≥ 0) over the complete
    rows, r_j = corr(x_j, y) (Pearson or Spearman) and targets t (default: the
    framework's weights, Σ t = 1), find
        w* = argmin_w Σ_j (r_j / Σ_k r_k − t_j)²
    by Nelder–Mead on w = softmax(θ) from the start w = t (the "balance" optimisation
    of COINr's get_opt_weights, a linear version of Becker et al. 2017). Correlations
    measure importance better than nominal weights when children are correlated or
    differ in variance. ``info``: targets, achieved correlations and their shares,
    the objective and whether it converged (a warning when the objective stays
    above 1e-4, i.e. the targets cannot be met). A constant child gets weight 0 and its target is dropped.
    Reference: Becker, Saisana, Paruolo & Vandecasteele (2017), Weights and importance
    in composite indicators: closing the gap, Ecological Indicators 80, 12–22;
    COINr documentation, get_opt_weights (Becker 2022).
    """
    params = params or OptimisedParams()
    warnings: list[str] = []
    Xc = complete_rows(X, "optimised", warnings, min_rows=3)
    k = Xc.shape[1]
    names = child_names(ctx, k)
    t_all = rel_weights(params.targets if params.targets is not None else prior, k,
                        "targets" if params.targets is not None else "the framework weights")
    mask = varying(Xc, names, "optimised", warnings)
    Y, t = Xc[:, mask], t_all[mask] / t_all[mask].sum()
    spearman = params.correlation == "spearman"

    def softmax(theta):
        e = np.exp(theta - theta.max())
        return e / e.sum()

    def objective(theta):
        r = _corr_with_index(Y, softmax(theta), spearman)
        total = r.sum()
        return np.inf if total == 0 else float(np.sum((r / total - t) ** 2))

    if Y.shape[1] == 1:
        w_sub = np.ones(1)
        res_ok, fun = True, 0.0
    else:
        from scipy.optimize import minimize  # imported when used: loading a framework stays quick

        starts = [np.log(np.clip(t, 1e-6, None)), np.zeros(len(t))]
        best = min((minimize(objective, s, method="Nelder-Mead",
                             options={"xatol": params.tol, "fatol": params.tol,
                                      "maxiter": params.maxiter, "adaptive": True})
                    for s in starts), key=lambda r: r.fun)
        w_sub, res_ok, fun = softmax(best.x), bool(best.success), float(best.fun)
    r = _corr_with_index(Y, w_sub, spearman)
    if not res_ok:
        warnings.append("optimised weights: the optimiser did not converge; weights are the best found")
    if fun > 1e-4:
        warnings.append(f"optimised weights: the targets could not be met (sum of squared "
                        f"differences {fun:.2g}); correlations reached: "
                        + ", ".join(f"{n} {c:.2f}" for n, c in zip(np.asarray(names)[mask], r)))
    sub = np.asarray(names)[mask].tolist()
    info = {"targets": dict(zip(sub, t.tolist())), "correlations": dict(zip(sub, r.tolist())),
            "correlation_shares": dict(zip(sub, (r / r.sum()).tolist())), "objective": fun,
            "converged": res_ok, "warnings": warnings}
    return scatter(mask, w_sub), info
