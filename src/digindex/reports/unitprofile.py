"""The profile of one unit as content: the one profile builder of the command line and the web.

::

    from digindex.reports import unit_profile
    p = unit_profile(ev, "33", groups={"33": "东部", ...})     # or without groups
    p.score, p.rank, p.n, p.peer["rank"], p.tier["zh"], p.narrative["en"]
    p.to_dict()                                             # plain JSON types (None for missing)

:func:`unit_profile` gathers every number a profile shows from an
:class:`~digindex.engine.result.Evaluation`: score, rank in the population and in the unit's peer
group (its group, else its parent region; :mod:`.population`), tier, the previous year, each aspect
and indicator with their ranks, medians and contributions, strengths and weaknesses, the trend,
the change attribution and rivals, an uncertainty run's rank interval, the target gap, and the
narrative in Chinese and English. The numbers come from :mod:`digindex.explain` and
:mod:`digindex.analytics`; the words from :mod:`.population` and :mod:`digindex.i18n`. The
:class:`Profile` holds no layout: :func:`digindex.reports.profile.profile_document` lays it out
as a report, a web page can show ``to_dict()``.

Contributions need a decomposable aggregation (:mod:`digindex.explain.decompose`); when the
evaluation's has none (e.g. one TOPSIS over 20 indicators), ``contributions`` says why, the
contribution columns are left out and the change is shown as the change of each aspect's score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

from ..analytics._common import real_years
from ..errors import InputError
from ..explain import change_attribution, root_contributions, standing, strengths_weaknesses, target_gap
from ..explain._base import check_year, ranks, row_of
from ..formatting import number, ordinal
from ..i18n import text
from .document import is_synthetic
from .population import Population, both, describe, peers_of, points, shown, with_peers
from .population import node_labels as labels, unit_names as names

RIVALS = 5  # rivals a profile lists per scope and kind (passed / overtaken by): report and web page alike


@dataclass
class Profile:
    """One unit's profile content (see the module doc); labels and names are ``{zh, en}``."""

    unit: str
    year: int
    name: dict
    index: dict                       # the root's label
    population: Population
    score: float
    rank: int
    n: int
    peer: dict | None                 # key, name, rank, n (None without peer groups)
    tier: dict | None                 # tier, zh, en
    previous: dict | None             # year, score, rank, peer_rank
    aspects: list[dict]               # node, label, score, rank, peer_rank, median, peer_median, contribution
    indicators: list[dict]            # + aspect, value, unit_of_measure
    strengths: list[dict]             # node, label, value, unit_of_measure, rank, n, peer_rank, peer_n,
    weaknesses: list[dict]            # peer_median, gap
    trend: list[dict]                 # year, score, rank, peer_rank, tier
    change: dict | None               # prev_year, year, prev_score, score, score_change, by, aspects,
    contributions: str = ""           # indicators, rivals; "" when contributions exist, else why not
    uncertainty: dict | None = None   # nominal_rank, median_rank, p05, p95, [peer_p05, peer_p95], runs
    target: dict | None = None        # rank, scope {zh,en}, achieved, message, targets, sentences
    narrative: dict = field(default_factory=dict)
    synthetic: bool = False
    files: list[str] = field(default_factory=list)
    framework: str = ""               # the framework's id
    aggregation: str = ""             # the index's aggregation method

    @property
    def digits(self) -> int:
        return self.population.digits

    def to_dict(self) -> dict:
        """Plain JSON types: numbers as int/float (None for missing), the population as a dict with
        its column headers (:func:`headers`)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}  # _plain copies (asdict's deep copy is slow)
        out["population"] = {**self.population.as_dict(), "headers": headers(self.population)}
        return _plain(out)


def headers(pop: Population) -> dict:
    """The column headers of a population ``{zh, en}``, as the report's tables name them: rank and
    median in the population and, with peer groups, rank, median, gap and the group's column."""
    out = {"rank": {lg: pop.rank_header(lg) for lg in ("zh", "en")},
           "median": {lg: pop.median_header(lg) for lg in ("zh", "en")}}
    if pop.peer_kind:
        out.update({f"peer_{what}": {lg: pop.peer_header(what, lg) for lg in ("zh", "en")}
                    for what in ("rank", "median", "gap", "column")})
    return out


def _plain(x):
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(float(x)) else float(x)
    if x is None or isinstance(x, (str, int, bool)):
        return x
    try:  # pandas NA and the like
        import pandas as pd

        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return str(x)


def _int(x):
    return None if x is None or (not isinstance(x, str) and _isna(x)) else int(x)


def _isna(x) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _f(x):
    return None if x is None or _isna(x) else float(x)


def unit_profile(ev, unit, year=None, groups: dict | None = None, uncertainty=None,
                 target_rank: int | None = None) -> Profile:
    """The :class:`Profile` of ``unit`` in ``year`` (default the latest).

    ``groups``: {unit: group} to rank the unit within its group (else within its parent region
    when the units have several); ``uncertainty``: an
    :class:`~digindex.uncertainty.UncertaintyResult` (or its summary table) for the rank
    interval; ``target_rank``: also find the smallest improvement reaching that rank in the peer
    group (in the population when the peers are groups or absent).
    """
    ev = with_peers(ev, groups)
    year = check_year(ev, year)
    unit = str(unit)
    r = row_of(ev, unit, year)
    fw = ev.framework
    root = fw.tree.id
    pop = describe(ev)
    peers = peers_of(ev)
    rk = ranks(ev)
    rip = ranks(ev, True) if peers else None
    S = shown(ev)
    years = np.asarray(ev.panel.years, dtype=object)
    units = np.asarray(ev.panel.units, dtype=object)

    def n_in(y, peer=None):
        rows = np.flatnonzero(years == y)
        if peer is not None:
            rows = rows[[peers.get(str(units[i])) == peer for i in rows]]
        return int(np.sum(~np.isnan(S[root][rows])))

    peer_key = peers.get(unit)
    peer = None
    if peer_key is not None:
        peer = {"key": peer_key, "name": pop.peer_name(peer_key), "rank": _int(rip[root].iloc[r]),
                "n": n_in(year, peer_key)}
    try:
        R = root_contributions(ev)
        why = ""
    except InputError as exc:
        R, why = None, "; ".join(p.message for p in exc.problems)
    st = standing(ev, year)
    mine = st[st["unit"] == unit].set_index("node")
    aspects = [_node_row(ev, a.id, mine, R, r, peers) for a in fw.tree.children]
    indicators = []
    for a in fw.tree.children:
        for node in a.walk():
            if node.is_indicator:
                indicators.append({"aspect": a.id, "aspect_label": labels(ev, a.id),
                                   **_node_row(ev, node.id, mine, R, r, peers),
                                   "unit_of_measure": node.unit or ""})
    sw = strengths_weaknesses(ev, unit, year, n=3, level=1)
    earlier = [y for y in real_years(ev) if y < year and _has_row(ev, unit, y)]
    previous = None
    if earlier:
        r0 = row_of(ev, unit, earlier[-1])
        previous = {"year": earlier[-1], "score": _f(S[root][r0]), "rank": _int(rk[root].iloc[r0]),
                    "peer_rank": _int(rip[root].iloc[r0]) if rip is not None and peer else None}
    profile = Profile(
        unit=unit, year=year, name=names(ev, unit), index=labels(ev, root), population=pop,
        score=_f(S[root][r]), rank=_int(rk[root].iloc[r]), n=n_in(year), peer=peer,
        tier=_tier(ev, unit, year), previous=previous, aspects=aspects, indicators=indicators,
        strengths=[_sw_row(ev, x, peer) for _, x in sw["strengths"].iterrows()],
        weaknesses=[_sw_row(ev, x, peer) for _, x in sw["weaknesses"].iterrows()],
        trend=[{"year": y, "score": _f(S[root][row_of(ev, unit, y)]),
                "rank": _int(rk[root].iloc[row_of(ev, unit, y)]),
                "peer_rank": _int(rip[root].iloc[row_of(ev, unit, y)]) if rip is not None and peer else None,
                "tier": _tier(ev, unit, y)}
               for y in real_years(ev) if _has_row(ev, unit, y)] or
              [{"year": year, "score": _f(S[root][r]), "rank": _int(rk[root].iloc[r]), "peer_rank": None,
                "tier": _tier(ev, unit, year)}],
        change=_change(ev, unit, year, previous, R is not None, pop) if previous else None,
        contributions=why, uncertainty=_uncertainty(uncertainty, ev, unit, year, peer),
        synthetic=is_synthetic(ev), files=_files(ev), framework=fw.id,
        aggregation=fw.method_for("aggregate", fw.tree).name)
    if target_rank is not None:
        profile.target = _target(ev, unit, year, int(target_rank), pop, peer)
    profile.narrative = {lg: narrative(profile, lg) for lg in ("zh", "en")}
    return profile


def _has_row(ev, unit, year) -> bool:
    try:
        row_of(ev, unit, year)
    except InputError:
        return False
    return not np.isnan(shown(ev)[ev.framework.tree.id][row_of(ev, unit, year)])


def _files(ev) -> list[str]:
    panel = getattr(ev.panel, "origin", None) or ev.panel
    return [str(p).replace("\\", "/").rsplit("/", 1)[-1] for p in (panel.files or {})]


def _node_row(ev, node, mine, R, r, peers) -> dict:
    a = mine.loc[node]
    return {"node": node, "label": labels(ev, node), "value": _f(a["value"]), "score": _f(a["score"]),
            "rank": _int(a["rank"]), "n": _int(a["n"]),
            "peer_rank": _int(a["rank_in_parent"]) if peers else None,
            "median": _f(a["province_median"]), "peer_median": _f(a["parent_median"]) if peers else None,
            "contribution": _f(R[node][r]) if R is not None else None}


def _sw_row(ev, x, peer) -> dict:
    return {"node": x["node"], "label": labels(ev, x["node"]), "value": _f(x["value"]),
            "unit_of_measure": x["unit_of_measure"], "rank": _int(x["rank"]), "n": _int(x["n"]),
            "peer_rank": _int(x["rank_in_parent"]) if peer else None,
            "peer_n": _int(x["n_in_parent"]) if peer else None,
            "peer_median": _f(x["parent_median"]) if peer else None, "gap": _f(x["gap"]) if peer else None}


def _tier(ev, unit, year) -> dict | None:
    config = ev.framework.settings.get("tiers")
    if config is None:
        return None
    k = _tier_numbers(ev).get((unit, year))
    if k is None:
        return None
    return {"tier": k, "zh": config.label(k, "zh"), "en": config.label(k, "en")}


def _tier_numbers(ev) -> dict:
    """{(unit, year): tier} of the framework's tiers, computed once per evaluation (a web
    publication builds the profile of every unit from one evaluation)."""
    store = ev.__dict__.setdefault("_digindex_reports", {})
    if "tiers" not in store:
        from ..analytics import tiers

        t = tiers(ev)
        store["tiers"] = {(str(u), y): int(k) for u, y, k in zip(t["unit"], t["year"], t["tier"]) if not _isna(k)}
    return store["tiers"]


def _change(ev, unit, year, previous, decomposable, pop) -> dict:
    """The change since the previous year: by contributions when they exist, else by aspect scores."""
    fw = ev.framework
    prev_year = previous["year"]
    r, r0 = row_of(ev, unit, year), row_of(ev, unit, prev_year)
    root = fw.tree.id
    S = shown(ev)
    out = {"prev_year": prev_year, "year": year, "prev_score": _f(S[root][r0]),
           "score": _f(S[root][r]), "by": "contributions" if decomposable else "scores",
           "aspects": [], "indicators": [], "rivals": []}
    out["score_change"] = out["score"] - out["prev_score"]
    if not decomposable:
        for a in fw.tree.children:
            prev, now = _f(S[a.id][r0]), _f(S[a.id][r])
            change = None if prev is None or now is None else now - prev
            out["aspects"].append({"node": a.id, "label": labels(ev, a.id), "prev": prev, "now": now,
                                   "change": change, "prev_score": prev, "score": now, "score_change": change})
        return out
    ca = change_attribution(ev, unit, year, prev_year)
    for _, x in ca.nodes[ca.nodes["level"] == 2].iterrows():
        prev_score, score = _f(x["prev_score"]), _f(x["score"])
        out["aspects"].append({"node": x["node"], "label": labels(ev, x["node"]), "prev": _f(x["prev"]),
                               "now": _f(x["now"]), "change": _f(x["change"]), "prev_score": prev_score,
                               "score": score, "score_change": None if prev_score is None or score is None
                               else score - prev_score})
    inds = ca.nodes[ca.nodes["level"] == 1]
    inds = inds.reindex(inds["change"].abs().sort_values(ascending=False).index).head(8)
    for _, x in inds.iterrows():
        out["indicators"].append({"node": x["node"], "label": labels(ev, x["node"]), "prev_value": _f(x["prev_value"]),
                                  "value": _f(x["value"]), "prev": _f(x["prev"]), "now": _f(x["now"]),
                                  "change": _f(x["change"])})
    for _, v in ca.rivals.iterrows():
        out["rivals"].append({"scope": "population" if v["scope"] == "province" else "peers", "kind": v["kind"],
                              "unit": str(v["unit"]), "name": names(ev, v["unit"]), "prev_score": _f(v["prev_score"]),
                              "score": _f(v["score"]), "score_change": _f(v["score_change"])})
    sign = 1 if ca.score_change >= 0 else -1
    top = ca.top(level=2, n=1, sign=sign)
    if len(top):
        out["driver"] = {"node": top["node"].iloc[0], "label": labels(ev, top["node"].iloc[0]),
                         "change": float(top["change"].iloc[0])}
    return out


def _uncertainty(uncertainty, ev, unit, year, peer) -> dict | None:
    if uncertainty is None:
        return None
    summary = getattr(uncertainty, "summary", uncertainty)
    runs = int(getattr(uncertainty, "scores", np.empty((0, 0))).shape[0]) or int(summary.attrs.get("runs", 0))
    hit = summary[summary["unit"].astype(str) == str(unit)]
    if len(hit) > 1 and len(summary) == len(ev.panel.units):  # one summary row per panel row
        hit = summary.iloc[[row_of(ev, unit, year)]]
    if not len(hit):
        return None
    row = hit.iloc[0]
    out = {"nominal_rank": _int(row["nominal_rank"]), "median_rank": _f(row["median_rank"]),
           "p05": _f(row["p05_rank"]), "p95": _f(row["p95_rank"]), "runs": runs}
    if peer and "parent_p05_rank" in row.index:
        out.update(peer_p05=_f(row["parent_p05_rank"]), peer_p95=_f(row["parent_p95_rank"]))
    return out


def _target(ev, unit, year, rank, pop, peer) -> dict:
    # a re-evaluation keeps the panel's own parents, so only they can be the target's scope
    own_parents = peer is not None and pop.peer_kind != "group"
    res = target_gap(ev, unit, rank, scope="parent" if own_parents else "province", year=year)
    scope = peer["name"] if own_parents else pop.where()
    targets = [{"node": t["indicator"], "label": labels(ev, t["indicator"]), "unit_of_measure": t["unit_of_measure"],
                "current": _f(t["current"]), "target": _f(t["target"]), "change": _f(t["change"])}
               for _, t in res.targets.iterrows()]
    return {"rank": rank, "scope": scope, "achieved": res.achieved_rank, "message": res.message,
            "targets": targets, "sentences": {lg: res.sentences(lg) for lg in ("zh", "en")}}


# -- the narrative


def _move(prev, now, prev_year) -> dict | str:
    if prev is None or now is None:
        return ""
    d = prev - now
    if d == 0:
        return both("nar_move_same", prev_year=prev_year)
    if d > 0:
        return both("nar_move_up_one" if d == 1 else "nar_move_up", n=d, prev_year=prev_year)
    return both("nar_move_down_one" if d == -1 else "nar_move_down", n=-d, prev_year=prev_year)


def _rank_field(k) -> dict:
    return {"zh": str(k), "en": ordinal(k)}


def narrative(p: Profile, lang: str) -> str:
    """The paragraph about the unit in ``lang`` (zh or en), every number from the profile."""
    pop, d = p.population, p.digits
    prev = p.previous or {}
    index = {**p.index, "en": p.index["en"][:1].lower() + p.index["en"][1:]}
    move = _move(prev.get("rank"), p.rank, prev.get("year"))
    if p.peer:
        peer_move = _move(prev.get("peer_rank"), p.peer["rank"], prev.get("year"))
        ranking = text("nar_rank_two", lang, peer_among=pop.peer_among(p.peer["key"], p.peer["n"]),
                       peer_rank=_rank_field(p.peer["rank"]), peer_move=peer_move, among=pop.among(p.n),
                       rank=_rank_field(p.rank), move=move)
    else:
        ranking = text("nar_rank_one", lang, among=pop.among(p.n), rank=_rank_field(p.rank), move=move)
    tier = text("nar_tier", lang, tier=p.tier) if p.tier else ""
    out = [text("nar_standing", lang, year=p.year, name=p.name, index=index, score=number(p.score, d),
                points=points(pop), ranking=ranking, tier=tier)]
    ch = p.change
    if ch:
        driver = ""
        if ch.get("driver"):
            dr = ch["driver"]
            driver = text("nar_driver", lang, aspect=_lower(dr["label"]),
                          change=number(dr["change"], max(d, 2), signed=True), points=points(pop))
        out.append(text("nar_change", lang, prev_year=ch["prev_year"], verb=both(
            "nar_rose" if ch["score_change"] >= 0 else "nar_fell"), change=number(abs(ch["score_change"]), d),
            points=points(pop), driver=driver))
    ranked = [a for a in p.aspects if a["rank"] is not None]
    if ranked:
        best = min(ranked, key=lambda a: a["rank"])
        worst = max(ranked, key=lambda a: a["rank"])
        out.append(text("nar_strengths", lang, best=_lower(best["label"]), best_rank=_rank_field(best["rank"]),
                        worst=_lower(worst["label"]), worst_rank=_rank_field(worst["rank"]), where=pop.where()))
    return ("" if lang == "zh" else " ").join(out)


def _lower(label: dict) -> dict:
    """A label inside an English sentence: lower case unless it starts with an acronym (R&D, ICT)."""
    en = label["en"]
    keep = len(en) > 1 and en[1].isupper()
    return {**label, "en": en if keep else en[:1].lower() + en[1:]}


__all__ = ["RIVALS", "Profile", "headers", "narrative", "unit_profile"]
