"""Panel data: indicator values per (unit, year), with an optional region hierarchy.

Two layouts are read:

- long: ``unit, year, indicator, value``;
- wide: ``unit, year, <indicator ids...>`` (``year`` optional for one period).

Either may carry ``parent`` (the unit's parent region) and ``name`` columns; a
separate regions file (``unit, parent[, name]``) gives the same. Every problem
names the file, row and column and says what to do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ProblemCollector
from .readers import read_table, sha256_of
from .units import registry_names, registry_parents, resolve_units, scope_of

ID_COLUMNS = ("unit", "year", "parent", "name")
LONG_COLUMNS = ("indicator", "value")
MISSING_MARKERS = {"", "na", "n/a", "nan", "null", "none", "..", "-", "—", "–"}
MAX_REPORTED = 20


@dataclass
class Panel:
    """Values per (unit, year): ``table`` has columns unit, year and one per indicator."""

    table: pd.DataFrame
    parents: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    # After screening: the full panel these rows were kept from (evaluate() starts from it).
    origin: "Panel | None" = field(default=None, repr=False, compare=False)
    digest: str | None = field(default=None, repr=False, compare=False)  # set by the engine's cache
    # memoised columns and matrices; init=False so that dataclasses.replace starts afresh
    _matrices: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def units(self) -> np.ndarray:
        return self._column("unit")

    @property
    def years(self) -> np.ndarray:
        return self._column("year")

    def _column(self, name: str) -> np.ndarray:
        if name not in self._matrices:  # memoised, read-only: panels are not edited once loaded
            values = self.table[name].to_numpy(dtype=object)
            values.flags.writeable = False
            self._matrices[name] = values
        return self._matrices[name]

    @property
    def indicator_columns(self) -> list[str]:
        return [c for c in self.table.columns if c not in ("unit", "year")]

    def matrix(self, columns: list[str]) -> np.ndarray:
        """The values of ``columns`` as a float matrix (memoised: panels are not edited once loaded)."""
        key = tuple(columns)
        if key not in self._matrices:
            values = self.table[list(columns)].to_numpy(dtype=float)
            values.flags.writeable = False
            self._matrices[key] = values
        return self._matrices[key]

    @property
    def has_parents(self) -> bool:
        return bool(self.parents)


def _canonical(columns) -> dict[str, str]:
    """Map lower-cased reserved column names to the names as written."""
    return {c.lower(): c for c in columns if c.lower() in ID_COLUMNS + LONG_COLUMNS}


def _to_numbers(cells: pd.Series, df: pd.DataFrame, column: str, problems: ProblemCollector,
                quoted: list[int]) -> pd.Series:
    lowered = cells.str.lower()
    missing = lowered.isin(MISSING_MARKERS)
    numbers = pd.to_numeric(cells.where(~missing, None), errors="coerce")
    bad = numbers.isna() & ~missing
    for idx in np.flatnonzero(bad.to_numpy()):
        quoted[0] += 1
        if quoted[0] <= MAX_REPORTED:
            problems.add(f"not a number: {cells.iloc[idx]!r}", file=df.attrs["file"],
                         sheet=df.attrs["sheet"], row=int(idx) + df.attrs["row_offset"], column=column,
                         fix="enter a plain number (no units or % signs), or leave the cell empty if missing")
    return numbers.astype(float)


def _text_records(unit, year, column, cells, rows, file) -> pd.DataFrame:
    text = cells.astype(object).where(~cells.str.lower().isin(MISSING_MARKERS), None)
    return pd.DataFrame({"unit": unit, "year": year, "indicator": column, "text": text,
                         "row": rows, "file": file})


def _read_one(path, sheet, problems: ProblemCollector, text_ok: frozenset = frozenset(), scope=None):
    """One file as long records (unit, year, indicator, value, row, file), extras, text records.

    Columns in ``text_ok`` (group labels) are returned as text records, not checked as numbers.
    """
    texts = []
    df = read_table(path, sheet)
    file, sh, off = df.attrs["file"], df.attrs["sheet"], df.attrs["row_offset"]
    cols = _canonical(df.columns)
    if "unit" not in cols:
        problems.add("no 'unit' column", file=file, sheet=sh,
                     fix="name the column holding unit codes or names 'unit'")
        return None, {}, []
    quoted = [0]
    unit = df[cols["unit"]]
    if scope is not None:
        try:
            unit = resolve_units(unit, scope, file, sh, cols["unit"], off)
        except InputError as exc:
            problems.problems.extend(exc.problems)
            return None, {}, []
    for idx in np.flatnonzero((unit == "").to_numpy()):
        problems.add("empty unit", file=file, sheet=sh, row=int(idx) + off, column=cols["unit"],
                     fix="fill in the unit code or name, or delete the row")
    if "year" in cols:
        year_num = pd.to_numeric(df[cols["year"]], errors="coerce")
        bad = year_num.isna() | (year_num % 1 != 0)
        for idx in np.flatnonzero(bad.to_numpy())[:MAX_REPORTED]:
            problems.add(f"year is not a whole number: {df[cols['year']].iloc[idx]!r}", file=file,
                         sheet=sh, row=int(idx) + off, column=cols["year"], fix="write the year as e.g. 2022")
        year = year_num.astype("Int64").astype(object).where(~bad, None)
    else:
        year = pd.Series([None] * len(df), dtype=object)
    extras = {}
    for key in ("parent", "name"):
        if key in cols:
            extras[key] = pd.DataFrame({"unit": unit, key: df[cols[key]], "row": np.arange(len(df)) + off,
                                        "file": file})
    if "indicator" in cols and "value" in cols:
        is_text = df[cols["indicator"]].isin(text_ok).to_numpy()
        if is_text.any():
            texts.append(_text_records(unit[is_text], year[is_text], df[cols["indicator"]][is_text],
                                       df[cols["value"]][is_text], np.arange(len(df))[is_text] + off, file))
        values = _to_numbers(df[cols["value"]].where(~is_text, ""), df, cols["value"], problems, quoted)
        records = pd.DataFrame({"unit": unit, "year": year, "indicator": df[cols["indicator"]],
                                "value": values, "row": np.arange(len(df)) + off, "file": file,
                                "column": cols["value"], "sheet": sh})[~is_text]
    else:
        reserved = {cols[k] for k in cols}
        ind_cols = [c for c in df.columns if c not in reserved]
        if not ind_cols:
            problems.add("no indicator columns", file=file, sheet=sh,
                         fix="use the wide layout (unit, year, <indicators>) or the long layout "
                             "(unit, year, indicator, value)")
            return None, extras, texts
        parts = []
        for c in ind_cols:
            if c == "" or c.startswith("Unnamed:"):
                problems.add("a column has no name", file=file, sheet=sh, column=c,
                             fix="give every column a header or delete it")
                continue
            if c in text_ok:
                texts.append(_text_records(unit, year, c, df[c], np.arange(len(df)) + off, file))
                continue
            parts.append(pd.DataFrame({
                "unit": unit, "year": year, "indicator": c,
                "value": _to_numbers(df[c], df, c, problems, quoted),
                "row": np.arange(len(df)) + off, "file": file, "column": c, "sheet": sh}))
        records = pd.concat(parts, ignore_index=True) if parts else None
    if quoted[0] > MAX_REPORTED:
        problems.add(f"{quoted[0] - MAX_REPORTED} more cells are not numbers", file=file, sheet=sh)
    return records, extras, texts


def load_data(files, framework=None, regions=None, sheet: str | None = None,
              units_in: str | None = None) -> Panel:
    """Read one or more data files (and a regions file) into a :class:`Panel`.

    With ``framework``, indicators it does not know and framework indicators
    missing from the data are errors; columns listed in the framework's
    ``data_columns`` (denominators, groups) are kept as data, and so are the denominator
    and imputation-group columns the framework names, listed or not. Group columns and
    ``data_columns`` whose cells are not all numbers are kept as text (labels).

    With ``units_in`` (a province or city by code or name), units may be given by code
    or name and resolve through the region registry (see :mod:`digindex.data.units`).
    """
    if isinstance(files, (str, Path)):
        files = [files]
    problems = ProblemCollector()
    scope = scope_of(units_in) if units_in else None
    parts, extras, texts = [], {"parent": [], "name": []}, []
    hashes = {}
    referenced, text_ok = set(), frozenset()
    if framework is not None:
        from ..methods.impute.prepare import data_references

        denoms, groups = data_references(framework)
        referenced = denoms | groups
        text_ok = frozenset((set(framework.data_columns) | groups) - denoms - set(framework.indicator_ids))
    for f in files:
        records, ext, txt = _read_one(f, sheet, problems, text_ok, scope)
        hashes[str(f)] = sha256_of(f) if Path(f).exists() else ""
        if records is not None:
            parts.append(records)
        texts.extend(txt)
        for k, v in ext.items():
            extras[k].append(v)
    problems.raise_if_any()
    labels, numeric = _split_text(texts)
    long = pd.concat(parts + numeric, ignore_index=True)

    # duplicates
    key = ["unit", "year", "indicator"]
    dup = long.duplicated(key, keep=False)
    if dup.any():
        for _, grp in list(long[dup].groupby(key, dropna=False, sort=False))[:MAX_REPORTED]:
            first, second = grp.iloc[0], grp.iloc[1]
            problems.add(
                f"duplicate value for unit {first.unit!r}, year {first.year}, indicator "
                f"{first.indicator!r} (also at {first.file} row {first.row})",
                file=second.file, sheet=second.sheet, row=int(second.row), column=second.column,
                fix="keep one row per unit, year and indicator")
    # indicators vs framework
    if framework is not None:
        known = set(framework.indicator_ids)
        allowed = known | set(framework.data_columns) | referenced
        for ind, grp in long.groupby("indicator", sort=False):
            if ind not in allowed:
                first = grp.iloc[0]
                problems.add(f"indicator {ind!r} is not in framework {framework.id!r}", file=first.file,
                             sheet=first.sheet, row=int(first.row) if first.column == "value" else None,
                             column=first.column,
                             fix="remove it, correct its name, or add it to the framework "
                                 "(or to 'data_columns' if it is a denominator or group)")
        present = set(long["indicator"])
        for ind in framework.indicator_ids:
            if ind not in present:
                problems.add(f"framework indicator {ind!r} is missing from the data",
                             file=", ".join(str(f) for f in files),
                             fix=f"add a column (wide) or rows (long) for {ind!r}")
    problems.raise_if_any()

    table = _pivot(long)
    if labels is not None:
        table = _join_labels(table, labels, problems)
    parents = _hierarchy(extras["parent"], "parent", regions, problems)
    names = _hierarchy(extras["name"], "name", None, problems)
    problems.raise_if_any()
    if scope is not None:
        units = list(dict.fromkeys(table["unit"]))
        parents = {**registry_parents(units), **parents}
        names = {**registry_names(units), **names}
    if parents:
        missing = sorted(set(table["unit"]) - set(parents))
        if missing:
            problems.add(f"units without a parent: {', '.join(missing[:10])}"
                         + (" ..." if len(missing) > 10 else ""),
                         file=str(regions) if regions else None,
                         fix="give every unit a parent in the 'parent' column or the regions file")
            problems.raise_if_any()
    if regions is not None:
        hashes[str(regions)] = sha256_of(regions)
    order = [c for c in (framework.indicator_ids + framework.data_columns if framework else [])
             if c in table.columns]
    rest = [c for c in table.columns if c not in ("unit", "year") and c not in order]
    table = table[["unit", "year"] + order + rest]
    panel = Panel(table=table, parents=parents, names=names, files=hashes)
    if framework is not None:
        from ..framework.keys import check_data

        check_data(framework, panel)  # what the framework's keys need of the data
    return panel


def _split_text(texts: list[pd.DataFrame]):
    """Text records → (label records, numeric long records of the columns that are all numbers)."""
    if not texts:
        return None, []
    text = pd.concat(texts, ignore_index=True)
    numeric, keep = [], []
    for column, grp in text.groupby("indicator", sort=False):
        values = pd.to_numeric(grp["text"], errors="coerce")
        if (values.notna() | grp["text"].isna()).all():
            numeric.append(pd.DataFrame({"unit": grp["unit"], "year": grp["year"], "indicator": column,
                                         "value": values.astype(float), "row": grp["row"],
                                         "file": grp["file"], "column": column, "sheet": None}))
        else:
            keep.append(grp)
    return (pd.concat(keep, ignore_index=True) if keep else None), numeric


def _join_labels(table: pd.DataFrame, labels: pd.DataFrame, problems: ProblemCollector) -> pd.DataFrame:
    """Add text columns (group labels) to the pivoted table, one value per (unit, year)."""
    dup = labels.duplicated(["unit", "year", "indicator"], keep="first")
    for rec in labels[dup].head(MAX_REPORTED).itertuples(index=False):
        problems.add(f"duplicate value for unit {rec.unit!r}, year {rec.year}, column {rec.indicator!r}",
                     file=rec.file, row=int(rec.row), column=rec.indicator,
                     fix="keep one row per unit and year")
    problems.raise_if_any()
    wide = labels.pivot(index=["unit", "year"], columns="indicator", values="text")
    wide.columns = [str(c) for c in wide.columns]
    keys = pd.MultiIndex.from_arrays([table["unit"], table["year"]])
    wide = wide.reindex(keys)
    for c in wide.columns:
        table[c] = pd.Series(wide[c].to_numpy(dtype=object), index=table.index, dtype=object)
    return table


def _pivot(long: pd.DataFrame) -> pd.DataFrame:
    """Long records to one row per (unit, year), keeping first-seen order."""
    keys = long[["unit", "year"]].drop_duplicates().reset_index(drop=True)
    keys["_key"] = np.arange(len(keys))
    merged = long.merge(keys, on=["unit", "year"], how="left")
    indicators = list(dict.fromkeys(long["indicator"]))
    col = {ind: i for i, ind in enumerate(indicators)}
    values = np.full((len(keys), len(indicators)), np.nan)
    values[merged["_key"].to_numpy(), merged["indicator"].map(col).to_numpy()] = merged["value"].to_numpy()
    out = pd.concat([keys[["unit", "year"]], pd.DataFrame(values, columns=indicators)], axis=1)
    years = out["year"].tolist()
    if all(y is not None for y in years):
        out = out.sort_values(["year"], kind="stable").reset_index(drop=True)
    out["unit"] = out["unit"].astype(object)
    out["year"] = out["year"].astype(object)
    return out


def _hierarchy(frames: list[pd.DataFrame], key: str, regions, problems: ProblemCollector) -> dict:
    mapping: dict[str, str] = {}
    where: dict[str, str] = {}
    if regions is not None:
        reg = read_table(regions)
        cols = _canonical(reg.columns)
        if "unit" not in cols or "parent" not in cols:
            problems.add("a regions file needs columns 'unit' and 'parent'", file=str(regions),
                         fix="add a header row: unit,parent[,name]")
            return {}
        frames = [pd.DataFrame({"unit": reg[cols["unit"]], key: reg[cols[key]] if key in cols else "",
                                "row": np.arange(len(reg)) + 2, "file": str(regions)})] + frames
    for fr in frames:
        for unit, value, row, file in fr[["unit", key, "row", "file"]].itertuples(index=False):
            if not value:
                continue
            if unit in mapping and mapping[unit] != value:
                problems.add(f"unit {unit!r} has {key} {value!r} here but {mapping[unit]!r} at {where[unit]}",
                             file=file, row=int(row), column=key,
                             fix=f"give each unit one {key}")
                continue
            mapping.setdefault(unit, value)
            where.setdefault(unit, f"{file} row {row}")
    return mapping
