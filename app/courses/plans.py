"""Learning plans: what each cadre must study, from their post, assignments and newcomer status.

A plan item comes from the user's current post (no due date), from a manager's assignment
to the user, their post or any unit above them (with its due date), or, for a newcomer
(joined within NEWCOMER_MONTHS), the orientation course, due ORIENTATION_DAYS after joining.
When one course comes from several places, the earliest due date wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.accounts import audit
from app.accounts.models import OrgUnit, Post, PostAssignment, User
from app.accounts.org import ancestor_ids, is_within
from app.accounts.permissions import get_visible_unit, get_visible_user
from app.accounts.services import is_newcomer
from app.courses.models import Course, CourseAssignment, CourseCompletion, PostCourse
from app.courses.services import CourseProgress, courses_progress
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.planitems import PlanEntry

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


class CoursePlans:
    """The plan provider of courses (see app/planitems.py)."""

    kind = "course"

    def items_for(self, users: Sequence[User], today: date) -> dict[int, list[PlanEntry]]:
        return {user_id: [entry(item) for item in items]
                for user_id, items in plans_for(users, today).items()}


def entry(item: PlanItem) -> PlanEntry:
    """A course's plan item in the shape every provider shares."""
    return PlanEntry(kind="course", id=item.course.id, title=item.course.title, required=item.required,
                     due_on=item.due_on, completed=item.completed,
                     progress=1.0 if item.completed else item.progress.fraction, source=item.source,
                     url=url_for("courses.course", course_id=item.course.id),
                     detail=_("%(done)d of %(total)d lessons", done=item.progress.completed,
                              total=item.progress.lessons),
                     position=item.course.position,
                     extra={"lessons": item.progress.lessons, "lessons_completed": item.progress.completed})


def plan_for(user: User, today: date) -> list[PlanItem]:
    """The user's current learning plan, ordered by due date, then handbook order."""
    return plans_for([user], today)[user.id]


def plans_for(users: Sequence[User], today: date) -> dict[int, list[PlanItem]]:
    """Each user's current plan, keyed by user id, in a fixed number of queries whatever
    the number of users (the completion report asks this for a whole county)."""
    users = list(users)
    wanted: dict[int, dict[int, tuple[str, date | None]]] = {u.id: {} for u in users}
    if not users:
        return {}

    def want(user_id: int, course_id: int, source: str, due: date | None) -> None:
        mine = wanted[user_id]
        if course_id not in mine:
            mine[course_id] = (source, due)
            return
        old_due = mine[course_id][1]
        if due is not None and (old_due is None or due < old_due):
            mine[course_id] = (source, due)

    post_of = {u.id: u.current_post.id for u in users if u.current_post is not None}
    by_post: dict[int, list[int]] = defaultdict(list)
    if post_of:
        for post_id, course_id in db.session.execute(
                select(PostCourse.post_id, PostCourse.course_id)
                .where(PostCourse.post_id.in_(set(post_of.values())))):
            by_post[post_id].append(course_id)
    for user_id, post_id in post_of.items():
        for course_id in by_post[post_id]:
            want(user_id, course_id, "post", None)

    above = {u.id: set(ancestor_ids(u.org_unit)) if u.org_unit is not None else set() for u in users}
    every_unit = set().union(*above.values())
    conditions = [CourseAssignment.user_id.in_(wanted)]
    if post_of:
        conditions.append(CourseAssignment.post_id.in_(set(post_of.values())))
    if every_unit:
        conditions.append(CourseAssignment.org_unit_id.in_(every_unit))
    for row in db.session.scalars(select(CourseAssignment).join(CourseAssignment.course).where(
            Course.status == "published", or_(*conditions))):
        for user in _targets(row, users, post_of, above):
            want(user.id, row.course_id, "assignment", row.due_on)

    newcomers = [u for u in users if is_newcomer(u, today) and u.joined_on is not None]
    if newcomers:
        orientation = list(db.session.scalars(select(Course.id).where(Course.orientation.is_(True))))
        for user in newcomers:
            for course_id in orientation:
                want(user.id, course_id, "orientation", user.joined_on + timedelta(days=ORIENTATION_DAYS))
    return _items_for(users, wanted)


def _assignment_details(row: CourseAssignment) -> dict:
    return {"course_id": row.course_id, "org_unit_id": row.org_unit_id, "post_id": row.post_id,
            "user_id": row.user_id, "due_on": row.due_on.isoformat() if row.due_on else None}


def assign_audited(course: Course, *, due_on: date | None, by: User, today: date,
                   **target) -> CourseAssignment:
    """`assign`, with its audit entry."""
    row = assign(course, due_on=due_on, by=by, today=today, **target)
    audit.record(by, "assignment.create", summary=course.title, details=_assignment_details(row))
    return row


class AssignedFromAbove(Conflict):
    code = "assigned_from_above"
    default_message = _l("This assignment was made above your part of the organization.")


def remove_assignment(row: CourseAssignment, *, by: User) -> None:
    """Remove an assignment, audited. A manager removes only assignments inside their own
    subtree (anything else answers NotFound), made by themselves or by someone within their
    part of the tree: a section head does not undo what the department's leadership, or an
    administrator, assigned to the section."""
    if not by.has_role("admin"):
        if row.org_unit_id is not None:
            get_visible_unit(by, row.org_unit_id)
        elif row.user_id is not None:
            get_visible_user(by, row.user_id)
        else:
            raise NotFound()
        author = row.assigned_by
        if author is not None and author.id != by.id and (
                author.has_role("admin") or author.org_unit is None
                or not is_within(author.org_unit, by.org_unit)):
            raise AssignedFromAbove(_l("This assignment was made above your part of the organization; "
                                       "ask %(name)s to change it.", name=author.name))
    audit.record(by, "assignment.delete", summary=row.course.title,
                 details={**_assignment_details(row),
                          "assigned_by": row.assigned_by.username if row.assigned_by else None})
    db.session.delete(row)
    db.session.flush()


def _targets(row: CourseAssignment, users: Sequence[User], post_of: dict[int, int],
             above: dict[int, set[int]]) -> list[User]:
    """The users among `users` whom one assignment reaches."""
    if row.user_id is not None:
        return [u for u in users if u.id == row.user_id]
    return [u for u in users
            if (row.post_id is None or post_of.get(u.id) == row.post_id)
            and (row.org_unit_id is None or row.org_unit_id in above[u.id])]


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


def _items(user: User, wanted: dict[int, tuple[str, date | None]]) -> list[PlanItem]:
    return _items_for([user], {user.id: wanted})[user.id]


def _items_for(users: Sequence[User],
               wanted: dict[int, dict[int, tuple[str, date | None]]]) -> dict[int, list[PlanItem]]:
    course_ids = set().union(*(w.keys() for w in wanted.values()))
    result: dict[int, list[PlanItem]] = {u.id: [] for u in users}
    if not course_ids:
        return result
    courses = {c.id: c for c in db.session.scalars(select(Course).where(
        Course.id.in_(course_ids), Course.status == "published"))}
    progress = courses_progress([u.id for u in users], list(courses.values()))
    completed = {tuple(row) for row in db.session.execute(select(CourseCompletion.user_id, CourseCompletion.course_id).where(
        CourseCompletion.user_id.in_(wanted), CourseCompletion.course_id.in_(course_ids)))}
    for user in users:
        items = [PlanItem(course=courses[cid], source=source, required=True, due_on=due,
                          progress=progress[user.id, cid], completed=(user.id, cid) in completed)
                 for cid, (source, due) in wanted[user.id].items() if cid in courses]
        items.sort(key=lambda i: (i.completed, i.due_on or date.max, i.course.position))
        result[user.id] = items
    return result
