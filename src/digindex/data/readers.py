"""Read tabular files (CSV, Excel, Parquet) into string tables with row numbers.

Every cell is read as text so that validation can quote the cell as written.
Row numbers are those a spreadsheet shows: the header is row 1.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
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
    return _decode(raw, file)[0]


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    """(text, encoding) of a text file: UTF-8 (with or without BOM), else GB18030."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc
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
    text, encoding = _decode(raw, file)
    # pyarrow reads UTF-8 only: the file's bytes when they are UTF-8, else the text re-encoded
    fast = _read_csv_arrow(raw if encoding == "utf-8-sig" else text.encode("utf-8"), text)
    if fast is not None:
        fast.attrs.update(file=file, sheet=None, row_offset=2)
        return {None: fast}
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(Problem(f"not a well-formed CSV file ({exc})", file=file,
                                 fix="check the quoting and the number of cells on that row")) from None
    except pd.errors.EmptyDataError:
        raise InputError(Problem("the file is empty", file=file)) from None
    return {None: _finish(df, file, None)}


def _read_csv_arrow(raw: bytes, text: str) -> pd.DataFrame | None:
    """A regular CSV file (unique, non-empty headers; every row as long as the header) read by
    pyarrow, as pandas would read it with ``_finish``: cells as stripped text, '' for empty.
    None for anything else (pandas then reads it, with its messages)."""
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]  # (partition would copy the whole rest of the text)
    header = next(csv.reader(io.StringIO(first_line)), [])
    names = [h.strip() for h in header]
    if not names or "" in names or len(set(names)) < len(names) or '"' in first_line:
        return None  # pandas names, renames or unquotes these headers its own way
    quoted = '"' in text
    if quoted and _SPACE_QUOTE.search(text):
        return None  # pandas (skipinitialspace) reads ' "a,b"' as one quoted cell
    import pyarrow as pa
    from pyarrow import csv as pacsv
    import pyarrow.compute as pc

    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(names))], skip_rows=1,
                                           use_threads=len(data) > 1 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(names))},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # one trim over every cell (the columns end to end), then the columns again
    cells = pc.utf8_trim_whitespace(pa.chunked_array([ch for col in table.columns for ch in col.chunks],
                                                     pa.string()))
    columns, start = [], 0
    for col in table.columns:
        columns.append(cells.slice(start, len(col)))
        start += len(col)
    return pa.table(columns, names=names).to_pandas()


_SPACE_QUOTE = re.compile(r'(^|[,\n])[ \t]+"', re.M)


def _finish(df: pd.DataFrame, file: str, sheet) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns):
        df = df.apply(lambda s: s.astype(str).str.strip())
    df.attrs.update(file=file, sheet=sheet, row_offset=2)
    return df
