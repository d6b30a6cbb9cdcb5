"""Safe handling of uploaded spreadsheets, before and after openpyxl sees them.

Checks, in order: the upload's size (``max_upload_bytes``); that it is a zip archive
holding a workbook and no macros; the number of archive members; each member's
compression ratio and the total uncompressed size as declared, then as actually
decompressed (streamed, stopping at the limit) - so a zip bomb is refused before any
XML is parsed. While decompressing, every XML part is scanned for a document type
declaration: a workbook never needs one, and it is what XXE (external entities) and
billion-laughs (entity expansion) attacks are made of, so it is refused before any XML
parser sees it. Only then is the workbook opened (read-only, formulas kept as formulas so
that they can be refused cell by cell, external links dropped); :func:`reading` turns any
failure while reading the XML into a clear 422.
"""
from __future__ import annotations

import io
import re
import zipfile
from contextlib import contextmanager

from .. import formatting
from .errors import Invalid, TooLarge
from .messages import t

CHUNK = 1 << 16
DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse(message, cls=Invalid):
    return cls(message, problems=[{"sheet": "", "cell": "", "problem": message}])


def check_size(data: bytes, settings) -> None:
    if len(data) > settings.max_upload_bytes:
        raise _refuse(t("file_too_large", size=formatting.integer(len(data)),
                        limit=formatting.integer(settings.max_upload_bytes)), TooLarge)
    if not data:
        raise _refuse(t("file_empty"))


def check_zip(data: bytes, settings) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx archive without DTDs."""
    check_size(data, settings)
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise _refuse(t("not_xlsx"))
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if len(infos) > settings.max_zip_entries:
                raise _refuse(t("zip_too_many_parts", n=len(infos), limit=settings.max_zip_entries))
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse(t("not_xlsx"))
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _refuse(t("macros_refused"))
            declared = sum(i.file_size for i in infos)
            if declared > settings.max_unzipped_bytes:
                raise _refuse(t("unpacks_too_large", size=formatting.integer(declared),
                                limit=formatting.integer(settings.max_unzipped_bytes)), TooLarge)
            for i in infos:
                ratio = i.file_size / max(i.compress_size, 1)
                if i.file_size > 1024 and ratio > settings.max_zip_ratio:
                    raise _refuse(t("zip_bomb", part=i.filename, ratio=formatting.integer(ratio),
                                    limit=formatting.integer(settings.max_zip_ratio)))
            total = 0
            for i in infos:
                tail = b""
                with zf.open(i) as member:
                    while chunk := member.read(CHUNK):
                        total += len(chunk)
                        if total > settings.max_unzipped_bytes:
                            raise _refuse(t("unpacks_too_large", size=">" + formatting.integer(total),
                                            limit=formatting.integer(settings.max_unzipped_bytes)), TooLarge)
                        if DTD.search(tail + chunk):  # the overlap catches a declaration split by a chunk
                            raise _refuse(t("xml_dtd_refused", part=i.filename))
                        tail = chunk[-16:]
    except zipfile.BadZipFile:
        raise _refuse(t("zip_damaged"))
    except (RuntimeError, NotImplementedError):  # encrypted or unsupported compression
        raise _refuse(t("zip_damaged"))


@contextmanager
def reading():
    """Any failure while openpyxl parses the workbook's XML is the file's problem: 422."""
    try:
        yield
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed or hostile XML, bad styles, broken parts
        raise _refuse(t("cannot_read_workbook", kind=type(exc).__name__))


def open_workbook(data: bytes, settings):
    """The workbook after :func:`check_zip`, read-only with formulas kept (not evaluated)."""
    import openpyxl

    check_zip(data, settings)
    with reading():
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
