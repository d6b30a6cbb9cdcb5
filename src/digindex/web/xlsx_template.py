"""The Excel template a county reporter downloads, fills in and uploads.

Sheets: ``data`` (one row per indicator: id, aspect, names, unit, last year's value,
the value to fill in, a validation hint; Excel data validation on the value column),
``dictionary`` (definitions and ranges) and ``info`` (unit, year, framework). Parsing an
upload reports problems cell by cell: ``{sheet, cell, problem}``.
"""
from __future__ import annotations

import io

from . import indicators, units
from .errors import Invalid
from .security import escape_cell
from .uploads import open_workbook

TEMPLATE_ID = "digindex-web-template-1"
VALUE_COL = "G"
HEADER = ["id 指标代码", "aspect 一级指标", "indicator 指标名称", "indicator (English)", "unit 单位",
          "{prev} value 上年值", "{year} value 本年值（请填写）", "hint 填报说明"]


def build_template(unit: str, year: int, last: dict, current: dict | None = None, fw: str = "zhejiang") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    info = indicators.info(fw)
    u = units.get(unit)
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append([h.format(prev=year - 1, year=year) for h in HEADER])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    aspects = dict(info.aspects)
    for r, ind in enumerate(info.indicators, start=2):
        ws.append([ind.id, escape_cell(aspects[ind.aspect].get("zh", ind.aspect)), escape_cell(ind.name.get("zh", "")),
                   escape_cell(ind.name.get("en", "")), escape_cell(ind.unit), last.get(ind.id),
                   (current or {}).get(ind.id), escape_cell(ind.hint("zh") + " / " + ind.hint("en"))])
        ws[f"{VALUE_COL}{r}"].fill = fill
        dv = DataValidation(type="decimal", operator="between" if ind.hi is not None else "greaterThanOrEqual",
                            formula1=f"{ind.lo:g}" if ind.lo is not None else "-1E+300",
                            formula2=f"{ind.hi:g}" if ind.hi is not None else None, allow_blank=True)
        dv.error = ind.hint("en")[:255]
        dv.errorTitle = "digindex"
        dv.prompt = ind.hint("zh")[:255]
        dv.promptTitle = ind.id[:32]
        dv.showErrorMessage = dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{VALUE_COL}{r}")
    for col, width in zip("ABCDEFGH", (24, 14, 34, 40, 22, 14, 18, 70)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C2"

    d = wb.create_sheet("dictionary")
    d.append(["id", "name_zh", "name_en", "unit", "direction", "min", "max", "definition_zh", "definition_en"])
    for ind in info.indicators:
        d.append([ind.id, escape_cell(ind.name.get("zh", "")), escape_cell(ind.name.get("en", "")),
                  escape_cell(ind.unit), ind.direction, ind.lo, ind.hi,
                  escape_cell(ind.definition.get("zh", "")), escape_cell(ind.definition.get("en", ""))])

    i = wb.create_sheet("info")
    rows = [("unit", unit), ("name", u.name if u else unit), ("year", year), ("framework", info.id),
            ("template", TEMPLATE_ID), (),
            ("说明", "只填写 data 表 G 列（本年值），不要改动其他列；请填数值，不要填公式。"),
            ("Instructions", "Fill in column G of the 'data' sheet only, with numbers (no formulas); "
                             "leave the other columns as they are, then upload the file.")]
    for row in rows:
        i.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_upload(data: bytes, unit: str, year: int, settings, last: dict | None = None,
                 fw: str = "zhejiang") -> tuple[dict, list]:
    """(values, warnings) from a filled template, or :class:`Invalid` with every problem."""
    info = indicators.info(fw)
    wb = open_workbook(data, settings)
    problems, warnings, values, seen = [], [], {}, {}
    try:
        if "info" not in wb.sheetnames or "data" not in wb.sheetnames:
            raise Invalid("this is not the digindex template", problems=[
                {"sheet": s, "cell": "", "problem": f"sheet '{s}' is missing: download the template again"}
                for s in ("data", "info") if s not in wb.sheetnames])
        meta = {}
        for r, row in enumerate(wb["info"].iter_rows(min_row=1, max_row=6, max_col=2), start=1):
            if len(row) == 2 and row[0].value:
                meta[str(row[0].value)] = (row[1].value, f"B{r}")
        for key, want in (("unit", str(unit)), ("year", str(year))):
            got, coord = meta.get(key, (None, "B1" if key == "unit" else "B3"))
            if str(got).strip().removesuffix(".0") != want:
                problems.append({"sheet": "info", "cell": coord,
                                 "problem": f"this template is for {key} {got!r}, not {want}: download the template "
                                            "for this submission"})
        ws = wb["data"]
        if ws.max_row and ws.max_row > 500:
            problems.append({"sheet": "data", "cell": "", "problem": f"{ws.max_row} rows: not the template"})
        else:
            for r, row in enumerate(ws.iter_rows(min_row=2, max_col=7), start=2):
                if len(row) < 7 or (row[0].value is None and row[6].value is None):
                    continue
                _cell(r, row[0], row[6], info, last or {}, values, seen, problems, warnings)
        for ind in info.indicators:
            if ind.id not in seen:
                problems.append({"sheet": "data", "cell": "A", "problem": f"the row for indicator {ind.id} is missing"})
    finally:
        wb.close()
    if problems:
        raise Invalid(f"{len(problems)} problem(s) in the upload; nothing was saved", problems=problems,
                      warnings=warnings)
    return values, warnings


def _cell(r, id_cell, val_cell, info, last, values, seen, problems, warnings) -> None:
    id_coord, coord = f"A{r}", f"{VALUE_COL}{r}"
    if id_cell.data_type == "f":
        problems.append({"sheet": "data", "cell": id_coord, "problem": "formulas are not accepted"})
        return
    iid = str(id_cell.value or "").strip()
    ind = info.indicator(iid)
    if ind is None:
        problems.append({"sheet": "data", "cell": id_coord, "problem": f"unknown indicator id {iid!r}"})
        return
    if iid in seen:
        problems.append({"sheet": "data", "cell": id_coord,
                         "problem": f"indicator {iid} appears twice (first in {seen[iid]})"})
        return
    seen[iid] = id_coord
    if val_cell.data_type == "f":
        problems.append({"sheet": "data", "cell": coord,
                         "problem": "formulas are not accepted: type the value itself"})
        return
    value, problem = indicators.parse_number(val_cell.value)
    if problem is None:
        problem, warning = indicators.check_value(ind, value, last.get(iid))
        if warning:
            warnings.append({"sheet": "data", "cell": coord, "problem": f"{iid}: {warning}"})
    if problem:
        problems.append({"sheet": "data", "cell": coord, "problem": f"{iid}: {problem}"})
    elif value is not None:
        values[iid] = value
