"""Publication precision: scores are published rounded, and ranks and tiers follow the published
score, so two units that show the same score share a rank (the minimum) and a tier everywhere.

Framework key (top level)::

    publish: {decimals: 2}

Rounding is half away from zero on the decimal value as written (四舍五入: 80.705 → 80.71,
−0.125 → −0.13), not the binary float's half-to-even: the product with 10^d is nudged by 1e-9 of a
unit before flooring, so representation error (80.705 is stored as 80.70499999…) does not
round a printed 5 down. Without the key, scores are not rounded and ranks use full precision.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..framework.keys import TOP, register_key
from ..lazy import lazy_module

np = lazy_module("numpy", globals())

MAX_DECIMALS = 10


@dataclass(frozen=True)
class PublishSpec:
    decimals: int


def round_half_away(values, decimals: int) -> np.ndarray:
    """``values`` rounded to ``decimals`` places, half away from zero (NaN stays NaN)."""
    x = np.asarray(values, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore"):
        return np.sign(x) * np.floor(np.abs(x) * scale + 0.5 + 1e-9) / scale


def published(values, framework) -> np.ndarray:
    """``values`` as the framework publishes them (rounded when it declares ``publish``)."""
    spec = framework.settings.get("publish")
    return np.asarray(values, dtype=float) if spec is None else round_half_away(values, spec.decimals)


def _parse(raw, ctx) -> PublishSpec | None:
    if not isinstance(raw, dict) or set(raw) - {"decimals"} or "decimals" not in raw:
        ctx.problem(f"publish must be {{decimals: N}}, not {raw!r}", "write e.g. 'publish: {decimals: 2}'")
        return None
    d = raw["decimals"]
    if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= MAX_DECIMALS:
        ctx.problem(f"publish.decimals must be a whole number from 0 to {MAX_DECIMALS}, not {d!r}",
                    "write e.g. 'publish: {decimals: 2}'", ("decimals",))
        return None
    return PublishSpec(d)


register_key("publish", TOP, _parse, dump=lambda spec: {"decimals": spec.decimals},
             doc="publication precision: scores rounded to {decimals: N}; ranks and tiers follow the "
                 "published score (engine.publish)")
