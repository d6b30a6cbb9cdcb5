"""A report as plain data (sections of paragraphs, images and tables), written to HTML, PDF or Excel.

Profiles and bulletins build a :class:`Document`; :mod:`digindex.reports.render` turns it into
any format, so the three formats always show the same numbers. Table cells keep their raw
values (numbers stay numbers in Excel); each column has a *kind* that fixes its display:

``text``; ``score`` (1 decimal); ``rank`` (whole number); ``value`` (3 significant
figures style: 2 decimals below 100, 1 below 1,000, then thousands separators); ``signed``
(+/− with 2 decimals); ``int`` (thousands separators); ``year`` (2013, never 2,013); ``p``
(3 decimals). The texts come from :mod:`digindex.formatting`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import formatting

# kind -> its display text (any other kind shows as a value) and its Excel number format
KIND_DISPLAY = {"score": lambda x: formatting.number(x, 1), "rank": formatting.rank, "int": formatting.integer,
                "year": formatting.year, "signed": lambda x: formatting.number(x, 2, signed=True),
                "p": lambda x: formatting.number(x, 3), "value": formatting.number}
KIND_FORMATS = {"score": "0.0", "rank": "0", "value": "#,##0.00", "signed": "+0.00;-0.00;0.00",
                "int": "#,##0", "year": "0", "p": "0.000", "text": "@"}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str]
    sheet: str | None = None   # Excel sheet name (default: from the title)
    note: str = ""

    def cell(self, value, kind: str) -> str:
        return display(value, kind)

    def display_rows(self) -> list[list[str]]:
        return [[display(v, k) for v, k in zip(row, self.kinds)] for row in self.rows]


def display(value, kind: str) -> str:
    """The display text of one cell of ``kind`` (see the module doc)."""
    if kind == "text":
        missing = value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))
        return "" if missing else str(value)
    return KIND_DISPLAY.get(kind, formatting.number)(value)


@dataclass
class Image:
    uri: str
    alt: str
    gid: str = ""   # e.g. the map's node, for tests and styling


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    css_class: str = ""
    page_break: bool = False


@dataclass
class Document:
    title: str
    subtitle: str
    lang: str
    sections: list[Section]
    synthetic: bool = False
    mark: str = ""                       # the synthetic-data mark shown on every page
    footer: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def is_synthetic(*evaluations) -> bool:
    """Whether any data file of the evaluations is marked synthetic (``*_SYNTHETIC*`` in its name)."""
    for ev in evaluations:
        panel = getattr(ev.panel, "origin", None) or ev.panel
        if any("synthetic" in str(p).lower() for p in (panel.files or {})):
            return True
    return False


__all__ = ["display", "Table", "Image", "Section", "Document", "is_synthetic", "KIND_FORMATS"]
