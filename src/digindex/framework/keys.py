"""The registry of framework keys: which subsystem parses each key, into what, and how it is checked.

:mod:`digindex.framework.parse` reads the core keys itself (the tree, ids, names, weights,
directions, goalposts, the pipeline's methods). Every other key is registered here by the
subsystem that owns it, with

- its ``name`` and where it may be written: at the top level, on an indicator, on an
  aggregate node (``TOP``, ``INDICATOR``, ``AGGREGATE``);
- ``parse(raw, ctx) -> value``: the raw YAML value (or table cell) to a typed value (a
  frozen dataclass or a pydantic model). It runs once the tree is built (``ctx.fw``) and
  reports problems with ``ctx.problem(message, fix, at=(sub, path))``, which locates them
  at the YAML line or table row of the key; a ValueError is one problem at the key itself;
- ``check(value, ctx)`` (optional): run when every key is parsed, for checks that need
  the values of other keys or of the finished framework;
- ``check_data(fw, panel, report)`` (optional): run when data are loaded for the framework
  (``load_data(..., framework=fw)``, ``digindex validate --data``) and before evaluating;
  it runs whether or not the key is written (defaults may need data too);
- ``dump(value) -> raw`` (optional): the value as it is written back to YAML or a table;
  without it the value as written is kept (``extra``) and written back.

The typed value is kept in ``fw.settings[name]`` (top level) or ``node.settings[name]``;
consumers read it from there (:func:`with_key` sets one in a copy). Owners below the
framework layer (the methods) have their keys registered by
:mod:`digindex.framework.builtin_keys`. Owners above it register from their own module. The
framework imports these modules by name on first use (``BUILTIN_KEY_OWNERS``), as Datasette
loads its default plugins, so that this package imports nothing above it.
"""
from __future__ import annotations

import copy
import importlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, Problem
from .model import STEPS, Framework, Node

# Modules that register keys when imported, loaded by name on first use: the framework's
# own (keys of the layers below it), then the owners above the framework layer.
BUILTIN_KEY_OWNERS = (
    "digindex.framework.builtin_keys",
    "digindex.engine.publish",
    "digindex.analytics.tiers",
    "digindex.microdata.spec",
    "digindex.uncertainty.problem",
)

TOP, INDICATOR, AGGREGATE = "top", "indicator", "aggregate"
PLACES = (TOP, INDICATOR, AGGREGATE)

# Keys parse.py reads itself; a registered key may not take these names.
CORE_TOP_KEYS = {"id", "name", "description", "min_coverage", "data_columns", "tree", *STEPS}
CORE_NODE_KEYS = {"id", "name", "weight", "children", "description"}
CORE_INDICATOR_KEYS = {"unit", "direction", "transform", "goalposts", "clip", "target", "normalise"}
CORE_AGGREGATE_KEYS = {"aggregate", "weights", "min_coverage"}

# Keys that were once accepted but never read by any command: refused with a pointer.
RETIRED_KEYS = {
    "pairwise": "write an AHP matrix as 'weights: {method: ahp, matrix: [[...], ...]}'",
    "growth": "growth rates are outputs (digindex.analytics indicator_yoy / indicator_cagr), "
              "not a framework setting; a micro-data growth indicator is 'derive: {growth: yoy}'",
    "labels": "tier labels go in 'tiers: {labels: [...]}'",
    "populations": "populations are separate runs of the framework (one per data set)",
}


@dataclass(frozen=True)
class FrameworkKey:
    """One registered key (see the module doc)."""

    name: str
    where: frozenset[str]
    parse: Callable[[Any, "KeyContext"], Any]
    check: Callable[[Any, "KeyContext"], None] | None = None
    check_data: Callable[[Framework, Any, "Report"], None] | None = None
    dump: Callable[[Any], Any] | None = None
    owner: str = ""
    doc: str = ""


class Report:
    """Collects problems, located in the framework file (by key path) or in the data files."""

    def __init__(self, file: str | None, locate: Callable[[tuple], dict] | None = None,
                 data_files: str | None = None):
        self.file = file
        self.locate = locate or (lambda path: {})
        self.data_files = data_files
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, fix: str | None = None) -> None:
        """A problem at ``path`` (e.g. ``("tree", "children", 0, "weight")``) of the framework file."""
        self.problems.append(Problem(message, file=self.file, fix=fix, **self.locate(tuple(path))))

    def data_problem(self, message: str, fix: str | None = None, **where) -> None:
        """A problem with the data (``where``: column=, row=, sheet=), naming the data files."""
        where.setdefault("file", self.data_files)
        self.problems.append(Problem(message, fix=fix, **where))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


@dataclass
class KeyContext:
    """What a key's parser and check may know, and how they report problems."""

    fw: Framework
    node: Node | None
    path: tuple          # where the key is written in the file
    siblings: Mapping    # the mapping the key is written in (the node's or the top level's keys)
    report: Report
    key: str = ""
    base: Path | None = None  # the folder relative paths are resolved from, if not the file's

    @property
    def file(self) -> str | None:
        """The file the key is written in."""
        return self.report.file

    @property
    def folder(self) -> Path | None:
        """The folder of that file: relative paths in the key are relative to it."""
        if self.base is not None:
            return Path(self.base)
        return Path(self.report.file).parent if self.report.file else None

    @property
    def label(self) -> str:
        """``screen``, or ``indicator 'x': denominator``: how messages name the key."""
        if self.node is None:
            return self.key
        kind = "indicator" if self.node.is_indicator else "node"
        return f"{kind} {self.node.id!r}: {self.key}"

    def problem(self, message: str, fix: str | None = None, at: tuple = ()) -> None:
        """A problem at this key, or at ``at`` inside its value (e.g. ``("choices", 2, "exclude")``)."""
        self.report.add(self.path + tuple(at), message, fix)


_KEYS: dict[str, FrameworkKey] = {}
_lock = threading.RLock()
_state = {"loaded": False, "loading": False}


def register_key(name: str, where, parse: Callable[[Any, KeyContext], Any], *,
                 check: Callable[[Any, KeyContext], None] | None = None,
                 check_data: Callable[[Framework, Any, Report], None] | None = None,
                 dump: Callable[[Any], Any] | None = None, doc: str = "",
                 replace: bool = False) -> FrameworkKey:
    """Register framework key ``name`` (see the module doc); ``where``: TOP/INDICATOR/AGGREGATE or a tuple."""
    places = frozenset([where] if isinstance(where, str) else where)
    if not places or not places <= set(PLACES):
        raise ValueError(f"key {name!r}: 'where' must be among {PLACES}, not {sorted(places)}")
    core = ((CORE_TOP_KEYS if TOP in places else set())
            | (CORE_NODE_KEYS | CORE_INDICATOR_KEYS if INDICATOR in places else set())
            | (CORE_NODE_KEYS | CORE_AGGREGATE_KEYS if AGGREGATE in places else set()))
    if name in core:
        raise ValueError(f"key {name!r} is a core framework key and cannot be registered")
    with _lock:
        if name in _KEYS and not replace:
            raise ValueError(f"framework key {name!r} is registered twice "
                             f"({_KEYS[name].owner} and {parse.__module__})")
        key = FrameworkKey(name, places, parse, check, check_data, dump,
                           owner=getattr(parse, "__module__", ""), doc=doc)
        _KEYS[name] = key
    return key


def unregister_key(name: str) -> None:
    """Remove a registered key (for tests and plug-ins that are unloaded)."""
    with _lock:
        _KEYS.pop(name, None)


def framework_keys(where: str | None = None) -> list[FrameworkKey]:
    """Every registered key, in registration order; with ``where``, those allowed there."""
    _load_builtin()
    return [k for k in _KEYS.values() if where is None or where in k.where]


def get_key(name: str) -> FrameworkKey | None:
    _load_builtin()
    return _KEYS.get(name)


def node_key_names() -> list[str]:
    """Names of the keys that may be written on nodes (the table form has a column for each)."""
    return [k.name for k in framework_keys() if k.where & {INDICATOR, AGGREGATE}]


def _load_builtin() -> None:
    """Import the modules that register the built-in keys, once (thread-safe)."""
    if _state["loaded"]:
        return
    with _lock:
        if _state["loaded"] or _state["loading"]:  # a re-entrant call while importing an owner
            return
        _state["loading"] = True
        try:
            for module in BUILTIN_KEY_OWNERS:
                importlib.import_module(module)
            _state["loaded"] = True
        finally:
            _state["loading"] = False


# ---- used by the loader, the data loader and the engine ----------------------------------

def _place(node: Node | None) -> str:
    return TOP if node is None else INDICATOR if node.is_indicator else AGGREGATE


def parse_keys(fw: Framework, top: Mapping, nodes: Mapping[str, tuple[Mapping, tuple]],
               report: Report) -> None:
    """Parse every registered key written in the framework, then run the keys' checks.

    ``top`` is the top-level mapping; ``nodes`` maps each node id to (its mapping, its path).
    Typed values go to ``settings`` and the values as written to ``extra``.
    """
    written: list[KeyContext] = []
    for key in framework_keys():
        targets = [(None, top, ())] if TOP in key.where else []
        targets += [(n, *nodes[n.id]) for n in fw.tree.walk()
                    if _place(n) in key.where and n.id in nodes]
        for node, mapping, path in targets:
            if key.name in mapping:
                ctx = KeyContext(fw, node, tuple(path) + (key.name,), mapping, report, key.name)
                if _parse_into(key, ctx, mapping[key.name]):
                    written.append(ctx)
    for ctx in written:
        _check(get_key(ctx.key), ctx)


def _parse_into(key: FrameworkKey, ctx: KeyContext, raw: Any) -> bool:
    """Parse one written key into its target's settings; False when it has problems."""
    value, ok = parse_value(key, ctx, raw)
    target = ctx.node if ctx.node is not None else ctx.fw
    target.extra[key.name] = raw
    if ok:
        target.settings[key.name] = value
    return ok


def parse_value(key: FrameworkKey, ctx: KeyContext, raw: Any) -> tuple[Any, bool]:
    """(typed value, no problems) of ``raw`` for ``key``; problems go to ``ctx.report``."""
    before = len(ctx.report.problems)
    try:
        value = key.parse(raw, ctx)
    except ValueError as exc:
        ctx.problem(f"{ctx.label}: {exc}")
        return None, False
    except InputError as exc:  # an owner's own problems: keep them, locate them at the key
        where = ctx.report.locate(ctx.path)
        ctx.report.problems.extend(
            p if (p.line or p.row) else Problem(p.message, file=p.file or ctx.file, fix=p.fix, **where)
            for p in exc.problems)
        return None, False
    return value, len(ctx.report.problems) == before


def _check(key: FrameworkKey | None, ctx: KeyContext) -> None:
    if key is None or key.check is None:
        return
    target = ctx.node if ctx.node is not None else ctx.fw
    try:
        key.check(target.settings[key.name], ctx)
    except ValueError as exc:
        ctx.problem(f"{ctx.label}: {exc}")


def check_data(fw: Framework, panel) -> None:
    """Run every key's data check on ``panel``; InputError listing every problem."""
    files = ", ".join(str(f) for f in getattr(panel, "files", {}) or {}) or None
    report = Report(fw.source, data_files=files)
    for key in framework_keys():
        if key.check_data is not None:
            key.check_data(fw, panel, report)
    report.raise_if_any()


def with_key(fw: Framework, name: str, raw: Any, node: str | None = None) -> Framework:
    """A copy of ``fw`` with key ``name`` (on ``node``) set to ``raw``, parsed and checked as at load."""
    out = copy.deepcopy(fw)
    set_key(out, name, raw, node)
    return out


def set_key(fw: Framework, name: str, raw: Any, node: str | None = None) -> None:
    """Set key ``name`` (on ``node``) of ``fw`` in place, parsed and checked as at load."""
    key = get_key(name)
    target = fw if node is None else fw.nodes.get(node)
    if key is None or target is None or _place(None if node is None else target) not in key.where:
        where = "at the top level" if node is None else f"on node {node!r}"
        raise InputError(Problem(f"{name!r} is not a framework key that can be set {where}",
                                 file=fw.source))
    siblings = {**target.extra, name: raw}
    report = Report(fw.source)
    ctx = KeyContext(fw, None if node is None else target, (name,), siblings, report, name)
    if _parse_into(key, ctx, raw):
        _check(key, ctx)
    report.raise_if_any()


def dump_keys(target: Framework | Node) -> dict[str, Any]:
    """The registered keys of ``target`` as they are written back (typed values dumped)."""
    out = {}
    for name in dict.fromkeys([*target.extra, *target.settings]):
        key = get_key(name)
        value = target.settings.get(name)
        if key is not None and key.dump is not None and value is not None:
            out[name] = key.dump(value)
        elif name in target.extra:
            out[name] = target.extra[name]
    return out


__all__ = ["BUILTIN_KEY_OWNERS", "TOP", "INDICATOR", "AGGREGATE", "FrameworkKey", "KeyContext", "Report",
           "register_key", "unregister_key", "framework_keys", "get_key", "node_key_names",
           "parse_keys", "parse_value", "check_data", "set_key", "with_key", "dump_keys", "RETIRED_KEYS"]
