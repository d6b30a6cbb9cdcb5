"""The bulletin of one or more populations: rankings for the total and each aspect, tiers and top-N
lists, the biggest movers, disparity (Gini, Theil between and within peer groups), Moran's I on
contiguity, a chapter on disparity and dynamics when there are peer groups (Dagum's Gini by group,
the density of the scores, the Markov transitions; :mod:`digindex.reports.dynamics`), tier maps, and two annexes (methodology; data quality and audit,
:mod:`digindex.reports.annex`).

A population is one evaluation: China's provinces, the cities of a province or of the nation,
the counties of a city, a province or the nation, or units with a geometry file. Its words
(全国31个省（区、市）, 全省90个县（市、区）, 东部地区) come from :mod:`digindex.reports.population`;
groups (``groups``) become the peer groups of the rankings and of the Theil decomposition.
Populations are shown from the highest level down (provinces, cities, counties).

Every number comes from :mod:`digindex.analytics`, :mod:`digindex.explain` and
:mod:`digindex.analytics.research.moran` (Moran's I on shared-border contiguity from
:mod:`digindex.regions.boundaries`, a geometry file, or a neighbours file).
"""
from __future__ import annotations

import numpy as np

from ..analytics import disparity, movers, tiers
from ..analytics._common import check_year
from ..explain._base import ranks as rank_table
from ..formatting import number, rank as fmt_rank, rank_range
from ..i18n import langs, text
from ..regions.boundaries import contiguity
from . import maps
from .annex import audit_section, methodology_section
from .document import Document, Section, Table, is_synthetic
from .dynamics import dynamics_section
from .population import (Population, describe, heading, label, names, peers_of, points, said, shown, unit_names,
                         with_peers)
from ..analytics.research.moran import moran_year
from ..analytics.research.spatial import Neighbours
from .tiermaps import node_map, population_base

LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2, None: 3}
LEGACY_KEYS = {"counties": "county", "cities": "prefecture"}
PRINT_ROWS = 100      # rankings longer than this show their first rows in HTML/PDF (Excel has all)
LIST_NAMES = 40       # a tier lists at most this many names in HTML/PDF


def _rows(ev, year):
    years = np.asarray(ev.panel.years, dtype=object)
    return np.flatnonzero(years == year)


def _overview(ev, pop: Population, year, lang) -> list[str]:
    """One paragraph per language: the mean, the top three, the change of the mean and of the Gini, the tiers."""
    root = ev.framework.tree.id
    S = shown(ev)
    d = disparity(ev).set_index("year")
    rows = _rows(ev, year)
    ranks = rank_table(ev)
    units = np.asarray(ev.panel.units, dtype=object)
    rank_of = ranks[root].to_numpy(dtype=float, na_value=np.nan)
    best = sorted(rows, key=lambda r: (rank_of[r], str(units[r])))[:3]
    index = {lg: label(ev, root, lg) for lg in ("zh", "en")}
    index["en"] = index["en"][:1].lower() + index["en"][1:]
    earlier = [y for y in d.index if y is not None and y < year]
    tiers_count = None
    if ev.framework.settings.get("tiers") is not None:
        t = tiers(ev)
        t = t[t["year"] == year]
        config = ev.framework.settings["tiers"]
        tiers_count = {k: int((t["tier"] == k).sum()) for k in range(1, len(config.cuts) + 2)}
    out = []
    for lg in langs(lang):
        top = [f"{_long_name(ev, pop, units[r], lg)}（{number(S[root][r], pop.digits)}）" if lg == "zh" else
               f"{_long_name(ev, pop, units[r], lg)} ({number(S[root][r], pop.digits)})" for r in best]
        s = text("bul_overview", lg, year=year, among=pop.among(len(rows)), index=index,
                 mean=number(d.loc[year, "mean"], pop.digits), points=points(pop),
                 top=_listing(top, lg))
        if earlier:
            change = d.loc[year, "mean"] - d.loc[earlier[-1], "mean"]
            s += ("" if lg == "zh" else " ") + text(
                "bul_mean_change", lg, prev_year=earlier[-1], verb=text("nar_rose" if change >= 0 else "nar_fell", lg),
                change=number(abs(change), pop.digits), points=points(pop),
                gini_prev=number(d.loc[earlier[-1], "gini"], 3), gini=number(d.loc[year, "gini"], 3))
        if tiers_count:
            config = ev.framework.settings["tiers"]
            counts = ("，" if lg == "zh" else ", ").join(
                f"{config.label(k, lg)}{n}个" if lg == "zh" else f"{config.label(k, lg)}: {n}"
                for k, n in tiers_count.items())
            s += ("" if lg == "zh" else " ") + text("bul_tiers", lg, counts=counts)
        out.append(s)
    return out


def _listing(items: list[str], lg: str) -> str:
    """A、B和C / A, B and C."""
    if len(items) < 2:
        return "".join(items)
    return text("list_and", lg, rest=("、" if lg == "zh" else ", ").join(items[:-1]), last=items[-1])


def _more(n: int, lang: str) -> str:
    """等（另有n个） / and n more, after a list of names."""
    return ("" if lang == "zh" else " ") + text("and_more", lang, n=n)


def _long_name(ev, pop: Population, unit, lang: str) -> str:
    """A unit's name with its parent region where names repeat across the population (the counties or
    cities of the nation): 济南市历城区 / Licheng District, Jinan City."""
    if pop.extent != "" or pop.level == "province" or pop.peer_kind not in ("city", "province"):
        return names(ev, unit, lang)
    parent = ev.panel.parents.get(str(unit))
    own, up = unit_names(ev, unit), unit_names(ev, parent) if parent else None
    if not up:
        return names(ev, unit, lang)
    return said({"zh": f"{up['zh']}{own['zh']}", "en": f"{own['en']}, {up['en']}"}, lang)


def _ranking(ev, pop: Population, year, lang, uncertainty=None) -> Table:
    """Rank, name, [peer group], total, rank change, tier, [interval], then each aspect as 'score (rank)'."""
    fw = ev.framework
    root, aspects = fw.tree.id, [c.id for c in fw.tree.children]
    rows = _rows(ev, year)
    ranks = rank_table(ev)
    units = np.asarray(ev.panel.units, dtype=object)
    peers = peers_of(ev)
    prev = {}
    earlier = sorted({y for y in ev.panel.years if y is not None and y < year})
    if earlier:
        previous = ranks[root].to_numpy(dtype=float, na_value=np.nan)
        for i in _rows(ev, earlier[-1]):
            prev[units[i]] = previous[i]
    tier = {}
    if fw.settings.get("tiers") is not None:
        t = tiers(ev, lang="zh" if lang != "en" else "en")
        t = t[t["year"] == year]
        tier = dict(zip(t["unit"].astype(str), t["tier_label"]))
    interval = {}
    if uncertainty is not None:
        s = getattr(uncertainty, "summary", uncertainty)
        interval = {str(u): rank_range(a, b) for u, a, b in zip(s["unit"], s["p05_rank"], s["p95_rank"])}
    d = pop.digits
    S = shown(ev)
    rank_of = {node: ranks[node].to_numpy(dtype=float, na_value=np.nan) for node in [root, *aspects]}
    body = []
    for i in sorted(rows, key=lambda r: (rank_of[root][r], str(units[r]))):
        u = units[i]
        row = [rank_of[root][i], names(ev, u, lang)]
        row += [said(pop.peer_name(peers.get(str(u))), lang)] if peers else []
        row += [S[root][i], (prev[u] - rank_of[root][i]) if u in prev else None, tier.get(str(u), "")]
        row += [interval.get(str(u), "")] if interval else []
        row += [f"{number(S[a][i], d)} ({fmt_rank(rank_of[a][i])})" for a in aspects]
        body.append(row)
    headers = [text("rank", lang), text("name", lang)] + ([pop.peer_header("column", lang)] if peers else [])
    headers += [text("total", lang), text("change", lang), text("tier", lang)]
    headers += [text("interval", lang)] if interval else []
    headers += [label(ev, a, lang) for a in aspects]
    kinds = ["rank", "text"] + (["text"] if peers else []) + ["score", "int", "text"]
    kinds += (["text"] if interval else []) + ["text"] * len(aspects)
    cut = PRINT_ROWS if len(body) > PRINT_ROWS * 1.5 else None
    note = text("table_cut", lang, n=PRINT_ROWS, total=len(body)) if cut else ""
    return Table(heading(pop.title(), "ranking", lang, year), headers, body, kinds,
                 sheet=f"ranking_{pop.level or 'units'}", digits=d, print_rows=cut, note=note)


def _top(ev, pop, year, lang, n):
    fw = ev.framework
    nodes = [fw.tree.id] + [c.id for c in fw.tree.children]
    ranks = rank_table(ev)
    rows = _rows(ev, year)
    units = np.asarray(ev.panel.units, dtype=object)
    S = shown(ev)
    cols = []
    for node in nodes:
        rank_of = ranks[node].to_numpy(dtype=float, na_value=np.nan)
        order = sorted(rows, key=lambda r: (rank_of[r], str(units[r])))[:n]
        cols.append([f"{names(ev, units[r], lang)} {number(S[node][r], pop.digits)}" for r in order])
    body = [[k + 1] + [c[k] if k < len(c) else "" for c in cols] for k in range(min(n, len(rows)))]
    return Table(heading(pop.title(), "top_n", lang, n=n), [text("rank", lang)] + [label(ev, x, lang) for x in nodes],
                 body, ["rank"] + ["text"] * len(nodes),
                 sheet=f"top_{pop.level or 'units'}")


def _tiers(ev, pop, year, lang):
    if ev.framework.settings.get("tiers") is None:
        return None
    t = tiers(ev, lang="zh" if lang != "en" else "en")
    t = t[t["year"] == year].sort_values(["tier", "rank"])
    sep = "、" if lang != "en" else ", "
    body = []
    for lab, g in t.groupby("tier_label", sort=False):
        listed = [names(ev, u, lang) for u in g["unit"]]
        more = len(listed) - LIST_NAMES
        shown = sep.join(listed[:LIST_NAMES]) + (_more(more, lang) if more > 0 else "")
        body.append([lab, len(g), shown])
    return Table(heading(pop.title(), "tiers", lang), [text("tier", lang), text("n_units", lang), text("name", lang)],
                 body, ["text", "int", "text"], sheet=f"tiers_{pop.level or 'units'}")


def _movers(ev, pop, year, lang, n=5):
    m = movers(ev, year=year, n=n)
    body = [[text("risers" if r["direction"] == "riser" else "fallers", lang), names(ev, r["unit"], lang),
             r["prev_rank"], r["rank"], r["rank_change"], r["score_change"]] for _, r in m.iterrows()]
    return Table(heading(pop.title(), "movers", lang), ["", text("name", lang), text("prev", lang), text("rank", lang),
                                                        text("change", lang), text("score", lang)],
                 body, ["text", "text", "rank", "rank", "int", "signed"], sheet=f"movers_{pop.level or 'units'}",
                 digits=pop.digits)


def _disparity(ev, pop, lang):
    d = disparity(ev)
    peers = bool(peers_of(ev))
    body = [[r["year"], r["n"], r["mean"], r["cv"], r["gini"], r["theil"]] +
            ([r["theil_between"], r["theil_within"], r["between_share"]] if peers else []) for _, r in d.iterrows()]
    headers = [text("year", lang), "n", text("mean", lang), "CV", "Gini", "Theil T"]
    headers += [text("theil_between", lang), text("theil_within", lang), text("between_share", lang)] if peers else []
    groups = pop.peer_noun()
    note = text("theil_note", lang, groups=groups) if peers else ""
    return Table(heading(pop.title(), "disparity", lang), headers, body,
                 ["year", "int", "score"] + ["p"] * (len(headers) - 3), sheet=f"disparity_{pop.level or 'units'}",
                 digits=pop.digits, note=note)


def neighbours_of(ev, pop: Population, year, geometry=None, neighbours=None, cache=None) -> dict | None:
    """{unit: neighbours} of the population in ``year``: a neighbours mapping as given, the contiguity of
    ``geometry``, or the shared borders of Chinese units (None when there is none to build)."""
    units = np.asarray(ev.panel.units, dtype=object)[_rows(ev, year)]
    if neighbours is not None:
        keep = {str(u) for u in units}
        return {u: [v for v in neighbours.get(u, []) if v in keep] for u in sorted(keep)}
    if geometry is not None:
        matched, _ = maps.reconcile(units, geometry)
        return contiguity(matched)
    if pop.level not in maps.BOUNDARY_LEVEL or pop.extent is None:
        return None
    return maps.unit_adjacency(units, maps.adjacency(pop.extent or None, maps.BOUNDARY_LEVEL[pop.level], cache=cache))


def _moran(ev, pop, nb, year, lang, permutations):
    """Global Moran's I of the index and the aspects in ``year``, by the analytics' Moran (esda)."""
    fw = ev.framework
    rows = _rows(ev, year)
    all_units = [str(u) for u in np.asarray(ev.panel.units, dtype=object)[rows]]
    weights = Neighbours({u: {v: 1.0 for v in nb.get(u, [])} for u in all_units}, "contiguity")
    body = []
    for node in [fw.tree.id] + [c.id for c in fw.tree.children]:
        values = np.asarray(ev.scores_table()[node], dtype=float)[rows]
        keep = ~np.isnan(values)
        units = [u for u, k in zip(all_units, keep) if k]
        g, _ = moran_year(values[keep], weights.subset(units).to_w(units), permutations)
        body.append([label(ev, node, lang), g["I"], g["expected"], g["z"], g["p"], len(units)])
    islands = [names(ev, u, lang) for u, v in nb.items() if not v]
    note = text("permutations", lang, n=permutations)
    if islands:
        more = len(islands) - LIST_NAMES
        note += ("；" if lang == "zh" else "; ") + text("island_note", lang)
        note += ("、" if lang != "en" else ", ").join(islands[:LIST_NAMES])
        note += _more(more, lang) if more > 0 else ""
    return Table(heading(pop.title(), "moran", lang, year),
                 [text("indicator", lang), "I", "E[I]", "z", "p (perm.)", "n"], body, ["text", "p", "p", "p", "p", "int"], sheet=f"moran_{pop.level or 'units'}", note=note)


def _maps(ev, pop, year, lang, geometry, cache):
    base = population_base(ev, pop, year, lang, geometry, cache)
    if base is None:
        return [], []
    fw = ev.framework
    nodes = [fw.tree.id] + [c.id for c in fw.tree.children]
    images = [node_map(ev, pop, node, year, lang, base=base) for node in nodes]
    return images, base.missing


def _order(evaluations):
    evs = [ev for ev in (evaluations if isinstance(evaluations, (list, tuple)) else [evaluations]) if ev is not None]
    if not evs:
        raise ValueError("give at least one evaluation")
    described = [(ev, describe(ev)) for ev in evs]
    return sorted(described, key=lambda x: LEVEL_ORDER.get(x[1].level, 3))


def build_bulletin(evaluations, lang="zh", year=None, permutations=999, top=10, cache=None, uncertainty=None,
                   groups: dict | None = None, geometry: dict | None = None,
                   neighbours: dict | None = None) -> Document:
    """The bulletin :class:`Document` of one evaluation or a list of them (one per population).

    ``groups`` {unit: group}: peer groups (e.g. east/central/west) of the units they name;
    ``geometry`` {unit: polygon} for maps and contiguity of units that are not Chinese regions (or
    to replace their boundaries); ``neighbours`` {unit: [units]} for Moran's I instead of contiguity;
    ``uncertainty`` {level: UncertaintyResult} (level province, prefecture or county; ``counties``
    and ``cities`` are read as county and prefecture) adds the rank intervals to the rankings.
    """
    langs(lang)
    groups = {str(k): str(v) for k, v in (groups or {}).items()}
    evs = []
    for ev in ([evaluations] if not isinstance(evaluations, (list, tuple)) else evaluations):
        if ev is None:
            continue
        mine = {u: groups[u] for u in map(str, set(ev.panel.units)) if u in groups}
        evs.append(with_peers(ev, mine) if mine else ev)
    populations = _order(evs)
    any_ev = populations[0][0]
    year = check_year(any_ev, year)
    unc = {LEGACY_KEYS.get(k, k): v for k, v in (uncertainty or {}).items()}
    drawn = [(ev, pop, *_maps(ev, pop, year, lang, geometry, cache)) for ev, pop in populations]
    # the overview: a paragraph per population and the first population's index map
    cover = next(([images[0]] for _, _, images, _ in drawn if images), [])
    paras = [p for ev, pop in populations for p in _overview(ev, pop, year, lang)]
    paras += [text("boundaries_note", lang)] if cover and geometry is None else []
    sections = [Section(text("overview", lang), images=cover, css_class="overview", paragraphs=paras)]
    for ev, pop in populations:
        tables = [_ranking(ev, pop, year, lang, unc.get(pop.level))]
        n = len(_rows(ev, year))
        tables.append(_top(ev, pop, year, lang, min(top, max(3, n // 3))))
        t = _tiers(ev, pop, year, lang)
        tables += [t] if t is not None else []
        if len({y for y in ev.panel.years if y is not None}) > 1:
            tables.append(_movers(ev, pop, year, lang))
        tables.append(_disparity(ev, pop, lang))
        sections.append(Section(heading(pop.title(), "ranking", lang), tables=tables, css_class="small",
                                page_break=True))
    for ev, pop in populations:
        nb = neighbours_of(ev, pop, year, geometry, neighbours, cache)
        if nb:
            sections.append(Section(heading(pop.title(), "moran", lang),
                                    tables=[_moran(ev, pop, nb, year, lang, permutations)]))
    for ev, pop in populations:
        chapter = dynamics_section(ev, pop, year, lang)
        sections += [chapter] if chapter is not None else []
    for ev, pop, images, missing in drawn:
        images = [im for im in images if not cover or im is not cover[0]]
        if not images:
            continue
        paras = [text("boundaries_note", lang)] if geometry is None else []
        listed = ("、" if lang != "en" else ", ").join(names(ev, u, lang) for u in missing)
        paras += [f"{text('no_data', lang)}: {listed}"] if missing else []
        sections.append(Section(heading(pop.title(), "maps", lang), paragraphs=paras, images=images,
                                css_class="maps", page_break=True))
    sections.append(methodology_section(any_ev, lang))
    sections.append(audit_section([(pop.title(), ev) for ev, pop in populations], year, lang))
    synthetic = is_synthetic(*[ev for ev, _ in populations])
    fw = any_ev.framework
    footer = [text("synthetic_note", lang)] if synthetic else []
    footer += [text("modelled_on", lang)] if fw.id == "zhejiang" else []
    subtitle = " · ".join(said(pop.among(len(_rows(ev, year))), lang) for ev, pop in populations)
    return Document(title=f"{label(any_ev, fw.tree.id, lang)} {year} — {text('bulletin', lang)}",
                    subtitle=subtitle, lang=lang, sections=sections, synthetic=synthetic,
                    mark=f"{text('synthetic', 'en')} / {text('synthetic', 'zh')}" if synthetic else "",
                    footer=footer, meta={"kind": "bulletin", "year": year,
                                         "populations": [pop.as_dict() for _, pop in populations]})


__all__ = ["build_bulletin", "neighbours_of"]
