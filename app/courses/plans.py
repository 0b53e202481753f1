"""Learning plans: what each cadre must study, from their post, assignments and newcomer status.

A plan item comes from the user's current post (no due date), from a manager's assignment
to the user, their post or any unit above them (with its due date), or, for a newcomer
(joined within NEWCOMER_MONTHS), the orientation course, due ORIENTATION_DAYS after joining.
When one course comes from several places, the earliest due date wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from app.accounts.models import OrgUnit, Post, PostAssignment, User
from app.accounts.org import ancestor_ids
from app.accounts.services import is_newcomer
from app.courses.models import Course, CourseAssignment, CourseCompletion, PostCourse
from app.courses.services import CourseProgress, course_progress
from app.errors import ValidationFailed
from app.extensions import db

ORIENTATION_DAYS = 90
STATUSES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "overdue": _l("Overdue"),
}
SOURCES = {"post": _l("Required by my post"), "assignment": _l("Assigned"),
           "orientation": _l("Newcomer orientation")}


@dataclass(frozen=True)
class PlanItem:
    course: Course
    source: str
    required: bool
    due_on: date | None
    progress: CourseProgress
    completed: bool

    @property
    def kind(self) -> str:
        return "course"

    def status(self, today: date) -> str:
        if self.completed:
            return "completed"
        if self.due_on is not None and today > self.due_on:
            return "overdue"
        return "in_progress" if self.progress.completed else "not_started"


def plan_for(user: User, today: date) -> list[PlanItem]:
    """The user's current learning plan, ordered by due date, then handbook order."""
    wanted: dict[int, tuple[str, date | None]] = {}

    def want(course_id: int, source: str, due: date | None) -> None:
        if course_id not in wanted:
            wanted[course_id] = (source, due)
            return
        old_source, old_due = wanted[course_id]
        if due is not None and (old_due is None or due < old_due):
            wanted[course_id] = (source, due)

    post = user.current_post
    if post is not None:
        for course_id in db.session.scalars(
                select(PostCourse.course_id).where(PostCourse.post_id == post.id)):
            want(course_id, "post", None)
    for assignment in db.session.scalars(_assignments_for(user)):
        want(assignment.course_id, "assignment", assignment.due_on)
    if is_newcomer(user, today) and user.joined_on is not None:
        due = user.joined_on + timedelta(days=ORIENTATION_DAYS)
        for course_id in db.session.scalars(select(Course.id).where(Course.orientation.is_(True))):
            want(course_id, "orientation", due)
    return _items(user, wanted)


def past_post_items(user: User) -> list[tuple[PostAssignment, list[PlanItem]]]:
    """For each earlier post, the courses it required and how far the user got in them."""
    history = []
    for assignment in reversed(user.post_history):
        if assignment.end_date is None:
            continue
        course_ids = db.session.scalars(
            select(PostCourse.course_id).where(PostCourse.post_id == assignment.post_id)).all()
        history.append((assignment, _items(user, {cid: ("post", None) for cid in course_ids})))
    return history


def assign(course: Course, *, due_on: date | None, by: User, org_unit: OrgUnit | None = None,
           post: Post | None = None, user: User | None = None,
           today: date | None = None) -> CourseAssignment:
    """Assign a course to a person, an org unit (with its subtree), a post, or a post within
    an org unit's subtree. A due date, if any, may not lie before `today`."""
    if user is not None and (org_unit is not None or post is not None):
        raise ValidationFailed(_l("Assign to a person, or to an org unit and/or a post, not both."))
    if user is None and org_unit is None and post is None:
        raise ValidationFailed(_l("Choose an org unit, a post or a person."))
    if due_on is not None and today is not None and due_on < today:
        raise ValidationFailed(_l("The due date has already passed."))
    row = CourseAssignment(course=course, due_on=due_on, assigned_by=by, org_unit=org_unit,
                           post=post, user=user)
    db.session.add(row)
    db.session.flush()
    return row


def _assignments_for(user: User):
    conditions = [CourseAssignment.user_id == user.id]
    above = ancestor_ids(user.org_unit) if user.org_unit is not None else []
    in_unit = or_(CourseAssignment.org_unit_id.is_(None), CourseAssignment.org_unit_id.in_(above))
    if user.current_post is not None:
        conditions.append(and_(CourseAssignment.post_id == user.current_post.id, in_unit))
    if above:
        conditions.append(and_(CourseAssignment.post_id.is_(None), CourseAssignment.org_unit_id.in_(above)))
    return select(CourseAssignment).join(CourseAssignment.course).where(
        Course.status == "published", or_(*conditions))


def _items(user: User, wanted: dict[int, tuple[str, date | None]]) -> list[PlanItem]:
    if not wanted:
        return []
    courses = list(db.session.scalars(select(Course).where(
        Course.id.in_(wanted), Course.status == "published")))
    progress = course_progress(user, courses)
    completed = set(db.session.scalars(select(CourseCompletion.course_id).where(
        CourseCompletion.user_id == user.id, CourseCompletion.course_id.in_(wanted))))
    items = [PlanItem(course=c, source=wanted[c.id][0], required=True, due_on=wanted[c.id][1],
                      progress=progress[c.id], completed=c.id in completed) for c in courses]
    items.sort(key=lambda i: (i.completed, i.due_on or date.max, i.course.position))
    return items
