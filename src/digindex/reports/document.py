"""A report as plain data (sections of paragraphs, images and tables), written to HTML, PDF or Excel.

Profiles and bulletins build a :class:`Document`; :mod:`digindex.reports.render` turns it into
any format, so the three formats always show the same numbers. Table cells keep their raw
values (numbers stay numbers in Excel); each column has a *kind* that fixes its display:

``text``; ``score`` (the table's ``digits`` decimals: 1 for 0–100 scores, 3 for 0–1 scores,
see :func:`digindex.formatting.score_digits`); ``rank`` (whole number); ``value`` (by magnitude:
3 decimals below 1, 2 below 100, 1 below 1,000, then thousands separators); ``signed`` (+/− with
``max(digits, 2)`` decimals); ``int`` (thousands separators); ``year`` (2013, never 2,013); ``p``
(3 decimals). The texts come from :mod:`digindex.formatting`.

A table with more than :data:`WIDE` columns is laid out on a landscape A4 page in the PDF, so
that no column is cut off; ``print_rows`` shows only the first rows in HTML and PDF (with a
note), while the Excel sheet keeps every row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import formatting

WIDE = 8  # more columns than this: a landscape page in the PDF

# kind -> its display text (any other kind shows as a value) and its Excel number format
KIND_DISPLAY = {"score": lambda x, d: formatting.number(x, d), "rank": lambda x, d: formatting.rank(x),
                "int": lambda x, d: formatting.integer(x), "year": lambda x, d: formatting.year(x),
                "signed": lambda x, d: formatting.number(x, max(d, 2), signed=True),
                "p": lambda x, d: formatting.number(x, 3), "value": lambda x, d: formatting.number(x)}
KIND_FORMATS = {"score": "0.0", "rank": "0", "value": "#,##0.00", "signed": "+0.00;-0.00;0.00",
                "int": "#,##0", "year": "0", "p": "0.000", "text": "@"}


def excel_format(kind: str, digits: int = 1) -> str:
    """The Excel number format of a column of ``kind`` in a table of scores with ``digits`` decimals."""
    if kind == "score":
        return "0." + "0" * digits if digits else "0"
    if kind == "signed":
        z = "0." + "0" * max(digits, 2)
        return f"+{z};-{z};{z}"
    return KIND_FORMATS[kind]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str]
    sheet: str | None = None   # Excel sheet name (default: from the title)
    note: str = ""
    digits: int = 1            # decimals of the score columns
    print_rows: int | None = None  # rows shown in HTML/PDF (None: all); Excel has every row

    def cell(self, value, kind: str) -> str:
        return display(value, kind, self.digits)

    def display_rows(self) -> list[list[str]]:
        rows = self.rows if self.print_rows is None else self.rows[:self.print_rows]
        return [[display(v, k, self.digits) for v, k in zip(row, self.kinds)] for row in rows]

    @property
    def wide(self) -> bool:
        return len(self.headers) > WIDE


def display(value, kind: str, digits: int = 1) -> str:
    """The display text of one cell of ``kind`` (see the module doc)."""
    if kind == "text":
        missing = value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))
        return "" if missing else str(value)
    return KIND_DISPLAY.get(kind, KIND_DISPLAY["value"])(value, digits)


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

    @property
    def wide(self) -> bool:
        """Whether the section needs a landscape page (a table with many columns)."""
        return any(t.wide for t in self.tables)


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
    """Whether any data file of the evaluations is marked synthetic (:attr:`Panel.synthetic`)."""
    return any(ev.panel.synthetic for ev in evaluations)


__all__ = ["display", "Table", "Image", "Section", "Document", "is_synthetic", "KIND_FORMATS", "excel_format", "WIDE"]
