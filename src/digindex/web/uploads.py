"""Safe handling of uploaded spreadsheets, before and after openpyxl sees them.

Checks, in order: the upload's size (``max_upload_bytes``); that it is a zip archive
holding a workbook and no macros; the number of archive members; each member's
compression ratio and the total uncompressed size as declared, then as actually
decompressed (streamed, stopping at the limit) - so a zip bomb is refused before any
XML is parsed. Only then is the workbook opened (read-only, formulas kept as formulas so
that they can be refused cell by cell, external links dropped).
"""
from __future__ import annotations

import io
import zipfile

from .errors import Invalid, TooLarge

CHUNK = 1 << 16


def check_size(data: bytes, settings) -> None:
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(f"the file has {len(data):,} bytes; the limit is {settings.max_upload_bytes:,}",
                       problems=[{"sheet": "", "cell": "", "problem": "file too large"}])
    if not data:
        raise Invalid("the file is empty", problems=[{"sheet": "", "cell": "", "problem": "empty file"}])


def _refuse(message: str, cls=Invalid):
    return cls(message, problems=[{"sheet": "", "cell": "", "problem": message}])


def check_zip(data: bytes, settings) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx archive."""
    check_size(data, settings)
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise _refuse("not an Excel .xlsx workbook (use the template, saved as .xlsx)")
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if len(infos) > settings.max_zip_entries:
                raise _refuse(f"the workbook archive has {len(infos)} parts (limit {settings.max_zip_entries})")
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse("not an Excel .xlsx workbook (no xl/workbook.xml)")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _refuse("workbooks with macros are refused: save as .xlsx without macros")
            declared = sum(i.file_size for i in infos)
            if declared > settings.max_unzipped_bytes:
                raise _refuse(f"the workbook unpacks to {declared:,} bytes (limit {settings.max_unzipped_bytes:,})",
                              TooLarge)
            for i in infos:
                if i.file_size > 1024 and i.file_size / max(i.compress_size, 1) > settings.max_zip_ratio:
                    raise _refuse(f"part {i.filename} is compressed {i.file_size / max(i.compress_size, 1):.0f}:1 "
                                  f"(limit {settings.max_zip_ratio:.0f}:1): refused as a possible zip bomb")
            total = 0
            for i in infos:
                with zf.open(i) as member:
                    while chunk := member.read(CHUNK):
                        total += len(chunk)
                        if total > settings.max_unzipped_bytes:
                            raise _refuse("the workbook unpacks to more than the limit", TooLarge)
    except zipfile.BadZipFile as exc:
        raise _refuse(f"the workbook archive is damaged ({exc})")


def open_workbook(data: bytes, settings):
    """The workbook after :func:`check_zip`, read-only with formulas kept (not evaluated)."""
    import openpyxl

    check_zip(data, settings)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise _refuse(f"cannot read the workbook ({type(exc).__name__})")


