"""A weighting method's ``info`` as table columns, for result files and papers.

Every weights method returns ``(w, info)``; the info's shape says what each entry is, so
callers need not know the method:

- a dict keyed by the node's children with numbers (entropy ``e_j``, CRITIC ``sd``) is a
  column per child; with lists (PCA ``loadings``) one column per list position
  (``loadings.1``, ``loadings.2``, ...); with dicts keyed by the children again (the AHP
  ``matrix``) a k×k matrix;
- any other dict (a combined weighting's components ``a`` and ``b``, its ``coefficients``) is
  read the same way with its name as a prefix (``a.weights``, ``b.entropy``, ``coefficients.alpha``);
- numbers and text (``lambda_max``, ``CR``, ``mode``, ``rows``) and lists of numbers
  (``eigenvalues``) are values of the node;
- ``warnings`` are left out (the log has them).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WeightDetails:
    """One node's weighting details: per-child columns, node values and matrices."""

    children: dict[str, dict[str, float]] = field(default_factory=dict)  # column -> child -> value
    node: dict[str, object] = field(default_factory=dict)                # name -> number, text or list
    matrices: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # name -> row -> col


def _scalar(v) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def weight_details(info: dict, children: list[str]) -> WeightDetails:
    """``info`` of a weights method at a node with ``children`` (ids), as :class:`WeightDetails`."""
    out = WeightDetails()
    kids = set(map(str, children))
    order = {c: i for i, c in enumerate(map(str, children))}

    def by_child(d: dict) -> bool:
        return bool(d) and set(map(str, d)) <= kids

    def walk(d: dict, prefix: str) -> None:
        for key, value in d.items():
            if key == "warnings":
                continue
            name = f"{prefix}{key}"
            if isinstance(value, dict) and by_child(value):
                items = sorted(value.items(), key=lambda kv: order[str(kv[0])])
                inner = [v for _, v in items]
                if all(isinstance(v, dict) and by_child(v) for v in inner):
                    out.matrices[name] = {str(r): {str(c): float(x) for c, x in row.items()} for r, row in items}
                elif all(isinstance(v, (list, tuple)) for v in inner):
                    for pos in range(max(len(v) for v in inner)):
                        out.children[f"{name}.{pos + 1}"] = {str(c): v[pos] for c, v in items if pos < len(v)}
                elif all(_scalar(v) for v in inner):
                    out.children[name] = {str(c): v for c, v in items}
                else:
                    out.node[name] = value
            elif isinstance(value, dict):
                walk(value, f"{name}.")
            elif _scalar(value) or (isinstance(value, (list, tuple)) and all(map(_scalar, value))):
                out.node[name] = list(value) if isinstance(value, tuple) else value
            else:
                out.node[name] = str(value)

    walk(info or {}, "")
    return out


__all__ = ["WeightDetails", "weight_details"]
