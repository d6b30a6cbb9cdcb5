"""Build the Excel form of a built-in framework, with a bilingual indicator dictionary.

``python -m digindex.frameworks.workbook`` rebuilds ``zhejiang.xlsx`` from
``zhejiang.yaml``. The workbook holds the sheets ``framework`` and ``settings``
that :func:`digindex.load_framework` reads (see digindex.framework.table_io),
plus ``指标说明 dictionary`` (documentation: names, unit, direction, definition
and source of every indicator in Chinese and English) and ``说明 about``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..framework import load_framework, save_framework
from ..framework.model import Framework, text_in

DICTIONARY_SHEET = "指标说明 dictionary"
ABOUT_SHEET = "说明 about"
DICTIONARY_COLUMNS = ["id", "aspect", "aspect_zh", "name_zh", "name_en", "unit", "direction",
                      "weight", "definition_zh", "definition_en", "source_zh", "source_en"]
ABOUT_LINES = [
    ("zh", "本框架参照《浙江省数字经济发展综合评价办法（试行）》构建，并非官方指标体系；官方指标与权重未公开。"),
    ("en", "This framework is MODELLED ON the Zhejiang provincial evaluation; it is not the official "
           "framework, whose indicator list and weights are not public."),
    ("zh", "digindex 读取 framework 与 settings 两个工作表；“指标说明 dictionary”仅作说明，修改定义请同时修改 YAML。"),
    ("en", "digindex reads the sheets 'framework' and 'settings'; the dictionary sheet is documentation "
           "only (edit definitions in the YAML as well)."),
]


def dictionary_rows(fw: Framework) -> list[dict]:
    """One row per indicator: names, unit, direction, definition and source in zh and en."""
    rows = []
    for aspect in fw.tree.children:
        for node in aspect.walk():
            if not node.is_indicator:
                continue
            definition = node.settings.get("definition") or {}
            source = node.settings.get("source") or {}
            rows.append({
                "id": node.id, "aspect": aspect.id, "aspect_zh": text_in(aspect.name, "zh"),
                "name_zh": node.name.get("zh", ""), "name_en": node.name.get("en", ""),
                "unit": node.unit or "", "direction": node.direction, "weight": node.weight,
                "definition_zh": definition.get("zh", ""), "definition_en": definition.get("en", ""),
                "source_zh": source.get("zh", ""), "source_en": source.get("en", ""),
            })
    return rows


def build_workbook(yaml_path: str | Path, xlsx_path: str | Path) -> Path:
    """Load ``yaml_path``, write it as ``xlsx_path`` and add the dictionary and about sheets."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font

    fw = load_framework(yaml_path)
    xlsx_path = Path(xlsx_path)
    save_framework(fw, xlsx_path)
    book = load_workbook(xlsx_path)
    sheet = book.create_sheet(DICTIONARY_SHEET)
    sheet.append(DICTIONARY_COLUMNS)
    for row in dictionary_rows(fw):
        sheet.append([row[c] for c in DICTIONARY_COLUMNS])
    widths = {"id": 24, "aspect": 10, "aspect_zh": 16, "name_zh": 36, "name_en": 44, "unit": 18,
              "direction": 9, "weight": 8, "definition_zh": 60, "definition_en": 70,
              "source_zh": 30, "source_en": 40}
    for i, col in enumerate(DICTIONARY_COLUMNS):
        letter = sheet.cell(row=1, column=i + 1).column_letter
        sheet.column_dimensions[letter].width = widths[col]
        sheet.cell(row=1, column=i + 1).font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    about = book.create_sheet(ABOUT_SHEET)
    about.append(["lang", "note"])
    for lang, line in ABOUT_LINES:
        about.append([lang, line])
    about.column_dimensions["B"].width = 110
    book.save(xlsx_path)
    return xlsx_path


def main(argv: list[str] | None = None) -> int:
    from . import builtin_framework_path

    argv = sys.argv[1:] if argv is None else argv
    name = argv[0] if argv else "zhejiang"
    out = build_workbook(builtin_framework_path(name), builtin_framework_path(name, "xlsx"))
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
