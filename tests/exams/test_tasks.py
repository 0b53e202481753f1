"""The 30-second job that submits overdue attempts."""

from __future__ import annotations

from datetime import timedelta

from app.exams import services
from app.scheduler import run_job
from tests.exams.conftest import NOW


def test_the_job_submits_overdue_attempts_at_their_deadline(db, cadre, make_question, make_exam):
    question = make_question()
    exam = make_exam([question], time_limit_s=60, grace_s=10)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    services.save_answer(attempt, question.id, "B", seq=1, now=NOW + timedelta(seconds=30))
    db.session.commit()

    early = run_job("exams.submit_overdue", NOW + timedelta(seconds=65))  # within the grace
    assert early.summary == "0 overdue attempts submitted"
    late = run_job("exams.submit_overdue", NOW + timedelta(hours=3))
    assert late.summary == "1 overdue attempts submitted"
    db.session.refresh(attempt)
    assert attempt.status == "graded" and attempt.finished_at == NOW + timedelta(seconds=60)
    assert attempt.passed is True and attempt.submitted_by == "server"
    assert run_job("exams.submit_overdue", NOW + timedelta(hours=4)).summary.startswith("0 ")
