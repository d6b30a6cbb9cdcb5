"""Built-in frameworks shipped with digindex.

``zhejiang``: a digital-economy development index *modelled on* (not identical to)
Zhejiang's provincial comprehensive evaluation, as YAML (``zhejiang.yaml``) and as
an Excel workbook for bureaus to edit (``zhejiang.xlsx``, built from the YAML by
:func:`digindex.frameworks.workbook.build_workbook`).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem

HERE = Path(__file__).resolve().parent
BUILTIN = {"zhejiang": "zhejiang.yaml"}
SUFFIXES = {"yaml": ".yaml", "yml": ".yaml", "xlsx": ".xlsx", "excel": ".xlsx"}


def builtin_framework_names() -> list[str]:
    return sorted(BUILTIN)


def builtin_framework_path(name: str, format: str = "yaml") -> Path:
    """The path of built-in framework ``name`` (``format`` yaml or xlsx)."""
    key = str(name).strip().lower()
    for suffix in (".yaml", ".yml", ".xlsx"):
        if key.endswith(suffix):
            key, format = key[: -len(suffix)], suffix[1:]
    if key not in BUILTIN:
        raise InputError(Problem(f"no built-in framework {name!r}",
                                 fix=f"use one of: {', '.join(builtin_framework_names())}"))
    if format not in SUFFIXES:
        raise InputError(Problem(f"unknown framework format {format!r}", fix="use yaml or xlsx"))
    return HERE / (Path(BUILTIN[key]).stem + SUFFIXES[format])


__all__ = ["builtin_framework_path", "builtin_framework_names"]
