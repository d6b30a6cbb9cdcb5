"""The bulletin's annexes: the methodology (indicator dictionary, weights, methods) and the
data-quality and audit annex (:func:`digindex.audit.run_audit`: coverage, imputation,
outlier treatment, internal consistency and every audit flag).
"""
from __future__ import annotations

from ..framework.model import text_in
from .document import Section, Table
from .i18n import langs, word
from .profile import label

METHOD_NOTES = {
    "zh": ["标准化：功效系数法 60 + 40·(x − x_s)/(x_h − x_s)，x_s、x_h 为基年最小值和最大值，截断于[60, 100]；"
           "方向为负的指标先取反。",
           "加权：一级指标权重由层次分析法（AHP）确定；二级指标权重为专家权重与熵值法权重的线性组合（各占50%）。",
           "合成：逐层加权算术平均；排名中得分相同者取最小名次。梯队按得分排名的累计比例划分。",
           "区域差异：基尼系数 G = ΣΣ|x_i − x_j|/(2n²μ)；泰尔指数 T = (1/n)Σ(x_i/μ)ln(x_i/μ)，按所属设区市分解为组间与组内。",
           "空间自相关：全局Moran's I（行标准化的共边邻接矩阵），p值由随机置换检验得到。",
           "贡献分解：算术平均下贡献 = 权重 × 得分，各指标贡献之和等于综合得分；年度变动分解为各指标贡献之差。"],
    "en": ["Normalisation: efficacy coefficient 60 + 40·(x − x_s)/(x_h − x_s), x_s and x_h the base-year minimum "
           "and maximum, clipped to [60, 100]; indicators with negative direction are flipped first.",
           "Weights: aspects by AHP; indicators by a 50/50 linear combination of expert and entropy weights.",
           "Aggregation: weighted arithmetic mean at every level; tied scores share the best rank. Tiers cut the "
           "ranking at cumulative shares of units.",
           "Disparity: Gini G = ΣΣ|x_i − x_j|/(2n²μ); Theil T = (1/n)Σ(x_i/μ)ln(x_i/μ), split into between and "
           "within cities.",
           "Spatial autocorrelation: global Moran's I on row-standardised shared-border contiguity, with a "
           "permutation p-value.",
           "Contributions: with arithmetic means a contribution is weight × score, and the contributions add up to "
           "the total; a year-on-year change is the difference of the contributions."],
}


def methodology_section(ev, lang: str) -> Section:
    fw = ev.framework
    paras = [text_in(fw.name, lg) for lg in langs(lang)]
    desc = fw.description if isinstance(fw.description, dict) else {"en": str(fw.description or "")}
    paras += [text_in(desc, lg) for lg in langs(lang) if text_in(desc, lg)]
    if fw.id == "zhejiang":
        for lg in langs(lang):
            paras += METHOD_NOTES[lg]
    w = ev.weights.set_index(["node", "child"])["weight"] if len(ev.weights) else None
    rows = []
    for aspect in fw.tree.children:
        wa = float(w.loc[(fw.tree.id, aspect.id)]) if w is not None else float("nan")
        for node in aspect.walk():
            if not node.is_indicator:
                continue
            parent = next(p for p in aspect.walk() if any(c.id == node.id for c in p.children))
            wi = float(w.loc[(parent.id, node.id)]) if w is not None else float("nan")
            defin = node.settings.get("definition") or {}
            src = node.settings.get("source") or {}
            rows.append([label(ev, aspect.id, lang), label(ev, node.id, lang), node.unit or "",
                         "+" if node.direction > 0 else "−", wi, wa * wi,
                         " ".join(text_in(defin, lg) for lg in langs(lang)),
                         " ".join(text_in(src, lg) for lg in langs(lang))])
    dictionary = Table(word("dictionary", lang), [word("aspect", lang), word("indicator", lang),
                                                  word("unit_of_measure", lang), word("direction", lang),
                                                  word("weights", lang), word("weight_global", lang),
                                                  word("definition", lang), word("source", lang)],
                       rows, ["text", "text", "text", "text", "p", "p", "text", "text"], sheet="dictionary")
    aspects = Table(word("weights", lang), [word("aspect", lang), word("weights", lang)],
                    [[label(ev, a.id, lang), float(w.loc[(fw.tree.id, a.id)]) if w is not None else None]
                     for a in fw.tree.children], ["text", "p"], sheet="weights")
    steps = []
    for step in ("impute", "treat", "normalise", "weights", "aggregate"):
        if step in fw.defaults:
            steps.append([step, str(fw.defaults[step])])
    methods = Table(word("methods", lang), [word("step", lang), word("method", lang)], steps, ["text", "text"],
                    sheet="methods")
    return Section(word("methodology", lang), paragraphs=paras, tables=[aspects, methods, dictionary],
                   css_class="small", page_break=True)


def audit_section(evs: dict, year, lang: str) -> Section:
    from ..audit import run_audit

    tables = []
    for key, ev in evs.items():
        audit = run_audit(ev, years=[year], remove_one=False)
        cov = audit["coverage_indicators"]
        cov = cov[cov["year"] == year] if "year" in cov else cov
        tables.append(Table(f"{word(key, lang)} {word('coverage', lang)}",
                            [word("indicator", lang), word("coverage", lang), word("imputed", lang), word("treated", lang)],
                            [[label(ev, r["indicator"], lang), r["coverage"], r["imputed"], r["treated"]]
                             for _, r in cov.iterrows()], ["text", "p", "int", "text"], sheet=f"coverage_{key}"))
        con = audit["consistency"]
        tables.append(Table(f"{word(key, lang)} {word('consistency', lang)}",
                            [word("aspect", lang), "k", "n", "Cronbach α", "PC1 share", "α < 0.7", "> 1 eigenvalue"],
                            [[label(ev, r["group"], lang), r["k"], r["n"], r["alpha"], r["pc1_share"],
                              str(bool(r["flag_low_alpha"])), str(bool(r["flag_multidimensional"]))]
                             for _, r in con.iterrows()], ["text", "int", "int", "p", "p", "text", "text"],
                            sheet=f"consistency_{key}"))
        flags = audit.flags()
        tables.append(Table(f"{word(key, lang)} {word('flags', lang)}", ["table", "flag", "where"],
                            flags.values.tolist(), ["text", "text", "text"], sheet=f"flags_{key}"))
    return Section(word("audit", lang), tables=tables, css_class="small", page_break=True)


__all__ = ["methodology_section", "audit_section"]
