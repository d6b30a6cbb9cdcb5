"""Normalisation methods: bring indicators onto a common scale (one file per method group)."""
from . import minmax  # noqa: F401  (registers minmax, goalposts, none)
from . import distance, efficacy, ranking, standardise  # noqa: F401  (register the others)
from .minmax import NormaliseContext, per_period

__all__ = ["NormaliseContext", "per_period"]
