"""An auto-written paragraph about one unit, in Chinese and English, from the results only.

:func:`profile_facts` gathers every number the paragraph uses from the evaluation
(score and ranks of the root, ranks a year earlier, tier, the score change and the aspect
contributing most to it, the strongest and weakest aspects by province rank);
:func:`narrative` writes them out. Scores are shown with one decimal, contributions with
two; nothing is typed in by hand.
"""
from __future__ import annotations

import numpy as np

from ..analytics import tiers as tier_table
from ..engine.publish import published
from ..analytics._common import real_years
from ._base import check_year, has_city_level, memo, name_of, node_label, parent_of, ranks, row_of
from .change import change_attribution
from .strengths import strengths_weaknesses

ZH_ORDINAL_UNIT = {"county": "个县（市、区）", "city": "个设区市"}


def _tiers(evaluation):
    if "tiers" not in evaluation.framework.settings:
        return None
    return memo(evaluation, "tiers", lambda: {lang: tier_table(evaluation, lang=lang) for lang in ("zh", "en")})


def profile_facts(evaluation, unit: str, year=None) -> dict:
    """Every number and name the profile's narrative uses (see the module doc)."""
    year = check_year(evaluation, year)
    unit = str(unit)
    fw = evaluation.framework
    root = fw.tree.id
    r = row_of(evaluation, unit, year)
    rk = ranks(evaluation)
    city_level = has_city_level(evaluation) and parent_of(evaluation, unit) is not None
    facts = {"unit": unit, "year": year, "name_zh": name_of(evaluation, unit, "zh"),
             "name_en": name_of(evaluation, unit, "en"), "score": float(published(evaluation.scores[root], fw)[r]),
             "rank": int(rk[root].iloc[r]), "n": int(np.sum(~np.isnan(
                 evaluation.scores[root][np.asarray(evaluation.panel.years, dtype=object) == year]))),
             "population": "county" if city_level else "city", "index_zh": node_label(evaluation, root, "zh"),
             "index_en": node_label(evaluation, root, "en")}
    if city_level:
        parent = parent_of(evaluation, unit)
        rip = ranks(evaluation, True)
        years = np.asarray(evaluation.panel.years, dtype=object)
        in_parent = [i for i in np.flatnonzero(years == year)
                     if evaluation.panel.parents.get(str(evaluation.panel.units[i])) == parent]
        facts.update(parent=parent, parent_zh=name_of(evaluation, parent, "zh"),
                     parent_en=name_of(evaluation, parent, "en"), rank_in_parent=int(rip[root].iloc[r]),
                     n_in_parent=int(np.sum(~np.isnan(evaluation.scores[root][in_parent]))))
    tiers = _tiers(evaluation)
    if tiers is not None:
        t = tiers["zh"]
        hit = t[(t["unit"].astype(str) == unit) & (t["year"] == year)]
        if len(hit) and hit["tier"].notna().iloc[0]:
            facts["tier"] = int(hit["tier"].iloc[0])
            facts["tier_zh"] = hit["tier_label"].iloc[0]
            t_en = tiers["en"]
            facts["tier_en"] = t_en.loc[hit.index[0], "tier_label"]
    earlier = [y for y in real_years(evaluation) if y < year]
    if earlier:
        ca = change_attribution(evaluation, unit, year)
        facts.update(prev_year=ca.prev_year, prev_score=ca.prev_score, score_change=ca.score_change,
                     prev_rank=ca.ranks["province"][0])
        if city_level:
            facts["prev_rank_in_parent"] = ca.ranks["parent"][0]
        sign = 1 if ca.score_change >= 0 else -1
        top = ca.top(level=2, n=1, sign=sign)
        if len(top):
            facts.update(driver=top["node"].iloc[0], driver_change=float(top["change"].iloc[0]))
    sw = strengths_weaknesses(evaluation, unit, year, n=1, level=2)
    facts.update(strongest=sw["strengths"]["node"].iloc[0], strongest_rank=int(sw["strengths"]["rank"].iloc[0]),
                 weakest=sw["weaknesses"]["node"].iloc[0], weakest_rank=int(sw["weaknesses"]["rank"].iloc[0]))
    return facts


def _ord_en(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _move_en(prev: int, now: int) -> str:
    d = prev - now
    if d == 0:
        return "unchanged"
    word = "one place" if abs(d) == 1 else f"{abs(d)} places"
    return f"up {word}" if d > 0 else f"down {word}"


def _move_zh(prev: int, now: int) -> str:
    d = prev - now
    return "与上年持平" if d == 0 else (f"比上年上升{d}位" if d > 0 else f"比上年下降{-d}位")


def narrative(evaluation, unit: str, year=None, lang: str = "en", facts: dict | None = None) -> str:
    """The paragraph about ``unit`` in ``lang`` (``zh`` or ``en``)."""
    f = facts or profile_facts(evaluation, unit, year)
    label = lambda nid: node_label(evaluation, nid, lang)  # noqa: E731
    county = f["population"] == "county"
    if lang == "zh":
        s = f"{f['year']}年，{f['name_zh']}{f['index_zh']}得分{f['score']:.1f}分，"
        if county:
            s += f"在{f['parent_zh']}{f['n_in_parent']}个县（市、区）中排名第{f['rank_in_parent']}位"
            if "prev_rank_in_parent" in f:
                s += f"（{_move_zh(f['prev_rank_in_parent'], f['rank_in_parent'])}）"
            s += "，"
        s += f"在全省{f['n']}{ZH_ORDINAL_UNIT[f['population']]}中排名第{f['rank']}位"
        if "prev_rank" in f:
            s += f"（{_move_zh(f['prev_rank'], f['rank'])}）"
        s += f"，属{f['tier_zh']}。" if "tier_zh" in f else "。"
        if "score_change" in f:
            verb = "提高" if f["score_change"] >= 0 else "下降"
            s += f"得分较{f['prev_year']}年{verb}{abs(f['score_change']):.1f}分"
            if "driver" in f:
                s += f"，其中{label(f['driver'])}影响最大（{f['driver_change']:+.2f}分）"
            s += "。"
        s += (f"优势领域为{label(f['strongest'])}（全省第{f['strongest_rank']}位），"
              f"薄弱领域为{label(f['weakest'])}（全省第{f['weakest_rank']}位）。")
        return s
    s = f"In {f['year']}, {f['name_en']} scored {f['score']:.1f} on the {f['index_en'][:1].lower()}{f['index_en'][1:]}, "
    if county:
        s += f"ranking {_ord_en(f['rank_in_parent'])} of {f['n_in_parent']} in {f['parent_en']}"
        if "prev_rank_in_parent" in f:
            s += f" ({_move_en(f['prev_rank_in_parent'], f['rank_in_parent'])} from {f['prev_year']})"
        s += f" and {_ord_en(f['rank'])} of {f['n']} in the province"
    else:
        s += f"ranking {_ord_en(f['rank'])} of {f['n']} cities in the province"
    if "prev_rank" in f:
        s += f" ({_move_en(f['prev_rank'], f['rank'])})"
    s += f", in {f['tier_en']}." if "tier_en" in f else "."
    if "score_change" in f:
        verb = "rose" if f["score_change"] >= 0 else "fell"
        s += f" Its score {verb} by {abs(f['score_change']):.1f} points from {f['prev_year']}"
        if "driver" in f:
            s += f", driven most by {label(f['driver']).lower()} ({f['driver_change']:+.2f} points)"
        s += "."
    s += (f" It is strongest in {label(f['strongest']).lower()} ({_ord_en(f['strongest_rank'])} in the province)"
          f" and weakest in {label(f['weakest']).lower()} ({_ord_en(f['weakest_rank'])}).")
    return s


__all__ = ["profile_facts", "narrative"]
