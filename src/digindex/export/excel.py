"""Fast, formatted Excel workbooks: xlsxwriter in constant-memory mode, bulk rows at C speed.

xlsxwriter writes the workbook: styles, sheet views (frozen panes), filters, column widths
and the header rows, in ``constant_memory`` mode (each sheet's rows stream to a temporary
file). Large tables would cost several microseconds a cell through its Python API, so their
rows are rendered here with pyarrow's string kernels, a block of rows at a time, as the very
XML xlsxwriter writes for a row in that mode (``<row r="2"><c r="A2" s="1"><v>1.5</v></c>
...``, text as inline strings escaped by xlsxwriter's own functions) and appended to the
sheet's row stream. Empty values (NaN, None, '') are no cell at all. Numbers are written
to 17 significant digits (shortest round trip).

A sheet beyond Excel's limits (1,048,576 rows, 16,384 columns) is not written: :meth:`Book.fits`
says so and the caller writes a note instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
BLOCK_ROWS = 20_000          # rows rendered at once (memory stays bounded)
HEADER = {"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": True, "valign": "top"}
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Column:
    """One column of a table sheet: its header, values and how they are shown."""

    header: str
    values: np.ndarray            # text (object) or numbers (float, NaN empty)
    number_format: str | np.ndarray | None = None  # one format, or one per row (numbers only)
    width: float | None = None

    @property
    def is_text(self) -> bool:
        return self.values.dtype == object


class Book:
    """An xlsx workbook being written (constant memory); ``close()`` finishes the file."""

    def __init__(self, path):
        self.workbook = _workbook_class()(str(path), {"constant_memory": True, "nan_inf_to_errors": False})
        self.header = self.workbook.add_format(HEADER)
        self.bold = self.workbook.add_format({"bold": True})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self._formats: dict[str, object] = {}
        self._names: set[str] = set()

    def number(self, spec: str | None):
        """The cell format of a number format ('0.00', '0', ...); None: General."""
        if spec is None:
            return None
        if spec not in self._formats:
            self._formats[spec] = self.workbook.add_format({"num_format": spec})
        return self._formats[spec]

    def sheet_name(self, name: str) -> str:
        """A valid, unique sheet name (≤ 31 characters, no []:*?/\\)."""
        base = FORBIDDEN.sub(" ", name).strip()[:31] or "sheet"
        out, k = base, 2
        while out.lower() in self._names:
            suffix = f" ({k})"
            out, k = base[:31 - len(suffix)] + suffix, k + 1
        self._names.add(out.lower())
        return out

    @staticmethod
    def fits(n_rows: int, n_columns: int, header_rows: int = 1) -> bool:
        return n_rows + header_rows <= EXCEL_ROWS and n_columns <= EXCEL_COLUMNS

    # ---- a table: a header row, then rows of text and numbers ---------------------------
    def table(self, name: str, columns: list[Column], frozen_columns: int = 0, filters: bool = True):
        """A sheet with one header row and ``columns``: frozen header (and the first
        ``frozen_columns``), a filter on every column, widths and number formats."""
        ws = self.workbook.add_worksheet(self.sheet_name(name))
        n = len(columns[0].values) if columns else 0
        for j, col in enumerate(columns):
            ws.set_column(j, j, col.width or _width(col))
            ws.write_string(0, j, col.header, self.header)
        ws.freeze_panes(1, frozen_columns)
        if filters and columns:
            ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
        if n:
            if _fast_path(ws):
                ws._write_single_row(1)  # the header row goes out before the bulk rows
                for start in range(0, n, BLOCK_ROWS):
                    stop = min(start + BLOCK_ROWS, n)
                    ws.fh.flush()
                    ws.fh.buffer.write(self._rows(ws, columns, start, stop))
                ws._check_dimensions(n, len(columns) - 1)
                ws.previous_row = n
            else:  # pragma: no cover - an xlsxwriter without the internals used above
                self._rows_slowly(ws, columns)
        return ws

    def _rows(self, ws, columns: list[Column], start: int, stop: int) -> bytes:
        import pyarrow as pa
        import pyarrow.compute as pc
        from xlsxwriter.utility import xl_col_to_name

        numbers = pa.array(np.arange(start + 2, stop + 2)).cast(pa.string())
        cells = []
        for j, col in enumerate(columns):
            values = col.values[start:stop]
            ref = f'<c r="{xl_col_to_name(j)}'
            if col.is_text:
                cells.append(pc.binary_join_element_wise(ref, numbers, _text_cells(ws, values), ""))
                continue
            finite = np.where(np.isfinite(values), values, np.nan)
            text = pc.cast(pa.array(finite, from_pandas=True), pa.string())
            style = self._style_attrs(col, start, stop)
            cells.append(pc.binary_join_element_wise(ref, numbers, style, text, "</v></c>", ""))
        rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "",
                                           null_handling="skip")
        return _joined(rows)

    def _style_attrs(self, col: Column, start: int, stop: int):
        """'" s="k"><v>' per row: the cell format's index (per row when formats differ)."""
        import pyarrow as pa

        if isinstance(col.number_format, np.ndarray):
            specs = col.number_format[start:stop]
            shown = specs[np.isfinite(col.values[start:stop])].tolist()
            # formats get their index in order of first use, as xlsxwriter gives them
            attrs = {s: _attr(self.number(s)) for s in dict.fromkeys(shown + specs.tolist())}
            return pa.array([attrs[s] for s in specs.tolist()], pa.string())
        return _attr(self.number(col.number_format))

    def _rows_slowly(self, ws, columns: list[Column]) -> None:  # pragma: no cover
        for i in range(len(columns[0].values)):
            for j, col in enumerate(columns):
                v = col.values[i]
                if col.is_text:
                    if v is not None and v == v and str(v):
                        ws.write_string(i + 1, j, str(v))
                elif np.isfinite(v):
                    spec = col.number_format[i] if isinstance(col.number_format, np.ndarray) else col.number_format
                    ws.write_number(i + 1, j, float(v), self.number(spec))

    # ---- free-form sheets: rows of cells, written in order ------------------------------
    def sheet(self, name: str, widths: list[float] | None = None):
        ws = self.workbook.add_worksheet(self.sheet_name(name))
        for j, w in enumerate(widths or []):
            ws.set_column(j, j, w)
        return ws

    def row(self, ws, r: int, values, fmt=None, number_format: str | None = None) -> None:
        """Write one row of a free-form sheet (rows in increasing order): text as text (never a
        formula), numbers with ``number_format``, empty values not at all."""
        for j, v in enumerate(values):
            if v is None or (isinstance(v, float) and not np.isfinite(v)) or (isinstance(v, str) and not v):
                continue
            if isinstance(v, (bool, np.bool_)):
                ws.write_string(r, j, str(bool(v)), fmt)
            elif isinstance(v, (int, float, np.integer, np.floating)):
                ws.write_number(r, j, float(v), fmt or self.number(number_format))
            else:
                ws.write_string(r, j, str(v), fmt)

    def close(self) -> None:
        self.workbook.close()


class _FastZip:
    """zipfile.ZipFile at deflate level 1: several times faster than the default level 6 on
    large sheets, for files about a fifth larger."""

    def __new__(cls, *args, **kwargs):
        import zipfile

        return zipfile.ZipFile(*args, compresslevel=1, **kwargs)


def _workbook_class():
    """xlsxwriter's Workbook whose package is zipped by :class:`_FastZip`: its ``_store_workbook``
    run with that ZipFile in its globals (nothing else in the process is affected)."""
    import types

    import xlsxwriter.workbook as module

    store = module.Workbook._store_workbook
    if "ZipFile" not in store.__code__.co_names:  # pragma: no cover - another xlsxwriter
        return module.Workbook
    fast = types.FunctionType(store.__code__, {**module.__dict__, "ZipFile": _FastZip}, store.__name__,
                              store.__defaults__, store.__closure__)
    return type("Workbook", (module.Workbook,), {"_store_workbook": fast})


def _fast_path(ws) -> bool:
    """Whether this xlsxwriter has the constant-memory internals the bulk rows use."""
    return bool(getattr(ws, "constant_memory", False)) and all(
        hasattr(ws, a) for a in ("fh", "_write_single_row", "_check_dimensions", "previous_row",
                                 "_escape_control_characters", "_escape_data"))


def _attr(fmt) -> str:
    return f'" s="{fmt._get_xf_index()}"><v>' if fmt is not None else '"><v>'


# what xlsxwriter's escaping changes: markup characters, control characters and its own _xHHHH_
_NEEDS_ESCAPE = re.compile('[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_')


def _text_cells(ws, values):
    """The XML after each text cell's reference, as xlsxwriter writes an inline string (null
    for empty cells, which are not written); each distinct text is escaped once."""
    import pandas as pd
    import pyarrow as pa
    from xlsxwriter.utility import _preserve_whitespace

    codes, uniques = pd.factorize(pd.Series(values, dtype=object))  # missing: -1
    texts = [str(v) for v in uniques]
    plain = not _NEEDS_ESCAPE.search("\n".join(texts))  # (xlsxwriter leaves a newline as it is)
    frags = []
    for text in texts:
        if not text:
            frags.append(None)
            continue
        escaped = text if plain else ws._escape_data(ws._escape_control_characters(text))
        space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        frags.append(f'" t="inlineStr"><is><t{space}>{escaped}</t></is></c>')
    frags.append(None)  # for missing values (code -1)
    return pa.array(frags, pa.string()).take(np.where(codes < 0, len(uniques), codes))


def _joined(strings):
    """The concatenation of a pyarrow string array's values (nulls contribute nothing)."""
    import pyarrow as pa

    strings = strings.cast(pa.large_string())
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)
    lo, hi = offsets[strings.offset], offsets[strings.offset + len(strings)]
    data = strings.buffers()[2]
    return b"" if data is None else memoryview(data)[lo:hi]


def _width(col: Column) -> float:
    """A column width that shows the header and the values (Chinese characters count twice)."""
    def span(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    longest = span(col.header)
    if col.is_text:
        sample = col.values[:2000]
        longest = max([longest] + [span(str(v)) for v in set(sample.tolist()) if v is not None])
    else:
        finite = col.values[np.isfinite(col.values)]
        top = float(np.abs(finite).max()) if finite.size else 0.0
        longest = max(longest, len(f"{top:,.0f}") + 5)
    return float(min(max(longest + 2, 8), 60))


__all__ = ["Book", "Column", "EXCEL_ROWS", "EXCEL_COLUMNS"]
