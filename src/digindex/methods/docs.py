"""Render the method registry as Markdown (``docs/methods.md`` is generated from it)."""
from __future__ import annotations

from .registry import FAMILIES, methods

TITLES = {
    "impute": "Imputation (`impute`)",
    "treat": "Outlier treatment (`treat`)",
    "normalise": "Normalisation (`normalise`)",
    "weights": "Weighting (`weights`)",
    "aggregate": "Aggregation (`aggregate`)",
}


SCOPES = {"row": "each unit-year on its own", "year": "within each year",
          "panel": "over the whole panel"}


def describe(spec) -> str:
    """The method's capabilities with default parameters, in words (parameters may change them)."""
    try:
        caps = spec.capabilities()
    except ValueError:  # required parameters: declared per use
        return "depend on the parameters"
    fixed = spec.family == "weights" and not caps.data_driven
    parts = [] if fixed else [SCOPES[caps.scope]]
    if caps.power is not None:
        parts.append(f"power mean of order r = {caps.power:g}")
    if caps.inputs != "any":
        parts.append("needs values > 0" if caps.inputs == "positive" else "needs values ≥ 0")
    if spec.family == "weights":
        parts.append("data-driven" if caps.data_driven else "fixed by the framework")
        if caps.per_row:
            parts.append("one set per unit-year")
    if spec.batched_kernel is not None:
        parts.append("batched kernel")
    return "; ".join(parts)


def render_markdown() -> str:
    """Every registered method: name, parameters with defaults, and its docstring."""
    lines = ["# digindex methods", "",
             "Generated from the method registry by `digindex methods --markdown`; do not edit by hand.",
             "A framework names a method as `NAME` or `{method: NAME, <params>}`.", ""]
    for family in FAMILIES:
        lines += [f"## {TITLES[family]}", ""]
        for spec in methods(family):
            lines += [f"### `{spec.name}`", ""]
            params = spec.parameters()
            if params:
                lines.append("| parameter | type | default |")
                lines.append("|---|---|---|")
                for name, kind, default in params:
                    shown = "required" if default == "required" else f"`{default!r}`"
                    lines.append(f"| `{name}` | {kind.replace('|', '&#124;')} | {shown} |")
                lines.append("")
            lines += [f"*Capabilities (defaults):* {describe(spec)}", "", spec.doc, ""]
    return "\n".join(lines).rstrip() + "\n"
