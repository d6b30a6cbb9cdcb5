"""Data input: files to a validated panel."""
from .panel import Panel, load_data
from .readers import read_table, sha256_of

__all__ = ["Panel", "load_data", "read_table", "sha256_of"]
