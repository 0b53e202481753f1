"""Import/export formats. Each module offers `parse(data: bytes) -> ParseResult` and
`export(questions: list[QuestionData]) -> bytes`, and is listed in FORMATS."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.questions.data import FormatError, OptionData, QuestionData
from app.questions.types import REGISTRY, exact

FULL_MARK = 0.9999  # a weight this close to 1 is the whole mark


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


def plain_number(value: Decimal | float | int) -> int | float:
    """Points as a file writes them: 1 for 1.00, 2.5 for 2.50. A Decimal of two places has a
    float whose shortest form is its own digits, so a file never reads 0.30000000000000004."""
    number = exact(value)
    return int(number) if number == number.to_integral_value() else float(number)


# Shared by the Moodle formats (GIFT, Moodle XML) -------------------------------------------

def can_carry_one_blank(q: QuestionData) -> bool:
    """GIFT and Moodle XML hold every type, but a fill-in only with one blank (a short answer)."""
    return q.type in REGISTRY and len(q.blanks) <= 1  # only a fill-in has blanks


def multiple_response(options: list[OptionData]) -> tuple[str, str | list[str]]:
    """Type and answer of a Moodle "multiple response" question: the options with a positive
    weight are right, and one right option worth the whole mark makes it a single choice
    (Moodle's own test case multichoice_multi_tricky); the other weights are kept."""
    right = [o.key for o in options if o.fraction > 0]
    if len(right) == 1 and next(o for o in options if o.key == right[0]).fraction >= FULL_MARK:
        return "single_choice", right[0]
    return "multiple_choice", right


def right_shares(q: QuestionData, right: list[str]) -> dict[str, float]:
    """The weights of a multiple-response question's right options: their own when they add
    up to 100 % (as Moodle needs), else an equal share each."""
    weights = {o.key: o.fraction for o in q.options if o.key in right}
    if weights and all(w > 0 for w in weights.values()) and abs(sum(weights.values()) - 1.0) < 1e-6:
        return weights
    return {key: 1.0 / max(1, len(right)) for key in right}
