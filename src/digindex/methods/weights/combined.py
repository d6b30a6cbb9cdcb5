"""Combined subjective–objective weights (组合赋权) from two weighting methods."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ...lazy import lazy_module
from ..choice import parse_choice
from ..registry import Capabilities, Params, get_method, make_params, register

np = lazy_module("numpy", globals())


def _spec_of(raw: str | dict[str, Any]):
    """(MethodSpec, validated Params) of a weights method written NAME or {method: NAME, ...}."""
    choice = parse_choice(raw, "weights")  # ValueError naming the problem
    spec = get_method("weights", choice.name)
    return spec, make_params(spec, choice.params)


class CombinedParams(Params):
    a: str | dict[str, Any] = Field(description="first weighting, e.g. {method: ahp, matrix: …} "
                                    "(usually the subjective one)")
    b: str | dict[str, Any] = Field(description="second weighting, e.g. entropy (usually objective)")
    mode: Literal["multiplicative", "linear", "game_theory"] = Field(
        "linear", description="how to combine the two weight vectors")
    alpha: float | None = Field(None, ge=0, le=1,
                                description="share of a in mode linear (default 0.5)")

    @field_validator("a", "b")
    @classmethod
    def _known(cls, v):
        _spec_of(v)  # raises ValueError naming the problem
        return v

    @model_validator(mode="after")
    def _alpha_only_linear(self):
        if self.alpha is not None and self.mode != "linear":
            raise ValueError(f"alpha applies to mode linear only, not {self.mode}")
        return self


def _component(raw, X, prior, ctx, label, warnings):
    spec, params = _spec_of(raw)
    out = spec.func(X, prior, params, ctx)
    w, info = out if isinstance(out, tuple) else (out, {})
    w = np.asarray(w, float)
    if w.ndim != 1:
        raise ValueError(f"combined weights need one weight per child from {label} ({spec.name}), "
                         f"but {spec.name} gives weights per unit-year")
    warnings.extend(f"{label} ({spec.name}): {m}" for m in info.get("warnings", []))
    info = {k: v for k, v in info.items() if k != "warnings"}
    return w / w.sum(), spec.name, info


def game_theory_coefficients(W: np.ndarray) -> np.ndarray:
    """Normalised coefficients α of the game-theory combination of the rows of W.

    Solves (W Wᵀ) α = diag(W Wᵀ), the first-order conditions of
    min_α ‖Σ_k α_k w_k − w_l‖₂ for every l, then returns |α| / Σ|α|.
    """
    G = W @ W.T
    try:
        alpha = np.linalg.solve(G, np.diag(G))
    except np.linalg.LinAlgError:
        alpha = np.ones(len(W))  # identical weightings: any split gives the same result
    if not np.all(np.isfinite(alpha)) or np.abs(alpha).sum() == 0:
        alpha = np.ones(len(W))
    alpha = np.abs(alpha)
    return alpha / alpha.sum()


def _combined_capabilities(params: CombinedParams) -> Capabilities:
    """Data-driven when either component is; over the panel then."""
    driven = any(spec.capabilities(p).data_driven for spec, p in map(_spec_of, (params.a, params.b)))
    return Capabilities(scope="panel", data_driven=True) if driven else Capabilities()


def _check_children(params: CombinedParams, child_ids: list[str]) -> str | None:
    """Each of a and b must fit the node (e.g. an AHP matrix with one row per child)."""
    for label, raw in (("a", params.a), ("b", params.b)):
        spec, inner = _spec_of(raw)
        message = spec.check_children(inner, child_ids) if spec.check_children else None
        if message:
            return f"{label} ({spec.name}): {message}"
    return None


def _without_child(raw: dict, i: int) -> dict:
    """a and b without child i, where either has one entry per child (e.g. an AHP matrix)."""
    out = dict(raw)
    for part in ("a", "b"):
        spec, _ = _spec_of(raw[part])
        if spec.without_child is not None:
            inner = dict(raw[part]) if isinstance(raw[part], dict) else {"method": raw[part]}
            name = inner.pop("method")
            out[part] = {"method": name, **spec.without_child(inner, i)}
    return out


@register("weights", "combined", CombinedParams, capabilities=_combined_capabilities,
          check_children=_check_children, without_child=_without_child)
def combined(X, prior, params: CombinedParams | None = None, ctx=None):
    """Combined weights (组合赋权) of two weightings a and b (each summing to 1).

    - multiplicative: w_j = a_j·b_j / Σ_k a_k·b_k;
    - linear: w_j = α·a_j + (1 − α)·b_j, α = ``alpha`` (default 0.5);
    - game_theory: w = α₁·a + α₂·b where (α₁, α₂) solve the 2×2 system
      [a·a  a·b; b·a  b·b]·(α₁, α₂)ᵀ = (a·a, b·b)ᵀ, i.e. the first-order conditions
      of minimising ‖α₁a + α₂b − a‖ and ‖α₁a + α₂b − b‖ (a Nash-type compromise
      between the two weightings), normalised as αᵢ* = |αᵢ| / (|α₁| + |α₂|).
    Each of a and b is any weights method with its own parameters (looked up in the
    registry and validated when the framework is read); their warnings are passed on.
    Methods giving per-unit weights (bod) cannot be combined. ``info`` holds both
    weightings and the coefficients.
    References: Zardari et al. (2015) Weighting Methods and their Effects on
    Multi-Criteria Decision Making Model Outcomes, Springer, §2.3 (combined
    weighting); the game-theory combination (博弈论组合赋权) as written in the
    Chinese evaluation literature, e.g. for AHP–entropy combinations.
    """
    if params is None:
        raise ValueError("combined weights need the parameters 'a' and 'b'")
    warnings: list[str] = []
    wa, name_a, info_a = _component(params.a, X, prior, ctx, "a", warnings)
    wb, name_b, info_b = _component(params.b, X, prior, ctx, "b", warnings)
    if wa.shape != wb.shape:
        raise ValueError(f"a gives {wa.size} weights but b gives {wb.size}")
    if params.mode == "multiplicative":
        prod = wa * wb
        if prod.sum() <= 0:
            raise ValueError("multiplicative combination: a and b have no child with weight > 0 "
                             "in both; use mode linear")
        w, coef = prod / prod.sum(), {}
    elif params.mode == "linear":
        al = 0.5 if params.alpha is None else params.alpha
        w, coef = al * wa + (1 - al) * wb, {"alpha": al}
    else:
        al = game_theory_coefficients(np.vstack([wa, wb]))
        w, coef = al[0] * wa + al[1] * wb, {"alpha_a": float(al[0]), "alpha_b": float(al[1])}
    w = w / w.sum()
    names = list(getattr(ctx, "children", None) or range(len(w)))
    info = {"mode": params.mode, "coefficients": coef,
            "a": {"method": name_a, "weights": dict(zip(map(str, names), wa.tolist())), **info_a},
            "b": {"method": name_b, "weights": dict(zip(map(str, names), wb.tolist())), **info_b},
            "warnings": warnings}
    return w, info
