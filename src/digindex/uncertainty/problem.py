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
          weight_sets: weights.csv   # relative to the file that names it

Each choice is one input factor for sensitivity analysis, even when it spans
several sampled dimensions (a weights perturbation draws one number per weight).

``uncertainty`` is a registered framework key: it is parsed into an
:class:`UncertaintyProblem` when the framework is read, every problem named with its
YAML line, and checked against the tree (an excluded indicator must leave every node's
methods valid, e.g. an AHP matrix one row per remaining child).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from ..errors import InputError, Problem
from ..framework import Framework
from ..framework.keys import TOP, KeyContext, Report, framework_keys, get_key, parse_value, register_key
from ..framework.model import MethodChoice
from ..framework.parse import method_problems
from ..lazy import lazy_module
from ..methods import get_method, make_params
from ..methods.choice import parse_choice

np = lazy_module("numpy", globals())
pd = lazy_module("pandas", globals())

PIPELINE_STEPS = ("impute", "treat", "normalise", "weights", "aggregate")
PRE_AGGREGATION = ("impute", "treat", "normalise")


@dataclass(frozen=True)
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

    def __eq__(self, other) -> bool:  # field by field, the weight-set tables by their values
        if not isinstance(other, Choice):
            return NotImplemented
        a, b = self.weight_sets, other.weight_sets
        same_sets = a is b or (a is not None and b is not None and a.equals(b))
        return same_sets and all(getattr(self, f.name) == getattr(other, f.name)
                                 for f in fields(self) if f.name != "weight_sets")

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


@dataclass(frozen=True)
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
    """The framework's :class:`UncertaintyProblem` (parsed when it was read), or ``override``'s.

    ``override`` is an ``uncertainty:`` mapping from elsewhere (a ``--choices`` file, the web
    platform's default), parsed and checked against ``fw`` here; its weight-set files are
    relative to ``base_dir`` (default: the framework file's folder).
    """
    if override is None:
        problem = fw.settings.get("uncertainty")
        if problem is None:
            raise InputError(Problem("the framework declares no uncertain choices", file=fw.source,
                                     fix="add an 'uncertainty:' section with 'choices:' (see docs)"))
        return problem
    return parse_problem(fw, override, file=fw.source, base_dir=base_dir)


def parse_problem(fw: Framework, raw, file: str | None = None, locate=None, path: tuple = (),
                  base_dir: Path | None = None) -> UncertaintyProblem:
    """Parse and check an ``uncertainty:`` mapping against ``fw``; InputError naming each problem.

    ``locate(path)`` maps a key path (``path`` + the keys inside the mapping) to its line.
    """
    report = Report(file, locate)
    ctx = KeyContext(fw, None, tuple(path), {"uncertainty": raw}, report, "uncertainty", base=base_dir)
    problem, ok = parse_value(get_key("uncertainty"), ctx, raw)
    if ok:
        _check_key(problem, ctx)
    report.raise_if_any()
    return problem


def read_choices_file(fw: Framework, path: str | Path) -> UncertaintyProblem:
    """The problem of a ``--choices`` YAML file (with or without a top ``uncertainty:`` key).

    Problems name the file and line; weight-set files are relative to the file's folder.
    """
    from ..framework.yaml_io import _read_text, locator_for_lines, read_yaml_with_lines

    path = Path(path)
    if not path.exists():
        raise InputError(Problem("file not found", file=str(path), fix="check the path"))
    data, lines = read_yaml_with_lines(_read_text(path), str(path))
    prefix = ("uncertainty",) if isinstance(data, Mapping) and "uncertainty" in data else ()
    raw = data["uncertainty"] if prefix else data
    return parse_problem(fw, raw, file=str(path), locate=locator_for_lines(lines), path=prefix)


# ---- parsing, with every problem located at its key ---------------------------------------

def _parse_key(raw, ctx: KeyContext) -> UncertaintyProblem | None:
    fix = "write 'uncertainty: {sampling: sobol, choices: [{id: ..., step: ..., alternatives: [...]}, ...]}'"
    if not isinstance(raw, Mapping):
        ctx.problem(f"uncertainty must be a mapping with 'choices:', not {raw!r}", fix)
        return None
    for key in raw:
        if key not in ("sampling", "choices"):
            ctx.problem(f"uncertainty: unknown key {key!r}", "use 'sampling' and 'choices'", (key,))
    sampling = raw.get("sampling", "sobol")
    if sampling not in ("sobol", "lhs"):
        ctx.problem(f"uncertainty sampling must be sobol or lhs, not {sampling!r}", None, ("sampling",))
    items = raw.get("choices")
    if not isinstance(items, list) or not items:
        ctx.problem("the framework declares no uncertain choices" if not items else
                    f"uncertainty choices must be a list of choices, not {items!r}", fix,
                    ("choices",) if "choices" in raw else ())
        return None
    choices, seen = [], set()
    for i, item in enumerate(items):
        def err(at, message, fix=None, i=i, item=item):
            name = item.get("id") if isinstance(item, Mapping) and item.get("id") is not None else i + 1
            ctx.problem(f"uncertainty choice {name!r}: {message}", fix, ("choices", i) + tuple(at))

        c = _choice(ctx.fw, item, ctx.folder, err)
        if c is None:
            continue
        if c.id in seen:
            err(("id",), f"the id {c.id!r} is used twice", "give every choice its own id")
        seen.add(c.id)
        choices.append(c)
    return UncertaintyProblem(choices, sampling)


def _choice(fw: Framework, raw, folder: Path | None, err) -> Choice | None:
    """One choice, or None after reporting its problems with ``err(at, message, fix)``."""
    if not isinstance(raw, Mapping) or raw.get("id") in (None, ""):
        err((), "each choice needs an 'id'", "write e.g. '- {id: weights, perturb: weights, levels: [2]}'")
        return None
    cid = str(raw["id"])
    keys = set(raw) - {"id"}
    if "perturb" in raw:
        return _noise(fw, raw, cid, keys, err)
    if "exclude" in raw:
        ids = raw["exclude"]
        if not isinstance(ids, list) or not ids:
            err(("exclude",), f"exclude must be a list of indicator ids, not {ids!r}",
                f"write e.g. 'exclude: [{ids}]'" if isinstance(ids, str) else "write e.g. 'exclude: [x1, x2]'")
            return None
        ids = [str(x) for x in ids]
        unknown = [x for x in ids if x not in fw.nodes or not fw.nodes[x].is_indicator]
        if unknown:
            err(("exclude",), f"exclude names unknown indicators {unknown}",
                f"indicators are: {', '.join(fw.indicator_ids[:12])}" + (" ..." if len(fw.indicator_ids) > 12 else ""))
            return None
        if not _only(keys, {"exclude"}, err):
            return None
        return Choice(cid, "exclude", excluded=ids, labels=["none"] + [f"without {x}" for x in ids])
    if "weight_sets" in raw:
        return _weight_sets(fw, raw, cid, keys, folder, err)
    return _categorical(fw, raw, keys, cid, err)


def _noise(fw, raw, cid, keys, err) -> Choice | None:
    if raw["perturb"] != "weights":
        err(("perturb",), "only 'perturb: weights' is supported")
        return None
    try:
        noise = float(raw.get("noise", 0.25))
    except (TypeError, ValueError):
        noise = float("nan")
    if not 0 < noise < 1:
        err(("noise",), f"noise must be a number in (0, 1), not {raw.get('noise')!r}")
        return None
    if "nodes" in raw:
        nodes = _ids(raw["nodes"], ("nodes",), err)
        bad = [n for n in nodes or [] if n not in fw.nodes or fw.nodes[n].is_indicator]
        if nodes is not None and bad:
            err(("nodes",), f"nodes {bad} are not aggregate nodes")
        if nodes is None or bad:
            return None
    else:
        levels = raw.get("levels")
        if not isinstance(levels, list) or not levels or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in levels):
            err(("levels",) if "levels" in raw else (),
                f"give 'levels' (a list of whole numbers: the levels of the nodes whose children's "
                f"weights vary) or 'nodes', not {levels!r}", "write e.g. 'levels: [2, 3]'")
            return None
        # COINr's convention: perturbing level L means the weights of the level-L components.
        nodes = [n.id for n in fw.aggregates if any(fw.levels[c.id] in levels for c in fw.inputs_of(n))]
        if not nodes:
            err(("levels",), f"no node has children at levels {levels} (levels: 1 = indicators, up to "
                             f"{fw.levels[fw.tree.id]} = the root)")
            return None
    if not _only(keys, {"perturb", "noise", "levels", "nodes"}, err):
        return None
    targets = [(n, j) for n in nodes for j in range(len(fw.inputs_of(fw.nodes[n])))]
    return Choice(cid, "noise", dims=len(targets), nodes=nodes, noise=noise, weight_targets=targets,
                  labels=[])


def _weight_sets(fw, raw, cid, keys, folder, err) -> Choice | None:
    if not isinstance(raw["weight_sets"], str):
        err(("weight_sets",), f"weight_sets must name a CSV file, not {raw['weight_sets']!r}")
        return None
    path = Path(raw["weight_sets"])
    if folder is not None and not path.is_absolute():
        path = folder / path
    if not path.exists():
        err(("weight_sets",), f"weight sets file {path} not found",
            "a relative path is relative to the folder of the file that names it")
        return None
    table = pd.read_csv(path)
    unknown = [c for c in table.columns if c not in fw.nodes]
    if unknown:
        err(("weight_sets",), f"weight set columns {unknown} in {path} are not node ids")
        return None
    # a set gives a node's weight in its parent, which must combine its children (not over indicators)
    beside = [c for c in table.columns if fw.parent_of[c] is None
              or fw.nodes[c] not in fw.inputs_of(fw.nodes[fw.parent_of[c]])]
    if beside:
        err(("weight_sets",), f"weight set columns {beside} in {path} are not weighted by their parent "
                              "(the root, or a parent that combines the indicators below it)")
        return None
    try:
        values = table.to_numpy(float)
    except ValueError:
        values = None
    if values is None or not np.all(np.isfinite(values)) or (values <= 0).any():
        err(("weight_sets",), f"weights in {path} must be positive numbers")
        return None
    if len(table) < 2:
        err(("weight_sets",), f"{path} has {len(table)} weight set(s); give at least two rows")
        return None
    if not _only(keys, {"weight_sets"}, err):
        return None
    return Choice(cid, "weight_sets", weight_sets=table, labels=[str(i + 1) for i in range(len(table))])


def _categorical(fw, raw, keys, cid, err) -> Choice | None:
    step = raw.get("step")
    if step not in PIPELINE_STEPS:
        err(("step",) if "step" in raw else (),
            f"'step' must be one of {', '.join(PIPELINE_STEPS)}, not {step!r}",
            "or use 'perturb: weights', 'exclude: [...]' or 'weight_sets: FILE'")
        return None
    alts = raw.get("alternatives")
    if not isinstance(alts, list) or len(alts) < 2:
        err(("alternatives",) if "alternatives" in raw else (), "give at least two 'alternatives'")
        return None
    alternatives = []
    for i, a in enumerate(alts):
        try:
            alternatives.append(parse_choice(a, step))
        except ValueError as exc:
            err(("alternatives", i), str(exc), f"run 'digindex methods {step}' to list methods and their parameters")
    if len(alternatives) < len(alts):
        return None
    labels = raw.get("labels", [str(a) for a in alternatives])
    if not isinstance(labels, list) or len(labels) != len(alternatives):
        n = len(labels) if isinstance(labels, list) else repr(labels)
        err(("labels",), f"{n} labels for {len(alternatives)} alternatives", "give one label per alternative")
        return None
    nodes = None
    if "nodes" in raw:
        nodes = _ids(raw["nodes"], ("nodes",), err)
        if nodes is None:
            return None
        unknown = [n for n in nodes if n not in fw.nodes]
        wrong = [n for n in nodes if n in fw.nodes
                 and fw.nodes[n].is_indicator != (step == "normalise")]
        if unknown:
            err(("nodes",), f"unknown nodes {unknown}")
        elif step in ("impute", "treat"):
            err(("nodes",), f"{step} choices apply to the whole data set; remove 'nodes'")
        elif wrong:
            kind = "indicators" if step == "normalise" else "aggregate nodes"
            err(("nodes",), f"{step} choices apply to {kind}, and {wrong} are not")
        if unknown or wrong or step in ("impute", "treat"):
            return None
    if not _only(keys, {"step", "alternatives", "labels", "nodes"}, err):
        return None
    return Choice(cid, "categorical", step=step, alternatives=alternatives,
                  labels=[str(x) for x in labels], nodes=nodes)


def _ids(value, at, err) -> list[str] | None:
    if not isinstance(value, list) or not value:
        err(at, f"{at[-1]} must be a list of node ids, not {value!r}",
            f"write e.g. '{at[-1]}: [{value}]'" if isinstance(value, str) else None)
        return None
    return [str(x) for x in value]


def _only(keys, allowed, err) -> bool:
    extra = keys - allowed
    if extra:
        err((sorted(extra)[0],), f"unknown keys {sorted(extra)} (allowed: {sorted(allowed)})")
    return not extra


# ---- checks against the whole framework ----------------------------------------------------

def _check_key(problem: UncertaintyProblem, ctx: KeyContext) -> None:
    """Every declared variant of the framework must be one the engine can evaluate.

    An excluded indicator must leave every node's methods valid (e.g. an AHP matrix has
    one row per child: excluding a child of an AHP node is refused, with the reason), and
    a weights or aggregation alternative must fit every node it is applied to.
    """
    base = {(n, s) for n, s, _ in method_problems(ctx.fw)}
    for node in ctx.fw.aggregates:  # the batched engine varies one weight vector per node
        choice = ctx.fw.method_for("weights", node)
        if get_method("weights", choice.name).capabilities(choice.params).per_row:
            ctx.problem(f"node {node.id!r} has per-unit weights ({choice.name}), which the uncertainty "
                        "analysis cannot vary", "use node-level weights at that node, or drop the "
                        "'uncertainty' section", ())
            break
    for i, c in enumerate(problem.choices):
        at = ("choices", i)
        if c.kind == "exclude":
            for j, x in enumerate(c.excluded):
                try:
                    reduced = ctx.fw.without(x)
                except InputError as exc:
                    ctx.problem(f"uncertainty choice {c.id!r}: {exc.problems[0].message}",
                                f"do not exclude {x!r}", at + ("exclude", j))
                    continue
                for node, step, message in method_problems(reduced):
                    if (node, step) not in base:
                        ctx.problem(f"uncertainty choice {c.id!r}: without {x!r}, node {node!r} "
                                    f"({step} {reduced.method_for(step, reduced.nodes[node]).name}): {message}",
                                    f"do not exclude {x!r}, or give node {node!r} a {step} method that "
                                    "does not depend on its number of children", at + ("exclude", j))
        elif c.kind == "categorical" and c.step in ("weights", "aggregate"):
            targets = c.nodes or [n.id for n in ctx.fw.aggregates]
            for j, alt in enumerate(c.alternatives):
                spec = get_method(c.step, alt.name)
                if spec.check_children is None:
                    continue
                params = make_params(spec, alt.params)
                for node in targets:
                    message = spec.check_children(params, [k.id for k in ctx.fw.inputs_of(ctx.fw.nodes[node])])
                    if message:
                        ctx.problem(f"uncertainty choice {c.id!r}: alternative {alt} at node {node!r}: "
                                    f"{message}", "limit the choice to the nodes it fits with 'nodes: [...]'",
                                    at + ("alternatives", j))
                        break


def _check_data(fw: Framework, panel, report: Report) -> None:
    """Each alternative of a pre-aggregation choice must find what it needs in the data
    (e.g. an imputation group column): the other keys' data checks, with it applied."""
    problem = fw.settings.get("uncertainty")
    choices = [c for c in (problem.choices if problem is not None else [])
               if c.kind == "categorical" and c.step in PRE_AGGREGATION]
    if not choices:
        return
    known = {p.message for p in _data_problems(fw, panel, report)}  # reported by the keys themselves
    for c in choices:
        for level, alt in enumerate(c.alternatives):
            variant = apply_levels(fw, UncertaintyProblem([c]), {c.id: level})
            report.problems.extend(
                replace(p, message=f"uncertainty choice {c.id!r}, alternative {alt}: {p.message}")
                for p in _data_problems(variant, panel, report) if p.message not in known)


def _data_problems(fw: Framework, panel, report: Report) -> list[Problem]:
    sub = Report(report.file, data_files=report.data_files)
    for key in framework_keys():
        if key.check_data is not None and key.name != "uncertainty":
            key.check_data(fw, panel, sub)
    return sub.problems


register_key("uncertainty", TOP, _parse_key, check=_check_key, check_data=_check_data,
             doc="choices of an uncertainty and sensitivity analysis: uncertainty.problem.UncertaintyProblem")


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
    return fw.without(indicator)
