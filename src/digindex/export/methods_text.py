"""The pipeline of an evaluation in words: the methods sheet of results.xlsx.

One row per step: what it did, with which method, where a node differs from the default, and
the method's own one-line description (from its docstring in the method registry).
"""
from __future__ import annotations

from ..analytics.tiers import tier_config
from ..framework.model import STEPS
from ..i18n import method_summary, text
from ..methods import get_method


def methods_rows(evaluation, lang: str = "en") -> list[tuple[str, str, str, str]]:
    """(step, applies to, method, description) rows describing ``evaluation``'s pipeline."""
    fw = evaluation.framework
    panel = evaluation.panel
    years = sorted({y for y in panel.years if y is not None})
    units = len(set(panel.units))
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—")
    rows = [(text("step_data", lang), text("all", lang), "",
             text("describe_data", lang, units=units, years=span, n_years=len(years),
                  indicators=len(fw.indicators), files=", ".join(panel.files) or "—"))]
    for step in STEPS:
        default = fw.defaults[step]
        rows.append((text(f"step_{step}", lang), text("default_method", lang), str(default),
                     _summary(step, default.name, lang)))
        nodes = fw.indicators if step in ("impute", "treat", "normalise") else fw.aggregates
        for node in nodes:
            choice = getattr(node, step, None)
            if choice is not None and choice != default:
                rows.append(("", f"{node.id} {node.label(lang)}", str(choice),
                             _summary(step, choice.name, lang)))
    rows.append((text("step_ranks", lang), text("all", lang), "",
                 text("describe_ranks", lang) + (" " + text("describe_ranks_parent", lang)
                                                 if panel.has_parents else "")))
    tiers = tier_config(fw)
    if tiers is not None:
        cuts = ", ".join(f"{c:g}" for c in tiers.cuts)
        rows.append((text("tiers", lang), tiers.node, f"{tiers.by}: {cuts}",
                     text("describe_tiers_" + tiers.by, lang)))
    return rows


__all__ = ["methods_rows"]


def _summary(step: str, name: str, lang: str) -> str:
    """The method's one-line description in ``lang``, as plain text (no reStructuredText literals)."""
    return method_summary(step, name, get_method(step, name).summary, lang).replace("``", "")
