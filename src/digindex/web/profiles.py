"""Region profiles of a publication: the content of the one profile builder, stored with the run.

**One builder.** A profile's content (score, ranks in the province and the city, tier, the
previous year, aspects and indicators with ranks, medians and contributions, strengths and
weaknesses, trend, change attribution, narrative) is
``digindex.reports.unit_profile(ev, unit, year).to_dict()``, the builder of ``digindex report
profile`` and of the PDF. The page, the API and the PDF therefore agree on every number and
word; the web adds only what belongs to a publication: versions, last year as published, the
rank interval of the run's Monte Carlo, downloads.

**Stored, immutable.** A run stores the profile of every unit of its year (table
``run_profiles``, written with its results when the run is made,
:func:`digindex.web.evaluation.unit_profiles`: 20–35 ms a unit, 2–4 s for the 90 counties and
11 cities on two cores); once the run is published they cannot change (database triggers).
Pages never evaluate. A publication made before profiles were stored gets each unit's profile
built once, the first time it is asked for, from the run's stored inputs (the evaluation rebuilt
and checked against the published scores, :func:`digindex.web.reports.run_evaluation`), and
stored.

**Shown.** :func:`view` returns the stored dict with ``fmt`` added to it and to every row: its
label and numbers as the page shows them in its language (scores at the publication's decimals,
values at the indicator's, ranks as ``rank/n``, units of measure in the page's language); the
trend's rows add ``published`` (the year's score as published), the rivals ``listed`` (within the
report's limit). Every key and number of the builder stays as it is.
"""
from __future__ import annotations

import copy

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import formatting
from ..i18n import text
from .models import RunProfile

MISSING = formatting.MISSING


# ---- reading ------------------------------------------------------------------------------
def stored(db, run_id: int, population: str, unit: str, year: int) -> dict | None:
    with db.read() as s:
        return s.scalar(select(RunProfile.profile).where(
            RunProfile.run_id == run_id, RunProfile.population == population, RunProfile.unit == unit,
            RunProfile.year == year))


def profile(db, run_id: int, population: str, unit: str, year: int, fw_name: str) -> dict:
    """The stored profile of ``unit``; for a run published before profiles were stored, built
    once from the run's inputs and stored. Raises ``NotFound`` (no inputs) or ``Diverged`` (the
    rebuilt evaluation differs from the published scores: no profile rather than a contradiction)."""
    hit = stored(db, run_id, population, unit, year)
    if hit is not None:
        return hit
    from ..reports import unit_profile
    from .reports import run_evaluation

    ev = run_evaluation(db, run_id, population, fw_name)
    built = unit_profile(ev, unit, year=year).to_dict()
    try:
        with db.write() as s:
            s.add(RunProfile(run_id=run_id, population=population, unit=unit, year=year, profile=built))
    except IntegrityError:  # another worker stored it first (the same content)
        return stored(db, run_id, population, unit, year)
    return built


# ---- as shown --------------------------------------------------------------------------------
class _Shown:
    """The formatter of one profile in one language (every text from digindex.formatting)."""

    def __init__(self, p: dict, lang: str, info):
        self.lang, self.info, self.d = lang, info, p["population"]["digits"]

    def score(self, x) -> str:
        return formatting.number(x, self.d)

    def signed(self, x) -> str:
        return formatting.number(x, max(self.d, 2), signed=True)

    def value(self, node: str, x, signed: bool = False) -> str:
        """A measured value, with the decimals of its indicator."""
        ind = self.info.indicator(node)
        return formatting.number(x, ind.decimals if ind else None, signed=signed)

    def unit(self, row: dict) -> str:
        """The unit of measure in the page's language."""
        ind = self.info.indicator(row["node"])
        return ind.unit_label(self.lang) if ind else row["unit_of_measure"]

    def said(self, words: dict | None) -> str:
        return (words or {}).get(self.lang) or ""


def view(p: dict, lang: str, info, published: dict | None = None) -> dict:
    """The profile ``p`` (a stored dict) as the page shows it in ``lang`` (see the module doc);
    ``published``: {year: the year's score as published, or None} for the trend."""
    out, f, peer = copy.deepcopy(p), _Shown(p, lang, info), p["peer"]
    rank = formatting.rank
    out["fmt"] = {"headers": {k: f.said(v) for k, v in p["population"]["headers"].items()},
                  "name": f.said(p["name"]), "index": f.said(p["index"]), "narrative": f.said(p["narrative"]),
                  "score": f.score(p["score"]), "rank": rank(p["rank"], p["n"]),
                  "peer_name": f.said(peer["name"]) if peer else "",
                  "peer_rank": rank(peer["rank"], peer["n"]) if peer else MISSING, "tier": f.said(p["tier"]) or MISSING,
                  "contributions_note": text("contributions_unavailable", lang, method=p["aggregation"])
                  if p["contributions"] or (p["change"] or {}).get("by") == "scores" else "",
                  # the locator map's caption, as the report words it
                  "locator": text("locator", lang, name=p["name"], among={lg: text(
                      "among_all", lg, where=p["population"]["where"], n=p["n"], noun=p["population"]["noun"])
                      for lg in ("zh", "en")})}
    changes = {a["node"]: a for a in (p["change"] or {}).get("aspects", [])}
    for a in out["aspects"]:
        a["fmt"] = {"name": f.said(a["label"]), "score": f.score(a["score"]), "rank": rank(a["rank"], a["n"]),
                    "peer_rank": rank(a["peer_rank"]), "median": f.score(a["median"]),
                    "peer_median": f.score(a["peer_median"]), "contribution": formatting.number(a["contribution"]),
                    "score_change": f.signed(changes.get(a["node"], {}).get("score_change"))}
    for i in out["indicators"]:
        i["fmt"] = {"name": f.said(i["label"]), "aspect": f.said(i["aspect_label"]), "unit": f.unit(i),
                    "value": f.value(i["node"], i["value"]), "score": f.score(i["score"]),
                    "rank": rank(i["rank"], i["n"]), "peer_rank": rank(i["peer_rank"]),
                    "median": f.value(i["node"], i["median"]), "peer_median": f.value(i["node"], i["peer_median"]),
                    "contribution": formatting.number(i["contribution"])}
    for row in out["strengths"] + out["weaknesses"]:
        row["fmt"] = {"name": f.said(row["label"]), "unit": f.unit(row), "value": f.value(row["node"], row["value"]),
                      "rank": rank(row["rank"], row["n"]), "peer_rank": rank(row["peer_rank"], row["peer_n"]),
                      "peer_median": f.value(row["node"], row["peer_median"]),
                      "gap": f.value(row["node"], row["gap"], signed=True)}
    for t in out["trend"]:
        pub = (published or {}).get(t["year"])
        t["published"] = pub
        t["fmt"] = {"score": f.score(t["score"]), "rank": rank(t["rank"]), "peer_rank": rank(t["peer_rank"]),
                    "tier": f.said(t.get("tier")) or MISSING, "published": f.score(pub["score"]) if pub else MISSING}
    if out["change"]:
        _change_view(out["change"], p, f)
    return out


def _change_view(ch: dict, p: dict, f: _Shown) -> None:
    from ..reports.unitprofile import RIVALS

    ch["fmt"] = {"prev_score": f.score(ch["prev_score"]), "score": f.score(ch["score"]),
                 "score_change": f.signed(ch["score_change"])}
    shown = f.score if ch["by"] == "scores" else formatting.number  # aspect scores, or their contributions
    for a in ch["aspects"]:
        a["fmt"] = {"name": f.said(a["label"]), "prev": shown(a["prev"]), "now": shown(a["now"]),
                    "change": f.signed(a["change"]), "prev_score": f.score(a.get("prev_score")),
                    "score": f.score(a.get("score")), "score_change": f.signed(a.get("score_change"))}
    for i in ch["indicators"]:
        i["fmt"] = {"name": f.said(i["label"]), "prev_value": f.value(i["node"], i["prev_value"]),
                    "value": f.value(i["node"], i["value"]), "prev": formatting.number(i["prev"]),
                    "now": formatting.number(i["now"]), "change": f.signed(i["change"])}
    headers = p["population"]["headers"]
    where = {"population": f.said(headers["rank"]), "peers": f.said(headers.get("peer_rank"))}
    seen: dict = {}
    for v in ch["rivals"]:  # at most RIVALS of each scope and kind, as in the report
        key = (v["scope"], v["kind"])
        seen[key] = seen.get(key, 0) + 1
        v["listed"] = seen[key] <= RIVALS
        v["fmt"] = {"name": f.said(v["name"]), "scope": where[v["scope"]],
                    "kind": text("passed" if v["kind"] == "passed" else "overtook", f.lang),
                    "prev_score": f.score(v["prev_score"]), "score": f.score(v["score"]),
                    "score_change": f.signed(v["score_change"])}
    more = sum(max(0, k - RIVALS) for k in seen.values())
    ch["fmt"]["rivals_more"] = text("rivals_more", f.lang, n=more, k=RIVALS) if more else ""
    if ch.get("driver"):
        ch["driver"]["fmt"] = {"name": f.said(ch["driver"]["label"]), "change": f.signed(ch["driver"]["change"])}
