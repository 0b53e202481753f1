"""简答: free text a trainer grades with a rubric."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.questions.types.base import (
    Grade,
    InvalidAnswer,
    Policy,
    QuestionType,
    cents,
    exact,
    shortest,
)

MAX_ESSAY = 20_000  # characters


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


class Essay(QuestionType):
    code = "essay"
    label = _l("Short answer / essay")
    auto_graded = False
    edit_template = "questions/types/essay/edit.html"
    show_template = "questions/types/essay/show.html"
    answer_template = "questions/types/essay/answer.html"

    def validate(self, content):
        for item in content.get("rubric") or []:
            if not str(item.get("point", "")).strip() or not _is_number(item.get("score")):
                return [str(_l("Each rubric item needs a point and a score."))]
        return []

    def parse_answer(self, content, raw, *, key_map=None):
        if not isinstance(raw, str):
            raise InvalidAnswer(_l("send text"))
        return raw[:MAX_ESSAY]

    def grade(self, content, answer, points, policy=Policy.ALL_OR_NOTHING):
        # Nothing written, nothing to review: it scores 0 at once.
        return Grade(cents(0), cents(points), False, needs_review=answer is not None)

    def correct_answer(self, content, *, key_map=None):
        return content.get("reference_answer") or None

    # Authoring -------------------------------------------------------------------------

    def content_of(self, data):
        return {"reference_answer": (data.reference_answer or "").strip(),
                "rubric": [{"point": str(r.get("point", "")).strip(), "score": r.get("score")}
                           for r in data.rubric]}

    def read_content(self, content, data):
        data.reference_answer = content.get("reference_answer", "")
        data.rubric = list(content.get("rubric", []))

    def read_form(self, form, data):
        data.reference_answer = form.reference_answer.data or ""
        data.rubric = []
        for line in (form.rubric.data or "").splitlines():
            point, _sep, score = line.rpartition("|")
            if not line.strip():
                continue
            try:
                data.rubric.append({"point": point.strip() or line.strip(), "score": float(score)})
            except ValueError:
                data.rubric.append({"point": line.strip(), "score": None})

    def fill_form(self, form, data):
        form.reference_answer.data = data.reference_answer
        form.rubric.data = "\n".join(f"{r['point']} | {r['score']}" for r in data.rubric)

    def authoring_problems(self, data):
        scores = [r.get("score") for r in data.rubric]
        if not data.rubric or not all(s is None or _is_number(s) for s in scores):
            return []
        try:
            points = exact(data.points)
        except (TypeError, ValueError):
            return []
        total = sum((exact(s) for s in scores if s is not None), Decimal(0))
        if total != points:
            return [str(_l("The rubric scores add up to %(total)s, not %(points)s.",
                           total=shortest(total), points=shortest(points)))]
        return []
