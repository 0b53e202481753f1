"""The exams' part of each person's plan: the exams their post requires or that were
assigned to them (kind "exam"), and the certification tiers their post expects (kind
"certification"). A fixed number of queries, whatever the number of users.

An exam is "assigned" when its audience names the person, their current post or an org
unit above them (an exam open to everyone is not an assignment). Its due date is the day
it closes (Asia/Shanghai). A certification target is reached by passing a certification
exam of that area at that tier or above.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.accounts.org import ancestor_ids
from app.exams.models import (
    FORMAL_KINDS,
    Attempt,
    Exam,
    ExamAudience,
    PostCertificationTarget,
    PostExam,
)
from app.extensions import db
from app.planitems import PlanEntry
from app.timeutil import LOCAL_TZ
from app.vocabulary import AREAS, TIERS

TIER_ORDER = {code: n for n, code in enumerate(TIERS)}


def _exam_url(exam_id: int) -> str:
    return url_for("exams.exam_page", exam_id=exam_id) if has_request_context() else f"/exams/{exam_id}"


def _due_on(exam: Exam) -> date | None:
    if exam.closes_at is None:
        return None
    # An exam closing at 00:00 is due the day before.
    return (exam.closes_at - timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()


def items_for(users: Sequence, today: date) -> dict[int, list[PlanEntry]]:
    """Each user's exam and certification items, keyed by user id."""
    result: dict[int, list[PlanEntry]] = {u.id: [] for u in users}
    if not users:
        return result
    user_ids = [u.id for u in users]
    post_of = {u.id: (u.current_post.id if u.current_post is not None else None) for u in users}
    post_ids = sorted({p for p in post_of.values() if p is not None})
    units_of = {u.id: set(ancestor_ids(u.org_unit)) if u.org_unit is not None else set() for u in users}
    unit_ids = sorted(set().union(*units_of.values()))

    wanted: dict[int, dict[int, str]] = defaultdict(dict)  # user -> exam -> source
    exams: dict[int, Exam] = {}
    published = (Exam.status == "published", Exam.kind.in_(FORMAL_KINDS))
    if post_ids:
        for post_id, exam in db.session.execute(
                select(PostExam.post_id, Exam).join(Exam, Exam.id == PostExam.exam_id)
                .where(PostExam.post_id.in_(post_ids), *published)):
            exams[exam.id] = exam
            for uid in user_ids:
                if post_of[uid] == post_id:
                    wanted[uid][exam.id] = "post"
    targets = [ExamAudience.user_id.in_(user_ids)]
    if post_ids:
        targets.append(ExamAudience.post_id.in_(post_ids))
    if unit_ids:
        targets.append(ExamAudience.org_unit_id.in_(unit_ids))
    for row, exam in db.session.execute(
            select(ExamAudience, Exam).join(Exam, Exam.id == ExamAudience.exam_id)
            .where(or_(*targets), *published)):
        exams[exam.id] = exam
        for uid in user_ids:
            if (row.user_id == uid or (row.post_id is not None and row.post_id == post_of[uid])
                    or (row.org_unit_id is not None and row.org_unit_id in units_of[uid])):
                wanted[uid].setdefault(exam.id, "assignment")

    tried: dict[tuple[int, int], bool] = {}
    if exams:
        for uid, exam_id, passed_count in db.session.execute(
                select(Attempt.user_id, Attempt.exam_id,
                       func.count().filter(Attempt.passed.is_(True)))
                .where(Attempt.user_id.in_(user_ids), Attempt.exam_id.in_(list(exams)))
                .group_by(Attempt.user_id, Attempt.exam_id)):
            tried[(uid, exam_id)] = passed_count > 0

    for uid, chosen in wanted.items():
        for exam_id, source in chosen.items():
            exam = exams[exam_id]
            passed = tried.get((uid, exam_id))
            result[uid].append(PlanEntry(
                kind="exam", id=exam.id, title=exam.title, required=True, due_on=_due_on(exam),
                completed=bool(passed), progress=1.0 if passed else (0.5 if passed is not None else 0.0),
                source=source, url=_exam_url(exam.id),
                detail=_("Passed") if passed else (_("Attempted, not passed yet")
                                                   if passed is not None else "")))

    if post_ids:
        reached: dict[tuple[int, str], int] = {}
        for uid, area, tier in db.session.execute(
                select(Attempt.user_id, Exam.area, Exam.tier).join(Exam, Exam.id == Attempt.exam_id)
                .where(Attempt.user_id.in_(user_ids), Attempt.passed.is_(True),
                       Exam.kind == "certification")):
            key = (uid, area)
            reached[key] = max(reached.get(key, -1), TIER_ORDER[tier])
        for target in db.session.scalars(select(PostCertificationTarget).where(
                PostCertificationTarget.post_id.in_(post_ids))):
            for uid in user_ids:
                if post_of[uid] != target.post_id:
                    continue
                done = reached.get((uid, target.area), -1) >= TIER_ORDER[target.tier]
                result[uid].append(PlanEntry(
                    kind="certification", id=target.id,
                    title=_("%(tier)s certification in %(area)s", tier=TIERS[target.tier],
                            area=AREAS[target.area]),
                    required=True, due_on=None, completed=done, progress=1.0 if done else 0.0,
                    source="post", url=url_for("exams.index") if has_request_context() else "/exams",
                    detail=""))
    for entries in result.values():
        entries.sort(key=lambda e: (e.completed, e.due_on or date.max, e.kind, e.id))
    return result


class ExamPlanProvider:
    """The PlanProvider of exams and certification targets."""

    kind = "exam"

    def items_for(self, users: Sequence, today: date) -> dict[int, list[PlanEntry]]:
        return items_for(users, today)


provider = ExamPlanProvider()
