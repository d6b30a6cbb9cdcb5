"""The result of one research analysis: its tables, by file stem, and notes for the user."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Analysis:
    """``tables`` maps a file stem (``dagum``, ``dagum_within`` ...) to its table, main table
    first; ``notes`` are things the user should know (units left out, islands);
    ``meta`` carries what the charts need besides the tables (labels, parameters)."""

    kind: str
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.kind.replace("-", "_")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


__all__ = ["Analysis"]
