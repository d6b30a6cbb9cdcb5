"""Import COINr-style ``iMeta``/``iData`` tables (the inputs of COINr's ``new_coin()``).

``iMeta`` has one row per indicator, aggregate, group or denominator, with columns

- ``iCode`` (required, unique), ``iName`` (the node's name; defaults to iCode);
- ``Type``: ``Indicator``, ``Aggregate``, ``Group``, ``Denominator`` or ``Other``;
- ``Level``: 1 for indicators, rising to the index (checked: a parent's level is higher);
- ``Parent``: the iCode of the parent aggregate, empty/NA for the index (exactly one);
- ``Direction`` (1 or −1), ``Weight`` (> 0, relative to siblings), ``Unit``, ``Target``;
- ``Denominator``: for indicators, the iCode of a ``Denominator`` row (a column of iData).

``iData`` has ``uCode`` (the unit), optionally ``uName`` and ``Time`` (the year), and one
column per iMeta row that is not an ``Aggregate``. ``NA`` or an empty cell is missing.

They become a digindex framework (a dict, as YAML would hold it) and a wide data table
(``unit, year, name``, the group/denominator/other columns, the indicators). Indicators keep
iMeta's order; ``Group``, ``Denominator`` and ``Other`` rows become ``data_columns``; an
indicator's ``Denominator`` becomes its ``denominator`` key. COINr divides by a missing
denominator and gets NA; digindex refuses that by default, so indicators whose denominator
has a gap (or a zero) in iData where the indicator has a value get
``denominator: {column: ..., on_missing: missing}``, reproducing COINr. Pipeline settings
(imputation, screening, treatment, ...) are not in iMeta: add them to the dict.

Every problem is reported with the file, spreadsheet row and column, and a fix.

Reference: Becker W. et al. (2022) COINr: An R package for developing composite indicators,
JOSS 7(78), 4567; COINr ``new_coin()`` documentation (iData/iMeta formats).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..data.readers import read_table
from ..errors import ProblemCollector

TYPES = {"Indicator", "Aggregate", "Group", "Denominator", "Other"}
DATA_TYPES = ("Group", "Denominator", "Other")
MISSING = {"", "na", "nan", "null", "none"}
ID_COLUMNS = {"uCode": "unit", "Time": "year", "uName": "name"}


def _missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def read_imeta(path) -> pd.DataFrame:
    """iMeta as a checked table of strings ('' for missing), with ``row`` = spreadsheet row."""
    df = read_table(path)
    file, off = df.attrs["file"], df.attrs["row_offset"]
    p = ProblemCollector()
    for col in ("iCode", "Type", "Parent"):
        if col not in df.columns:
            p.add(f"iMeta has no {col!r} column", file=file,
                  fix="iMeta needs columns iCode, iName, Type, Level, Parent, Direction, Weight")
    p.raise_if_any()
    df = df.apply(lambda s: s.map(lambda v: "" if _missing(v) else v))
    df["row"] = np.arange(len(df)) + off
    for col in ("iName", "Level", "Direction", "Weight", "Unit", "Target", "Denominator"):
        if col not in df.columns:
            df[col] = ""
    seen: dict[str, int] = {}
    for r in df.itertuples(index=False):
        where = dict(file=file, row=int(r.row))
        if not r.iCode:
            p.add("empty iCode", column="iCode", fix="give every row a unique iCode", **where)
        elif r.iCode in seen:
            p.add(f"duplicate iCode {r.iCode!r} (also row {seen[r.iCode]})", column="iCode",
                  fix="iCodes must be unique", **where)
        else:
            seen[r.iCode] = int(r.row)
        if r.Type not in TYPES:
            p.add(f"unknown Type {r.Type!r}", column="Type",
                  fix=f"use one of: {', '.join(sorted(TYPES))}", **where)
        if r.Type in ("Indicator", "Aggregate"):
            _check_number(r.Level, "Level", where, p, integer=True)
            _check_number(r.Weight, "Weight", where, p, positive=True)
            if r.Direction not in ("1", "-1", "1.0", "-1.0"):
                p.add(f"Direction must be 1 or -1, not {r.Direction!r}", column="Direction",
                      fix="1 when higher is better, -1 when lower is better", **where)
            if r.Target:
                _check_number(r.Target, "Target", where, p)
    p.raise_if_any()
    _check_tree(df, file, p)
    p.raise_if_any()
    return df


def _check_number(cell, column, where, p, integer=False, positive=False):
    try:
        v = float(cell)
    except ValueError:
        v = np.nan
    if not np.isfinite(v) or (integer and not v.is_integer()) or (positive and v <= 0):
        kind = "a whole number" if integer else "a number > 0" if positive else "a number"
        p.add(f"{column} must be {kind}, not {cell!r}", column=column,
              fix=f"enter {kind} in {column}" + (" (digindex has no zero weights; drop the row "
                                                  "instead)" if positive else ""), **where)


def _check_tree(df: pd.DataFrame, file: str, p: ProblemCollector) -> None:
    nodes = df[df["Type"].isin(["Indicator", "Aggregate"])]
    kind = dict(zip(df["iCode"], df["Type"]))
    level = {r.iCode: int(float(r.Level)) for r in nodes.itertuples()}
    roots = nodes[nodes["Parent"] == ""]
    if len(roots) != 1:
        p.add(f"there must be exactly one index (an Aggregate with no Parent), found "
              f"{len(roots)}: {', '.join(roots['iCode']) or 'none'}", file=file, column="Parent",
              fix="give every row but the index a Parent")
    for r in nodes.itertuples():
        where = dict(file=file, row=int(r.row))
        if r.Type == "Indicator" and level[r.iCode] != 1:
            p.add(f"indicator {r.iCode!r} has Level {r.Level}; indicators are Level 1", column="Level",
                  fix="set Level to 1 for every Indicator row", **where)
        if r.Parent and kind.get(r.Parent) != "Aggregate":
            p.add(f"Parent {r.Parent!r} of {r.iCode!r} is not an Aggregate row", column="Parent",
                  fix="name the iCode of an Aggregate row", **where)
        elif r.Parent and level[r.Parent] <= level[r.iCode]:
            p.add(f"Parent {r.Parent!r} (Level {level[r.Parent]}) of {r.iCode!r} (Level "
                  f"{level[r.iCode]}) must have a higher Level", column="Level", **where)
        if r.Denominator and (r.Type != "Indicator" or kind.get(r.Denominator) != "Denominator"):
            p.add(f"Denominator {r.Denominator!r} of {r.iCode!r} is not a Denominator row",
                  column="Denominator", fix="name the iCode of a row with Type Denominator", **where)
    for r in nodes[nodes["Type"] == "Aggregate"].itertuples():
        if not (nodes["Parent"] == r.iCode).any():
            p.add(f"aggregate {r.iCode!r} has no children", file=file, row=int(r.row),
                  fix="remove the row or give it children")


def read_idata(path, imeta: pd.DataFrame) -> pd.DataFrame:
    """iData as a checked table of strings ('' for missing), columns as in iMeta."""
    df = read_table(path)
    file, off = df.attrs["file"], df.attrs["row_offset"]
    p = ProblemCollector()
    expected = set(imeta.loc[imeta["Type"] != "Aggregate", "iCode"])
    if "uCode" not in df.columns:
        p.add("iData has no 'uCode' column", file=file, fix="name the column of unit codes 'uCode'")
    unknown = [c for c in df.columns if c not in expected and c not in ID_COLUMNS]
    if unknown:
        p.add(f"columns not in iMeta: {', '.join(unknown)}", file=file, column=unknown[0],
              fix="add them to iMeta (Type Other if they are not indicators) or delete them")
    absent = [c for c in imeta["iCode"][imeta["Type"] == "Indicator"] if c not in df.columns]
    if absent:
        p.add(f"iMeta indicators missing from iData: {', '.join(absent)}", file=file,
              fix="add a column per indicator")
    p.raise_if_any()
    df = df.apply(lambda s: s.map(lambda v: "" if _missing(v) else v))
    numeric = set(imeta["iCode"][imeta["Type"].isin(["Indicator", "Denominator"])])
    for c in [c for c in df.columns if c in numeric]:
        bad = pd.to_numeric(df[c].replace("", np.nan), errors="coerce").isna() & (df[c] != "")
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            p.add(f"not a number: {df[c].iloc[i]!r}", file=file, row=int(i) + off, column=c,
                  fix="enter a plain number, or NA if missing")
    key = ["uCode"] + (["Time"] if "Time" in df.columns else [])
    for i in np.flatnonzero(df.duplicated(key).to_numpy())[:20]:
        p.add(f"duplicate unit {df['uCode'].iloc[i]!r}" + (f", Time {df['Time'].iloc[i]}" if "Time" in df
              else ""), file=file, row=int(i) + off, column="uCode", fix="keep one row per unit (and Time)")
    p.raise_if_any()
    df.attrs["file"] = file
    return df


def framework_dict(imeta: pd.DataFrame, idata: pd.DataFrame | None = None,
                   framework_id: str = "coinr", source: str = "iMeta") -> dict:
    """The digindex framework (as YAML would hold it) of a checked iMeta table."""
    gaps = _denominator_gaps(imeta, idata)
    rows = {r.iCode: r for r in imeta.itertuples(index=False)}
    children: dict[str, list[str]] = {}
    for r in imeta.itertuples(index=False):
        if r.Type in ("Indicator", "Aggregate") and r.Parent:
            children.setdefault(r.Parent, []).append(r.iCode)

    def node(code: str) -> dict:
        r = rows[code]
        out: dict = {"id": code, "name": r.iName or code}
        if float(r.Weight) != 1:
            out["weight"] = _num(r.Weight)
        if r.Type == "Aggregate":
            out["children"] = [node(c) for c in children[code]]
            return out
        if r.Unit:
            out["unit"] = r.Unit
        if int(float(r.Direction)) == -1:
            out["direction"] = -1
        if r.Target:
            out["target"] = _num(r.Target)
        if r.Denominator:
            out["denominator"] = ({"column": r.Denominator, "on_missing": "missing"}
                                  if code in gaps else r.Denominator)
        return out

    tops = imeta["Type"].isin(["Indicator", "Aggregate"]) & (imeta["Parent"] == "")
    root = imeta.loc[tops, "iCode"].iloc[0]
    return {
        "id": framework_id,
        "name": {"en": rows[root].iName or root},
        "description": f"Imported from COINr-style tables ({source}) by digindex.importers.coinr.",
        "data_columns": [c for t in DATA_TYPES for c in imeta.loc[imeta["Type"] == t, "iCode"]],
        "tree": node(root),
    }


def _num(cell: str):
    v = float(cell)
    return int(v) if v.is_integer() else v


def _denominator_gaps(imeta: pd.DataFrame, idata: pd.DataFrame | None) -> set[str]:
    """Indicators with a value where their denominator is missing or zero in iData."""
    if idata is None:
        return set()
    out = set()
    for r in imeta[(imeta["Type"] == "Indicator") & (imeta["Denominator"] != "")].itertuples():
        if r.Denominator not in idata.columns:
            continue
        d = pd.to_numeric(idata[r.Denominator].replace("", np.nan), errors="coerce")
        if ((idata[r.iCode] != "") & (d.isna() | (d == 0))).any():
            out.add(r.iCode)
    return out


def data_table(idata: pd.DataFrame, imeta: pd.DataFrame) -> pd.DataFrame:
    """The wide digindex data table: unit[, year][, name], data columns, indicators (text as read)."""
    out = pd.DataFrame({"unit": idata["uCode"]})
    if "Time" in idata.columns:
        out["year"] = idata["Time"]
    if "uName" in idata.columns:
        out["name"] = idata["uName"]
    for t in DATA_TYPES + ("Indicator",):
        for c in imeta.loc[imeta["Type"] == t, "iCode"]:
            if c in idata.columns:
                out[c] = idata[c]
    return out


def import_coinr(imeta_path, idata_path, framework_id: str | None = None):
    """(framework dict, data table) from iMeta and iData files."""
    imeta = read_imeta(imeta_path)
    idata = read_idata(idata_path, imeta)
    fid = framework_id or Path(imeta_path).stem.removesuffix("_iMeta").lower() or "coinr"
    return framework_dict(imeta, idata, fid, Path(imeta_path).name), data_table(idata, imeta)


def write_import(fw: dict, table: pd.DataFrame, out_dir, header: str = "") -> tuple[Path, Path]:
    """Write ``framework.yaml`` and ``data.csv`` into ``out_dir``; checks both load back."""
    from ..data import load_data
    from ..files import atomic_path
    from ..framework import load_framework

    out_dir = Path(out_dir)
    fw_path, data_path = out_dir / "framework.yaml", out_dir / "data.csv"
    with atomic_path(fw_path) as tmp:
        tmp.write_text(header + yaml.safe_dump(fw, allow_unicode=True, sort_keys=False, width=100),
                       encoding="utf-8")
    with atomic_path(data_path) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    load_data([data_path], framework=load_framework(fw_path))
    return fw_path, data_path


def write_coinr_import(imeta_path, idata_path, out_dir, framework_id: str | None = None):
    """What ``digindex import-coinr IMETA IDATA --out DIR`` does: convert and write both files."""
    fw, table = import_coinr(imeta_path, idata_path, framework_id)
    header = (f"# Imported by digindex from {Path(imeta_path).name} and {Path(idata_path).name}\n"
              "# (COINr iMeta/iData). Add impute/screen/treat/normalise settings as needed.\n")
    return write_import(fw, table, out_dir, header)


__all__ = ["read_imeta", "read_idata", "framework_dict", "data_table", "import_coinr", "write_import",
           "write_coinr_import"]
