"""The interchange shape every import format parses to and every export format writes from.

A format module turns a file into a ParseResult (questions plus per-question errors and
skips, each with the line or row where it happened) and turns QuestionData back into a
file. The importer validates QuestionData with the type registry and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from flask_babel import LazyString


@dataclass
class OptionData:
    """A choice option. `fraction` is Moodle's grade share (1.0 right, 0.5 half, -1.0 wrong)."""

    key: str  # "A".."F", in the order shown in the file
    text: str
    fraction: float = 0.0
    feedback: str = ""


@dataclass
class BlankAnswer:
    """An accepted answer of one blank, with the share of the blank's credit it earns."""

    text: str
    fraction: float = 1.0


@dataclass
class QuestionData:
    type: str  # a code of the type registry: single_choice, multiple_choice, true_false, fill_blank, essay
    stem: str
    stem_format: Literal["text", "html"] = "text"  # html is sanitized when stored
    options: list[OptionData] = field(default_factory=list)
    # single_choice: "B"; multiple_choice: ["A", "C"]; true_false: True/False; others: None
    answer: Any = None
    blanks: list[list[BlankAnswer]] = field(default_factory=list)  # fill_blank: one list per blank
    case_sensitive: bool = False
    explanation: str = ""  # 解析 (Moodle: general feedback)
    reference_answer: str = ""  # essay
    rubric: list[dict] = field(default_factory=list)  # essay: [{"point": str, "score": number}]
    true_feedback: str = ""  # true_false feedback shown after answering true / false
    false_feedback: str = ""
    points: Decimal = Decimal(1)  # exact, at most two decimals (types.to_points)
    area: str | None = None
    tier: str | None = None
    difficulty: int | None = None
    lesson_key: str | None = None  # "<course key>/<lesson key>" or a lesson key
    usage: Literal["practice", "exam", "both"] = "both"
    tags: list[str] = field(default_factory=list)
    name: str = ""  # a short title (Moodle's question name)
    category: str = ""  # a folder path such as "top/干部工作/民主推荐"
    source_key: str | None = None  # a stable id from the file (YAML id, Moodle idnumber)
    line: int | None = None  # where the question starts: a line, or a row for spreadsheets


@dataclass(frozen=True)
class ParseIssue:
    """An error or a skipped question, with its line (text formats) or row (spreadsheets)."""

    location: int | None
    message: str | LazyString
    unit: Literal["line", "row"] = "line"

    def __post_init__(self):
        # Plain text from here on: a message quotes what the file says, and a lazy string
        # would reach templates as markup (it has __html__), unescaped.
        object.__setattr__(self, "message", str(self.message))

    def as_dict(self) -> dict:
        return {self.unit: self.location, "message": str(self.message)}


@dataclass
class ParseResult:
    questions: list[QuestionData] = field(default_factory=list)
    errors: list[ParseIssue] = field(default_factory=list)
    skipped: list[ParseIssue] = field(default_factory=list)  # e.g. a type we do not support


class FormatError(Exception):
    """The whole file cannot be read (wrong encoding, not a spreadsheet, empty...)."""

    def __init__(self, message: str | LazyString, location: int | None = None):
        self.message = message
        self.location = location
        super().__init__(str(message))
