"""The bulletin's annexes: the methodology (indicator dictionary, weights, methods) and the
data-quality and audit annex (:func:`digindex.audit.run_audit`: coverage, imputation,
outlier treatment, internal consistency and every audit flag).
"""
from __future__ import annotations

import numpy as np

from ..framework.model import text_in
from ..i18n import langs, text
from .document import Section, Table
from .population import heading, label

IMPORTANCE_UNITS = 500  # above: no importance estimates (smoothing splines grow with n³)
FLAG_ROWS = 60          # flags shown in HTML/PDF (the Excel sheet has all)

# The methodology of the built-in zhejiang framework, one paragraph per key.
METHOD_NOTES = ("note_normalise", "note_weights", "note_aggregate", "note_disparity", "note_moran",
                "note_contributions")


def methodology_section(ev, lang: str) -> Section:
    fw = ev.framework
    paras = [text_in(fw.name, lg) for lg in langs(lang)]
    desc = fw.description if isinstance(fw.description, dict) else {"en": str(fw.description or "")}
    paras += [text_in(desc, lg) for lg in langs(lang) if text_in(desc, lg)]
    if fw.id == "zhejiang":
        for lg in langs(lang):
            paras += [text(key, lg) for key in METHOD_NOTES]
    from ..engine.weights import weight_table

    w = weight_table(fw, ev).set_index("node")
    rows = []
    for aspect in fw.tree.children:
        for node in aspect.walk():
            if not node.is_indicator:
                continue
            defin = node.settings.get("definition") or {}
            src = node.settings.get("source") or {}
            rows.append([label(ev, aspect.id, lang), label(ev, node.id, lang), node.unit or "",
                         "+" if node.direction > 0 else "−", w.loc[node.id, "weight"],
                         w.loc[node.id, "effective_weight"],
                         " ".join(text_in(defin, lg) for lg in langs(lang)),
                         " ".join(text_in(src, lg) for lg in langs(lang))])
    dictionary = Table(text("dictionary", lang), [text("aspect", lang), text("indicator", lang),
                                                  text("unit_of_measure", lang), text("direction", lang),
                                                  text("weights", lang), text("weight_global", lang),
                                                  text("definition", lang), text("source", lang)],
                       rows, ["text", "text", "text", "text", "p", "p", "text", "text"], sheet="dictionary")
    aspects = Table(text("weights", lang), [text("aspect", lang), text("weight_global", lang)],
                    [[label(ev, a.id, lang), w.loc[a.id, "effective_weight"]] for a in fw.tree.children],
                    ["text", "p"], sheet="weights")
    steps = []
    for step in ("impute", "treat", "normalise", "weights", "aggregate"):
        if step in fw.defaults:
            steps.append([step, str(fw.defaults[step])])
    methods = Table(text("methods", lang), [text("step", lang), text("method", lang)], steps, ["text", "text"],
                    sheet="methods")
    return Section(text("methodology", lang), paragraphs=paras, tables=[aspects, methods, dictionary],
                   css_class="small", page_break=True)


def audit_section(populations, year, lang: str) -> Section:
    """The audit annex of ``populations``: [(their name {zh, en}, evaluation)]."""
    from ..audit import run_audit

    tables = []
    for units, ev in populations:
        key = "_".join(units["en"].lower().split()[:1]) or "units"
        n = int((np.asarray(ev.panel.years, dtype=object) == year).sum())
        audit = run_audit(ev, years=[year], remove_one=False, importance=n <= IMPORTANCE_UNITS)
        cov = audit["coverage_indicators"]
        cov = cov[cov["year"] == year] if "year" in cov else cov
        tables.append(Table(heading(units, "coverage", lang),
                            [text("indicator", lang), text("coverage", lang), text("imputed", lang),
                             text("treated", lang)],
                            [[label(ev, r["indicator"], lang), r["coverage"], r["imputed"], r["treated"]]
                             for _, r in cov.iterrows()], ["text", "p", "int", "text"], sheet=f"coverage_{key}"))
        con = audit["consistency"]
        tables.append(Table(heading(units, "consistency", lang),
                            [text("aspect", lang), "k", "n", "Cronbach α", "PC1 share", "α < 0.7", "> 1 eigenvalue"],
                            [[label(ev, r["group"], lang), r["k"], r["n"], r["alpha"], r["pc1_share"],
                              str(bool(r["flag_low_alpha"])), str(bool(r["flag_multidimensional"]))]
                             for _, r in con.iterrows()], ["text", "int", "int", "p", "p", "text", "text"],
                            sheet=f"consistency_{key}"))
        flags = audit.flags()
        cut = FLAG_ROWS if len(flags) > FLAG_ROWS * 1.5 else None
        note = text("table_cut", lang, n=FLAG_ROWS, total=len(flags)) if cut else ""
        if n > IMPORTANCE_UNITS:
            note = (note + " " if note else "") + text("importance_skipped", lang, n=n)
        tables.append(Table(heading(units, "flags", lang), ["table", "flag", "where"],
                            flags.values.tolist(), ["text", "text", "text"], sheet=f"flags_{key}",
                            print_rows=cut, note=note))
    return Section(text("audit", lang), tables=tables, css_class="small", page_break=True)


__all__ = ["methodology_section", "audit_section"]
