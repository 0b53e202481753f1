"""Real concurrency on PostgreSQL: threads with their own sessions, released together."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.exams import services
from app.exams.models import Attempt, AttemptAnswer
from app.extensions import db as _db
from app.traces.models import Trace
from tests.conftest import all_at_once
from tests.exams.conftest import NOW

pytestmark = pytest.mark.postgresql_only


def in_thread(app, work):
    """A callable running `work()` in its own app context and session, committing on success."""

    def call():
        with app.app_context():
            try:
                work()
                _db.session.commit()
            except Exception:
                _db.session.rollback()
                raise
            finally:
                _db.session.remove()

    return call


def test_twenty_concurrent_submits_grade_once(app, db, cadre, make_question, make_exam):
    questions = [make_question() for _ in range(3)]
    exam = make_exam(questions)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    for q in questions[:2]:
        services.save_answer(attempt, q.id, "B", seq=1, now=NOW)
    db.session.commit()
    attempt_id = attempt.id
    results = []

    def submit():
        row = _db.session.get(Attempt, attempt_id)
        results.append(services.submit(row, now=NOW + timedelta(minutes=5)))

    all_at_once([in_thread(app, submit) for _ in range(20)])

    assert len(results) == 20
    assert sum(r.changed for r in results) == 1
    assert {(r.status, r.score, r.max_score, r.passed) for r in results} == {
        ("graded", 2, 3, True)}
    db.session.expire_all()
    keys = list(db.session.scalars(sa.select(Trace.idempotency_key).order_by(Trace.id)))
    assert keys == [f"attempted:{attempt_id}", f"completed:attempt:{attempt_id}",
                    f"passed:attempt:{attempt_id}"]


def test_twenty_concurrent_starts_give_one_attempt(app, db, cadre, make_question, make_exam):
    exam = make_exam([make_question()], max_attempts=None)
    exam_id, user_id = exam.id, cadre.id
    seen, created = [], []

    def begin():
        user = _db.session.get(User, user_id)
        attempt, new = services.start_attempt(user, services.get_exam(exam_id), now=NOW)
        _db.session.flush()
        seen.append(attempt.id)
        created.append(new)

    all_at_once([in_thread(app, begin) for _ in range(20)])

    assert len(seen) == 20 and len(set(seen)) == 1 and sum(created) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Trace)
                             .where(Trace.verb == "attempted")) == 1


def test_saves_racing_with_the_overdue_job_lose_nothing(app, db, cadre, make_question, make_exam):
    questions = [make_question() for _ in range(15)]
    exam = make_exam(questions, time_limit_s=600, grace_s=30)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()
    attempt_id, deadline = attempt.id, attempt.deadline
    accepted, refused = [], []

    def save(question_id):
        def work():
            row = _db.session.get(Attempt, attempt_id)
            try:
                services.save_answer(row, question_id, "B", seq=1,
                                     now=deadline - timedelta(seconds=1))
                _db.session.flush()
                accepted.append(question_id)
            except services.AttemptClosed:
                refused.append(question_id)
        return work

    def job():
        services.submit_overdue(deadline + timedelta(seconds=31))

    all_at_once([in_thread(app, save(q.id)) for q in questions] + [in_thread(app, job)])

    db.session.expire_all()
    final = db.session.get(Attempt, attempt_id)
    assert final.status == "graded" and final.finished_at == deadline
    rows = list(db.session.scalars(sa.select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt_id)))
    # Every acknowledged save was graded; every refused one said so and stored nothing.
    assert sorted(r.question_id for r in rows) == sorted(accepted)
    assert all(r.graded and r.score == 1 for r in rows)
    assert final.score == len(accepted)
    assert sorted(accepted + refused) == sorted(q.id for q in questions)
