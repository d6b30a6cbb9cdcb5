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
            lines += [spec.doc, ""]
    return "\n".join(lines).rstrip() + "\n"
