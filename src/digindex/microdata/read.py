"""Open a registry file on an Ibis backend, with its columns renamed to the schema's names.

CSV (UTF-8, UTF-8 with BOM or GB18030) and Excel files are read as text with
pandas (:func:`digindex.data.readers.read_table`), keeping each record's
spreadsheet row (header = row 1) in a ``_row`` column so that problems can
name it. Parquet files (a file, a folder of part files, or a URI such as
``hdfs://`` or ``s3a://`` that the engine can read) are opened by the backend
itself and keep their column types; they have no row numbers, so problems name
the record's key instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from .schema import SCHEMAS, Schema, match_columns

ROW = "_row"
EXCEL = {".xlsx", ".xlsm", ".xls"}
TEXT = {".csv", ".txt", ".tsv"}


@dataclass
class Source:
    """A registry file opened on a backend: ``table`` has canonical column names."""

    name: str
    file: str
    table: object  # ibis Table
    schema: Schema
    has_rows: bool
    columns: list[str]  # canonical columns present


def _is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def open_registry(con, name: str, path, sheet: str | None = None) -> Source:
    """Open ``path`` as registry ``name`` on backend ``con`` (checks the columns)."""
    from .engines import from_pandas

    if name not in SCHEMAS:
        raise InputError(Problem(f"unknown registry {name!r}",
                                 fix=f"use one of: {', '.join(SCHEMAS)} (NAME=FILE)"))
    schema = SCHEMAS[name]
    file = str(path)
    suffix = Path(file.split("?")[0]).suffix.lower()
    if _is_uri(file):
        if suffix not in ("", ".parquet"):
            raise InputError(Problem("only Parquet can be read from a URI", file=file,
                                     fix="convert the file to Parquet, or copy it to a local path"))
        table, has_rows = con.read_parquet(file), False
    else:
        p = Path(file.removeprefix("file://"))
        if not p.exists():
            raise InputError(Problem("file not found", file=file, fix="check the path in NAME=FILE"))
        if p.is_dir() or suffix == ".parquet":
            target = str(p / "**" / "*.parquet") if p.is_dir() and con.name == "duckdb" else str(p)
            try:
                table = con.read_parquet(target)
            except Exception as exc:  # the backends raise their own kinds
                raise InputError(Problem(f"cannot read the Parquet data ({exc})", file=file)) from None
            has_rows = False
        elif suffix in EXCEL | TEXT:
            from ..data.readers import read_table

            df = read_table(p, sheet)
            df[ROW] = range(df.attrs["row_offset"], df.attrs["row_offset"] + len(df))
            table, has_rows = from_pandas(con, df), True
        else:
            raise InputError(Problem(f"unknown registry file type {suffix!r}", file=file,
                                     fix="use CSV, Excel (.xlsx) or Parquet"))
    mapping, clashes = match_columns(list(table.columns), schema)
    problems = [Problem(f"columns {a!r} and {b!r} are both read as {canon!r}", file=file, column=b,
                        fix="rename or delete one of them") for canon, a, b in clashes]
    present = set(mapping.values())
    for col in schema.required:
        if col not in present:
            aliases = ", ".join(schema.by_name[col].aliases[:4])
            problems.append(Problem(f"registry {name!r} has no column {col!r}", file=file,
                                    fix=f"add it (also accepted: {aliases})"))
    if name != "software_revenue" and "region" not in present and not {"lon", "lat"} <= present:
        problems.append(Problem(f"registry {name!r} has neither a region column nor lon/lat", file=file,
                                fix="add 'region' (行政区划代码) with county codes, or 'lon' and 'lat'"))
    if problems:
        raise InputError(problems)
    keep = {canon: col for col, canon in mapping.items()}
    if has_rows:
        keep[ROW] = ROW
    table = table.select(**{canon: table[col] for canon, col in keep.items()})
    return Source(name, file, table, schema, has_rows, sorted(present, key=list(schema.by_name).index))
