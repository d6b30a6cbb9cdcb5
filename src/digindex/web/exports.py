"""Downloads of a publication as CSV (UTF-8 with BOM) and Excel.

The table is the publication's ranking (one row per unit, units not reported at the end),
with the index, its change from the previous year on this publication's basis, the
previous year's score on this basis and as published, and every aspect. Excel cells hold
numbers with the publication's decimals as their format; the CSV holds the numbers as
shown (no thousands separators). Every text cell goes through
:func:`~digindex.web.security.escape_cell`, so nothing in an export can run as a formula.
"""
from __future__ import annotations

import csv
import io

from .. import formatting
from ..i18n import text
from .security import escape_cell

NUMBER, RANK, TEXT = "number", "rank", "text"


def results_table(snap, year: int | None, population: str, lang: str = "zh",
                  version: int | None = None) -> tuple[list, list, list, dict]:
    """(header, kinds, rows, publication): the download of one publication."""
    lg = "zh" if lang == "zh" else "en"
    info = snap.info
    ranking = snap.ranking(year, info.root, population, lg, version)
    pub, rows_total = ranking["version"], ranking["rows"]
    aspects = {a: {r["unit"]: r for r in snap.ranking(pub["year"], a, population, lg, pub["version"])["rows"]}
               for a, _ in info.aspects}
    header = [text("col_rank", lg), text("col_code", lg), text("col_name", lg), text("col_city", lg),
              text("col_score", lg), text("col_change", lg), text("col_prev_score", lg),
              text("col_prev_published", lg), text("col_rank_change", lg), text("col_rank_in_city", lg),
              text("col_tier", lg), text("col_rank_lo", lg), text("col_rank_hi", lg)]
    kinds = [RANK, TEXT, TEXT, TEXT, NUMBER, NUMBER, NUMBER, NUMBER, RANK, RANK, TEXT, RANK, RANK]
    for a, _ in info.aspects:
        name = info.node_name(a, lg)
        header += [name, f"{name} {text('col_rank_suffix', lg)}"]
        kinds += [NUMBER, RANK]
    header.append(text("col_version", lg))
    kinds.append(TEXT)
    label = text("basis_label", lg, year=pub["year"], version=pub["version"])
    rows = []
    for r in rows_total:
        pp = r["prev_published"] or {}
        row = [r["rank"], r["unit"], r["name"], r["parent_name"],
               r["score"] if r["reported"] else text("not_reported", lg), r["score_change"], r["prev_score"],
               pp.get("score"), r["rank_change"], r["rank_in_parent"], r["tier_label"], r["rank_lo"], r["rank_hi"]]
        for a, _ in info.aspects:
            x = aspects[a].get(r["unit"], {})
            row += [x.get("score"), x.get("rank")]
        row.append(label)
        rows.append(row)
    return header, kinds, rows, pub


def _shown(value, kind: str, decimals: int):
    if value is None or kind == TEXT or isinstance(value, str):
        return value
    if kind == RANK:
        return formatting.rank(value)
    return formatting.number(value, decimals).replace(",", "")


def to_csv(header: list, kinds: list, rows: list, decimals: int = 2) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([escape_cell(h) for h in header])
    for row in rows:
        w.writerow(["" if v is None else _shown(v, k, decimals) if k != TEXT and not isinstance(v, str)
                    else escape_cell(v) for v, k in zip(row, kinds)])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(header: list, kinds: list, rows: list, about: list, decimals: int = 2) -> bytes:
    """The table on sheet ``results``; ``about``: (label, text) lines on sheet ``about``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "results"
    ws.append([escape_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fmt = "0." + "0" * decimals if decimals > 0 else "0"
    for row in rows:
        ws.append([escape_cell(v) for v in row])
        for cell, kind in zip(ws[ws.max_row], kinds):
            if kind == NUMBER and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    ws.freeze_panes = "C2"
    sheet = wb.create_sheet("about")
    for label, value in about:
        sheet.append([escape_cell(label), escape_cell(value)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def about_lines(snap, pub: dict, population: str, lang: str) -> list[tuple[str, str]]:
    """What the download is: its publication, basis, change note and units not reported."""
    lg = "zh" if lang == "zh" else "en"
    missing = pub["missing"].get(population, [])
    lines = [(text("about_title", lg), text("about_title_value", lg, year=pub["year"], version=pub["version"],
                                            population=text("counties" if population == "county" else "cities", lg))),
             (text("published", lg), formatting.timestamp(pub["published_at"])),
             (text("about_basis", lg), text("basis_note", lg, year=pub["year"], version=pub["version"]))]
    if pub["note"]:
        lines.append((text("change_note", lg), pub["note"]))
    if missing:
        lines.append((text("not_reported", lg), ", ".join(missing)))
    lines.append((text("source", lg), text("about_source", lg)))
    return lines
