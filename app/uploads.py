"""Reading untrusted upload files within bounded time and memory.

Every importer reads what a user uploaded, so every importer states its bounds (the
question formats: MAX_QUESTIONS a file; the user import: its own MAX_ROWS) and stops as
soon as a file goes past them, before the rest of it is read. Spreadsheets need more care
than text: an .xlsx is a zip of XML parts, so a small upload can unpack to gigabytes, and
a sheet can claim (or have) cells at XFD1048576. `read_sheet` therefore

- checks the zip's central directory before anything is unpacked: how many members, the
  uncompressed size of each and of all, and each member's compression ratio (Python's
  zipfile never unpacks more than the size the directory declares, so the check holds);
- refuses XML parts with a DTD or entity declarations (and openpyxl parses through
  defusedxml, which refuses entities too);
- reads the first sheet in streaming mode, row elements as they come, keeping only the
  cells that hold a value: it never trusts the sheet's <dimension>, never pads rows to a
  rectangle and never materializes empty rows or columns;
- counts the rows it sees and stops past the caller's bound.
Any other failure inside the spreadsheet library on such a file is the file's fault, and
becomes an UploadRefused, never a server error.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

MAX_QUESTIONS = 20_000  # questions (or blocks, items, rows) in one question file
MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 32 * 1024 * 1024  # one unpacked part of an .xlsx
MAX_UNPACKED_BYTES = 96 * 1024 * 1024  # all unpacked parts together
MAX_RATIO = 100  # unpacked / packed, for parts over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
# Row elements a sheet may hold, empty or not, per allowed row of data (and a margin for
# a header, notes and formatting left on empty rows).
ROWS_SEEN_FACTOR = 3
ROWS_SEEN_MARGIN = 1_000
MAX_MERGED_RANGES = 10_000
MAX_XML_DEPTH = 64  # element nesting of a Moodle XML file


# NUL or a lone UTF-16 surrogate: text no database column can store (PostgreSQL refuses it).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds a character the database would refuse."""
    return UNSTORABLE.search(text) is not None


def clean_filename(name: str | None, limit: int = 255) -> str:
    """An uploaded file's name as it can be stored and shown (it is the client's to choose)."""
    return UNSTORABLE.sub("", name or "").strip()[:limit]


class UploadRefused(Exception):
    """The file goes past a bound or cannot be read; `message` says which, in words."""

    def __init__(self, message: str | LazyString, location: int | None = None):
        self.message = message
        self.location = location
        super().__init__(str(message))


def too_many(limit: int, unit: str | LazyString) -> UploadRefused:
    """The refusal of a file with more than `limit` questions or rows."""
    return UploadRefused(_l("The file holds more than %(limit)s %(unit)s; split it into files of at "
                            "most %(limit)s and import them one by one.",
                            limit=f"{limit:,}", unit=unit))


@dataclass
class Sheet:
    """The first sheet of a workbook: its non-empty rows and its merged ranges."""

    rows: list[tuple[int, dict[int, object]]] = field(default_factory=list)  # (row, {column 0-based: value})
    merged: list = field(default_factory=list)  # openpyxl CellRange objects


def check_zip(data: bytes) -> None:
    """Refuse a zip (an .xlsx) whose directory promises more than the bounds allow."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_l("The file is not a readable .xlsx workbook.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRefused(_l("The workbook has too many parts (%(n)d) to be a spreadsheet.",
                                   n=len(members)))
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(1, member.compress_size)
            if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES or (
                    member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO):
                raise UploadRefused(_l(
                    "The workbook unpacks to more than this import reads (its part %(part)s is %(size)s "
                    "unpacked); keep only the question or user rows and save it again.",
                    part=member.filename[:80], size=f"{member.file_size / 1024**2:.0f} MB"))
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")) and _declares_dtd(archive, member):
                raise UploadRefused(_l("The workbook's part %(part)s declares a DTD or entities, which a "
                                       "spreadsheet never does; it is refused.", part=member.filename[:80]))


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                window = tail + chunk
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    return True
                tail = window[-16:]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise UploadRefused(_l("The file is not a readable .xlsx workbook.")) from None
    return False


def read_sheet(data: bytes, *, max_rows: int, unit: str | LazyString) -> Sheet:
    """The first sheet of an .xlsx upload, read within the bounds of this module.

    At most `max_rows` non-empty rows (past that: UploadRefused naming `unit`)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    if not data:
        raise UploadRefused(_l("The file is empty."))
    check_zip(data)
    sheet = Sheet()
    seen_limit = max_rows * ROWS_SEEN_FACTOR + ROWS_SEEN_MARGIN
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise UploadRefused(_l("The workbook has no sheet."))
        first = workbook.worksheets[0]
        if not hasattr(first, "_get_source"):  # a chart sheet, not cells
            raise UploadRefused(_l("The first sheet of the workbook holds no cells."))
        with first._get_source() as source:
            parser = WorkSheetParser(source, first._shared_strings, data_only=True,
                                     epoch=workbook.epoch, date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            seen = 0
            for number, cells in parser.parse():
                seen += 1
                if seen > seen_limit:
                    raise too_many(max_rows, unit)
                values = {cell["column"] - 1: cell["value"] for cell in cells
                          if cell["value"] is not None and str(cell["value"]).strip() != ""}
                if not values:
                    continue
                if len(sheet.rows) >= max_rows + 1:  # + 1: the header row
                    raise too_many(max_rows, unit)
                sheet.rows.append((number, values))
            if parser.merged_cells is not None:
                from openpyxl.worksheet.cell_range import CellRange

                if len(parser.merged_cells.mergeCell) > MAX_MERGED_RANGES:
                    raise UploadRefused(_l("The sheet has more than %(n)s merged ranges; unmerge them.",
                                           n=f"{MAX_MERGED_RANGES:,}"))
                sheet.merged = [CellRange(m.ref) for m in parser.merged_cells.mergeCell]
        sheet.rows.sort(key=lambda row: row[0])  # a hand-made file may list rows out of order
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file makes the library raise
        log.info("unreadable xlsx upload: %r", exc)
        raise UploadRefused(_l("The file is not a readable .xlsx workbook.")) from None
    finally:
        if workbook is not None:
            workbook.close()
    return sheet
