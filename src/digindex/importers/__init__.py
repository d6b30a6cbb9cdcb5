"""Importers: frameworks and data from other tools' formats (COINr iMeta/iData)."""
from .coinr import import_coinr, write_coinr_import

__all__ = ["import_coinr", "write_coinr_import"]
