"""What methods are told about their rows and columns, and what they report back.

These live at the bottom layer with the methods: the engine builds the contexts and
collects the log entries, but the methods define them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lazy import lazy_module

np = lazy_module("numpy", globals())


@dataclass
class StageContext:
    """What imputation and treatment methods may know about the rows and columns."""

    framework: Any  # the Framework (methods read only its indicator nodes)
    units: np.ndarray
    years: np.ndarray
    indicators: list[str]
    parents: dict[str, str]
    data: Any  # the panel table (a DataFrame), with any data_columns (groups, denominators)
    quiet: bool = False  # methods may skip building log entries (many-variant runs)
    # methods may keep intermediate results here, keyed by their inputs, for the other
    # variants of a many-variant run (e.g. one winsorising trace for several max_points)
    memo: dict | None = None


@dataclass(frozen=True)
class AggregateContext:
    """What weighting and aggregation methods may know about a node's rows."""

    node: str
    children: list[str]
    units: np.ndarray
    years: np.ndarray


@dataclass
class LogEntry:
    """One thing a stage did or decided (an imputed cell, a treated indicator, a dropped row)."""

    stage: str
    message: str
    node: str | None = None
    unit: str | None = None
    year: Any = None
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"stage": self.stage, "node": self.node, "unit": self.unit, "year": self.year,
                "message": self.message, **{f"detail_{k}": v for k, v in self.detail.items()}}
