"""The exams' plan items: required and assigned exams, certification targets."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

from app.exams import plan_items, services
from app.exams.models import PostCertificationTarget, PostExam
from tests.exams.conftest import NOW

TODAY = date(2026, 11, 25)


@contextmanager
def counting(db):
    statements = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_required_assigned_and_certification_items(db, make_user, make_post, make_unit,
                                                   make_question, make_exam):
    post = make_post()
    unit = make_unit("某镇", kind="town")
    question = make_question()
    required = make_exam([question], title="岗位考试")
    assigned = make_exam([question], title="分配考试", audience_units=[unit.id],
                         closes_at=NOW + timedelta(days=10))
    make_exam([question], title="全员考试")  # open to all: not in anyone's plan
    certification = make_exam([question], title="初级认证", kind="certification", area="cadre",
                              tier="basic")
    db.session.add_all([PostExam(post_id=post.id, exam_id=required.id),
                        PostCertificationTarget(post_id=post.id, area="cadre", tier="basic")])
    db.session.commit()
    users = [make_user(post=post, org_unit=unit) for _ in range(3)]
    outsider = make_user()
    attempt, _ = services.start_attempt(users[0], certification, now=NOW)
    services.save_answer(attempt, question.id, "B", seq=1, now=NOW)
    services.submit(attempt, now=NOW + timedelta(minutes=1))
    attempt, _ = services.start_attempt(users[1], required, now=NOW)
    services.submit(attempt, now=NOW + timedelta(minutes=1))
    db.session.commit()

    items = plan_items.items_for(users + [outsider], TODAY)

    assert items[outsider.id] == []
    first = {(e.kind, e.title if e.kind == "exam" else ""): e for e in items[users[0].id]}
    assert set(first) == {("exam", "岗位考试"), ("exam", "分配考试"), ("certification", "")}
    assert first[("certification", "")].completed and "干部工作" in first[("certification", "")].title
    assert first[("exam", "岗位考试")].source == "post"
    assigned_entry = first[("exam", "分配考试")]
    assert assigned_entry.source == "assignment" and assigned_entry.url == f"/exams/{assigned.id}"
    assert assigned_entry.due_on == (NOW + timedelta(days=10) + timedelta(hours=8)).date()
    second = {e.title if e.kind == "exam" else e.kind: e for e in items[users[1].id]}
    assert second["岗位考试"].status(TODAY) == "in_progress" and not second["岗位考试"].completed
    assert not second["certification"].completed


def test_a_fixed_number_of_queries(db, make_user, make_post, make_question, make_exam):
    post = make_post()
    exam = make_exam([make_question()])
    db.session.add_all([PostExam(post_id=post.id, exam_id=exam.id),
                        PostCertificationTarget(post_id=post.id, area="cadre", tier="basic")])
    db.session.commit()
    few = [make_user(post=post) for _ in range(2)]
    many = few + [make_user(post=post) for _ in range(8)]
    for group in (few, many):
        for user in group:
            db.session.refresh(user)
            _ = user.current_post, user.org_unit
    with counting(db) as small:
        plan_items.items_for(few, TODAY)
    with counting(db) as large:
        plan_items.items_for(many, TODAY)
    assert len(small) == len(large) <= 6
