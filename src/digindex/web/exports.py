"""Downloads of published results as CSV (UTF-8 with BOM) and Excel.

Every text cell goes through :func:`~digindex.web.security.escape_cell`, so nothing
in an export can run as a spreadsheet formula.
"""
from __future__ import annotations

import csv
import io

from ..i18n import text
from .security import escape_cell


def results_table(snap, year: int, population: str, lang: str = "zh") -> tuple[list, list]:
    """(header, rows): one row per unit with the index and every aspect, best first."""
    lg = "zh" if lang == "zh" else "en"
    info = snap.info
    total = snap.ranking(year, info.root, population, lang)
    aspects = {a: {r["unit"]: r for r in snap.ranking(year, a, population, lang)} for a, _ in info.aspects}
    ver = snap.version(year) or {}
    header = [text("col_rank", lg), text("col_code", lg), text("col_name", lg), text("col_city", lg),
              text("col_score", lg), text("col_rank_in_city", lg), text("col_tier", lg), text("col_rank_lo", lg),
              text("col_rank_hi", lg)]
    for a, _ in info.aspects:
        name = info.node_name(a, lang)
        header += [name, f"{name} {text('col_rank_suffix', lg)}"]
    header.append(text("col_version", lg))
    rows = []
    for r in total:
        row = [r["rank"], r["unit"], r["name"], r["parent_name"], r["score"], r["rank_in_parent"], r["tier_label"],
               r["rank_lo"], r["rank_hi"]]
        for a, _ in info.aspects:
            x = aspects[a].get(r["unit"], {})
            row += [x.get("score"), x.get("rank")]
        row.append(f"{year} v{ver.get('version', '')}")
        rows.append(row)
    return header, rows


def to_csv(header: list, rows: list) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([escape_cell(h) for h in header])
    for row in rows:
        w.writerow(["" if v is None else escape_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(header: list, rows: list, title: str, note: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "results"
    ws.append([escape_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([escape_cell(v) for v in row])
    ws.freeze_panes = "C2"
    about = wb.create_sheet("about")
    about.append(["title", escape_cell(title)])
    if note:
        about.append(["change note", escape_cell(note)])
    about.append(["source", "digindex web: published results (framework modelled on the provincial evaluation)"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
