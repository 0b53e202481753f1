"""What every question type shares: the results, the errors, the exact arithmetic and the
base class the types fill in."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.questions.data import QuestionData

OPTION_KEYS = "ABCDEF"
BLANK_MARK = re.compile(r"_{3,}|（\s*）|\(\s*\)")
CENT = Decimal("0.01")


class Policy(StrEnum):
    """How a multiple-choice question is scored; an exam chooses one."""

    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"  # 少选得一半分, 错选不得分


class InvalidAnswer(DomainError):
    """A learner's answer does not have the shape the question type needs."""

    code = "invalid_answer"
    status = 422
    default_message = _l("This answer does not fit the question.")

    def __init__(self, detail: LazyString | str | None = None, **details):
        # The message says what is wrong in the learner's language; `detail` is kept apart too.
        message = (_l("This answer does not fit the question: %(detail)s", detail=detail)
                   if detail else None)
        super().__init__(message, **details)
        self.detail = detail


@dataclass(frozen=True)
class Grade:
    score: Decimal  # exact, to the cent
    max_score: Decimal
    correct: bool  # full marks
    needs_review: bool = False  # an essay waits for a trainer


@dataclass(frozen=True)
class Presented:
    """What a learner may see of a question, and the way back to the stored option keys."""

    view: dict  # type, stem, stem_format, options [{key, text}] under the shown keys, blanks (a count)
    key_map: dict[str, str]  # shown key -> stored key ({} for types without options)


def normalize_text(text: str, *, case_sensitive: bool = False) -> str:
    """Compare-ready text: NFKC (full-/half-width), trimmed, inner spaces removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return text if case_sensitive else text.casefold()


def count_blanks(stem: str) -> int:
    return len(BLANK_MARK.findall(stem))


def exact(value: Any) -> Decimal:
    """A number as a Decimal without float noise: a float becomes the Decimal of its shortest
    repr (0.1 -> Decimal("0.1"), not 0.1000000000000000055...)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    raise TypeError(f"not a number: {value!r}")


def cents(value: Any) -> Decimal:
    """`value` rounded half up to 0.01."""
    return exact(value).quantize(CENT, rounding=ROUND_HALF_UP)


def shortest(value: Any) -> str:
    """A number as people write it: 1, 0.3, 2.5 (no trailing zeros, no exponent)."""
    return format(exact(value).normalize(), "f")


MAX_POINTS = Decimal(1000)


def to_points(value: Any) -> Decimal:
    """A question's points as an exact Decimal to the cent, or ValueError with a message that
    says what is wrong: not a number, NaN or infinite, not above 0, over 1000, or more than
    two decimals (1.50 and 1.5000000 are fine, 0.333 is not)."""
    try:
        number = exact(value)
    except (TypeError, ValueError):
        raise ValueError(str(_l("The points %(value)s are not a number.", value=value))) from None
    if not number.is_finite():
        raise ValueError(str(_l("The points %(value)s are not a number.", value=value)))
    if number <= 0:
        raise ValueError(str(_l("Points must be positive.")))
    if number > MAX_POINTS:
        raise ValueError(str(_l("The points %(value)s are more than %(max)s.", value=value,
                                max=shortest(MAX_POINTS))))
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(str(_l("The points %(value)s have more than two decimals.", value=value)))
    return number.quantize(CENT)


def points_problem(value: Any) -> str | None:
    """What is wrong with `value` as a question's points, or None."""
    try:
        to_points(value)
    except ValueError as exc:
        return str(exc)
    return None


class QuestionType:
    """One question type. Subclasses live one per module; REGISTRY lists them."""

    code: ClassVar[str]
    label: ClassVar[LazyString]
    auto_graded: ClassVar[bool] = True
    edit_template: ClassVar[str]  # the type's fields on the trainer's form (gets `form`)
    show_template: ClassVar[str]  # the right answer and its details for trainers (gets `content`)
    answer_template: ClassVar[str]  # the learner's inputs (gets `view`, `name`, `picked`, `disabled`)

    # Grading and answering -------------------------------------------------------------

    def validate(self, content: dict) -> list[str]:
        """Problems with a stored definition (the dict of a QuestionVersion's content)."""
        return []

    def present(self, content: dict, *, shuffle_seed: int | None = None) -> Presented:
        """What a learner may see: no answer, weight, feedback, explanation or rubric."""
        return Presented(self._view(content), {})

    def _view(self, content: dict, options: list | None = None) -> dict:
        return {"type": self.code, "stem": content.get("stem", ""),
                "stem_format": content.get("stem_format", "text"), "options": options or [],
                "blanks": 0}

    def parse_answer(self, content: dict, raw: Any, *, key_map: Mapping[str, str] | None = None) -> Any:
        """A learner's answer (API shape, shown keys) as the normalized answer under stored
        keys; InvalidAnswer when it has the wrong shape."""
        raise NotImplementedError

    def validate_answer(self, content: dict, answer: Any) -> Any:
        """parse_answer with the stored keys shown as they are."""
        return self.parse_answer(content, answer)

    def shown_answer(self, answer: Any, *, key_map: Mapping[str, str] | None = None) -> Any:
        """A stored-key answer back under the keys the attempt showed."""
        return answer

    def grade(self, content: dict, answer: Any, points: Decimal,
              policy: Policy = Policy.ALL_OR_NOTHING) -> Grade:
        """The score of `answer` (stored keys, as parse_answer returns it; None: unanswered)."""
        raise NotImplementedError

    def correct_answer(self, content: dict, *, key_map: Mapping[str, str] | None = None) -> Any:
        """The right answer in the API's answer shape, under the shown keys (sent only after
        an attempt closes)."""
        return content.get("answer")

    # Authoring -------------------------------------------------------------------------

    def content_of(self, data: QuestionData) -> dict:
        """The type's own keys of the stored content (stem and explanation are common)."""
        return {}

    def read_content(self, content: dict, data: QuestionData) -> None:
        """Fill the type's own fields of `data` from stored content."""

    def read_form(self, form, data: QuestionData) -> None:
        """Fill the type's own fields of `data` from the trainer's QuestionForm."""

    def fill_form(self, form, data: QuestionData) -> None:
        """Fill the trainer's QuestionForm from `data` (for editing)."""

    def authoring_problems(self, data: QuestionData) -> list[str]:
        """Problems that need more than the content (the points, say)."""
        return []

    def keep_imported(self, data: QuestionData, old: QuestionData) -> None:
        """Keep what an import carried that the form has no field for (see
        content.keep_imported_details)."""

    # Helpers ---------------------------------------------------------------------------

    @staticmethod
    def _grade(right: bool, points: Any) -> Grade:
        points = cents(points)
        return Grade(points if right else cents(0), points, right)


def shuffled_options(content: dict, shuffle_seed: int | None) -> tuple[list[dict], dict[str, str]]:
    """The options in the order a learner sees them, relabelled A, B, C..., and the key map
    shown -> stored."""
    options = list(content.get("options") or [])
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(options)
        shown = [{"key": OPTION_KEYS[i], "text": o.get("text", "")} for i, o in enumerate(options)]
        key_map = {OPTION_KEYS[i]: o.get("key") for i, o in enumerate(options)}
    else:
        shown = [{"key": o.get("key"), "text": o.get("text", "")} for o in options]
        key_map = {o.get("key"): o.get("key") for o in options}
    return shown, key_map


def identity_map(content: dict) -> dict[str, str]:
    return {o.get("key"): o.get("key") for o in content.get("options") or []}
