"""Read tabular files (CSV, Excel, Parquet) into string tables with row numbers.

Every cell is read as text so that validation can quote the cell as written.
Row numbers are those a spreadsheet shows: the header is row 1.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "gb18030")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def decode_text(raw: bytes, file: str) -> str:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(Problem("the file is neither UTF-8 nor GB18030 text", file=file,
                             fix="save it as UTF-8 (in Excel: CSV UTF-8)"))


def read_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """A file as a DataFrame of strings ('' for empty cells).

    ``df.attrs`` holds ``file``, ``sheet`` and ``row_offset`` (the spreadsheet row
    of the first data row).
    """
    book = read_sheets(path, sheet)
    name = sheet if sheet is not None else next(iter(book))
    df = book[name]
    if df.shape[0] == 0:
        raise InputError(Problem("the table has a header but no data rows", file=str(path), sheet=name,
                                 fix="add data rows below the header"))
    return df


def read_sheets(path: str | Path, sheet: str | None = None) -> dict:
    """Every sheet of a workbook (only ``sheet`` if given), or the one table of a CSV or
    Parquet file under the key None, as DataFrames of strings. Tables may have no rows.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise InputError(Problem("file not found", file=file, fix="check the path"))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        try:
            book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, header=0)
        except Exception as exc:
            raise InputError(Problem(f"cannot read the workbook ({exc})", file=file,
                                     fix="save it again as .xlsx")) from None
        if not book:
            raise InputError(Problem("the workbook has no sheets", file=file))
        if sheet is not None:
            if sheet not in book:
                raise InputError(Problem(f"no sheet {sheet!r} (sheets: {', '.join(book)})", file=file,
                                         fix="choose one of the sheets with --sheet"))
            book = {sheet: book[sheet]}
        return {name: _finish(df, file, name) for name, df in book.items()}
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:
            raise InputError(Problem(f"cannot read the Parquet file ({exc})", file=file)) from None
        return {None: _finish(df.astype(object).where(df.notna(), "").astype(str), file, None)}
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(Problem("the file is empty", file=file,
                                 fix="export the data again; the first row must name the columns"))
    text = decode_text(raw, file)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(Problem(f"not a well-formed CSV file ({exc})", file=file,
                                 fix="check the quoting and the number of cells on that row")) from None
    except pd.errors.EmptyDataError:
        raise InputError(Problem("the file is empty", file=file)) from None
    return {None: _finish(df, file, None)}


def _finish(df: pd.DataFrame, file: str, sheet) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns):
        df = df.apply(lambda s: s.astype(str).str.strip())
    df.attrs.update(file=file, sheet=sheet, row_offset=2)
    return df
