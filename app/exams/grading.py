"""Grading a sealed paper through the type registry, with exact decimals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.exams.models import Attempt, AttemptAnswer
from app.extensions import db
from app.questions.models import QuestionVersion
from app.questions.types import Grade, Policy, get_type

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class PaperGrade:
    score: Decimal
    max_score: Decimal
    needs_review: bool
    grades: dict[int, Grade]  # by question id


def versions_of(paper: dict) -> dict[int, QuestionVersion]:
    """The question versions a sealed paper showed, by version id (one query)."""
    ids = [item["version_id"] for item in paper["items"]]
    return {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}


def grade_paper(paper: dict, answers: dict[int, object], policy: Policy) -> PaperGrade:
    """Grade each item of `paper` against `answers` (stored keys, by question id)."""
    versions = versions_of(paper)
    grades: dict[int, Grade] = {}
    for item in paper["items"]:
        points = Decimal(item["points"])
        content = versions[item["version_id"]].content
        grades[item["question_id"]] = get_type(item["type"]).grade(
            content, answers.get(item["question_id"]), points, policy)
    score = sum((g.score for g in grades.values()), Decimal("0"))
    top = sum((Decimal(i["points"]) for i in paper["items"]), Decimal("0"))
    return PaperGrade(score=score.quantize(TWO_PLACES, ROUND_HALF_UP),
                      max_score=top.quantize(TWO_PLACES, ROUND_HALF_UP),
                      needs_review=any(g.needs_review for g in grades.values()),
                      grades=grades)


def percent(score: Decimal, top: Decimal) -> Decimal:
    """Score as a percentage of the maximum, to two places (0 for an empty paper)."""
    if not top:
        return Decimal("0.00")
    return (score * 100 / top).quantize(TWO_PLACES, ROUND_HALF_UP)


def is_pass(score: Decimal, top: Decimal, pass_score: Decimal) -> bool:
    """Passed when score / max reaches the pass percentage (exactly, no rounding)."""
    return score * 100 >= Decimal(pass_score) * top


def apply_grades(attempt: Attempt, result: PaperGrade) -> None:
    """Write each answer's score; answers not given get no row (they scored 0)."""
    rows = {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}
    for question_id, grade in result.grades.items():
        row = rows.get(question_id)
        if row is None:
            continue
        row.graded = not grade.needs_review
        row.score = None if grade.needs_review else grade.score
        row.correct = None if grade.needs_review else grade.correct
