"""The profile report of one unit: the :class:`~digindex.reports.unitprofile.Profile` laid out as a
:class:`~digindex.reports.document.Document` (summary and narrative, charts, a locator map, aspects,
strengths and weaknesses, the change, the trend, the indicators and the target gap).

Headers and sentences follow the population (:mod:`digindex.reports.population`): 全国排名 and
区域内排名 for provinces grouped east/central/west, 全省排名 and 市内排名 for a province's counties;
scores carry the decimals of their scale.
"""
from __future__ import annotations

import numpy as np

from ..formatting import number, rank as fmt_rank, rank_range
from ..i18n import langs, text
from . import charts
from .document import Document, Image, Section, Table
from .population import said
from .unitprofile import RIVALS, Profile, unit_profile


def _chart_lang(lang):
    """Charts carry one language (Chinese for ``both``); their caption carries both."""
    return "en" if lang == "en" else "zh"


def _summary(p: Profile, lang) -> Section:
    pop = p.population
    rows = [[text("score", lang), number(p.score, p.digits)],
            [pop.rank_header(lang), fmt_rank(p.rank, p.n)]]
    if p.peer:
        rows.append([f"{pop.peer_header('rank', lang)} ({said(p.peer['name'], lang)})",
                     fmt_rank(p.peer["rank"], p.peer["n"])])
    if p.tier:
        rows.append([text("tier", lang), said(p.tier, lang)])
    if p.change:
        rows.append([f"{text('change', lang)} ({p.change['prev_year']}→{p.year})",
                     number(p.change["score_change"], max(p.digits, 2), signed=True)])
    table = Table(text("summary", lang), [text("indicator", lang), text("value", lang)], rows, ["text", "text"],
                  sheet="summary")
    section = Section(text("summary", lang), paragraphs=[p.narrative[lg] for lg in langs(lang)], tables=[table],
                      css_class="summary")
    u = p.uncertainty
    if u is not None:
        headers = [text("nominal_rank", lang), text("median_rank", lang), text("interval", lang)]
        cells = [u["nominal_rank"], u["median_rank"], rank_range(u["p05"], u["p95"])]
        if "peer_p05" in u:
            headers.append(f"{pop.peer_header('rank', lang)} · {text('interval', lang)}")
            cells.append(rank_range(u["peer_p05"], u["peer_p95"]))
        section.tables.append(Table(text("uncertainty", lang), headers, [cells],
                                    ["rank", "value", "text", "text"][:len(headers)], sheet="uncertainty",
                                    note=text("uncertainty_note", lang, runs=u["runs"])))
    return section


def _aspects(p: Profile, lang) -> Section:
    pop, peer, contrib = p.population, p.peer is not None, not p.contributions
    headers = [text("aspect", lang), text("score", lang), pop.rank_header(lang)]
    headers += [pop.peer_header("rank", lang)] if peer else []
    headers += [pop.median_header(lang)] + ([pop.peer_header("median", lang)] if peer else [])
    headers += [text("contribution", lang)] if contrib else []
    kinds = ["text", "score", "rank"] + (["rank"] if peer else []) + ["score"] + (["score"] if peer else [])
    kinds += ["value"] if contrib else []
    rows = []
    for a in p.aspects:
        row = [said(a["label"], lang), a["score"], a["rank"]] + ([a["peer_rank"]] if peer else [])
        row += [a["median"]] + ([a["peer_median"]] if peer else []) + ([a["contribution"]] if contrib else [])
        rows.append(row)
    note = "" if contrib else text("contributions_unavailable", lang, method=p.aggregation)
    return Section(text("aspects", lang), tables=[Table(text("aspects", lang), headers, rows, kinds, sheet="aspects",
                                                        note=note, digits=p.digits)])


def _indicators(p: Profile, lang) -> Section:
    pop, peer, contrib = p.population, p.peer is not None, not p.contributions
    headers = [text("aspect", lang), text("indicator", lang), text("value", lang), text("unit_of_measure", lang),
               pop.rank_header(lang)] + ([pop.peer_header("rank", lang)] if peer else [])
    headers += [pop.median_header(lang)] + ([pop.peer_header("median", lang)] if peer else [])
    headers += [text("contribution", lang)] if contrib else []
    kinds = ["text", "text", "value", "text", "rank"] + (["rank"] if peer else []) + ["value"]
    kinds += (["value"] if peer else []) + (["value"] if contrib else [])
    rows = []
    for k, i in enumerate(p.indicators):
        first = k == 0 or p.indicators[k - 1]["aspect"] != i["aspect"]
        row = [said(i["aspect_label"], lang) if first else "", said(i["label"], lang), i["value"],
               i["unit_of_measure"], i["rank"]]
        row += ([i["peer_rank"]] if peer else []) + [i["median"]]
        row += ([i["peer_median"]] if peer else []) + ([i["contribution"]] if contrib else [])
        rows.append(row)
    return Section(text("indicators", lang), tables=[Table(text("indicators", lang), headers, rows, kinds,
                                                           sheet="indicators", digits=p.digits)], css_class="small")


def _strengths(p: Profile, lang) -> Section:
    pop, peer = p.population, p.peer is not None
    headers = [text("indicator", lang), text("value", lang), text("unit_of_measure", lang), pop.rank_header(lang)]
    headers += [pop.peer_header(what, lang) for what in ("rank", "median", "gap")] if peer else []
    tables = []
    for key, items in (("strengths", p.strengths), ("weaknesses", p.weaknesses)):
        rows = []
        for a in items:
            row = [said(a["label"], lang), a["value"], a["unit_of_measure"], fmt_rank(a["rank"], a["n"])]
            row += [fmt_rank(a["peer_rank"], a["peer_n"]), a["peer_median"], a["gap"]] if peer else []
            rows.append(row)
        tables.append(Table(text("strengths" if key == "strengths" else "weaknesses", lang), headers, rows,
                            ["text", "value", "text", "text"] + (["text", "value", "value"] if peer else []),
                            sheet=key, digits=p.digits))
    return Section(f"{text('strengths', lang)} / {text('weaknesses', lang)}", tables=tables)


def _change(p: Profile, lang) -> Section | None:
    ch = p.change
    if ch is None:
        return None
    prev, now = ch["prev_year"], ch["year"]
    if ch["by"] == "scores":  # no contributions: each aspect's own score
        rows = [[said(a["label"], lang), a["prev"], a["now"], a["change"]] for a in ch["aspects"]]
        rows.append([text("total", lang), ch["prev_score"], ch["score"], ch["score_change"]])
        t = Table(text("aspect_changes", lang), [text("aspect", lang), f"{text('score', lang)} {prev}",
                                                 f"{text('score', lang)} {now}", text("change", lang)], rows,
                  ["text", "score", "score", "signed"], sheet="change", digits=p.digits,
                  note=text("contributions_unavailable", lang, method=p.aggregation))
        return Section(text("aspect_changes", lang), tables=[t])
    rows = [[said(a["label"], lang), a["prev"], a["now"], a["change"]] for a in ch["aspects"]]
    rows.append([text("total", lang), ch["prev_score"], ch["score"], ch["score_change"]])
    t1 = Table(text("change_attribution", lang), [text("aspect", lang), f"{text('contribution', lang)} {prev}",
                                                  f"{text('contribution', lang)} {now}", text("change", lang)],
               rows, ["text", "value", "value", "signed"], sheet="change", digits=p.digits)
    rows2 = [[said(i["label"], lang), i["prev_value"], i["value"], i["prev"], i["now"], i["change"]]
             for i in ch["indicators"]]
    t2 = Table(text("indicators", lang), [text("indicator", lang), f"{text('value', lang)} {prev}",
                                          f"{text('value', lang)} {now}", f"{text('contribution', lang)} {prev}",
                                          f"{text('contribution', lang)} {now}", text("change", lang)],
               rows2, ["text", "value", "value", "value", "value", "signed"], sheet="change_indicators",
               digits=p.digits)
    tables = [t1, t2]
    if ch["rivals"]:
        pop = p.population
        where = {"population": pop.rank_header(lang),
                 "peers": pop.peer_header("rank", lang) if p.peer else ""}
        rows3, shown = [], {}
        for v in ch["rivals"]:  # at most RIVALS of each kind and scope; the Excel sheet too
            key = (v["scope"], v["kind"])
            shown[key] = shown.get(key, 0) + 1
            if shown[key] <= RIVALS:
                rows3.append([where[v["scope"]], text("passed" if v["kind"] == "passed" else "overtook", lang),
                              said(v["name"], lang), v["prev_score"], v["score"], v["score_change"]])
        more = sum(max(0, k - RIVALS) for k in shown.values())
        tables.append(Table(text("rivals", lang), ["", "", text("name", lang), str(prev), str(now),
                                                   text("change", lang)], rows3,
                            ["text", "text", "text", "score", "score", "signed"], sheet="rivals", digits=p.digits,
                            note=text("rivals_more", lang, n=more, k=RIVALS) if more else ""))
    return Section(text("change_attribution", lang), tables=tables)


def _trend(p: Profile, lang) -> Section:
    pop, peer = p.population, p.peer is not None
    headers = [text("year", lang), text("score", lang), pop.rank_header(lang)]
    headers += [pop.peer_header("rank", lang)] if peer else []
    rows = [[t["year"], t["score"], t["rank"]] + ([t["peer_rank"]] if peer else []) for t in p.trend]
    return Section(text("trend", lang), tables=[Table(text("trend", lang), headers, rows,
                                                      ["year", "score", "rank", "rank"][:len(headers)], sheet="trend",
                                                      digits=p.digits)])


def _targets(p: Profile, lang) -> Section:
    t = p.target
    note = text("target_note", lang, scope=t["scope"], rank=t["rank"], achieved=t["achieved"])
    rows = [[said(x["label"], lang), x["unit_of_measure"], x["current"], x["target"], x["change"]]
            for x in t["targets"]]
    table = Table(text("targets", lang), [text("indicator", lang), text("unit_of_measure", lang), text("current", lang),
                                          text("target", lang), text("change", lang)], rows,
                  ["text", "text", "value", "value", "value"], sheet="targets", note=t["message"])
    steps = [("；".join(t["sentences"]["zh"]) + "。") if lg == "zh" else ("; ".join(t["sentences"]["en"]) + ".")
             for lg in langs(lang) if t["targets"]]
    return Section(text("targets", lang), paragraphs=[note] + steps, tables=[table])


def _charts(p: Profile, lang) -> Image:
    cl = _chart_lang(lang)
    pop, d = p.population, p.digits
    aspects = dict(labels=[a["label"][cl] for a in p.aspects], scores=np.array([a["score"] for a in p.aspects], float),
                   medians=np.array([a["median"] for a in p.aspects], float), ranks=[a["rank"] for a in p.aspects],
                   title=f"{text('aspects', cl)} {p.year} (#{pop.rank_header(cl)})",
                   median_label=pop.median_header(cl), digits=d)
    trend = dict(years=[t["year"] for t in p.trend], scores=[t["score"] for t in p.trend],
                 ranks=[t["rank"] for t in p.trend],
                 title=f"{text('trend', cl)}: {p.index[cl]} (#{pop.rank_header(cl)})", score_label=text("score", cl),
                 digits=d)
    change = None
    if p.change:
        ch = p.change
        by_contributions = ch["by"] == "contributions"
        change = dict(labels=[a["label"][cl] for a in ch["aspects"]],
                      changes=np.array([np.nan if a["change"] is None else a["change"] for a in ch["aspects"]], float),
                      title=f"{text('change_attribution' if by_contributions else 'aspect_changes', cl)} "
                            f"{ch['prev_year']}→{ch['year']}: "
                            f"{number(ch['score_change'], max(d, 2), signed=True)}",
                      unit_label=text("points", cl) if d <= 1 else text("score", cl), digits=max(d, 2))
    moved = text("change_attribution" if p.change and p.change["by"] == "contributions" else "aspect_changes", lang)
    return Image(charts.profile_panel(aspects, trend, change),
                 f"{text('aspects', lang)} · {moved} · {text('trend', lang)}", "profile")


def profile_document(p: Profile, lang: str = "zh", map_image: Image | None = None) -> Document:
    """The profile :class:`Document` of a :class:`Profile` in ``lang`` (zh, en or both)."""
    langs(lang)
    summary = _summary(p, lang)
    summary.images.append(_charts(p, lang))
    sections = [summary]
    if map_image is not None:
        sections.append(Section(text("map", lang), images=[map_image], css_class="map"))
    sections += [_aspects(p, lang), _strengths(p, lang)]
    change = _change(p, lang)
    if change is not None:
        sections.append(change)
    sections += [_trend(p, lang), _indicators(p, lang)]
    if p.target is not None:
        sections.append(_targets(p, lang))
    footer = [text("synthetic_note", lang)] if p.synthetic else []
    footer += [text("modelled_on", lang)] if p.framework == "zhejiang" else []
    footer += [f"{text('data_files', lang)}: " + ", ".join(p.files)] if p.files else []
    pop = p.population
    return Document(title=f"{said(p.name, lang)} — {text('profile_report', lang)}",
                    subtitle=f"{said(p.index, lang)} · {p.year} · {said(pop.among(p.n), lang)}", lang=lang,
                    sections=sections, synthetic=p.synthetic,
                    mark=f"{text('synthetic', 'en')} / {text('synthetic', 'zh')}" if p.synthetic else "",
                    footer=footer, meta={"unit": p.unit, "year": p.year, "kind": "profile", "profile": p})


def locator_map(ev, p: Profile, lang: str, geometry: dict | None = None, cache=None) -> Image | None:
    """The unit outlined on a tier map of its population (None when there are no boundaries)."""
    from .population import region_name
    from .tiermaps import node_map, population_base

    pop = p.population
    caption = text("locator", lang, name=p.name, among=pop.among(p.n))
    base = None
    if geometry is None and pop.extent == "" and pop.level in ("prefecture", "county"):
        # a city or county of the nation: its province's units, coloured by their national tiers
        province = p.unit[:2]
        years = np.asarray(ev.panel.years, dtype=object)
        units = [str(u) for u in np.asarray(ev.panel.units, dtype=object)[years == p.year] if str(u)[:2] == province]
        base = population_base(ev, pop, p.year, lang, cache=cache, units=units, extent=province)
        region = {lg: region_name(province, lg) for lg in ("zh", "en")}
        caption = text("locator_part", lang, name=p.name, among=pop.among(p.n), region=region)
    return node_map(ev, pop, ev.framework.tree.id, p.year, lang, base=base, geometry=geometry, cache=cache,
                    highlight=p.unit, caption=caption)


def build_profile(ev, unit: str, lang: str = "zh", year=None, uncertainty=None, target_rank: int | None = None,
                  groups: dict | None = None, geometry: dict | None = None, cache=None,
                  with_map: bool = True) -> Document:
    """The profile :class:`Document` of ``unit`` in ``year`` (default the latest): :func:`unit_profile`
    laid out by :func:`profile_document`, with a locator map when boundaries are at hand."""
    from .population import with_peers

    p = unit_profile(ev, unit, year=year, groups=groups, uncertainty=uncertainty, target_rank=target_rank)
    image = locator_map(with_peers(ev, groups), p, lang, geometry, cache) if with_map else None
    return profile_document(p, lang, image)


__all__ = ["build_profile", "profile_document", "locator_map"]
