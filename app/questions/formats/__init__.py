"""Import/export formats. Each module offers `parse(data: bytes) -> ParseResult` and
`export(questions: list[QuestionData]) -> bytes`, and is listed in FORMATS."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.questions.data import FormatError


def decode_utf8(data: bytes) -> str:
    """The text of an uploaded file, which must be UTF-8 (a BOM is allowed)."""
    if not data or not data.strip():
        raise FormatError(_l("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        raise FormatError(_l("This is a spreadsheet (or another zipped file), not a text file; "
                             "for a spreadsheet choose the XLSX format."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            _l("The file must be UTF-8 encoded; line %(line)d is not. Save it as UTF-8 and upload it again.",
               line=line), location=line) from None
