"""The evaluation engine.

The names are imported on first use: reading a framework imports :mod:`.publish` (it owns
the ``publish:`` key) without the engine behind the rest.
"""
from __future__ import annotations

from ..lazy import lazy_names

_WHERE = {"evaluate": ".evaluate", "Evaluation": ".result"}

__all__ = ["evaluate", "Evaluation"]

__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())
