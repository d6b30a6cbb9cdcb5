"""Uncertainty and sensitivity analysis: which ranks are real, and which assumption moves them.

The names below are imported on first use: reading a framework imports
:mod:`.problem` (it owns the ``uncertainty:`` key) without the engine behind the rest.
"""
from __future__ import annotations

from ..lazy import lazy_names

_WHERE = {
    "decode": ".design", "read_design": ".design", "saltelli": ".design", "unit_points": ".design",
    "BatchedModel": ".model",
    "Choice": ".problem", "UncertaintyProblem": ".problem", "problem_from_framework": ".problem",
    "UncertaintyResult": ".run", "check_choices_matter": ".run", "run_uncertainty": ".run",
    "analyze": ".sobol", "indices": ".sobol",
}

__all__ = ["Choice", "UncertaintyProblem", "problem_from_framework", "unit_points", "saltelli", "decode",
           "read_design", "BatchedModel", "run_uncertainty", "UncertaintyResult", "check_choices_matter",
           "analyze", "indices"]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())
