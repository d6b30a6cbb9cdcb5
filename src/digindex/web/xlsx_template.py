"""The Excel template a county reporter downloads, fills in and uploads.

Sheets: ``data`` (one row per indicator: id, aspect, names, unit, last year's value,
the value to fill in, a validation hint, a note: why a value is missing or what explains
an unusual one; Excel data validation on the value column), ``dictionary`` (definitions
and ranges) and ``info`` (unit, year, framework). The file is for both languages: its
headers carry Chinese and English. Parsing an upload reports problems cell by cell:
``{sheet, cell, problem}``; any failure to read the workbook is a 422, never a 500.
"""
from __future__ import annotations

import io

from . import indicators, units
from .errors import Invalid
from .messages import t
from .security import escape_cell
from .uploads import open_workbook, reading

TEMPLATE_ID = "digindex-web-template-1"
VALUE_COL, NOTE_COL = "G", "I"
HEADER = ["id 指标代码", "aspect 一级指标", "indicator 指标名称", "indicator (English)", "unit 单位",
          "{prev} value 上年值", "{year} value 本年值（请填写）", "hint 填报说明",
          "note 说明（缺失原因或异常值解释） / why missing, or what explains an unusual value"]


def build_template(unit: str, year: int, last: dict, current: dict | None = None, fw: str = "zhejiang",
                   notes: dict | None = None) -> bytes:
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
                   escape_cell(ind.name.get("en", "")),
                   escape_cell(ind.unit_label("zh") + " / " + ind.unit_label("en")),
                   last.get(ind.id), (current or {}).get(ind.id), escape_cell(ind.hint("zh") + " / " + ind.hint("en")),
                   escape_cell((notes or {}).get(ind.id) or None)])
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
    for col, width in zip("ABCDEFGHI", (24, 14, 34, 40, 22, 14, 18, 70, 40)):
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
            ("说明", "只填写 data 表 G 列（本年值，请填数值，不要填公式）和 I 列"
                   "（说明：某项没有数值时写明原因，数值与上年或其他县差异很大时作出解释），不要改动其他列。"),
            ("Instructions", "Fill in column G of the 'data' sheet (this year's values: numbers, no formulas) and "
                             "column I (a note: why a value is missing, or what explains a value far from last "
                             "year's or from other counties'); leave the other columns as they are, then upload "
                             "the file.")]
    for row in rows:
        i.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_upload(data: bytes, unit: str, year: int, settings, fw: str = "zhejiang") -> tuple[dict, dict]:
    """(values, notes) from a filled template, or :class:`Invalid` with every problem."""
    info = indicators.info(fw)
    wb = open_workbook(data, settings)
    problems, values, notes, seen = [], {}, {}, {}
    try:
        with reading():
            _read(wb, unit, year, info, problems, values, notes, seen)
    finally:
        wb.close()
    if problems:
        raise Invalid(t("upload_refused", n=len(problems)), problems=problems)
    return values, notes


def _read(wb, unit, year, info, problems, values, notes, seen) -> None:
    if "info" not in wb.sheetnames or "data" not in wb.sheetnames:
        raise Invalid(t("not_the_template"), problems=[
            {"sheet": s, "cell": "", "problem": t("sheet_missing", sheet=s)}
            for s in ("data", "info") if s not in wb.sheetnames])
    meta = {}
    for r, row in enumerate(wb["info"].iter_rows(min_row=1, max_row=6, max_col=2), start=1):
        if len(row) == 2 and row[0].value:
            meta[str(row[0].value)] = (row[1].value, f"B{r}")
    for key, want in (("unit", str(unit)), ("year", str(year))):
        got, coord = meta.get(key, (None, "B1" if key == "unit" else "B3"))
        if str(got).strip().removesuffix(".0") != want:
            problems.append({"sheet": "info", "cell": coord,
                             "problem": t("template_for_other", got=repr(got)[:40], want=want)})
    ws = wb["data"]
    if ws.max_row and ws.max_row > 500:
        problems.append({"sheet": "data", "cell": "", "problem": t("template_too_many_rows", n=ws.max_row)})
        return
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=9), start=2):
        if len(row) < 7 or (row[0].value is None and row[6].value is None):
            continue
        _cell(r, row[0], row[6], row[8] if len(row) > 8 else None, info, values, notes, seen, problems)
    for ind in info.indicators:
        if ind.id not in seen:
            problems.append({"sheet": "data", "cell": "A", "problem": t("template_row_missing", id=ind.id)})


def _cell(r, id_cell, val_cell, note_cell, info, values, notes, seen, problems) -> None:
    id_coord, coord = f"A{r}", f"{VALUE_COL}{r}"
    if id_cell.data_type == "f":
        problems.append({"sheet": "data", "cell": id_coord, "problem": t("formula_refused")})
        return
    iid = str(id_cell.value or "").strip()
    ind = info.indicator(iid)
    if ind is None:
        problems.append({"sheet": "data", "cell": id_coord, "problem": t("unknown_indicator", id=repr(iid)[:60])})
        return
    if iid in seen:
        problems.append({"sheet": "data", "cell": id_coord, "problem": t("indicator_twice", id=iid, first=seen[iid])})
        return
    seen[iid] = id_coord
    if note_cell is not None and note_cell.value not in (None, ""):
        if note_cell.data_type == "f":
            problems.append({"sheet": "data", "cell": f"{NOTE_COL}{r}", "problem": t("formula_refused")})
        else:
            notes[iid] = str(note_cell.value).strip()[:2000]
    if val_cell.data_type == "f":
        problems.append({"sheet": "data", "cell": coord, "problem": t("formula_refused")})
        return
    value, problem = indicators.parse_number(val_cell.value)
    problem = problem or indicators.check_range(ind, value)
    if problem:
        problems.append({"sheet": "data", "cell": coord, "problem": t("problem_of", id=iid, problem=problem)})
    elif value is not None:
        values[iid] = value
