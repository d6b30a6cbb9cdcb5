"""Tiers (梯队, grade bands) and top-N lists.

Configured in the framework's top-level ``tiers`` key::

    tiers: {node: idx, by: quantile, cuts: [0.2, 0.5, 0.8],
            labels: [{zh: 第一梯队, en: Tier 1}, {zh: 第二梯队, en: Tier 2}, ...]}
    tiers: {by: score, cuts: [90, 80, 70]}

``node`` defaults to the root; ``labels`` (``len(cuts) + 1`` of them, a string or
``{zh, en}`` each) default to "Tier k" / "第k梯队". Tiers are assigned per year
and per population among the units with a score at ``node``:

- ``by: score``, cuts ``c_1 > c_2 > ... > c_m`` (strictly decreasing): tier 1 is
  ``score ≥ c_1``, tier ``k`` is ``c_k ≤ score < c_(k-1)``, tier ``m+1`` is
  ``score < c_m``.
- ``by: quantile``, cuts ``0 < q_1 < ... < q_m < 1`` (cumulative shares from the
  top): with ``n`` scored units and rank ``r`` (1 best, ties at the minimum
  rank), ``tier = 1 + #{j : r > ceil(q_j · n)}``. So tier 1 is the units with
  ``r ≤ ceil(q_1 · n)``: the top 20 % rounded up, never empty when ``n ≥ 1``.
  Tied units share a rank and therefore a tier; a tie across a boundary goes to
  the better tier, which then holds more than its share. With small ``n`` some
  middle tiers may be empty (n = 3, cuts 0.2/0.5/0.8 gives thresholds 1, 2, 3 and
  an empty tier 4). ``q_j · n`` is rounded to 9 decimals before ``ceil`` so that
  0.7 · 10 counts as 7, not 7.000000000000001.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError, Problem
from ..framework.keys import TOP, register_key
from ..framework.model import text_in
from ..lazy import lazy_module
from ._common import check_node, check_year, scores_and_ranks

np = lazy_module("numpy", globals())
pd = lazy_module("pandas", globals())

KEYS = {"node", "by", "cuts", "labels"}
ZH_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class TierConfig:
    """A checked tier configuration."""

    node: str
    by: str  # "quantile" or "score"
    cuts: tuple[float, ...]
    labels: tuple[dict, ...]

    def label(self, tier: int, lang: str = "en") -> str:
        return text_in(self.labels[tier - 1], lang, f"Tier {tier}")


def default_label(k: int) -> dict:
    """``{"en": "Tier k", "zh": "第k梯队"}`` with Chinese numerals up to 10."""
    zh = ZH_NUMERALS[k - 1] if k <= len(ZH_NUMERALS) else str(k)
    return {"en": f"Tier {k}", "zh": f"第{zh}梯队"}


def _shape_errors(spec) -> list[tuple[tuple, str, str]]:
    """(key path inside ``tiers``, message, fix) for every problem of the mapping itself."""
    out: list[tuple[tuple, str, str]] = []

    def add(at, msg, fix):
        out.append((at, f"tiers: {msg}", fix))

    if not isinstance(spec, Mapping):
        add((), f"must be a mapping, not {spec!r}", "write e.g. 'tiers: {by: quantile, cuts: [0.2, 0.5, 0.8]}'")
        return out
    for key in spec:
        if key not in KEYS:
            add((key,), f"unknown key {key!r}", f"use only {', '.join(sorted(KEYS))}")
    by = spec.get("by", "quantile")
    if by not in ("quantile", "score"):
        add(("by",), f"by must be 'quantile' or 'score', not {by!r}",
            "use 'by: quantile' (shares of units) or 'by: score' (score thresholds)")
        return out
    cuts = spec.get("cuts")
    if not isinstance(cuts, (list, tuple)) or not cuts:
        add(("cuts",), "cuts must be a non-empty list of numbers",
            "write e.g. 'cuts: [0.2, 0.5, 0.8]' or 'cuts: [90, 80, 70]'")
        return out
    nums = []
    for c in cuts:
        ok = isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)
        if not ok:
            add(("cuts",), f"cut {c!r} is not a number", "write every cut as a plain number")
            return out
        nums.append(float(c))
    if by == "quantile":
        outside = [c for c in nums if not 0 < c < 1]
        if outside:
            add(("cuts",), f"quantile cuts must lie strictly between 0 and 1, not {outside}",
                "write shares of units from the top, e.g. [0.2, 0.5, 0.8] for the top 20 %, 50 %, 80 %")
        if any(b <= a for a, b in zip(nums, nums[1:])):
            add(("cuts",), f"quantile cuts must increase strictly, not {nums}",
                "list the cumulative shares from the top in increasing order, e.g. [0.2, 0.5, 0.8]")
    elif any(b >= a for a, b in zip(nums, nums[1:])):
        add(("cuts",), f"score cuts must decrease strictly, not {nums}",
            "list the lowest score of each tier from the best tier down, e.g. [90, 80, 70]")
    labels = spec.get("labels")
    if labels is not None:
        if not isinstance(labels, (list, tuple)) or len(labels) != len(nums) + 1:
            n = len(labels) if isinstance(labels, (list, tuple)) else "no list of"
            add(("labels",), f"{len(nums)} cuts make {len(nums) + 1} tiers but {n} labels are given",
                f"give exactly {len(nums) + 1} labels, e.g. {{zh: 第一梯队, en: Tier 1}}, ...")
        else:
            for lab in labels:
                if not (isinstance(lab, str) or (isinstance(lab, Mapping) and lab)):
                    add(("labels",), f"label {lab!r} is neither text nor a {{zh, en}} mapping",
                        "write each label as text or as {zh: 第一梯队, en: Tier 1}")
    return out


def _node_error(node: str, framework) -> tuple[tuple, str, str] | None:
    if node not in framework.nodes:
        return (("node",), f"tiers: node {node!r} is not in the framework",
                "name a node id of the tree (default: the root)")
    return None


def _config(spec, framework) -> TierConfig:
    cuts = tuple(float(c) for c in spec["cuts"])
    raw = spec.get("labels") or [default_label(k) for k in range(1, len(cuts) + 2)]
    labels = tuple({"en": lab} if isinstance(lab, str) else {str(k): str(v) for k, v in lab.items()}
                   for lab in raw)
    node = str(spec["node"]) if spec.get("node") is not None else framework.tree.id
    return TierConfig(node=node, by=spec.get("by", "quantile"), cuts=cuts, labels=labels)


def tier_problems(spec, framework) -> list[Problem]:
    """Every problem with a ``tiers`` mapping, each with its fix (empty when valid)."""
    errors = _shape_errors(spec)
    if isinstance(spec, Mapping) and spec.get("node") is not None:
        errors += [e for e in [_node_error(str(spec["node"]), framework)] if e]
    return [Problem(msg, file=framework.source, fix=fix) for _, msg, fix in errors]


def parse_tiers(spec, framework) -> TierConfig:
    """Check a ``tiers`` mapping (see the module doc) and return its :class:`TierConfig`."""
    problems = tier_problems(spec, framework)
    if problems:
        raise InputError(problems)
    return _config(spec, framework)


def tier_config(framework) -> TierConfig | None:
    """The framework's ``tiers`` configuration (parsed when it was read); None when it has none."""
    return framework.settings.get("tiers")


# ---- the framework key ``tiers`` ----------------------------------------------------------

def _parse_key(raw, ctx) -> TierConfig | None:
    errors = _shape_errors(raw)
    for at, msg, fix in errors:
        ctx.problem(msg, fix, at)
    return None if errors else _config(raw, ctx.fw)


def _check_key(config: TierConfig, ctx) -> None:
    error = _node_error(config.node, ctx.fw)
    if error:
        ctx.problem(error[1], error[2], error[0])


register_key("tiers", TOP, _parse_key, check=_check_key,
             doc="tiers (梯队) of a node's score: analytics.tiers.TierConfig")


def quantile_tiers(ranks, n: int, cuts) -> np.ndarray:
    """Tier of each rank: ``1 + #{j : rank > ceil(q_j · n)}`` (0 where rank is missing)."""
    ranks = np.asarray(ranks, dtype=float)
    bounds = np.array([math.ceil(round(q * n, 9)) for q in cuts], dtype=float)
    tiers = 1 + (ranks[:, None] > bounds[None, :]).sum(axis=1)
    return np.where(np.isnan(ranks), 0, tiers)


def score_tiers(scores, cuts) -> np.ndarray:
    """Tier of each score: ``1 + #{j : score < c_j}`` for decreasing cuts (0 where missing)."""
    scores = np.asarray(scores, dtype=float)
    cuts = np.asarray(cuts, dtype=float)
    tiers = 1 + (scores[:, None] < cuts[None, :]).sum(axis=1)
    return np.where(np.isnan(scores), 0, tiers)


def tiers(evaluation, config: TierConfig | Mapping | None = None, populations: Mapping | None = None,
          lang: str = "en") -> pd.DataFrame:
    """Tier of every unit per year (and population) at the configured node.

    ``config`` defaults to the framework's ``tiers`` key (InputError if it has
    none). Columns ``unit, year, [population], [parent], node, score, rank, n,
    tier, tier_label``; ``rank`` is within year and population, ``n`` the number
    of scored units there. Units without a score have no tier.
    """
    fw = evaluation.framework
    if config is None:
        config = tier_config(fw)
        if config is None:
            raise InputError(Problem("the framework has no 'tiers' configuration", file=fw.source,
                                     fix="add e.g. 'tiers: {by: quantile, cuts: [0.2, 0.5, 0.8]}'"))
    elif not isinstance(config, TierConfig):
        config = parse_tiers(config, fw)
    node = check_node(evaluation, config.node)
    table, ranks = scores_and_ranks(evaluation, [node], populations)
    out = table[[c for c in ("unit", "year", "population", "parent") if c in table]].copy()
    out["node"] = node
    out["score"] = table[node].astype(float)
    out["rank"] = ranks[node]
    groups = [out["year"].astype(object).where(out["year"].notna(), "\x00none"), out["population"]]
    out["n"] = out.groupby(groups, sort=False)["score"].transform("count").astype(int)
    if config.by == "score":
        tier = score_tiers(out["score"], config.cuts)
    else:
        tier = np.zeros(len(out), dtype=int)
        for _, idx in out.groupby(groups, sort=False).groups.items():
            rows = out.index.get_indexer(idx)
            n = int(out["n"].iloc[rows[0]])
            tier[rows] = quantile_tiers(out["rank"].iloc[rows].astype(float), n, config.cuts)
    tier = np.asarray(tier, dtype=np.int64)
    out["tier"] = pd.arrays.IntegerArray(tier, mask=tier <= 0)
    labels = np.array([None, *(config.label(k, lang) for k in range(1, len(config.cuts) + 2))], dtype=object)
    out["tier_label"] = labels[tier]
    if populations is None:
        out = out.drop(columns="population")
    return out.reset_index(drop=True)


def top_n(evaluation, node: str | None = None, year=None, n: int = 20, within_parent: bool = False,
          populations: Mapping | None = None) -> pd.DataFrame:
    """The best ``n`` units at ``node`` (default the root) in ``year`` (default the latest).

    Units with rank ≤ n are listed, so a tie at place ``n`` can make the list
    longer than ``n``. With ``within_parent`` the list is per parent region
    (ranks within the parent); with ``populations`` per population. Columns
    ``year, [population], [parent], rank, unit, node, score``.
    """
    node = check_node(evaluation, node)
    year = check_year(evaluation, year)
    if n < 1:
        raise InputError(Problem(f"top-N needs n ≥ 1, not {n}", fix="ask for e.g. the top 20"))
    table, ranks = scores_and_ranks(evaluation, [node], populations, within_parent=within_parent)
    out = table[[c for c in ("year", "population", "parent", "unit") if c in table]].copy()
    out["rank"] = ranks[node]
    out["node"] = node
    out["score"] = table[node].astype(float)
    sel = out["year"].map(lambda y: y == year if year is not None else y is None)
    out = out[sel & out["rank"].notna()]
    out = out[out["rank"] <= n]
    group = (["population"] if populations is not None else []) + (["parent"] if within_parent else [])
    out = out.sort_values(group + ["rank", "unit"], kind="stable")
    if populations is None:
        out = out.drop(columns="population")
    cols = [c for c in ("year", "population", "parent") if c in out] + ["rank", "unit", "node", "score"]
    return out[cols].reset_index(drop=True)
