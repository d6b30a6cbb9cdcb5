"""Downloads of published results as CSV (UTF-8 with BOM) and Excel.

Every text cell goes through :func:`~digindex.web.security.escape_cell`, so nothing
in an export can run as a spreadsheet formula.
"""
from __future__ import annotations

import csv
import io

from .security import escape_cell

LABELS = {
    "zh": {"rank": "排名", "unit": "代码", "name": "名称", "city": "所属市", "score": "总指数",
           "rank_in_parent": "市内排名", "tier": "梯队", "rank_lo": "排名区间下限(5%)", "rank_hi": "排名区间上限(95%)",
           "version": "版本", "rank_suffix": "排名"},
    "en": {"rank": "rank", "unit": "code", "name": "name", "city": "city", "score": "index score",
           "rank_in_parent": "rank in city", "tier": "tier", "rank_lo": "rank 5th pct", "rank_hi": "rank 95th pct",
           "version": "version", "rank_suffix": "rank"},
}


def results_table(snap, year: int, population: str, lang: str = "zh") -> tuple[list, list]:
    """(header, rows): one row per unit with the index and every aspect, best first."""
    lab = LABELS["zh" if lang == "zh" else "en"]
    info = snap.info
    total = snap.ranking(year, info.root, population, lang)
    aspects = {a: {r["unit"]: r for r in snap.ranking(year, a, population, lang)} for a, _ in info.aspects}
    ver = snap.version(year) or {}
    header = [lab["rank"], lab["unit"], lab["name"], lab["city"], lab["score"], lab["rank_in_parent"], lab["tier"],
              lab["rank_lo"], lab["rank_hi"]]
    for a, _ in info.aspects:
        name = info.node_name(a, lang)
        header += [name, f"{name} {lab['rank_suffix']}"]
    header.append(lab["version"])
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
