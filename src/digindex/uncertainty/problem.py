"""The uncertainty problem: the choices declared in a framework's ``uncertainty:`` section.

One plain description, as in SALib, shared by ``sample`` and ``analyze``::

    uncertainty:
      sampling: sobol            # or lhs
      choices:
        - id: winsorisation      # a categorical list of alternatives for a pipeline step
          step: treat
          alternatives: [{method: winsorise_log, max_points: 1}, ..., {method: winsorise_log, max_points: 5}]
          labels: [1, 2, 3, 4, 5]
        - id: normalisation
          step: normalise        # replaces the default; `nodes:` limits it to some indicators
          alternatives: [{method: minmax, scale: [1, 100]}, {method: zscore, mean: 10, sd: 2}]
        - id: aggregation
          step: aggregate        # at every aggregate node, or at `nodes: [...]`
          alternatives: [arithmetic, geometric]
        - id: weights            # a continuous perturbation: w × (1 + noise·U(−1, 1))
          perturb: weights
          levels: [2, 3]         # or nodes: [...] (the node whose children's weights vary)
          noise: 0.25
        - id: drop               # exclude one indicator at a time, or none
          exclude: [x1, x2, x3]
        - id: expert_weights     # weight sets from a CSV, one set per row (columns = node ids)
          weight_sets: weights.csv

Each choice is one input factor for sensitivity analysis, even when it spans
several sampled dimensions (a weights perturbation draws one number per weight).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..framework import Framework
from ..framework.model import MethodChoice, as_choice
from ..methods import get_method, make_params

PIPELINE_STEPS = ("impute", "treat", "normalise", "weights", "aggregate")
PRE_AGGREGATION = ("impute", "treat", "normalise")


@dataclass
class Choice:
    """One uncertain input: ``kind`` is categorical, noise, exclude or weight_sets."""

    id: str
    kind: str
    dims: int = 1
    step: str | None = None
    alternatives: list[MethodChoice] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    nodes: list[str] | None = None
    noise: float = 0.0
    weight_targets: list[tuple[str, int]] = field(default_factory=list)  # (node, child index)
    excluded: list[str] = field(default_factory=list)
    weight_sets: pd.DataFrame | None = None

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    @property
    def categorical(self) -> bool:
        return self.kind != "noise"

    def level_of(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of the discrete uniform: equal probability for each alternative."""
        return np.minimum((np.asarray(u) * self.n_levels).astype(int), self.n_levels - 1)

    def column(self, node: str, child: int) -> str:
        """The design column of a noise choice's weight of ``node``'s child ``child`` (0-based)."""
        return f"{self.id}:{node}/{child + 1}"

    def multipliers(self, u: np.ndarray) -> np.ndarray:
        """Weight multipliers 1 + noise·(2u − 1), for a noise choice."""
        return 1.0 + self.noise * (2.0 * np.asarray(u) - 1.0)


@dataclass
class UncertaintyProblem:
    choices: list[Choice]
    sampling: str = "sobol"

    @property
    def dims(self) -> int:
        return sum(c.dims for c in self.choices)

    def slices(self) -> dict[str, slice]:
        out, start = {}, 0
        for c in self.choices:
            out[c.id] = slice(start, start + c.dims)
            start += c.dims
        return out

    def choice(self, cid: str) -> Choice:
        for c in self.choices:
            if c.id == cid:
                return c
        raise KeyError(cid)


def problem_from_framework(fw: Framework, override: dict | None = None, base_dir: Path | None = None
                           ) -> UncertaintyProblem:
    """Read ``fw.extra['uncertainty']`` (or ``override``) into an :class:`UncertaintyProblem`."""
    spec = override if override is not None else fw.extra.get("uncertainty")
    file = fw.source
    if not spec or not isinstance(spec, dict) or not spec.get("choices"):
        raise InputError(Problem("the framework declares no uncertain choices", file=file,
                                 fix="add an 'uncertainty:' section with 'choices:' (see docs)"))
    sampling = spec.get("sampling", "sobol")
    if sampling not in ("sobol", "lhs"):
        raise InputError(Problem(f"uncertainty sampling must be sobol or lhs, not {sampling!r}", file=file))
    problems: list[Problem] = []
    choices = []
    seen = set()
    for i, raw in enumerate(spec["choices"]):
        try:
            c = _choice(fw, raw, base_dir)
        except ValueError as exc:
            problems.append(Problem(f"uncertainty choice {i + 1}: {exc}", file=file))
            continue
        if c.id in seen:
            problems.append(Problem(f"uncertainty choice id {c.id!r} is used twice", file=file))
        seen.add(c.id)
        choices.append(c)
    if problems:
        raise InputError(problems)
    return UncertaintyProblem(choices, sampling)


def _choice(fw: Framework, raw: dict, base_dir: Path | None) -> Choice:
    if not isinstance(raw, dict) or "id" not in raw:
        raise ValueError("each choice needs an 'id'")
    cid = str(raw["id"])
    keys = set(raw) - {"id"}
    if "perturb" in raw:
        if raw["perturb"] != "weights":
            raise ValueError(f"{cid}: only 'perturb: weights' is supported")
        noise = float(raw.get("noise", 0.25))
        if not 0 < noise < 1:
            raise ValueError(f"{cid}: noise must be in (0, 1), not {noise}")
        nodes = _target_nodes(fw, raw, cid)
        targets = [(n, j) for n in nodes for j in range(len(fw.nodes[n].children))]
        _only(keys, {"perturb", "noise", "levels", "nodes"}, cid)
        return Choice(cid, "noise", dims=len(targets), nodes=nodes, noise=noise, weight_targets=targets,
                      labels=[])
    if "exclude" in raw:
        ids = [str(x) for x in raw["exclude"]]
        unknown = [x for x in ids if x not in fw.nodes or not fw.nodes[x].is_indicator]
        if unknown:
            raise ValueError(f"{cid}: exclude names unknown indicators {unknown}")
        _only(keys, {"exclude"}, cid)
        return Choice(cid, "exclude", excluded=ids, labels=["none"] + [f"without {x}" for x in ids])
    if "weight_sets" in raw:
        path = Path(raw["weight_sets"])
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.exists():
            raise ValueError(f"{cid}: weight sets file {path} not found")
        table = pd.read_csv(path)
        unknown = [c for c in table.columns if c not in fw.nodes]
        if unknown:
            raise ValueError(f"{cid}: weight set columns {unknown} are not node ids")
        if (table.to_numpy(float) <= 0).any():
            raise ValueError(f"{cid}: weights in {path} must be positive")
        _only(keys, {"weight_sets"}, cid)
        return Choice(cid, "weight_sets", weight_sets=table, labels=[str(i + 1) for i in range(len(table))])
    step = raw.get("step")
    if step not in PIPELINE_STEPS:
        raise ValueError(f"{cid}: 'step' must be one of {', '.join(PIPELINE_STEPS)} "
                         "(or use perturb/exclude/weight_sets)")
    alts = raw.get("alternatives")
    if not isinstance(alts, list) or len(alts) < 2:
        raise ValueError(f"{cid}: give at least two 'alternatives'")
    alternatives = [as_choice(a) for a in alts]
    for a in alternatives:
        make_params(get_method(step, a.name), a.params)  # ValueError names the problem
    labels = [str(x) for x in raw.get("labels", [str(a) for a in alternatives])]
    if len(labels) != len(alternatives):
        raise ValueError(f"{cid}: {len(labels)} labels for {len(alternatives)} alternatives")
    nodes = None
    if "nodes" in raw:
        nodes = [str(n) for n in raw["nodes"]]
        unknown = [n for n in nodes if n not in fw.nodes]
        if unknown:
            raise ValueError(f"{cid}: unknown nodes {unknown}")
    if step in ("impute", "treat") and nodes:
        raise ValueError(f"{cid}: {step} choices apply to the whole data set; remove 'nodes'")
    _only(keys, {"step", "alternatives", "labels", "nodes"}, cid)
    return Choice(cid, "categorical", step=step, alternatives=alternatives, labels=labels, nodes=nodes)


def _only(keys, allowed, cid):
    extra = keys - allowed
    if extra:
        raise ValueError(f"{cid}: unknown keys {sorted(extra)} (allowed: {sorted(allowed)})")


def _target_nodes(fw: Framework, raw: dict, cid: str) -> list[str]:
    if "nodes" in raw:
        nodes = [str(n) for n in raw["nodes"]]
        bad = [n for n in nodes if n not in fw.nodes or fw.nodes[n].is_indicator]
        if bad:
            raise ValueError(f"{cid}: nodes {bad} are not aggregate nodes")
        return nodes
    levels = raw.get("levels")
    if not levels:
        raise ValueError(f"{cid}: give 'levels' (of the nodes whose children's weights vary) or 'nodes'")
    # COINr's convention: perturbing level L means the weights of the level-L components.
    return [n.id for n in fw.aggregates if any(fw.levels[c.id] in levels for c in n.children)]


def apply_levels(fw: Framework, problem: UncertaintyProblem, levels: dict[str, int]) -> Framework:
    """The framework with each categorical pipeline choice set to the given level."""
    out = fw
    for c in problem.choices:
        if c.kind != "categorical" or c.id not in levels:
            continue
        alt = c.alternatives[levels[c.id]]
        if c.nodes is None:
            out = out.with_choice(c.step, alt)
        else:
            for n in c.nodes:
                out = out.with_choice(c.step, alt, node=n)
    return out


def without_indicator(fw: Framework, indicator: str) -> Framework:
    """A copy of ``fw`` without one indicator; refuses to empty a node."""
    from ..audit.remove_one import without_node

    return without_node(fw, indicator)
