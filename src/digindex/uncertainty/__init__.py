"""Uncertainty and sensitivity analysis: which ranks are real, and which assumption moves them."""
from .design import decode, read_design, saltelli, unit_points
from .model import BatchedModel
from .problem import Choice, UncertaintyProblem, problem_from_framework
from .run import UncertaintyResult, check_choices_matter, run_uncertainty
from .sobol import analyze, indices

__all__ = ["Choice", "UncertaintyProblem", "problem_from_framework", "unit_points", "saltelli", "decode",
           "read_design", "BatchedModel", "run_uncertainty", "UncertaintyResult", "check_choices_matter",
           "analyze", "indices"]
