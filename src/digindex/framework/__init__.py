"""Frameworks: the indicator tree and the pipeline's methods, from YAML or a table."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from .model import DEFAULT_METHODS, STEPS, Framework, MethodChoice, Node, text_in
from .table_io import dump_framework_csv, load_framework_table, write_framework_xlsx
from .yaml_io import dump_framework_yaml, framework_to_dict, load_framework_yaml

YAML_SUFFIXES = {".yaml", ".yml"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls"}


def load_framework(path: str | Path, sheet: str | None = None) -> Framework:
    """Load a framework from YAML, or from a flat table in CSV or Excel."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem("file not found", file=str(path), fix="check the path"))
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return load_framework_yaml(path)
    if suffix in TABLE_SUFFIXES:
        return load_framework_table(path, sheet)
    raise InputError(Problem(f"unknown framework file type {suffix!r}", file=str(path),
                             fix="use .yaml, .yml, .csv or .xlsx"))


def save_framework(fw: Framework, path: str | Path) -> None:
    """Write ``fw`` as YAML, CSV or Excel, chosen by the file's suffix (atomically)."""
    from ..files import atomic_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in YAML_SUFFIXES | TABLE_SUFFIXES - {".xls"}:
        raise InputError(Problem(f"cannot write a framework as {suffix!r}", file=str(path),
                                 fix="use .yaml, .csv or .xlsx"))
    with atomic_path(path) as tmp:
        if suffix in YAML_SUFFIXES:
            tmp.write_text(dump_framework_yaml(fw), encoding="utf-8")
        elif suffix == ".csv":
            tmp.write_text(dump_framework_csv(fw), encoding="utf-8")
        else:
            write_framework_xlsx(fw, tmp)


__all__ = ["Framework", "Node", "MethodChoice", "STEPS", "DEFAULT_METHODS", "load_framework",
           "save_framework", "framework_to_dict", "text_in"]
