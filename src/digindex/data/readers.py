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
        if sheet is None:
            sheet = next(iter(book), None)
        elif sheet not in book:
            raise InputError(Problem(f"no sheet {sheet!r} (sheets: {', '.join(book)})", file=file,
                                     fix="choose one of the sheets with --sheet"))
        if sheet is None:
            raise InputError(Problem("the workbook has no sheets", file=file))
        df = book[sheet]
    elif suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:
            raise InputError(Problem(f"cannot read the Parquet file ({exc})", file=file)) from None
        df = df.astype(object).where(df.notna(), "").astype(str)
        sheet = None
    else:
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
        sheet = None
    if df.shape[0] == 0:
        raise InputError(Problem("the table has a header but no data rows", file=file, sheet=sheet,
                                 fix="add data rows below the header"))
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda s: s.astype(str).str.strip())
    df.attrs.update(file=file, sheet=sheet, row_offset=2)
    return df
