"""Data input: files to a validated panel."""
from .panel import Panel, load_data
from .readers import read_table, sha256_of
from .unitfiles import load_groups

__all__ = ["Panel", "load_data", "load_groups", "read_table", "sha256_of"]
