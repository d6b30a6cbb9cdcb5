"""Panel data: indicator values per (unit, year), with an optional region hierarchy.

Three layouts are read (see :mod:`digindex.data.layout`):

- long: ``unit, year, indicator, value``;
- wide: ``unit, year, <indicator ids...>`` (``year`` optional for one period);
- yearbook: one sheet per indicator, units down the first column, years across.

Either of the first two may carry ``parent`` (the unit's parent region) and ``name``
columns; a separate regions file (``unit, parent[, name]``) gives the same. Every problem
names the file, sheet, row and column and says what to do; what is not an error but should
be known (merged forms, skipped comment columns, low coverage) is kept in ``Panel.notes``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ProblemCollector
from ..regions import level_name
from .checks import (LOW_COVERAGE, close_names, coverage_notes, duplicated_keys, file_coverage, key_codes,
                     lookalike_notes, missing_markers, repeated_cells, to_numbers, unit_coverage, with_codes)
from .layout import LAYOUTS, Names, listing, plan_tables
from .readers import read_sheets, sha256_of
from .records import read_records
from .unitfiles import read_regions_file
from .units import read_units, registry_names, registry_parents, resolve_parents, scope_of

MAX_REPORTED = 20


@dataclass
class Panel:
    """Values per (unit, year): ``table`` has columns unit, year and one per indicator."""

    table: pd.DataFrame
    parents: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    # What the user should know that is not an error (digindex.errors.Note: note or warning).
    notes: list = field(default_factory=list, compare=False)
    # Per data file: units, years, indicators, cells, missing, coverage.
    sources: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    level: str | None = field(default=None, compare=False)  # province|prefecture|county when resolved
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

    @property
    def synthetic(self) -> bool:
        """Whether a data file is marked synthetic (``SYNTHETIC`` in its name, as the examples'
        and the demo's are): every output that shows these data then says so."""
        panel = self.origin or self
        return any("synthetic" in Path(f).name.lower() for f in panel.files or {})

    def name(self, unit: str, lang: str = "zh") -> str:
        """A unit's (or a parent region's) name in ``lang``: the region registry's (Chinese or
        English) for the panel's regions (:meth:`regions`), else the data's name, else the code."""
        region = self.regions().get(str(unit))
        if region is not None:
            return region.name if lang == "zh" else region.name_en
        return self.names.get(str(unit), str(unit))

    def regions(self) -> dict:
        """The units and parents that are regions of the registry (GB/T 2260), by code: those
        that are when the units were read as regions (``level``); else none unless every unit is
        a code of the registry (units 06, 11 and 12 are US states, not Chinese provinces), and
        then those the data name as the registry does, or do not name. Parents that are not
        codes (东部) are not regions."""
        if "regions" not in self._matrices:  # memoised: panels are not edited once loaded
            from ..regions import registry

            reg = registry()
            units = dict.fromkeys(str(u) for u in self.units)
            found = {c: reg.get(c) for c in units} if self.level is not None else reg.all_of(units)
            if found:
                found.update((p, reg.get(p)) for p in map(str, self.parents.values()) if p not in found)
            self._matrices["regions"] = {
                c: region for c, region in found.items() if region is not None
                and (self.level is not None or self._named_as(region, self.names.get(c), reg))}
        return self._matrices["regions"]

    @staticmethod
    def _named_as(region, given, reg) -> bool:
        """The data do not name ``region``, or name it as the registry does (any of its names)."""
        if given is None or given == region.name or given == region.code:
            return True
        return any(r.code == region.code for r in reg.find(given))

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """Each unit's name in ``lang`` as charts, reports and explanations show it (:meth:`name`);
        where two units share a name, its parent's after it: 市中区（乐山市）, Shizhong District
        (Leshan City)."""
        key = ("labels", lang)
        if key not in self._matrices:  # memoised: panels are not edited once loaded
            plain = {u: self.name(u, lang) for u in dict.fromkeys(str(u) for u in self.units)}
            shared = pd.Series(plain, dtype=object).duplicated(keep=False)
            out = dict(plain)
            for unit in shared.index[shared.to_numpy()]:
                parent = self.parents.get(unit)
                if parent is not None:
                    within = self.name(parent, lang)
                    out[unit] = f"{plain[unit]}（{within}）" if lang == "zh" else f"{plain[unit]} ({within})"
            self._matrices[key] = out
        return dict(self._matrices[key])

    def coverage(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Per unit: name, years, cells of ``columns`` (default: every numeric column), missing
        cells and the share with a value."""
        if columns is None:
            columns = [c for c in self.indicator_columns if pd.api.types.is_numeric_dtype(self.table[c])]
        out = unit_coverage(self.table, list(columns))
        out.insert(1, "name", out["unit"].map(self.names).fillna(""))
        return out


def load_data(files, framework=None, regions=None, sheet: str | None = None,
              units_in: str | None = None, level: str | None = None, layout: str | None = None) -> Panel:
    """Read one or more data files (and a regions file) into a :class:`Panel`.

    With ``framework``, indicators it does not know and framework indicators
    missing from the data are errors; columns listed in the framework's
    ``data_columns`` (denominators, groups) are kept as data, and so are the denominator
    and imputation-group columns the framework names, listed or not. Group columns and
    ``data_columns`` whose cells are not all numbers are kept as text (labels). Headers may
    be an indicator's Chinese or English name instead of its id.

    With ``units_in`` (全国 / China / CN for the whole country, or a province, city or county
    by code or name), units may be given by code or any name and resolve through the region
    registry to codes; ``level`` (province, city or county) says which units the names are,
    else it is inferred (see :mod:`digindex.data.units`). ``layout`` is ``auto`` (default),
    ``wide``, ``long`` or ``yearbook`` (one sheet per indicator, years as columns).
    """
    if isinstance(files, (str, Path)):
        files = [files]
    problems = ProblemCollector()
    notes: list = []
    scope = scope_of(units_in) if units_in else None
    level, layout = _options(level, layout)
    names = Names(framework)
    referenced, text_ok = set(), frozenset()
    if framework is not None:
        from ..methods.impute.prepare import data_references

        denoms, groups = data_references(framework)
        referenced = denoms | groups
        text_ok = frozenset((set(framework.data_columns) | groups) - denoms - set(framework.indicator_ids))
    tables, hashes = [], {}
    for f in files:
        try:
            book = read_sheets(f, sheet)
        except InputError as exc:
            problems.problems.extend(exc.problems)
            continue
        tables.extend(plan_tables(f, book, sheet, layout, names, problems, notes))
        hashes[str(f)] = sha256_of(f)
    problems.raise_if_any()
    units, level = read_units(tables, scope, level, problems, notes)
    problems.raise_if_any()
    parts, texts, extras = [], [], {"parent": [], "name": []}
    for t, unit in zip(tables, units):
        records, txt, ext = read_records(t, unit, text_ok, problems)
        if records is not None:
            parts.append(records)
        texts.extend(txt)
        for k, v in ext.items():
            extras[k].append(v)
    problems.raise_if_any()
    if not parts and not texts:
        raise InputError("no data were read")
    long = pd.concat(parts, ignore_index=True) if parts else None
    if long is not None:
        long["value"] = to_numbers(long, problems)
    labels, numeric = _split_text(texts)
    long = pd.concat(([long] if long is not None else []) + numeric, ignore_index=True)
    problems.raise_if_any()
    long = repeated_cells(with_codes(long), problems, notes)
    if framework is not None:
        _check_indicators(long, framework, referenced, names, files, problems)
    problems.raise_if_any()

    keys, columns = _pivot(long)
    if labels is not None:
        columns.update(_label_columns(keys, labels, problems))
    # the framework's indicators and data columns first, then the others as read
    first = [c for c in (framework.indicator_ids + framework.data_columns if framework else []) if c in columns]
    table = pd.DataFrame({"unit": pd.Series(keys["unit"], dtype=object),
                          "year": pd.Series(keys["year"], dtype=object),
                          **{c: columns[c] for c in dict.fromkeys(first + list(columns))
                             if c not in ("unit", "year")}})
    region_frames = read_regions_file(regions, scope, level, problems) if regions is not None else []
    if scope is not None:
        extras["parent"] = [resolve_parents(f, scope) for f in extras["parent"]]
    parents = _hierarchy(region_frames + extras["parent"], "parent", problems)
    names_map = _hierarchy(extras["name"], "name", problems)
    problems.raise_if_any()
    if scope is not None:
        units_seen = list(dict.fromkeys(keys["unit"]))
        parents = {**registry_parents(units_seen), **parents}
        names_map = {**registry_names(units_seen), **names_map}
    if parents:
        _check_parents(table, parents, region_frames, regions, problems)
    if regions is not None:
        hashes[str(regions)] = sha256_of(regions)
    indicators = framework.indicator_ids if framework is not None else \
        [c for c in table.columns[2:] if pd.api.types.is_numeric_dtype(table[c])]
    present = ~np.isnan(np.column_stack([columns[c] for c in indicators])) if indicators else None
    threshold = framework.min_coverage if framework is not None else LOW_COVERAGE
    coverage_notes(long, keys["unit"], indicators, present, threshold, notes, [str(f) for f in files])
    if scope is None:
        lookalike_notes(keys["unit"], notes)
    panel = Panel(table=table, parents=parents, names=names_map, files=hashes, notes=notes,
                  sources=file_coverage(long, indicators or None), level=level)
    if framework is not None:
        from ..framework.keys import check_data

        check_data(framework, panel)  # what the framework's keys need of the data
    return panel


def _options(level, layout):
    try:
        level = level_name(level)
    except ValueError:
        raise InputError(f"--level must be province, city or county, not {level!r}") from None
    layout = (layout or "auto").lower()
    if layout not in LAYOUTS:
        raise InputError(f"--layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    return level, layout


def _check_indicators(long, framework, referenced, names: Names, files, problems) -> None:
    known = set(framework.indicator_ids)
    allowed = known | set(framework.data_columns) | referenced
    present = list(pd.unique(long["indicator"]))
    for ind in present:
        if ind in allowed:
            continue
        first = long.loc[long["indicator"] == ind].iloc[0]
        close = close_names(str(ind), sorted(known))
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        problems.add(f"indicator {ind!r} is not in framework {framework.id!r}", file=first.file,
                     sheet=first.sheet, row=int(first.row) if first.column != ind else None,
                     column=first.column,
                     fix=hint + "remove it, correct its name, or add it to the framework "
                                "(or to 'data_columns' if it is a denominator or group)")
    seen = set(present)
    for ind in framework.indicator_ids:
        if ind not in seen:
            node = framework.nodes[ind]
            named = f" (named {listing(repr(n) for n in node.name.values())})" if node.name else ""
            problems.add(f"framework indicator {ind!r}{named} is missing from the data",
                         file=", ".join(str(f) for f in files),
                         fix=f"add a column (wide) or rows (long) for {ind!r}, headed by its id or name")


def _check_parents(table, parents, region_frames, regions, problems) -> None:
    missing = sorted(set(table["unit"]) - set(parents), key=str)
    if not missing:
        return
    data_units = set(table["unit"])
    listed = {str(u): int(r) for f in region_frames for u, r in zip(f["unit"], f["row"])
              if u not in data_units}
    for u in missing[:MAX_REPORTED]:
        close = close_names(str(u), list(listed))
        fix = ("did you mean " + " or ".join(f"{c!r} (row {listed[c]})" for c in close)
               + "? Write each unit the same way in both files, or give --units-in 全国 (or the "
                 "province or city) to read both as regions"
               if close else "give every unit a parent in the 'parent' column or the regions file")
        problems.add(f"unit {u!r} has no parent", file=str(regions) if regions else None, fix=fix)
    if len(missing) > MAX_REPORTED:
        problems.add(f"{len(missing) - MAX_REPORTED} more units have no parent",
                     file=str(regions) if regions else None)
    problems.raise_if_any()


def _split_text(texts: list[pd.DataFrame]):
    """Text records → (label records, numeric long records of the columns that are all numbers)."""
    if not texts:
        return None, []
    text = pd.concat(texts, ignore_index=True)
    cells = text["value"].to_numpy(dtype=object, copy=True)
    cells[missing_markers(text["value"])] = None
    text["value"] = pd.Series(cells, dtype=object)
    # a column whose every cell is a number or missing is numeric after all
    values = pd.to_numeric(cells, errors="coerce").astype(float)
    column, _ = pd.factorize(text["indicator"])  # in order of first appearance
    fails = np.bincount(column, weights=np.isnan(values) & ~pd.isna(cells),
                        minlength=column.max() + 1 if len(column) else 0) > 0
    numeric = ~fails[column]
    order = np.argsort(column, kind="stable")  # the records of each column together, as groupby gives them
    kept = text.iloc[order[~numeric[order]]]
    numbers = text.iloc[order[numeric[order]]]
    numbers = numbers.assign(value=values[order[numeric[order]]])
    return (kept.reset_index(drop=True) if len(kept) else None), ([numbers] if len(numbers) else [])


def _label_columns(keys: dict, labels: pd.DataFrame, problems: ProblemCollector) -> dict:
    """Text columns (group labels), one value per (unit, year) of ``keys``: column -> Series."""
    dup = duplicated_keys(labels, ["unit", "year", "indicator"], keep="first")
    if dup.any():
        for rec in labels[dup].head(MAX_REPORTED).itertuples(index=False):
            problems.add(f"duplicate value for unit {rec.unit!r}, year {rec.year}, column {rec.indicator!r}",
                         file=rec.file, row=int(rec.row), column=rec.indicator,
                         fix="keep one row per unit and year")
        problems.raise_if_any()
    # one column per label, in sorted order; a cell the labels do not fill (or fill with a
    # missing marker) is NaN
    row_of = {key: i for i, key in enumerate(zip(keys["unit"], keys["year"]))}
    columns = {str(c): np.full(len(row_of), np.nan, dtype=object) for c in sorted(set(labels["indicator"]))}
    for unit, year, column, value in zip(*(labels[c].to_numpy(dtype=object)
                                           for c in ("unit", "year", "indicator", "value"))):
        i = row_of.get((unit, year))
        if i is not None and value is not None:
            columns[str(column)][i] = value
    return {c: pd.Series(v, dtype=object) for c, v in columns.items()}


def _pivot(long: pd.DataFrame) -> tuple[dict, dict]:
    """Long records to one row per (unit, year), in first-seen order (sorted by year, stably,
    when every row has one): the keys {unit, year: object arrays} and {indicator: floats}."""
    row, _ = pd.factorize(key_codes(long, ["unit", "year"]))  # (unit, year) in order of first appearance
    first = np.unique(row, return_index=True)[1]
    units, years = (np.asarray(long[c].array.take(first), dtype=object) for c in ("unit", "year"))
    col, _ = pd.factorize(key_codes(long, ["indicator"]))  # in order of first appearance
    indicators = [str(i) for i in long["indicator"].array.take(np.unique(col, return_index=True)[1])]
    values = np.full((len(first), len(indicators)), np.nan)
    values[row, col] = long["value"].to_numpy()
    if all(y is not None for y in years):
        order = np.argsort(years, kind="stable")
        units, years, values = units[order], years[order], values[order]
    return {"unit": units, "year": years}, {c: values[:, j] for j, c in enumerate(indicators)}


def _hierarchy(frames: list[pd.DataFrame], key: str, problems: ProblemCollector) -> dict:
    """unit -> parent (or name) from the regions file and data columns; one per unit (its first
    value; a row that gives another is a problem)."""
    if not frames:
        return {}
    units, values, rows, files = (np.concatenate([fr[c].to_numpy(dtype=object) for fr in frames])
                                  for c in ("unit", key, "row", "file"))
    keep = np.array([bool(v) and u is not None and not (isinstance(u, float) and np.isnan(u))
                     for u, v in zip(units, values)], dtype=bool)
    units, values, rows, files = units[keep], values[keep], rows[keep], files[keep]
    codes, _ = pd.factorize(units)
    first = np.unique(codes, return_index=True)[1]  # each unit's first row, in order of appearance
    mapping = dict(zip(units[first].tolist(), values[first].tolist()))
    for i in np.flatnonzero(values != values[first][codes]).tolist():
        unit, j = units[i], first[codes[i]]
        problems.add(f"unit {unit!r} has {key} {values[i]!r} here but {mapping[unit]!r} at "
                     f"{files[j]} row {rows[j]}", file=files[i], row=int(rows[i]), column=key,
                     fix=f"give each unit one {key}")
    return mapping
