"""Aggregation operators (one file per method group)."""
from . import mcda, means, mpi  # noqa: F401  (registers every operator below)
from .mcda import copeland_details, topsis_details, vikor_details
from .means import PowerTerms, check_inputs, needs_positive, power_mean, power_mean_of_terms, power_terms, present_weights
from .mpi import ampi_details, mpi_details

__all__ = ["PowerTerms", "check_inputs", "needs_positive", "power_mean", "power_mean_of_terms", "power_terms",
           "present_weights", "copeland_details",
           "topsis_details", "vikor_details", "mpi_details", "ampi_details"]
