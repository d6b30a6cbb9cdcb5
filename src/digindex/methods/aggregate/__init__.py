"""Aggregation operators (one file per method group)."""
from . import means  # noqa: F401  (registers arithmetic, geometric)
from .means import NEEDS_POSITIVE, present_weights

__all__ = ["NEEDS_POSITIVE", "present_weights"]
