"""Build a :class:`Framework` from plain data, checking everything once.

The YAML and table readers turn their files into nested dicts plus a
``locate(path)`` function that maps a path such as ``("tree", "children", 0,
"weight")`` to where it was written (YAML line, or table row and column). All
problems are collected and raised together as one :class:`InputError`.
"""
from __future__ import annotations

import functools

import math
from typing import Any, Callable

from ..lazy import lazy_module
from ..methods import get_method, make_params
from ..methods.choice import MethodChoice, parse_choice
from ..methods.normalise import NormaliseContext
from .keys import (AGGREGATE, CORE_AGGREGATE_KEYS, CORE_INDICATOR_KEYS, CORE_NODE_KEYS, CORE_TOP_KEYS,
                   INDICATOR, RETIRED_KEYS, TOP, Report, framework_keys, parse_keys)
from .model import STEPS, Framework, Node

np = lazy_module("numpy", globals())

Locate = Callable[[tuple], dict]

TRANSFORMS = {"ln": "log", "log10": "log10"}  # transform -> numpy function


def build_framework(data: Any, locate: Locate, file: str) -> Framework:
    """Check ``data`` and build the framework; raises InputError listing every problem.

    First the core keys and the tree, then every registered key (see
    :mod:`digindex.framework.keys`), then the checks that need the whole tree.
    """
    report = Report(file, locate)
    add = report.add

    if not isinstance(data, dict):
        add((), "the framework must be a mapping with keys such as id, name and tree",
            "start the file with 'id:', 'name:' and 'tree:'")
        report.raise_if_any()
    allowed = CORE_TOP_KEYS | {k.name for k in framework_keys(TOP)}
    for key in data:
        if key not in allowed:
            add((key,), f"unknown top-level key {key!r}",
                RETIRED_KEYS.get(key) or f"use one of: {', '.join(sorted(map(str, allowed)))}")
    if "tree" not in data or not isinstance(data.get("tree"), dict):
        add(("tree",) if "tree" in data else (), "the framework has no 'tree' mapping",
            "add 'tree:' with the root node (id, name, children)")
        report.raise_if_any()

    defaults = {}
    for step in STEPS:
        if step in data:
            choice = _method_choice(data[step], step, (step,), add)
            if choice:
                defaults[step] = choice
    min_cov = _fraction(data.get("min_coverage", 0.5), ("min_coverage",), add)

    seen: dict[str, tuple] = {}
    written: dict[str, tuple[dict, tuple]] = {}
    tree = _node(data["tree"], ("tree",), add, seen, written, depth=0)
    report.raise_if_any()

    fw = Framework(
        id=str(data.get("id") or tree.id),
        tree=tree,
        name=_name(data.get("name")),
        description=data.get("description"),
        defaults=defaults,
        min_coverage=min_cov if min_cov is not None else 0.5,
        data_columns=[str(c) for c in data.get("data_columns") or []],
        source=file,
    )
    parse_keys(fw, data, written, report)
    _check_methods(fw, seen, add)
    report.raise_if_any()
    return fw


def _name(value) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}
    return {"en": str(value)}


def _fraction(value, path, add):
    try:
        v = float(value)
    except (TypeError, ValueError):
        add(path, f"min_coverage must be a number between 0 and 1, not {value!r}")
        return None
    if not 0 <= v <= 1:
        add(path, f"min_coverage must be between 0 and 1, not {v}")
        return None
    return v


def _method_choice(value, step, path, add, node: Node | None = None) -> MethodChoice | None:
    try:
        return parse_choice(value, step)
    except ValueError as exc:
        fix = f"run 'digindex methods {step}' to list methods and their parameters"
        if not (isinstance(value, str) or isinstance(value, dict) and "method" in value):
            fix = f"write e.g. '{step}: {{method: NAME}}'"
        if node is None:
            add(path, str(exc), fix)
        else:
            add(path, f"{'indicator' if node.is_indicator else 'node'} {node.id!r}: {exc}",
                fix + _children_in_order(node))
        return None


def _children_in_order(node: Node) -> str:
    """For messages about a node's methods: its children, in the order matrices list them."""
    if node.is_indicator:
        return ""
    return "; the children in order: " + ", ".join(f"c{j + 1} = {c.id}" for j, c in enumerate(node.children))


def _node(data, path, add, seen, written, depth) -> Node:
    if not isinstance(data, dict):
        add(path, f"a node must be a mapping with at least 'id', not {data!r}")
        return Node(id=f"?{len(seen)}")
    raw_id = data.get("id")
    if raw_id in (None, ""):
        add(path, "a node has no 'id'", "give every node a unique 'id'")
        nid = f"?{len(seen)}"
    else:
        nid = str(raw_id)
        if nid in seen:
            add(path + ("id",), f"duplicate id {nid!r} (also used at {_where(seen[nid])})",
                "ids must be unique across the whole tree")
        else:
            seen[nid] = path
    if depth > 50:
        add(path, "the tree is more than 50 levels deep (a cycle?)")
        return Node(id=nid)

    children_raw = data.get("children")
    is_indicator = not children_raw
    indicator_keys = CORE_INDICATOR_KEYS | {k.name for k in framework_keys(INDICATOR)}
    aggregate_keys = CORE_AGGREGATE_KEYS | {k.name for k in framework_keys(AGGREGATE)}
    allowed = CORE_NODE_KEYS | (indicator_keys if is_indicator else aggregate_keys)
    for key in data:
        if key not in allowed:
            if key in indicator_keys | aggregate_keys:
                kind = "an indicator" if is_indicator else "an aggregate node (it has children)"
                add(path + (key,), f"node {nid!r}: key {key!r} does not apply to {kind}")
            else:
                add(path + (key,), f"node {nid!r}: unknown key {key!r}",
                    RETIRED_KEYS.get(key) or f"use one of: {', '.join(sorted(map(str, allowed)))}")

    node = Node(id=nid, name=_name(data.get("name")), description=data.get("description"))
    written[nid] = (data, path)  # registered keys are parsed once the tree is built
    w = data.get("weight", 1)
    if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w <= 0:
        add(path + ("weight",), f"node {nid!r}: weight must be a positive number, not {w!r}",
            "weights are relative to siblings; use e.g. 1 or 0.25")
    else:
        node.weight = float(w)

    if children_raw is not None and not isinstance(children_raw, list):
        add(path + ("children",), f"node {nid!r}: children must be a list of nodes")
    elif children_raw:
        node.children = [
            _node(c, path + ("children", i), add, seen, written, depth + 1) for i, c in enumerate(children_raw)
        ]
        for step in ("aggregate", "weights"):
            if step in data:
                setattr(node, step, _method_choice(data[step], step, path + (step,), add, node))
        if "min_coverage" in data:
            node.min_coverage = _fraction(data["min_coverage"], path + ("min_coverage",), add)
        return node

    # indicator
    node.unit = None if data.get("unit") is None else str(data["unit"])
    d = data.get("direction", 1)
    if d in (1, -1) and not isinstance(d, bool):
        node.direction = int(d)
    else:
        add(path + ("direction",), f"indicator {nid!r}: direction must be 1 or -1, not {d!r}",
            "use 1 when higher is better and -1 when lower is better")
    t = data.get("transform")
    if t in (None, "", "none"):
        node.transform = None
    elif t in TRANSFORMS:
        node.transform = t
    else:
        add(path + ("transform",), f"indicator {nid!r}: unknown transform {t!r}",
            "use ln, log10 or none")
    gp = data.get("goalposts")
    if gp is not None:
        ok = (isinstance(gp, (list, tuple)) and len(gp) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in gp))
        if not ok:
            add(path + ("goalposts",), f"indicator {nid!r}: goalposts must be [lo, hi], not {gp!r}")
        elif not gp[0] < gp[1]:
            add(path + ("goalposts",), f"indicator {nid!r}: goalposts lo ({gp[0]}) must be below hi ({gp[1]})",
                "write [lo, hi] with lo < hi; use direction: -1 for lower-is-better")
        elif node.transform and gp[0] <= 0:
            add(path + ("goalposts",), f"indicator {nid!r}: goalposts must be > 0 for transform {node.transform}")
        else:
            node.goalposts = (float(gp[0]), float(gp[1]))
    c = data.get("clip")
    if c is not None:
        if isinstance(c, bool):
            node.clip = c
        else:
            add(path + ("clip",), f"indicator {nid!r}: clip must be true or false, not {c!r}")
    tg = data.get("target")
    if tg is not None:
        if isinstance(tg, (int, float)) and not isinstance(tg, bool):
            node.target = float(tg)
        else:
            add(path + ("target",), f"indicator {nid!r}: target must be a number, not {tg!r}")
    if "normalise" in data:
        node.normalise = _method_choice(data["normalise"], "normalise", path + ("normalise",), add, node)
    return node


def _where(path: tuple) -> str:
    return "/".join(str(p) for p in path)


def transform_fn(node: Node):
    return _transform(node.transform)


def _transform(name: str | None):
    return getattr(np, TRANSFORMS[name]) if name in TRANSFORMS else None


def normalise_context(node: Node) -> NormaliseContext:
    goalposts = tuple(node.goalposts) if node.goalposts is not None else None
    return _normalise_context(node.id, node.direction, goalposts, node.clip, node.target, node.transform)


@functools.lru_cache(maxsize=4096)  # many-variant runs ask for the same indicators again and again
def _normalise_context(indicator, direction, goalposts, clip, target, transform) -> NormaliseContext:
    tf = _transform(transform)
    gp = goalposts
    if gp is not None and tf is not None:
        gp = (float(tf(gp[0])), float(tf(gp[1])))
    return NormaliseContext(indicator=indicator, direction=direction, goalposts=gp,
                            clip=clip, target=target, transform=tf)


def output_range(fw: Framework, node: Node) -> tuple[float, float, bool]:
    """Static (lo, hi, lo_is_attained) of a node's scores, before any data is read.

    Every method declares its range in the registry (a mean: within its children's
    range); a method that declares none is unbounded.
    """
    if node.is_indicator:
        choice = fw.method_for("normalise", node)
        spec = get_method("normalise", choice.name)
        if spec.output_range is None:
            return -math.inf, math.inf, False
        return spec.output_range(make_params(spec, choice.params), normalise_context(node))
    ranges = [output_range(fw, c) for c in node.children]
    op = fw.method_for("aggregate", node)
    spec = get_method("aggregate", op.name)
    if spec.output_range is None:
        return -math.inf, math.inf, False
    return spec.output_range(make_params(spec, op.params), ranges)


def _check_methods(fw: Framework, paths: dict[str, tuple], add) -> None:
    """Checks that need the whole tree: methods that do not fit their node (an AHP matrix
    with a row per child), means that need inputs > 0 over inputs that can be ≤ 0."""
    for node_id, step, message in method_problems(fw):
        node = fw.nodes[node_id]
        own = getattr(node, step) is not None
        add(paths.get(node_id, ()) + (step,) if own else (step,),
            f"node {node_id!r}, {step} {fw.method_for(step, node).name!r}: {message}",
            "correct the method's parameters for this node" + _children_in_order(node))
    for node in fw.aggregates:
        op = fw.method_for("aggregate", node)
        inputs = get_method("aggregate", op.name).capabilities(op.params).inputs
        if inputs == "any":
            continue
        for child in node.children:
            lo, _, attained = output_range(fw, child)
            if lo < 0 or (inputs == "positive" and lo == 0 and attained):
                why = "can be negative" if lo < 0 else "is 0 for the lowest unit"
                add(paths.get(node.id, ()),
                    f"node {node.id!r} uses the {op.name} aggregation, which needs values "
                    f"{'> 0' if inputs == 'positive' else '≥ 0'}, but the score of {child.id!r} {why}",
                    "normalise onto a scale above 0, e.g. {method: minmax, scale: [1, 100]}, "
                    "clip fixed bounds, or use the arithmetic mean")
                break


def method_problems(fw: Framework) -> list[tuple[str, str, str]]:
    """(node, step, message) for every method whose parameters do not fit its node's children.

    Each method declares the check (``check_children`` in the registry); callers that change
    the tree (an uncertainty run without one indicator) ask again on the changed framework.
    """
    out = []
    for node in fw.aggregates:
        child_ids = [c.id for c in fw.inputs_of(node)]
        for step in ("weights", "aggregate"):
            choice = fw.method_for(step, node)
            spec = get_method(step, choice.name)
            try:
                params = make_params(spec, choice.params)
            except ValueError as exc:  # e.g. an AHP matrix that lost a child is too inconsistent
                out.append((node.id, step, str(exc)))
                continue
            if spec.check_children is not None:
                message = spec.check_children(params, child_ids)
                if message:
                    out.append((node.id, step, message))
    return out
