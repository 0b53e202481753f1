"""Question types: a registry of small classes, never `if type == ...` chains.

Each type validates a question's definition, validates and normalizes a learner's answer,
grades it, and names the template that renders it for a learner.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

OPTION_KEYS = "ABCDEF"
BLANK_MARK = re.compile(r"_{3,}|（\s*）|\(\s*\)")


class InvalidAnswer(ValueError):
    """A learner's answer does not have the shape the question type needs."""


@dataclass(frozen=True)
class Grade:
    score: float
    max_score: float
    correct: bool  # full marks
    needs_review: bool = False  # an essay waits for a trainer


def normalize_text(text: str, *, case_sensitive: bool = False) -> str:
    """Compare-ready text: NFKC (full-/half-width), trimmed, inner spaces removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return text if case_sensitive else text.casefold()


def count_blanks(stem: str) -> int:
    return len(BLANK_MARK.findall(stem))


class QuestionType:
    code: ClassVar[str]
    label: ClassVar[LazyString]
    template: ClassVar[str]
    auto_graded: ClassVar[bool] = True

    def validate(self, q: dict) -> list[str]:
        """Problems with a stored definition (the dict of a QuestionVersion's content)."""
        return []

    def validate_answer(self, q: dict, answer: Any) -> Any:
        """The normalized answer, or InvalidAnswer."""
        raise NotImplementedError

    def grade(self, q: dict, answer: Any, points: float, *, policy: str = "all_or_nothing") -> Grade:
        raise NotImplementedError

    def correct_answer(self, q: dict) -> Any:
        """The right answer in the API's answer shape (shown only after an attempt closes)."""
        return q.get("answer")


def _option_problems(q: dict, minimum: int) -> list[str]:
    problems = []
    options = q.get("options") or []
    if not minimum <= len(options) <= len(OPTION_KEYS):
        problems.append(str(_l("A choice question needs %(min)d to %(max)d options.",
                               min=minimum, max=len(OPTION_KEYS))))
    texts = [normalize_text(o.get("text", "")) for o in options]
    if any(not t for t in texts):
        problems.append(str(_l("An option is empty.")))
    if len(set(texts)) != len(texts):
        problems.append(str(_l("Two options say the same thing.")))
    keys = [o.get("key") for o in options]
    if keys != list(OPTION_KEYS[: len(options)]):
        problems.append(str(_l("Options must be keyed A, B, C... in order.")))
    return problems


class SingleChoice(QuestionType):
    code = "single_choice"
    label = _l("Single choice")
    template = "questions/types/choice.html"

    def validate(self, q):
        problems = _option_problems(q, 2)
        keys = {o.get("key") for o in q.get("options") or []}
        if q.get("answer") not in keys:
            problems.append(str(_l("The answer must name one of the options.")))
        return problems

    def validate_answer(self, q, answer):
        keys = {o["key"] for o in q["options"]}
        if not isinstance(answer, str) or answer.strip().upper() not in keys:
            raise InvalidAnswer("choose one option key")
        return answer.strip().upper()

    def grade(self, q, answer, points, *, policy="all_or_nothing"):
        right = answer == q["answer"]
        return Grade(points if right else 0.0, points, right)


class MultipleChoice(QuestionType):
    code = "multiple_choice"
    label = _l("Multiple choice")
    template = "questions/types/choice.html"

    def validate(self, q):
        problems = _option_problems(q, 3)
        keys = {o.get("key") for o in q.get("options") or []}
        answer = q.get("answer")
        if not isinstance(answer, list) or len(answer) < 2 or not set(answer) <= keys \
                or len(set(answer)) != len(answer):
            problems.append(str(_l("The answer must name at least two different options.")))
        return problems

    def validate_answer(self, q, answer):
        keys = {o["key"] for o in q["options"]}
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            raise InvalidAnswer("send a list of option keys")
        picked = sorted({a.strip().upper() for a in answer})
        if not set(picked) <= keys:
            raise InvalidAnswer("unknown option key")
        return picked

    def grade(self, q, answer, points, *, policy="all_or_nothing"):
        right, picked = set(q["answer"]), set(answer or [])
        if picked == right:
            return Grade(points, points, True)
        # 少选得一半分, 错选不得分: a correct, non-empty subset earns half under "partial".
        if policy == "partial" and picked and picked < right:
            return Grade(points / 2, points, False)
        return Grade(0.0, points, False)


class TrueFalse(QuestionType):
    code = "true_false"
    label = _l("True or false")
    template = "questions/types/true_false.html"

    def validate(self, q):
        return [] if isinstance(q.get("answer"), bool) else [str(_l("The answer must be true or false."))]

    def validate_answer(self, q, answer):
        if not isinstance(answer, bool):
            raise InvalidAnswer("send true or false")
        return answer

    def grade(self, q, answer, points, *, policy="all_or_nothing"):
        right = answer is q["answer"]
        return Grade(points if right else 0.0, points, right)


class FillBlank(QuestionType):
    code = "fill_blank"
    label = _l("Fill in the blanks")
    template = "questions/types/fill_blank.html"

    def validate(self, q):
        blanks = q.get("blanks") or []
        problems = []
        if not blanks:
            problems.append(str(_l("A fill-in question needs at least one blank.")))
        for index, accepted in enumerate(blanks, 1):
            if not accepted or not any(normalize_text(a.get("text", "")) for a in accepted):
                problems.append(str(_l("Blank %(n)d has no accepted answer.", n=index)))
        # One blank may go unmarked (a short answer, Moodle's shortanswer: the box follows the
        # stem); several blanks must each be marked in the stem, or nobody knows where they go.
        marks = count_blanks(q.get("stem", ""))
        if (marks or len(blanks) > 1) and marks != len(blanks):
            problems.append(str(_l("The stem marks %(marks)d blanks but %(blanks)d are defined.",
                                   marks=marks, blanks=len(blanks))))
        return problems

    def validate_answer(self, q, answer):
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            raise InvalidAnswer("send a list of strings, one per blank")
        if len(answer) != len(q["blanks"]):
            raise InvalidAnswer("send one string per blank")
        return [a[:500] for a in answer]

    def grade(self, q, answer, points, *, policy="all_or_nothing"):
        blanks = q["blanks"]
        sensitive = bool(q.get("case_sensitive"))
        earned = 0.0
        for given, accepted in zip(answer or [], blanks, strict=False):
            given_norm = normalize_text(given, case_sensitive=sensitive)
            best = max((a.get("fraction", 1.0) for a in accepted
                        if given_norm and normalize_text(a["text"], case_sensitive=sensitive) == given_norm),
                       default=0.0)
            earned += max(0.0, best)
        score = round(points * earned / len(blanks), 4)
        return Grade(score, points, score >= points)

    def correct_answer(self, q):
        return [max(blank, key=lambda a: a.get("fraction", 1.0))["text"] for blank in q["blanks"]]


class Essay(QuestionType):
    code = "essay"
    label = _l("Short answer / essay")
    template = "questions/types/essay.html"
    auto_graded = False

    def validate(self, q):
        rubric = q.get("rubric") or []
        problems = []
        for item in rubric:
            if not str(item.get("point", "")).strip() or not isinstance(item.get("score"), (int, float)):
                problems.append(str(_l("Each rubric item needs a point and a score.")))
                break
        return problems

    def validate_answer(self, q, answer):
        if not isinstance(answer, str):
            raise InvalidAnswer("send text")
        return answer[:20_000]

    def grade(self, q, answer, points, *, policy="all_or_nothing"):
        return Grade(0.0, points, False, needs_review=True)

    def correct_answer(self, q):
        return q.get("reference_answer") or None


REGISTRY: dict[str, QuestionType] = {
    t.code: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), FillBlank(), Essay())
}
TYPE_LABELS = {code: t.label for code, t in REGISTRY.items()}


def get_type(code: str) -> QuestionType:
    return REGISTRY[code]
