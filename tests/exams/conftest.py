"""Factories for exam tests: questions whose secrets are marker strings, exams, and a clock.

`make_question` here overrides the generic one of tests/conftest.py for this folder: it
takes usage, points and tags, and fills every answer, feedback, explanation, accepted
answer and rubric with a distinctive marker (…-MARK-…) that tests look for in what a
learner receives. make_course and make_lesson come from tests/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from app.courses.models import Lesson
from app.exams import services
from app.exams.draw import RuleSpec
from app.questions import services as question_services
from app.questions.data import BlankAnswer, OptionData, QuestionData

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
_numbers = count(1)


def question_data(qtype: str, n: int, **overrides) -> QuestionData:
    """A valid question of `qtype` whose secrets are distinctive marker strings."""
    data = QuestionData(type=qtype, stem=f"题干{n}：请作答", explanation=f"EXPLAIN-MARK-{n}")
    if qtype == "single_choice":
        data.options = [OptionData("A", f"甲{n}", 0.0, f"FEEDBACK-MARK-{n}-A"),
                        OptionData("B", f"乙{n}", 1.0, f"FEEDBACK-MARK-{n}-B"),
                        OptionData("C", f"丙{n}", 0.0, ""), OptionData("D", f"丁{n}", 0.0, "")]
        data.answer = "B"
    elif qtype == "multiple_choice":
        data.options = [OptionData("A", f"甲{n}", 0.5, f"FEEDBACK-MARK-{n}-A"),
                        OptionData("B", f"乙{n}", -1.0, ""), OptionData("C", f"丙{n}", 0.5, ""),
                        OptionData("D", f"丁{n}", -1.0, "")]
        data.answer = ["A", "C"]
    elif qtype == "true_false":
        data.answer = True
        data.true_feedback, data.false_feedback = f"TRUEFB-MARK-{n}", f"FALSEFB-MARK-{n}"
    elif qtype == "fill_blank":
        data.stem = f"题干{n}：第一空____，第二空____。"
        data.blanks = [[BlankAnswer(f"BLANKANS-MARK-{n}-1", 1.0)],
                       [BlankAnswer(f"BLANKANS-MARK-{n}-2", 1.0), BlankAnswer(f"近似{n}", 0.5)]]
    elif qtype == "essay":
        data.reference_answer = f"REFERENCE-MARK-{n}"
        data.rubric = [{"point": f"RUBRIC-MARK-{n}", "score": 1}]
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def _points(value):
    """Points as the bank's QuestionData takes them (a float today, a Decimal after the
    exact-points change)."""
    exact = Decimal(str(value))
    return exact if "Decimal" in str(QuestionData.__dataclass_fields__["points"].type) else float(exact)


@pytest.fixture
def make_question(db):
    def make(qtype: str = "single_choice", *, area: str = "cadre", tier: str = "basic",
             usage: str = "both", points=1, lesson: Lesson | None = None, status: str = "published",
             tags: list[str] | None = None, **overrides):
        n = next(_numbers)
        data = question_data(qtype, n, area=area, tier=tier, usage=usage, points=_points(points),
                             tags=tags or [], difficulty=3, **overrides)
        if qtype == "essay":
            data.rubric = [{"point": f"RUBRIC-MARK-{n}", "score": float(Decimal(str(points)))}]
        question = question_services.save(data, actor=None, now=NOW, lesson=lesson)
        if status == "published":
            question_services.publish_on_import(question, actor=None, now=NOW)
        db.session.commit()
        return question

    return make


@pytest.fixture
def make_exam(db):
    def make(questions=(), *, rules=(), **settings):
        settings.setdefault("title", "干部工作考试")
        settings.setdefault("status", "published")
        settings.setdefault("opens_at", NOW - timedelta(days=1))
        settings.setdefault("closes_at", NOW + timedelta(days=30))
        settings.setdefault("time_limit_s", 1800)
        items = [(q, None) if not isinstance(q, tuple) else q for q in questions]
        data = services.ExamData(
            items=[(q.id, None if p is None else Decimal(str(p))) for q, p in items],
            rules=[r if isinstance(r, RuleSpec) else RuleSpec(**r) for r in rules], **settings)
        exam = services.create_exam(data, actor=None, now=NOW - timedelta(days=2))
        db.session.commit()
        return exam

    return make


@pytest.fixture
def cadre(make_user):
    return make_user(username="cadre01", name="张三")


@pytest.fixture
def trainer(make_user):
    return make_user(username="trainer01", name="李老师", roles=("trainer",))
