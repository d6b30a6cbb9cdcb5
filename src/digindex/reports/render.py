"""Write a :class:`~digindex.reports.document.Document` as HTML, PDF or an Excel workbook.

- HTML: one self-contained file (Jinja2 template, inline CSS, images as PNG data URIs):
  it makes no network request and opens offline.
- PDF: the same HTML laid out by WeasyPrint on A4 pages; text is set in Noto Sans CJK,
  which WeasyPrint embeds (subset) in the PDF. The synthetic-data mark and page numbers
  are in the page margins, so they appear on every page.
- Excel: openpyxl, a ``report`` sheet with the title and paragraphs and one sheet per
  table: bold white-on-blue headers, number formats by column kind, widths to fit, panes
  frozen below the header; the synthetic mark is the first row of every sheet and the
  print header.

Files are written atomically (a temporary name, then a rename).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..files import atomic_path
from .document import Document, excel_format

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "pdf", "xlsx")


@lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def _page_css(doc: Document) -> str:
    mark = f"content: {json.dumps(doc.mark, ensure_ascii=False)};" if doc.synthetic else ""
    return ("@page { size: A4; margin: 18mm 14mm 16mm; font-family: \"Noto Sans CJK SC\", sans-serif; "
            f"@top-center {{ {mark} color: #c53030; font-weight: bold; font-size: 11pt; }} "
            "@bottom-right { content: counter(page) \" / \" counter(pages); font-size: 8pt; color: #4a5568; } } "
            "@page wide { size: A4 landscape; margin: 14mm 14mm 14mm; } section.wide { page: wide; }")


def to_html(doc: Document, for_pdf: bool = False) -> str:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    if for_pdf:
        css += "\n" + _page_css(doc)
    return _env().get_template("report.html").render(doc=doc, css=css)


def write_html(doc: Document, path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(to_html(doc), encoding="utf-8")
    return path


def write_pdf(doc: Document, path) -> Path:
    import logging

    from weasyprint import HTML

    from ..charts.fonts import cjk_font

    cjk_font()  # fails clearly when the CJK font is missing
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path = Path(path)
    with atomic_path(path) as tmp:
        HTML(string=to_html(doc, for_pdf=True)).write_pdf(str(tmp))
    return path


def _sheet_name(title: str, used: set) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", title).strip()[:28] or "sheet"
    name, k = base, 2
    while name.lower() in used:
        name, k = f"{base[:25]}_{k}", k + 1
    used.add(name.lower())
    return name


def write_xlsx(doc: Document, path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="2B6CB0")
    mark_font = Font(bold=True, color="C53030", size=12)

    def start(ws):
        if doc.synthetic:
            ws.append([doc.mark])
            ws.cell(ws.max_row, 1).font = mark_font
            ws.oddHeader.center.text = doc.mark
            ws.evenHeader.center.text = doc.mark

    ws = wb.active
    ws.title = "report"
    start(ws)
    ws.append([doc.title])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=14)
    ws.append([doc.subtitle])
    for s in doc.sections:
        for p in s.paragraphs:
            ws.append([p])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[ws.max_row].height = 15 * (1 + len(p) // 60)
    for f in doc.footer:
        ws.append([f])
    ws.column_dimensions["A"].width = 110
    used = {"report"}
    for s in doc.sections:
        for t in s.tables:
            ws = wb.create_sheet(_sheet_name(t.sheet or t.title, used))
            start(ws)
            ws.append([t.title])
            ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
            ws.append([str(h) for h in t.headers])
            header_row = ws.max_row
            for c in range(1, len(t.headers) + 1):
                cell = ws.cell(header_row, c)
                cell.font, cell.fill = head_font, head_fill
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            for row in t.rows:
                ws.append([_plain(v, k) for v, k in zip(row, t.kinds)])
                for c, k in enumerate(t.kinds, start=1):
                    if k != "text":
                        ws.cell(ws.max_row, c).number_format = excel_format(k, t.digits)
            if t.note:
                ws.append([t.note])
            for c, h in enumerate(t.headers, start=1):
                longest = max([len(str(h))] + [len(t.cell(r[c - 1], t.kinds[c - 1])) for r in t.rows] or [8])
                ws.column_dimensions[get_column_letter(c)].width = min(60, max(8, 1.6 * longest))
            ws.freeze_panes = ws.cell(header_row + 1, 1)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _plain(value, kind):
    """A cell value for Excel: numbers as float/int, text as text, missing as empty."""
    import math

    if value is None:
        return None
    if kind == "text":
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return None
    return int(round(x)) if kind in ("rank", "int", "year") else x


def write(doc: Document, path, format: str) -> Path:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    return {"html": write_html, "pdf": write_pdf, "xlsx": write_xlsx}[format](doc, path)


__all__ = ["to_html", "write_html", "write_pdf", "write_xlsx", "write", "FORMATS"]
