"""Files keyed by unit: regions files (``unit, parent[, name]``) and groups files (``unit, group``).

Their unit names go through the same resolution as the data's (:mod:`digindex.data.units`):
with ``units_in`` every name becomes its code; without it, two names of one region are
refused. Names that do not match the data get "did you mean" suggestions.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ProblemCollector
from ..regions import Scope, level_name
from .checks import close_names
from .layout import Table, UNIT_HEADERS, find
from .readers import read_table
from .units import refuse_doubles, resolve_parents, resolve_values, scope_of

PARENT_HEADERS = ("parent", "上级", "上级地区", "所属地区")
GROUP_HEADERS = ("group", "分组", "组别", "区域", "地带")
MAX_REPORTED = 20


def read_regions_file(path, scope: Scope | None, level, problems: ProblemCollector) -> list[pd.DataFrame]:
    """The regions file as [frame(unit, parent, row, file)]; units resolved like the data's."""
    try:
        df = read_table(path)
    except InputError as exc:
        problems.problems.extend(exc.problems)
        return []
    unit, parent = find(df.columns, UNIT_HEADERS), find(df.columns, PARENT_HEADERS)
    if unit is None or parent is None:
        problems.add("a regions file needs columns 'unit' and 'parent'", file=str(path),
                     fix="add a header row: unit,parent[,name]")
        return []
    units = _units(df, unit, scope, level, problems)
    frame = pd.DataFrame({"unit": units, "parent": df[parent], "row": np.arange(len(df)) + 2,
                          "file": str(path)})
    if scope is not None:
        frame = resolve_parents(frame, scope)
    return [frame]


def _units(df: pd.DataFrame, column: str, scope: Scope | None, level, problems: ProblemCollector) -> pd.Series:
    file, sheet = df.attrs["file"], df.attrs["sheet"]
    values = df[column].astype(str)
    if scope is not None:
        return resolve_values(values, scope, level, file, sheet, column, 2, problems)
    refuse_doubles([Table(df, file, sheet, "wide", column)], problems)
    return values.astype(object)


def load_groups(path, units_in=None, level: str | None = None, sheet: str | None = None,
                units=None) -> dict[str, str]:
    """A groups file (``unit, group``, e.g. East/Central/West) as {unit: group}.

    Units are resolved as :func:`digindex.data.load_data` resolves the data's: with
    ``units_in`` (全国, a province, city or county) and ``level``, every name becomes its
    code. With ``units`` (the data's units), a unit of the data without a group is an error
    suggesting the groups file's names that come closest. The group column is ``group``
    (or 分组, 组别, 区域, 地带), or the second of two columns.
    """
    problems = ProblemCollector()
    scope = scope_of(units_in) if units_in else None
    try:
        lv = level_name(level)
    except ValueError:
        raise InputError(f"--level must be province, city or county, not {level!r}") from None
    df = read_table(path, sheet)
    file = str(path)
    unit = find(df.columns, UNIT_HEADERS)
    group = find(df.columns, GROUP_HEADERS)
    if unit is None and len(df.columns) == 2:
        unit = df.columns[0]
    if group is None and len(df.columns) == 2:
        group = df.columns[1] if df.columns[1] != unit else df.columns[0]
    if unit is None or group is None:
        raise InputError(f"a groups file needs columns 'unit' and 'group' (it has "
                         f"{', '.join(map(repr, df.columns))})")
    codes = _units(df, unit, scope, lv, problems)
    problems.raise_if_any()
    mapping: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for i, (code, label) in enumerate(zip(codes, df[group])):
        row = i + 2
        if not label:
            problems.add("empty group", file=file, row=row, column=group,
                         fix="give every unit a group, or delete the row")
        elif code in mapping and mapping[code] != label:
            problems.add(f"unit {df[unit].iloc[i]!r} is in group {label!r} here but in "
                         f"{mapping[code]!r} at row {first_row[code]}", file=file, row=row, column=unit,
                         fix="give each unit one group")
        else:
            mapping.setdefault(code, label)
            first_row.setdefault(code, row)
    if units is not None:
        wanted = list(dict.fromkeys(str(u) for u in units))
        spare = [u for u in mapping if u not in set(wanted)]
        lacking = [u for u in wanted if u not in mapping]
        for u in lacking[:MAX_REPORTED]:
            close = close_names(u, spare)
            hint = (f"did you mean {' or '.join(repr(c) for c in close)} (in {Path(file).name})? "
                    "Write each unit the same way in both files, or read names as regions with "
                    "--units-in" if close else "add a row for it")
            problems.add(f"unit {u!r} of the data has no group", file=file, fix=hint)
        if len(lacking) > MAX_REPORTED:
            problems.add(f"{len(lacking) - MAX_REPORTED} more units of the data have no group", file=file)
    problems.raise_if_any()
    return mapping
