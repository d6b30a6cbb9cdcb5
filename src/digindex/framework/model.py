"""The framework model: an indicator tree with directions, weights and methods.

Both the YAML and the flat-table forms load into these classes. They are plain
dataclasses; checking happens once, in :mod:`digindex.framework.parse`. Keys that
subsystems own (``screen``, ``tiers``, ``uncertainty``, ``denominator``, ``derive`` …)
are parsed through :mod:`digindex.framework.keys` into typed values kept in
``settings`` (of the Framework or of a Node); ``extra`` keeps them as written.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ..methods import get_method
from ..methods.choice import MethodChoice, parse_choice

STEPS = ("impute", "treat", "normalise", "weights", "aggregate")
DEFAULT_METHODS = {
    "impute": "none",
    "treat": "none",
    "normalise": "minmax",
    "weights": "manual",
    "aggregate": "arithmetic",
}


def text_in(name: dict[str, str] | None, lang: str = "en", fallback: str = "") -> str:
    """A bilingual name in ``lang``, falling back to the other language."""
    if not name:
        return fallback
    other = "zh" if lang == "en" else "en"
    return name.get(lang) or name.get(other) or fallback


@dataclass
class Node:
    """A node of the indicator tree; a node without children is an indicator."""

    id: str
    name: dict[str, str] = field(default_factory=dict)
    weight: float = 1.0
    children: list["Node"] = field(default_factory=list)
    # indicator keys
    unit: str | None = None
    direction: int = 1
    transform: str | None = None
    goalposts: tuple[float, float] | None = None
    clip: bool | None = None
    target: float | None = None
    normalise: MethodChoice | None = None
    # aggregate keys
    aggregate: MethodChoice | None = None
    weights: MethodChoice | None = None
    min_coverage: float | None = None
    description: Any = None
    # registered keys (see framework.keys): typed values, and the values as written
    settings: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    # per-indicator impute/treat choices are registered keys, read like normalise
    impute = property(lambda self: self.settings.get("impute"),
                      lambda self, choice: self.settings.__setitem__("impute", choice))
    treat = property(lambda self: self.settings.get("treat"),
                     lambda self, choice: self.settings.__setitem__("treat", choice))

    @property
    def is_indicator(self) -> bool:
        return not self.children

    def label(self, lang: str = "en") -> str:
        return text_in(self.name, lang, self.id)

    def walk(self) -> Iterator["Node"]:
        """This node and all below it, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    def walk_post(self) -> Iterator["Node"]:
        """All nodes below and including this one, children before parents."""
        for child in self.children:
            yield from child.walk_post()
        yield self


@dataclass
class Framework:
    """A composite-index framework: the tree plus the pipeline's default methods."""

    id: str
    tree: Node
    name: dict[str, str] = field(default_factory=dict)
    description: Any = None
    defaults: dict[str, MethodChoice] = field(default_factory=dict)
    min_coverage: float = 0.5
    data_columns: list[str] = field(default_factory=list)
    # registered top-level keys (see framework.keys): typed values, and the values as written
    settings: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self):
        for step in STEPS:
            self.defaults.setdefault(step, MethodChoice(DEFAULT_METHODS[step]))
        self._index()

    def _index(self) -> None:
        """Derived lookups; call again after editing the tree in place."""
        self.nodes: dict[str, Node] = {n.id: n for n in self.tree.walk()}
        self._indicators = [n for n in self.tree.walk() if n.is_indicator]
        self._aggregates = [n for n in self.tree.walk_post() if not n.is_indicator]
        self.parent_of: dict[str, str | None] = {self.tree.id: None}
        for node in self.tree.walk():
            for child in node.children:
                self.parent_of[child.id] = node.id
        self.levels: dict[str, int] = {}
        for node in self.tree.walk_post():
            self.levels[node.id] = (
                1 if node.is_indicator else 1 + max(self.levels[c.id] for c in node.children)
            )

    @property
    def indicators(self) -> list[Node]:
        return list(self._indicators)

    @property
    def indicator_ids(self) -> list[str]:
        return [n.id for n in self._indicators]

    @property
    def aggregates(self) -> list[Node]:
        """Aggregate nodes, children before parents (the order of computation)."""
        return list(self._aggregates)

    def label(self, lang: str = "en") -> str:
        return text_in(self.name, lang, self.id)

    def method_for(self, step: str, node: Node) -> MethodChoice:
        """The method used for ``step`` at ``node``: its override, else the default."""
        return getattr(node, step, None) or self.defaults[step]

    def inputs_of(self, node: Node) -> list[Node]:
        """What an aggregate node combines: its children, or with ``over: indicators`` every
        indicator below it (its children then score on their own, as sub-scores)."""
        if node.settings.get("over") == "indicators":
            return [n for n in node.walk() if n.is_indicator]
        return list(node.children)

    def input_weights(self, node: Node) -> list[float]:
        """The framework's relative weights of the node's inputs: the children's ``weight``, or
        for ``over: indicators`` the product of the shares among siblings on each path."""
        if node.settings.get("over") != "indicators":
            return [c.weight for c in node.children]
        out = []

        def visit(current: Node, share: float) -> None:
            total = sum(c.weight for c in current.children)
            for c in current.children:
                if c.is_indicator:
                    out.append(share * c.weight / total)
                else:
                    visit(c, share * c.weight / total)

        visit(node, 1.0)
        return out

    def coverage_for(self, node: Node) -> float:
        return node.min_coverage if node.min_coverage is not None else self.min_coverage

    def with_choice(self, step: str, value: str | dict | MethodChoice, node: str | None = None) -> "Framework":
        """A copy with one pipeline choice changed, at one node or as the default."""
        choice = parse_choice(value, step)
        if node is None:  # the tree is untouched: share it
            fw = copy.copy(self)
            fw.defaults = {**self.defaults, step: choice}
            return fw
        fw = copy.deepcopy(self)
        if node not in fw.nodes:
            raise KeyError(f"no node {node!r} in framework {fw.id!r}")
        setattr(fw.nodes[node], step, choice)
        fw._index()
        return fw

    def without(self, node: str) -> "Framework":
        """A copy without ``node`` (an indicator, or an aggregate with its subtree).

        Refuses (InputError) an unknown node, the root, and a node that is its parent's only child.
        """
        from ..errors import InputError, Problem

        if node not in self.nodes:
            raise InputError(Problem(f"framework {self.id!r} has no node {node!r}", file=self.source))
        parent_id = self.parent_of[node]
        if parent_id is None:
            raise InputError(Problem("the root cannot be removed", file=self.source))
        out = self.copy()
        parent = out.nodes[parent_id]
        if len(parent.children) == 1:
            raise InputError(Problem(f"removing {node!r} would leave node {parent_id!r} empty",
                                     file=self.source, fix="remove a node whose parent has other children"))
        before = {n.id: [c.id for c in out.inputs_of(n)] for n in out.aggregates}
        parent.children = [c for c in parent.children if c.id != node]
        out._index()
        # a weighting with one entry per input (an AHP matrix) drops the removed inputs' entries
        for n in out.aggregates:
            lost = [i for i, c in enumerate(before[n.id]) if c not in out.nodes]
            choice = out.method_for("weights", n)
            spec = get_method("weights", choice.name)
            if lost and spec.without_child is not None:
                params = dict(choice.params)
                for i in reversed(lost):
                    params = spec.without_child(params, i)
                n.weights = MethodChoice(choice.name, params)
        return out

    def with_weight(self, node: str, weight: float) -> "Framework":
        fw = copy.deepcopy(self)
        fw.nodes[node].weight = float(weight)
        return fw

    def copy(self, **changes) -> "Framework":
        return replace(copy.deepcopy(self), **changes)


__all__ = ["STEPS", "DEFAULT_METHODS", "MethodChoice", "Node", "Framework", "text_in"]
