"""What the research analyses read: a run's output folder or a plain long table, and groups.

Both give a :class:`ResearchData`: one row per unit and year (``year`` is ``None`` for a
single period) with numeric columns, the column analysed (``value``), display names and,
from a run, its weights and framework tree.

- :func:`load_results` reads ``results.csv`` (``unit, year, node, score``), pivoted to one
  column per node, ``weights.csv`` and the framework sheet of ``results.xlsx``; the parents of
  the run (``parent`` column) are its default groups.
- :func:`load_table` reads a CSV, Excel or Parquet file in long layout: ``unit`` (or 地区,
  省份 ...), an optional ``year`` (年份), the ``--value`` column and any others (subsystem
  scores, controls). With ``units_in`` unit names are resolved to GB/T 2260 codes as
  ``digindex run --units-in`` does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...data.layout import UNIT_HEADERS, YEAR_HEADERS, find
from ...data.readers import read_table
from ...data.unitfiles import load_groups
from ...errors import InputError, Problem, ProblemCollector

MAX_REPORTED = 20


@dataclass
class ResearchData:
    """Scores or values per unit and year, ready for an analysis."""

    table: pd.DataFrame                # unit (str), year (int or None), numeric columns
    value: str | None                  # the column analysed by the one-variable kinds
    source: str                        # the folder or file, for messages
    labels: dict = field(default_factory=dict)   # column -> {"en": ..., "zh": ...}
    groups: dict | None = None         # unit -> group (a run's parents)
    weights: pd.DataFrame | None = None  # a run's weights.csv: node, child, weight
    tree: dict = field(default_factory=dict)     # node -> parent node (a run's framework)
    from_run: bool = False

    @property
    def years(self) -> list:
        ys = sorted({y for y in self.table["year"] if y is not None})
        return ys if ys else [None]

    @property
    def single_period(self) -> bool:
        return self.years == [None]

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(self.table["unit"]))

    def label(self, column: str, lang: str = "both") -> str:
        names = self.labels.get(column) or {}
        zh, en = names.get("zh") or column, names.get("en") or column
        return {"zh": zh, "en": en}.get(lang, zh if zh == en else f"{zh} {en}")

    def column(self, name: str | None = None) -> pd.DataFrame:
        """``unit, year, value`` of one column (default :attr:`value`), rows with a value only."""
        name = name or self.value
        self.require([name])
        out = self.table[["unit", "year", name]].rename(columns={name: "value"})
        return out[out["value"].notna()].reset_index(drop=True)

    def require(self, columns, what: str = "column") -> None:
        """InputError naming every column that is not in the data."""
        missing = [c for c in columns if c not in self.table.columns or c in ("unit", "year")]
        if missing:
            have = [c for c in self.table.columns if c not in ("unit", "year")]
            shown = ", ".join(have[:30]) + (" ..." if len(have) > 30 else "")
            kind = "node" if self.from_run else what
            raise InputError([Problem(f"no {kind} {c!r} in the data", file=self.source,
                                      fix=f"use one of: {shown}") for c in missing])

    def wide(self, column: str | None = None) -> pd.DataFrame:
        """Units × years of one column; units missing a year are left out (see :func:`balanced`)."""
        values = self.column(column)
        return values.pivot(index="unit", columns="year", values="value")


def balanced(data: ResearchData, column: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """(units × years with every cell, units left out because they miss a year)."""
    wide = data.table.pivot(index="unit", columns="year", values=column or data.value)
    wide = wide.reindex(columns=data.years)
    full = wide.dropna()
    return full, [str(u) for u in wide.index if u not in full.index]


# -- a run's output folder --------------------------------------------------------------

def load_results(folder, node: str | None = None) -> ResearchData:
    """A run's folder (``digindex run --out``) as :class:`ResearchData`, analysing ``node``
    (default the root of the framework)."""
    folder = Path(folder)
    results = folder / "results.csv"
    if not results.exists():
        raise InputError(Problem("not a digindex results folder: it has no results.csv", file=str(folder),
                                 fix="give the --out folder of 'digindex run', or a table with --data"))
    res = pd.read_csv(results, dtype={"unit": str, "node": str}, keep_default_na=True)
    missing = [c for c in ("unit", "year", "node", "score") if c not in res.columns]
    if missing:
        raise InputError(Problem(f"results.csv lacks the columns {', '.join(missing)}", file=str(results),
                                 fix="write the folder again with 'digindex run'"))
    order = list(dict.fromkeys(res["node"]))
    levels = res.groupby("node", sort=False)["level"].first() if "level" in res else None
    root = order[0] if levels is None else next(n for n in order if levels[n] == levels.max())
    res["year"] = [None if pd.isna(y) else int(y) for y in res["year"]]
    keys = res[["unit", "year"]].drop_duplicates()
    wide = res.pivot_table(index=["unit", "year"], columns="node", values="score", dropna=False,
                           aggfunc="first") if res["year"].notna().any() else \
        res.pivot_table(index="unit", columns="node", values="score", aggfunc="first")
    wide = wide.reset_index()
    if "year" not in wide:
        wide.insert(1, "year", None)
    else:
        wide["year"] = [None if pd.isna(y) else int(y) for y in wide["year"]]
    wide = keys.merge(wide, on=["unit", "year"], how="left")[["unit", "year", *order]]
    groups = None
    if "parent" in res.columns:
        parents = res.drop_duplicates("unit").set_index("unit")["parent"]
        if parents.notna().all():
            groups = {str(u): str(p) for u, p in parents.items()}
    weights = None
    if (folder / "weights.csv").exists():
        weights = pd.read_csv(folder / "weights.csv", dtype={"node": str, "child": str})
    labels, tree = _framework_sheet(folder / "results.xlsx")
    data = ResearchData(wide.reset_index(drop=True), node or root, str(folder), labels=labels,
                        groups=groups, weights=weights, tree=tree, from_run=True)
    data.require([data.value])
    return data


def from_evaluation(evaluation, node: str | None = None) -> ResearchData:
    """An :class:`~digindex.engine.result.Evaluation` (in memory, e.g. in a report) as
    :class:`ResearchData`: every node's scores, analysing ``node`` (default the root), with the
    panel's parents as groups and the framework's names and tree."""
    fw = evaluation.framework
    table = evaluation.scores_table()
    groups = None
    if "parent" in table:
        groups = {str(u): str(p) for u, p in zip(table["unit"], table["parent"]) if p is not None}
        table = table.drop(columns="parent")
    table["unit"] = table["unit"].astype(str)
    table["year"] = [None if y is None or pd.isna(y) else int(y) for y in table["year"]]
    labels = {n.id: dict(n.name) for n in fw.tree.walk()}
    tree = {c.id: n.id for n in fw.tree.walk() for c in n.children}
    data = ResearchData(table, node or fw.tree.id, str(fw.source or fw.id), labels=labels, groups=groups,
                        weights=evaluation.weights, tree=tree, from_run=True)
    data.require([data.value])
    return data


def _blank(v) -> bool:
    # the framework sheet marks empty text cells with a lone apostrophe
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() in ("", "'")


def _framework_sheet(path: Path) -> tuple[dict, dict]:
    """({node: {"en", "zh"}}, {node: parent}) from the run's workbook, empty without it."""
    if not path.exists():
        return {}, {}
    from ...i18n import LANGS, text

    names = {text("sheet_framework", lg) for lg in LANGS} | {"framework"}  # as --lang named it; older runs
    try:
        with pd.ExcelFile(path) as book:
            found = [n for n in book.sheet_names if n in names]
            if not found:
                return {}, {}
            sheet = pd.read_excel(book, sheet_name=found[0], dtype=str)
    except Exception:  # noqa: BLE001 - labels are a convenience; ids do without them
        return {}, {}
    labels, tree = {}, {}
    for row in sheet.to_dict("records"):
        nid = str(row.get("id"))
        labels[nid] = {k: str(row[f"name_{k}"]) for k in ("en", "zh")
                       if f"name_{k}" in row and not _blank(row[f"name_{k}"])}
        if not _blank(row.get("parent")):
            tree[nid] = str(row["parent"])
    return labels, tree


# -- a plain long table -----------------------------------------------------------------

def load_table(path, value: str | None = None, columns=(), sheet: str | None = None,
               units_in=None, level: str | None = None) -> ResearchData:
    """A long table ``unit, [year], value, ...`` as :class:`ResearchData`.

    ``value`` and ``columns`` (subsystems, controls) must be numeric columns of the file;
    empty cells are missing values. One row per unit and year.
    """
    df = read_table(path, sheet)
    file, offset = str(path), int(df.attrs.get("row_offset", 2))
    problems = ProblemCollector()
    unit = find(df.columns, UNIT_HEADERS) or df.columns[0]
    year = find(df.columns, YEAR_HEADERS)
    wanted = list(dict.fromkeys([c for c in [value, *columns] if c]))
    for c in wanted:
        if c not in df.columns:
            problems.add(f"no column {c!r}", file=file, fix=f"name one of the file's columns: "
                                                           f"{', '.join(map(str, df.columns))}")
    problems.raise_if_any()
    units = df[unit].astype(str).str.strip()
    for i in np.flatnonzero(units.eq("").to_numpy())[:MAX_REPORTED]:
        problems.add("empty unit", file=file, row=int(i) + offset, column=unit, fix="fill in the unit or delete the row")
    if units_in:
        from ...data.units import resolve_values, scope_of
        from ...regions import level_name

        units = resolve_values(units, scope_of(units_in), level_name(level), file, df.attrs.get("sheet"),
                               unit, offset, problems)
    years = [None] * len(df)
    if year is not None:
        years = [_year(v, file, int(i) + offset, year, problems) for i, v in enumerate(df[year])]
    table = pd.DataFrame({"unit": units.astype(object).to_numpy(), "year": years}, dtype=object)
    for c in wanted:
        table[c] = _numbers(df[c], file, offset, c, problems)
    problems.raise_if_any()
    dup = table.duplicated(["unit", "year"], keep="first")
    for i in np.flatnonzero(dup.to_numpy())[:MAX_REPORTED]:
        first = int(np.flatnonzero(((table["unit"] == table["unit"].iat[i]) &
                                    (table["year"].astype(str) == str(table["year"].iat[i]))).to_numpy())[0])
        what = f"unit {df[unit].iat[i]!r}" + (f" in {table['year'].iat[i]}" if year is not None else "")
        problems.add(f"{what} appears again (first at row {first + offset})", file=file, row=int(i) + offset,
                     column=unit, fix="give one row per unit and year" if year else
                     "give one row per unit, or add a 'year' column")
    problems.raise_if_any()
    return ResearchData(table, value, file)


def _year(v, file, row, column, problems):
    text = str(v).strip().removesuffix("年")
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number != int(number):
        problems.add(f"year {v!r} is not a year", file=file, row=row, column=column, fix="write years as 2021")
        return None
    return int(number)


def _numbers(values: pd.Series, file, offset, column, problems) -> np.ndarray:
    text = values.astype(str).str.strip().str.replace(",", "", regex=False)
    out = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero((text != "").to_numpy() & ~np.isfinite(out))
    for i in bad[:MAX_REPORTED]:
        problems.add(f"{values.iat[i]!r} is not a number", file=file, row=int(i) + offset, column=column,
                     fix="write a number, or leave the cell empty for a missing value")
    if len(bad) > MAX_REPORTED:
        problems.add(f"{len(bad) - MAX_REPORTED} more cells are not numbers", file=file, column=column)
    return out


# -- groups ---------------------------------------------------------------------------------

def groups_of(data: ResearchData, path=None, units_in=None, level: str | None = None,
              sheet: str | None = None) -> dict[str, str]:
    """{unit: group}: from a groups file (``unit, group``), else the run's parents."""
    if path is not None:
        return load_groups(path, units_in=units_in, level=level, sheet=sheet, units=data.units)
    if data.groups:
        return dict(data.groups)
    raise InputError(Problem("this analysis needs groups of units", file=data.source,
                             fix="give --groups FILE with columns unit, group (e.g. 东部/中部/西部), "
                                 "or run the index with a regions file so that units have parents"))


def parse_list(text, option: str) -> list[str]:
    """'a,b, c' -> ['a', 'b', 'c']; InputError for an empty list or a repeated name."""
    items = [s.strip() for s in str(text or "").replace("，", ",").split(",") if s.strip()]
    if not items:
        raise InputError(Problem(f"{option} is empty", fix=f"give {option} a,b,c"))
    doubled = sorted({s for s in items if items.count(s) > 1})
    if doubled:
        raise InputError(Problem(f"{option} names {', '.join(doubled)} twice", fix="name each once"))
    return items


__all__ = ["ResearchData", "load_results", "load_table", "from_evaluation", "groups_of", "balanced", "parse_list"]
