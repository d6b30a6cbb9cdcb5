"""The flat-table form of a framework: one row per node, in CSV or an Excel sheet.

Columns: ``id, parent, name_en, name_zh, weight, direction, unit, transform,
goalpost_lo, goalpost_hi, normalise, aggregate`` and optionally ``weights, clip,
target, min_coverage, description`` and one column per registered node key
(``definition, source, notes, denominator, factor, impute, treat, derive`` …, see
:mod:`digindex.framework.keys`). A method cell holds a name or a YAML flow mapping
such as ``{method: minmax, min: 0, max: 0.66}``.

Framework-level settings (id, name, default methods) go in an Excel sheet named
``settings`` (columns ``key, value``), or in a CSV as leading comment lines
``# key: value`` (YAML). Row numbers in errors are the spreadsheet's own: the
header is row 1.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import yaml

from ..errors import InputError, Problem
from ..lazy import lazy_module
from .keys import node_key_names
from .model import STEPS, Framework
from .parse import build_framework
from .yaml_io import _read_text, framework_to_dict

pd = lazy_module("pandas", globals())

REQUIRED = ["id", "parent"]
COLUMNS = ["id", "parent", "name_en", "name_zh", "weight", "direction", "unit", "transform",
           "goalpost_lo", "goalpost_hi", "normalise", "aggregate"]
CORE_OPTIONAL = ["weights", "clip", "target", "min_coverage", "description"]


def optional_columns() -> list[str]:
    """The optional columns: core ones, then one per registered node key (YAML-valued cells)."""
    return CORE_OPTIONAL + [k for k in node_key_names() if k not in CORE_OPTIONAL]


NODE_SHEET_NAMES = ("framework", "nodes", "indicators", "指标体系")


def load_framework_table(path: Path, sheet: str | None = None) -> Framework:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        table, settings, sheet_name = _read_excel(path, sheet)
    else:
        table, settings = _read_csv(path)
        sheet_name = None
    data, locate = table_to_dict(table, settings, str(path), sheet_name)
    return build_framework(data, locate, str(path))


def _read_csv(path: Path):
    text = _read_text(path)
    lines = text.splitlines()
    head = []
    while lines and lines[0].startswith("#"):
        head.append(lines.pop(0)[1:])
    settings = _settings_yaml("\n".join(head), path, None) if head else {}
    if not lines:
        raise InputError(Problem("the framework table has no header row", file=str(path),
                                 fix=f"the first row must name the columns: {', '.join(COLUMNS)}"))
    table = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    table.attrs["row_offset"] = len(head) + 2
    return table, settings


def _settings_yaml(text, path, sheet):
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(Problem(f"framework settings are not valid YAML: {exc}", file=str(path),
                                 sheet=sheet)) from None
    if not isinstance(data, dict):
        raise InputError(Problem("framework settings must be 'key: value' lines", file=str(path),
                                 sheet=sheet))
    return data


def _read_excel(path: Path, sheet: str | None):
    try:
        book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(Problem(f"cannot read the workbook: {exc}", file=str(path),
                                 fix="save it again as .xlsx from Excel or LibreOffice")) from None
    if sheet is None:
        sheet = next((s for s in book if s.lower() in NODE_SHEET_NAMES), None)
        sheet = sheet or next((s for s, df in book.items() if {"id", "parent"} <= set(df.columns)), None)
    if sheet not in book:
        raise InputError(Problem(f"no sheet with the framework table (sheets: {', '.join(book)})",
                                 file=str(path), fix="name the sheet 'framework' or pass --sheet"))
    table = book[sheet]
    table.attrs["row_offset"] = 2
    settings = {}
    if "settings" in book:
        s = book["settings"]
        if not {"key", "value"} <= set(s.columns):
            raise InputError(Problem("the settings sheet needs columns 'key' and 'value'",
                                     file=str(path), sheet="settings"))
        settings = {str(k).strip(): _cell_value(str(v))
                    for k, v in zip(s["key"], s["value"]) if str(k).strip()}
    return table, settings, sheet


def _cell_value(text: str):
    """A cell as YAML scalar or flow mapping: '2' -> 2, '{method: x}' -> dict."""
    text = text.strip()
    if text == "":
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def table_to_dict(table: pd.DataFrame, settings: dict, file: str, sheet: str | None):
    """Turn the node table into the nested dict that :func:`build_framework` reads."""
    table.columns = [str(c).strip() for c in table.columns]
    offset = table.attrs.get("row_offset", 2)
    problems = []
    for col in REQUIRED:
        if col not in table.columns:
            problems.append(Problem(f"missing column {col!r}", file=file, sheet=sheet,
                                    fix=f"the columns are: {', '.join(COLUMNS)}"))
    optional = optional_columns()
    for col in table.columns:
        if col not in COLUMNS + optional:
            problems.append(Problem(f"unknown column {col!r}", file=file, sheet=sheet, column=col,
                                    fix=f"use columns from: {', '.join(COLUMNS + optional)}"))
    if problems:
        raise InputError(problems)

    rows: dict[str, dict] = {}
    row_of: dict[str, int] = {}
    parent_of: dict[str, str] = {}
    order: list[str] = []
    for i, rec in enumerate(table.to_dict("records")):
        rownum = i + offset
        nid = str(rec.get("id", "")).strip()
        if not nid:
            if any(str(v).strip() for v in rec.values()):
                problems.append(Problem("a row has no id", file=file, sheet=sheet, row=rownum,
                                        column="id", fix="give every node a unique id"))
            continue
        if nid in rows:
            problems.append(Problem(f"duplicate id {nid!r} (first on row {row_of[nid]})", file=file,
                                    sheet=sheet, row=rownum, column="id", fix="ids must be unique"))
            continue
        node = {"id": nid}
        name = {k: str(rec[f"name_{k}"]).strip() for k in ("en", "zh")
                if str(rec.get(f"name_{k}", "")).strip()}
        if name:
            node["name"] = name
        for col in ("weight", "direction", "unit", "transform", "normalise", "aggregate", *optional):
            value = _cell_value(str(rec.get(col, "")))
            if value is not None:
                node[col] = str(value) if col in ("unit", "description") else value
        lo, hi = (_cell_value(str(rec.get(c, ""))) for c in ("goalpost_lo", "goalpost_hi"))
        if lo is not None or hi is not None:
            node["goalposts"] = [lo, hi]
        rows[nid], row_of[nid] = node, rownum
        parent_of[nid] = str(rec.get("parent", "")).strip()
        order.append(nid)

    roots = [n for n in order if not parent_of[n]]
    for nid in order:
        par = parent_of[nid]
        if par and par not in rows:
            problems.append(Problem(f"node {nid!r} names parent {par!r}, which is not in the table",
                                    file=file, sheet=sheet, row=row_of[nid], column="parent",
                                    fix="add a row for the parent or correct the name"))
    if len(roots) != 1 and not problems:
        if not roots:
            problems.append(Problem("no root row (a row with an empty parent)", file=file, sheet=sheet,
                                    fix="leave 'parent' empty on exactly one row, the index itself"))
        else:
            problems.append(Problem(f"several root rows (empty parent): {', '.join(roots)}", file=file,
                                    sheet=sheet, row=row_of[roots[1]], column="parent",
                                    fix="leave 'parent' empty on exactly one row"))
    # cycles: follow parents from every node
    for nid in order:
        seen, cur = [], nid
        while cur and cur in rows and cur not in seen:
            seen.append(cur)
            cur = parent_of[cur]
        if cur in seen:
            cycle = seen[seen.index(cur):] + [cur]
            if nid == min(cycle):
                problems.append(Problem(f"the parents form a cycle: {' -> '.join(cycle)}", file=file,
                                        sheet=sheet, row=row_of[nid], column="parent",
                                        fix="every chain of parents must end at the root"))
    if problems:
        raise InputError(problems)

    kids: dict[str, list[str]] = {n: [] for n in order}
    for nid in order:
        if parent_of[nid]:
            kids[parent_of[nid]].append(nid)
    paths: dict[tuple, tuple[int, str | None]] = {}

    def build(nid, path):
        node = dict(rows[nid])
        paths[path] = (row_of[nid], None)
        if kids[nid]:
            node["children"] = [build(c, path + ("children", i)) for i, c in enumerate(kids[nid])]
        return node

    data = dict(settings)
    data["tree"] = build(roots[0], ("tree",))
    data.setdefault("id", roots[0])

    column_of = {"goalposts": "goalpost_lo", "name": "name_en"}

    def locate(path: tuple) -> dict:
        p, key = tuple(path), None
        while p and p not in paths:
            key = p[-1] if isinstance(p[-1], str) else key
            p = p[:-1]
        if p in paths:
            return {"sheet": sheet, "row": paths[p][0], "column": column_of.get(key, key) if key else None}
        return {"sheet": "settings" if sheet else None}

    return data, locate


def framework_to_table(fw: Framework) -> tuple[dict, pd.DataFrame]:
    """The settings mapping and the node table of ``fw``."""
    d = framework_to_dict(fw)
    tree = d.pop("tree")
    rows = []
    optional = optional_columns()
    node_keys = [k for k in optional if k not in CORE_OPTIONAL]

    def visit(node, parent):
        gp = node.get("goalposts") or [None, None]
        name = node.get("name", {})
        name = name if isinstance(name, dict) else {"en": name}
        rows.append({
            "id": node["id"], "parent": parent or "",
            "name_en": name.get("en", ""), "name_zh": name.get("zh", ""),
            "weight": node.get("weight", ""), "direction": node.get("direction", ""),
            "unit": node.get("unit", ""), "transform": node.get("transform", ""),
            "goalpost_lo": _fmt(gp[0]), "goalpost_hi": _fmt(gp[1]),
            "normalise": _fmt(node.get("normalise")), "aggregate": _fmt(node.get("aggregate")),
            "weights": _fmt(node.get("weights")), "clip": _fmt(node.get("clip")),
            "target": _fmt(node.get("target")), "min_coverage": _fmt(node.get("min_coverage")),
            "description": _fmt(node.get("description")),
            **{k: _fmt(node.get(k)) for k in node_keys},
        })
        for child in node.get("children", []):
            visit(child, node["id"])

    visit(tree, None)
    table = pd.DataFrame(rows, columns=COLUMNS + optional)
    empty = [c for c in optional if (table[c].astype(str) == "").all()]
    return d, table.drop(columns=empty)


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt_setting(value) -> str:
    """A settings cell that reads back as the same value (strings quoted when needed)."""
    text = _fmt(value)
    if isinstance(value, str) and _cell_value(text) != value:
        return yaml.safe_dump(value, allow_unicode=True, width=10_000).strip().removesuffix("\n...").strip()
    return text


def dump_framework_csv(fw: Framework) -> str:
    settings, table = framework_to_table(fw)
    head = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=10_000)
    comment = "".join(f"# {line}\n" for line in head.splitlines())
    return comment + table.to_csv(index=False, lineterminator="\n")


def write_framework_xlsx(fw: Framework, path: Path) -> None:
    settings, table = framework_to_table(fw)
    settings_rows = pd.DataFrame(
        [{"key": k, "value": _fmt_setting(v)} for k, v in settings.items()], columns=["key", "value"])
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        table.to_excel(xw, sheet_name="framework", index=False)
        settings_rows.to_excel(xw, sheet_name="settings", index=False)


__all__ = ["load_framework_table", "framework_to_table", "dump_framework_csv",
           "write_framework_xlsx", "STEPS"]
