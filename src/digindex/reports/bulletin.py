"""The bulletin of an evaluation: rankings of the cities and of the counties for the total
and each aspect, tiers and top-N lists, the biggest movers, disparity (Gini, Theil between
and within cities), Moran's I on county adjacency, choropleth maps, and two annexes
(methodology; data quality and audit, :mod:`digindex.reports.annex`).

Counties and cities are two populations, each with its own evaluation; either may be
None. Every number comes from :mod:`digindex.analytics`, :mod:`digindex.explain` and
:mod:`digindex.reports.spatial`.
"""
from __future__ import annotations

import numpy as np

from ..analytics import disparity, movers, tiers
from ..analytics._common import check_year
from ..explain._base import has_city_level
from ..explain._base import ranks as rank_table
from ..formatting import number, rank as fmt_rank, rank_range
from ..i18n import langs, text
from . import maps
from .annex import audit_section, methodology_section
from .charts import data_uri
from .document import Document, Image, Section, Table, is_synthetic
from .profile import label, names
from .spatial import morans_table


def _rows(ev, year):
    years = np.asarray(ev.panel.years, dtype=object)
    return np.flatnonzero(years == year)


def _ranking(ev, year, lang, key, uncertainty=None):
    """Rank, name, [city], total, rank change, tier, then each aspect as 'score (rank)'."""
    fw = ev.framework
    root, aspects = fw.tree.id, [c.id for c in fw.tree.children]
    rows = _rows(ev, year)
    ranks = rank_table(ev)
    units = np.asarray(ev.panel.units, dtype=object)
    city = has_city_level(ev)
    prev = {}
    earlier = sorted({y for y in ev.panel.years if y is not None and y < year})
    if earlier:
        for i in _rows(ev, earlier[-1]):
            prev[units[i]] = ranks[root].iloc[i]
    tier = {}
    if fw.settings.get("tiers") is not None:
        t = tiers(ev, lang="zh" if lang != "en" else "en")
        t = t[t["year"] == year]
        tier = dict(zip(t["unit"].astype(str), t["tier_label"]))
    interval = {}
    if uncertainty is not None:
        s = getattr(uncertainty, "summary", uncertainty)
        interval = {str(u): rank_range(a, b) for u, a, b in zip(s["unit"], s["p05_rank"], s["p95_rank"])}
    body = []
    for i in sorted(rows, key=lambda r: (ranks[root].iloc[r], str(units[r]))):
        u = units[i]
        row = [ranks[root].iloc[i], names(ev, u, lang)]
        row += [names(ev, ev.panel.parents.get(u), lang)] if city else []
        row += [ev.scores[root][i], (prev[u] - ranks[root].iloc[i]) if u in prev else None, tier.get(str(u), "")]
        row += [interval.get(str(u), "")] if interval else []
        row += [f"{number(ev.scores[a][i], 1)} ({fmt_rank(ranks[a].iloc[i])})" for a in aspects]
        body.append(row)
    headers = [text("rank", lang), text("name", lang)] + ([text("in_city", lang)] if city else [])
    headers += [text("total", lang), text("change", lang), text("tier", lang)]
    headers += [text("interval", lang)] if interval else []
    headers += [label(ev, a, lang) for a in aspects]
    kinds = ["rank", "text"] + (["text"] if city else []) + ["score", "int", "text"]
    kinds += (["text"] if interval else []) + ["text"] * len(aspects)
    return Table(f"{text(key, lang)} {text('ranking', lang)} {year}", headers, body, kinds, sheet=f"ranking_{key}")


def _top(ev, year, lang, key, n):
    fw = ev.framework
    nodes = [fw.tree.id] + [c.id for c in fw.tree.children]
    ranks = rank_table(ev)
    rows = _rows(ev, year)
    units = np.asarray(ev.panel.units, dtype=object)
    cols = []
    for node in nodes:
        order = sorted(rows, key=lambda r: (ranks[node].iloc[r], str(units[r])))[:n]
        cols.append([f"{names(ev, units[r], lang)} {number(ev.scores[node][r], 1)}" for r in order])
    body = [[k + 1] + [c[k] if k < len(c) else "" for c in cols] for k in range(min(n, len(rows)))]
    return Table(f"{text(key, lang)} {text('top_n', lang, n=n)}", [text("rank", lang)] +
                 [label(ev, x, lang) for x in nodes], body, ["rank"] + ["text"] * len(nodes), sheet=f"top_{key}")


def _tiers(ev, year, lang, key):
    if ev.framework.settings.get("tiers") is None:
        return None
    t = tiers(ev, lang="zh" if lang != "en" else "en")
    t = t[t["year"] == year].sort_values(["tier", "rank"])
    body = [[lab, len(g), "、".join(names(ev, u, lang) for u in g["unit"])] for lab, g in t.groupby("tier_label", sort=False)]
    return Table(f"{text(key, lang)} {text('tiers', lang)}", [text("tier", lang), text("n_units", lang), text("name", lang)],
                 body, ["text", "int", "text"], sheet=f"tiers_{key}")


def _movers(ev, year, lang, key, n=5):
    m = movers(ev, year=year, n=n)
    body = [[text("risers" if r["direction"] == "riser" else "fallers", lang), names(ev, r["unit"], lang), r["prev_rank"],
             r["rank"], r["rank_change"], r["score_change"]] for _, r in m.iterrows()]
    return Table(f"{text(key, lang)} {text('movers', lang)}", ["", text("name", lang), text("prev", lang),
                                                               text("rank", lang), text("change", lang), text("score", lang)],
                 body, ["text", "text", "rank", "rank", "int", "signed"], sheet=f"movers_{key}")


def _disparity(ev, lang, key):
    d = disparity(ev)
    city = has_city_level(ev)
    body = [[r["year"], r["n"], r["mean"], r["cv"], r["gini"], r["theil"]] +
            ([r["theil_between"], r["theil_within"], r["between_share"]] if city else []) for _, r in d.iterrows()]
    headers = [text("year", lang), "n", "mean", "CV", "Gini", "Theil T"]
    headers += ["Theil between", "Theil within", "between share"] if city else []
    return Table(f"{text(key, lang)} {text('disparity', lang)}", headers, body,
                 ["year", "int", "score"] + ["p"] * (len(headers) - 3), sheet=f"disparity_{key}")


def _maps(ev, year, lang, key, geoms, city_geoms):
    fw = ev.framework
    rows = _rows(ev, year)
    units = np.asarray(ev.panel.units, dtype=object)
    matched, missing = maps.reconcile(units[rows], geoms)
    images = []
    labels = {u: names(ev, u, "zh" if lang != "en" else "en") for u in matched} if key == "cities" else None
    for node in [fw.tree.id] + [c.id for c in fw.tree.children]:
        values = dict(zip(map(str, units[rows]), ev.scores[node][rows]))
        fig, _ = maps.choropleth({u: values[u] for u in matched}, matched, f"{label(ev, node, lang)} {year}",
                                 f"{text('score', lang)}", borders=city_geoms, labels=labels,
                                 missing_label=text("no_data", lang))
        images.append(Image(data_uri(fig, dpi=100, tight=True), f"{text(key, lang)}: {label(ev, node, lang)}", f"{key}:{node}"))
    return images, missing


def _moran(ev, year, lang, permutations, cache):
    fw = ev.framework
    nb = maps.unit_adjacency(np.asarray(ev.panel.units, dtype=object)[_rows(ev, year)],
                             maps.adjacency(cache=cache))
    nodes = [fw.tree.id] + [c.id for c in fw.tree.children]
    m = morans_table(ev, nb, year, nodes, permutations=permutations)
    body = [[label(ev, r["node"], lang), r["I"], r["EI"], r["z"], r["p_sim"], r["n"]] for _, r in m.iterrows()]
    islands = [u for u, v in nb.items() if not v]
    note = (text("permutations", lang, n=permutations) + "; " + text("island_note", lang)
            + "、".join(names(ev, u, lang) for u in islands))
    return Table(f"{text('counties', lang)} {text('moran', lang)} {year}",
                 [text("indicator", lang), "I", "E[I]", "z", "p (perm.)", "n"], body,
                 ["text", "p", "p", "p", "p", "int"], sheet="moran", note=note)


def build_bulletin(ev_counties, ev_cities, lang="zh", year=None, permutations=999, top=10, cache=None,
                   uncertainty=None) -> Document:
    """The bulletin :class:`Document` (see the module doc)."""
    langs(lang)
    evs = {k: v for k, v in (("cities", ev_cities), ("counties", ev_counties)) if v is not None}
    if not evs:
        raise ValueError("give at least one evaluation (counties or cities)")
    any_ev = next(iter(evs.values()))
    year = check_year(any_ev, year)
    uncertainty = uncertainty or {}
    bounds = maps.boundaries(cache=cache)
    sections = []
    for key, ev in evs.items():
        tables = [_ranking(ev, year, lang, key, uncertainty.get(key)), _top(ev, year, lang, key, min(top, 5) if key == "cities" else top)]
        t = _tiers(ev, year, lang, key)
        tables += [t] if t is not None else []
        if len({y for y in ev.panel.years if y is not None}) > 1:
            tables.append(_movers(ev, year, lang, key))
        tables.append(_disparity(ev, lang, key))
        sections.append(Section(f"{text(key, lang)} {text('ranking', lang)}", tables=tables, css_class="small",
                                page_break=bool(sections)))
    if "counties" in evs:
        sections.append(Section(text("moran", lang), tables=[_moran(evs["counties"], year, lang, permutations, cache)]))
    for key, ev in evs.items():
        geoms = bounds["county"] if key == "counties" else bounds["city"]
        images, missing = _maps(ev, year, lang, key, geoms, bounds["city"])
        paras = [text("boundaries_note", lang)] + ([f"{text('no_data', lang)}: {', '.join(missing)}"] if missing else [])
        sections.append(Section(f"{text(key, lang)} {text('maps', lang)}", paragraphs=paras, images=images,
                                css_class="maps", page_break=True))
    sections.append(methodology_section(any_ev, lang))
    sections.append(audit_section(evs, year, lang))
    synthetic = is_synthetic(*evs.values())
    fw = any_ev.framework
    footer = [text("synthetic_note", lang)] if synthetic else []
    footer += [text("modelled_on", lang)] if fw.id == "zhejiang" else []
    return Document(title=f"{label(any_ev, fw.tree.id, lang)} {year} — {text('bulletin', lang)}",
                    subtitle=" · ".join(f"{text(k, lang)}: {len(_rows(v, year))}" for k, v in evs.items()), lang=lang,
                    sections=sections, synthetic=synthetic,
                    mark=f"{text('synthetic', 'en')} / {text('synthetic', 'zh')}" if synthetic else "",
                    footer=footer, meta={"kind": "bulletin", "year": year})


__all__ = ["build_bulletin"]
