"""Outlier-treatment methods (one file per method group)."""
from . import basic  # noqa: F401
