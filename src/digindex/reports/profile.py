"""The profile of one unit: score, ranks, tier, trend, aspects, indicators, strengths and
weaknesses, the change attribution, the rank interval of an uncertainty run and the narrative.

Every number comes from the evaluation through :mod:`digindex.explain` and
:mod:`digindex.analytics`; :func:`build_profile` returns a
:class:`~digindex.reports.document.Document`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analytics._common import real_years
from ..explain import change_attribution, narrative, profile_facts, root_contributions, standing
from ..explain import strengths_weaknesses, target_gap
from ..explain._base import check_year, has_city_level, name_of, node_label, parent_of, ranks, row_of
from ..formatting import number, rank as fmt_rank, rank_range
from ..i18n import langs, text
from . import charts
from .document import Document, Image, Section, Table, display, is_synthetic


def names(ev, unit, lang):
    return " ".join(name_of(ev, unit, lg) for lg in langs(lang))


def label(ev, node, lang):
    parts = [node_label(ev, node, lg) for lg in langs(lang)]
    return parts[0] if len(set(parts)) == 1 else " ".join(parts)


def _chart_lang(lang):
    """Charts carry one language (Chinese for ``both``); their caption carries both."""
    return "en" if lang == "en" else "zh"


def uncertainty_row(uncertainty, ev, unit, year):
    """The unit's row of an uncertainty summary (an UncertaintyResult or its summary table)."""
    if uncertainty is None:
        return None, 0
    summary = getattr(uncertainty, "summary", uncertainty)
    runs = int(getattr(uncertainty, "scores", np.empty((0, 0))).shape[0]) or int(summary.attrs.get("runs", 0))
    hit = summary[summary["unit"].astype(str) == str(unit)]
    if len(hit) > 1 and len(summary) == len(ev.panel.units):
        pos = row_of(ev, unit, year)
        hit = summary.iloc[[pos]]
    return (hit.iloc[0] if len(hit) else None), runs


def _summary(ev, unit, year, lang, facts, uncertainty):
    paras = [narrative(ev, unit, year, lg, facts) for lg in langs(lang)]
    city = "rank_in_parent" in facts
    rows = [[text("score", lang), facts["score"], "score"],
            [text("rank_province", lang), fmt_rank(facts["rank"], facts["n"]), "text"]]
    if city:
        rows.append([text("rank_in_city", lang), fmt_rank(facts["rank_in_parent"], facts["n_in_parent"]), "text"])
    if "tier" in facts:
        rows.append([text("tier", lang), " ".join(facts[f"tier_{lg}"] for lg in langs(lang)), "text"])
    if "score_change" in facts:
        rows.append([f"{text('change', lang)} ({facts['prev_year']}→{facts['year']})", facts["score_change"], "signed"])
    table = Table(text("summary", lang), [text("indicator", lang), text("value", lang)],
                  [[r[0], display(r[1], r[2])] for r in rows], ["text", "text"], sheet="summary")
    section = Section(text("summary", lang), paragraphs=paras, tables=[table], css_class="summary")
    row, runs = uncertainty_row(uncertainty, ev, unit, year)
    if row is not None:
        headers = [text("nominal_rank", lang), text("median_rank", lang), text("interval", lang)]
        cells = [[row["nominal_rank"], row["median_rank"], rank_range(row["p05_rank"], row["p95_rank"])]]
        if "parent_p05_rank" in row.index and city:
            headers.append(text("interval_in_city", lang))
            cells[0].append(rank_range(row["parent_p05_rank"], row["parent_p95_rank"]))
        section.tables.append(Table(text("uncertainty", lang), headers, cells, ["rank", "score", "text", "text"][:len(headers)],
                                    sheet="uncertainty", note=text("uncertainty_note", lang, runs=runs)))
    return section


def _trend(ev, unit, lang, spec):
    root = ev.framework.tree.id
    rk, rip = ranks(ev), (ranks(ev, True) if ev.panel.has_parents else None)
    years = real_years(ev)
    rows = []
    for y in years:
        r = row_of(ev, unit, y)
        rows.append([y, ev.scores[root][r], rk[root].iloc[r]] + ([rip[root].iloc[r]] if has_city_level(ev) else []))
    headers = [text("year", lang), text("score", lang), text("rank_province", lang)]
    headers += [text("rank_in_city", lang)] if has_city_level(ev) else []
    cl = _chart_lang(lang)
    spec["trend"] = dict(years=[r[0] for r in rows], scores=[r[1] for r in rows], ranks=[int(r[2]) for r in rows],
                         title=f"{text('trend', cl)}: {label(ev, root, cl)} (#{text('rank_province', cl)})",
                         score_label=text("score", cl))
    return Section(text("trend", lang),
                   tables=[Table(text("trend", lang), headers, rows, ["year", "score", "rank", "rank"][:len(headers)],
                                 sheet="trend")])


def _aspects(ev, unit, year, lang, spec):
    st = standing(ev, year)
    R = root_contributions(ev)
    r = row_of(ev, unit, year)
    mine = st[(st["unit"] == str(unit)) & (st["level"] == 2)]
    city = has_city_level(ev) and parent_of(ev, unit) is not None
    rows = []
    for _, a in mine.iterrows():
        row = [label(ev, a["node"], lang), a["score"], a["rank"]] + ([a["rank_in_parent"]] if city else [])
        row += [a["province_median"]] + ([a["parent_median"]] if city else []) + [R[a["node"]][r]]
        rows.append(row)
    headers = [text("aspect", lang), text("score", lang), text("rank_province", lang)]
    headers += [text("rank_in_city", lang)] if city else []
    headers += [text("median_province", lang)] + ([text("median_city", lang)] if city else []) + [text("contribution", lang)]
    kinds = ["text", "score", "rank"] + (["rank"] if city else []) + ["score"] + (["score"] if city else []) + ["value"]
    cl = _chart_lang(lang)
    spec["aspects"] = dict(labels=[label(ev, n, cl) for n in mine["node"]], scores=mine["score"].to_numpy(float),
                           medians=mine["province_median"].to_numpy(float), ranks=mine["rank"].astype(int).tolist(),
                           title=f"{text('aspects', cl)} {year} (#{text('rank_province', cl)})",
                           median_label=text("median_province", cl))
    return Section(text("aspects", lang),
                   tables=[Table(text("aspects", lang), headers, rows, kinds, sheet="aspects")])


def _indicators(ev, unit, year, lang):
    fw = ev.framework
    st = standing(ev, year)
    R = root_contributions(ev)
    r = row_of(ev, unit, year)
    mine = st[(st["unit"] == str(unit)) & (st["level"] == 1)].set_index("node")
    city = has_city_level(ev) and parent_of(ev, unit) is not None
    rows = []
    for aspect in fw.tree.children:
        for node in aspect.walk():
            if not node.is_indicator:
                continue
            a = mine.loc[node.id]
            row = [label(ev, aspect.id, lang), label(ev, node.id, lang), a["value"], node.unit or "", a["rank"]]
            row += ([a["rank_in_parent"]] if city else []) + [a["province_median"]]
            row += ([a["parent_median"]] if city else []) + [R[node.id][r]]
            rows.append(row)
    headers = [text("aspect", lang), text("indicator", lang), text("value", lang), text("unit_of_measure", lang),
               text("rank_province", lang)] + ([text("rank_in_city", lang)] if city else [])
    headers += [text("median_province", lang)] + ([text("median_city", lang)] if city else []) + [text("contribution", lang)]
    kinds = ["text", "text", "value", "text", "rank"] + (["rank"] if city else []) + ["value"]
    kinds += (["value"] if city else []) + ["value"]
    return Section(text("indicators", lang), tables=[Table(text("indicators", lang), headers, rows, kinds,
                                                           sheet="indicators")], css_class="small")


def _strengths(ev, unit, year, lang):
    sw = strengths_weaknesses(ev, unit, year, n=3, level=1)
    city = has_city_level(ev) and parent_of(ev, unit) is not None
    headers = [text("indicator", lang), text("value", lang), text("unit_of_measure", lang), text("rank_province", lang)]
    headers += [text("rank_in_city", lang), text("median_city", lang), text("gap_city", lang)] if city else []
    tables = []
    for key in ("strengths", "weaknesses"):
        rows = []
        for _, a in sw[key].iterrows():
            row = [label(ev, a["node"], lang), a["value"], a["unit_of_measure"], fmt_rank(a["rank"], a["n"])]
            row += [fmt_rank(a["rank_in_parent"], a["n_in_parent"]), a["parent_median"], a["gap"]] if city else []
            rows.append(row)
        tables.append(Table(text(key, lang), headers, rows, ["text", "value", "text", "text"] + (
            ["text", "value", "value"] if city else []), sheet=key))
    return Section(f"{text('strengths', lang)} / {text('weaknesses', lang)}", tables=tables)


def _change(ev, unit, year, lang, spec):
    if not [y for y in real_years(ev) if y < year]:
        return None
    ca = change_attribution(ev, unit, year)
    asp = ca.nodes[ca.nodes["level"] == 2]
    cl = _chart_lang(lang)
    spec["change"] = dict(labels=[label(ev, n, cl) for n in asp["node"]], changes=asp["change"].to_numpy(float),
                          title=f"{text('change_attribution', cl)} {ca.prev_year}→{ca.year}: "
                                f"{number(ca.score_change, 2, signed=True)}",
                          unit_label=text("points", cl))
    inds = ca.nodes[ca.nodes["level"] == 1]
    inds = inds.reindex(inds["change"].abs().sort_values(ascending=False).index).head(8)
    rows = [[label(ev, n["node"], lang), n["prev"], n["now"], n["change"]] for _, n in asp.iterrows()]
    rows.append([text("total", lang), ca.prev_score, ca.score, ca.score_change])
    headers = [text("aspect", lang), f"{text('contribution', lang)} {ca.prev_year}",
               f"{text('contribution', lang)} {ca.year}", text("change", lang)]
    t1 = Table(text("change_attribution", lang), headers, rows, ["text", "value", "value", "signed"], sheet="change")
    rows2 = [[label(ev, n["node"], lang), n["prev_value"], n["value"], n["prev"], n["now"], n["change"]]
             for _, n in inds.iterrows()]
    t2 = Table(text("indicators", lang), [text("indicator", lang), f"{text('value', lang)} {ca.prev_year}",
                                          f"{text('value', lang)} {ca.year}", f"{text('contribution', lang)} {ca.prev_year}",
                                          f"{text('contribution', lang)} {ca.year}", text("change", lang)],
               rows2, ["text", "value", "value", "value", "value", "signed"], sheet="change_indicators")
    tables = [t1, t2]
    if len(ca.rivals):
        scope_word = {"province": text("rank_province", lang), "parent": text("rank_in_city", lang)}
        rows3 = [[scope_word[v["scope"]], text(v["kind"], lang), names(ev, v["unit"], lang), v["prev_score"],
                  v["score"], v["score_change"]] for _, v in ca.rivals.iterrows()]
        tables.append(Table(text("rivals", lang), ["", "", text("name", lang), ca.prev_year, ca.year,
                                                   text("change", lang)], rows3,
                            ["text", "text", "text", "score", "score", "signed"], sheet="rivals"))
    return Section(text("change_attribution", lang), tables=tables)


def _targets(ev, unit, year, lang, rank):
    scope = "parent" if has_city_level(ev) and parent_of(ev, unit) is not None else "province"
    res = target_gap(ev, unit, rank, scope=scope, year=year, lang="zh" if lang != "en" else "en")
    where = ({lg: name_of(ev, parent_of(ev, unit), lg) for lg in ("zh", "en")} if scope == "parent"
             else {lg: text("the_province", lg) for lg in ("zh", "en")})
    note = text("target_note", lang, scope=where, rank=rank, achieved=res.achieved_rank)
    rows = [[label(ev, t["indicator"], lang), t["unit_of_measure"], t["current"], t["target"], t["change"]]
            for _, t in res.targets.iterrows()]
    table = Table(text("targets", lang), [text("indicator", lang), text("unit_of_measure", lang), text("current", lang),
                                          text("target", lang), text("change", lang)], rows,
                  ["text", "text", "value", "value", "value"], sheet="targets", note=res.message)
    steps = [("；".join(res.sentences("zh")) + "。") if lg == "zh" else ("; ".join(res.sentences("en")) + ".")
             for lg in langs(lang) if len(res.targets)]
    return Section(text("targets", lang), paragraphs=[note] + steps, tables=[table])


def build_profile(ev, unit: str, lang: str = "zh", year=None, uncertainty=None,
                  target_rank: int | None = None) -> Document:
    """The profile :class:`Document` of ``unit`` in ``year`` (default the latest)."""
    langs(lang)
    year = check_year(ev, year)
    unit = str(unit)
    facts = profile_facts(ev, unit, year)
    spec = {"change": None}
    summary = _summary(ev, unit, year, lang, facts, uncertainty)
    sections = [summary, _aspects(ev, unit, year, lang, spec), _strengths(ev, unit, year, lang)]
    change = _change(ev, unit, year, lang, spec)
    if change is not None:
        sections.append(change)
    sections.append(_trend(ev, unit, lang, spec))
    summary.images.append(Image(charts.profile_panel(**spec), f"{text('aspects', lang)} · "
                                f"{text('change_attribution', lang)} · {text('trend', lang)}", "profile"))
    sections.append(_indicators(ev, unit, year, lang))
    if target_rank is not None:
        sections.append(_targets(ev, unit, year, lang, int(target_rank)))
    synthetic = is_synthetic(ev)
    panel = getattr(ev.panel, "origin", None) or ev.panel
    footer = [text("modelled_on", lang) if ev.framework.id == "zhejiang" else "",
              f"{text('data_files', lang)}: " + ", ".join(pd.Series(list(panel.files)).map(lambda p: str(p).rsplit('/', 1)[-1]))]
    if synthetic:
        footer.insert(0, text("synthetic_note", lang))
    return Document(title=f"{names(ev, unit, lang)} — {text('profile_report', lang)}",
                    subtitle=f"{label(ev, ev.framework.tree.id, lang)} · {year}", lang=lang, sections=sections,
                    synthetic=synthetic, mark=f"{text('synthetic', 'en')} / {text('synthetic', 'zh')}" if synthetic else "",
                    footer=[f for f in footer if f], meta={"unit": unit, "year": year, "facts": facts, "kind": "profile"})


__all__ = ["build_profile", "names", "label", "uncertainty_row"]
