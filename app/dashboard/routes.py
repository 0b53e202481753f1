"""The home page (工作台): for each role a person holds, what needs them now.

It reads the other features and writes nothing. A card appears only when it has something
to show: no placeholders for what is not there.

- cadre: what is due (the plan, unfinished first: overdue, then by due date), progress rings
  (plan items, lessons, study time) and the collective study sessions of the next seven days;
- trainer: questions in review that they may approve (not their own), their own questions
  returned with a comment, and the sessions of the next seven days with their attendance;
- manager / admin: participation of their part of the tree, overdue people and units, with the
  head count of the completion report (active cadres only; the same function counts both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.services import is_newcomer
from app.courses.collective import EARLY_CHECK_IN
from app.courses.models import Attendance, CollectiveSession
from app.extensions import db
from app.planitems import PlanEntry
from app.plans.services import plan_for
from app.questions.models import Question, QuestionReview, QuestionVersion
from app.reports.services import Completion, completion
from app.timeutil import local_today, utcnow

bp = Blueprint("dashboard", __name__)
UPCOMING = timedelta(days=7)
LIST_LIMIT = 5


@dataclass(frozen=True)
class CadreDesk:
    due: list[PlanEntry]  # unfinished, overdue first, then by due date
    total: int
    completed: int
    overdue: int
    lessons: int
    lessons_completed: int
    seconds: int
    min_seconds: int

    @property
    def items_fraction(self) -> float:
        return self.completed / self.total if self.total else 0.0

    @property
    def lessons_fraction(self) -> float:
        return self.lessons_completed / self.lessons if self.lessons else 0.0

    @property
    def time_fraction(self) -> float:
        return min(1.0, self.seconds / self.min_seconds) if self.min_seconds else 0.0


@dataclass(frozen=True)
class ReturnedQuestion:
    question: Question
    comment: str
    by: str
    at: datetime


@dataclass(frozen=True)
class TrainerDesk:
    to_review: list[Question]
    to_review_count: int
    returned: list[ReturnedQuestion]


@dataclass(frozen=True)
class ManagerDesk:
    report: Completion
    participating: int  # people with any credited study time
    overdue_people: list  # PersonRow, most overdue first
    overdue_units: list  # GroupRow with anything overdue

    @property
    def participation(self) -> float:
        people = self.report.total.people
        return self.participating / people if people else 0.0


def cadre_desk(user, today: date) -> CadreDesk | None:
    """What the cadre's plan asks of them now, or None when the plan is empty."""
    plan = plan_for(user, today)
    if not plan:
        return None
    due = [e for e in plan if not e.completed]
    due.sort(key=lambda e: (e.status(today) != "overdue", e.due_on or date.max, e.position))
    courses = [e for e in plan if e.kind == "course"]
    return CadreDesk(
        due=due, total=len(plan), completed=sum(e.completed for e in plan),
        overdue=sum(e.status(today) == "overdue" for e in plan),
        lessons=sum(e.extra.get("lessons", 0) for e in courses),
        lessons_completed=sum(e.extra.get("lessons_completed", 0) for e in courses),
        seconds=sum(e.extra.get("seconds", 0) for e in courses),
        min_seconds=sum(e.extra.get("min_seconds", 0) for e in courses))


def upcoming_sessions(now: datetime) -> list[tuple[CollectiveSession, int]]:
    """Sessions not yet over that start within UPCOMING, soonest first, with attendance."""
    rows = db.session.execute(
        select(CollectiveSession, func.count(Attendance.user_id))
        .outerjoin(Attendance, Attendance.session_id == CollectiveSession.id)
        .where(CollectiveSession.ends_at >= now, CollectiveSession.starts_at <= now + UPCOMING)
        .group_by(CollectiveSession.id).order_by(CollectiveSession.starts_at)).all()
    return [(session, attended) for session, attended in rows]


def attended_ids(user, sessions: list[CollectiveSession]) -> set[int]:
    if not sessions:
        return set()
    return set(db.session.scalars(select(Attendance.session_id).where(
        Attendance.user_id == user.id, Attendance.session_id.in_([s.id for s in sessions]))))


def trainer_desk(user) -> TrainerDesk | None:
    """Questions waiting for this trainer, or None when nothing waits."""
    in_review = list(db.session.scalars(select(Question).where(Question.status == "in_review")
                                        .order_by(Question.updated_at, Question.id)))
    # Who wrote each version under review may not approve it (as questions.services.approve
    # rules): its creator, and whoever edited or submitted it; two queries for the whole queue.
    version_ids = [q.current_version_id for q in in_review if q.current_version_id]
    authors: dict[int, set[int]] = {vid: set() for vid in version_ids}
    if version_ids:
        for vid, creator in db.session.execute(select(QuestionVersion.id, QuestionVersion.created_by_id)
                                               .where(QuestionVersion.id.in_(version_ids))):
            authors[vid].add(creator)
        for vid, actor in db.session.execute(select(QuestionReview.version_id, QuestionReview.actor_id).where(
                QuestionReview.version_id.in_(version_ids), QuestionReview.action.in_(("edit", "submit")))):
            authors[vid].add(actor)
    mine_to_review = [q for q in in_review if user.id not in authors.get(q.current_version_id, set())]

    drafts = list(db.session.scalars(select(Question).where(
        Question.status == "draft", Question.created_by_id == user.id)))
    returned: list[ReturnedQuestion] = []
    if drafts:
        latest: dict[int, QuestionReview] = {}
        for review in db.session.scalars(select(QuestionReview).where(
                QuestionReview.question_id.in_([q.id for q in drafts]),
                QuestionReview.action.in_(("submit", "reject", "approve")))
                .order_by(QuestionReview.at, QuestionReview.id)):
            latest[review.question_id] = review
        by_id = {q.id: q for q in drafts}
        returned = [ReturnedQuestion(by_id[r.question_id], r.comment, r.actor.name if r.actor else "", r.at)
                    for r in latest.values() if r.action == "reject"]
        returned.sort(key=lambda r: r.at, reverse=True)
    if not mine_to_review and not returned:
        return None
    return TrainerDesk(to_review=mine_to_review[:LIST_LIMIT], to_review_count=len(mine_to_review),
                       returned=returned)


def manager_desk(user, today: date) -> ManagerDesk:
    """The completion report's figures for the manager's scope, as the home page shows them."""
    report = completion(user, today)
    overdue_people = sorted((p for p in report.people if p.counts.overdue),
                            key=lambda p: (-p.counts.overdue, p.user.name))
    return ManagerDesk(report=report, participating=sum(1 for p in report.people if p.counts.seconds),
                       overdue_people=overdue_people,
                       overdue_units=[u for u in report.by_unit if u.counts.overdue])


@bp.route("/")
@login_required
def home():
    today, now = local_today(), utcnow()
    cadre = cadre_desk(current_user, today) if current_user.has_role("cadre") else None
    trainer = trainer_desk(current_user) if current_user.has_role("trainer") else None
    manager = manager_desk(current_user, today) if current_user.has_role("manager", "admin") else None
    sessions = []
    if current_user.has_role("cadre", "trainer"):
        sessions = upcoming_sessions(now)
    return render_template(
        "dashboard/home.html",
        newcomer=is_newcomer(current_user, today),
        cadre=cadre, trainer=trainer, manager=manager, sessions=sessions,
        attended=attended_ids(current_user, [s for s, _n in sessions]),
        early_check_in=EARLY_CHECK_IN, list_limit=LIST_LIMIT,
        today=today, now=now,
    )
