"""Completion of learning plans, by person, org unit and post, within a viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import OrgUnit, Post, PostAssignment, User, UserRole, every_request_loads
from app.accounts.org import path_label, subtree_ids
from app.accounts.permissions import scope_root, visible_users
from app.courses.models import LessonProgress
from app.courses.plans import plans_for
from app.extensions import db


@dataclass(frozen=True)
class Counts:
    people: int
    required: int  # plan items (courses)
    completed: int
    overdue: int
    lessons: int = 0  # lessons in those courses
    lessons_completed: int = 0
    seconds: int = 0  # credited study time in every lesson, planned or not (shown in 学时)

    @property
    def rate(self) -> float:
        return self.completed / self.required if self.required else 0.0


@dataclass(frozen=True)
class PersonRow:
    user: User
    counts: Counts


@dataclass(frozen=True)
class GroupRow:
    label: str
    counts: Counts
    unit_id: int | None = None
    post_id: int | None = None


@dataclass(frozen=True)
class Completion:
    unit: OrgUnit | None  # the unit looked at; None is everything an admin sees
    unit_label: str
    post: Post | None  # the post looked at, if any
    by_unit: list[GroupRow]
    by_post: list[GroupRow]
    people: list[PersonRow]
    total: Counts


def _counts(rows: list[PersonRow]) -> Counts:
    return Counts(len(rows), sum(r.counts.required for r in rows), sum(r.counts.completed for r in rows),
                  sum(r.counts.overdue for r in rows), sum(r.counts.lessons for r in rows),
                  sum(r.counts.lessons_completed for r in rows), sum(r.counts.seconds for r in rows))


def study_seconds(user_ids: list[int]) -> dict[int, int]:
    """Each user's credited study time over every lesson, in one query."""
    if not user_ids:
        return {}
    return {user_id: int(seconds or 0) for user_id, seconds in db.session.execute(
        select(LessonProgress.user_id, func.sum(LessonProgress.seconds))
        .where(LessonProgress.user_id.in_(user_ids)).group_by(LessonProgress.user_id))}


def completion(viewer: User, today: date, unit: OrgUnit | None = None,
               post: Post | None = None) -> Completion:
    """Plan completion of the cadres `viewer` may see, under `unit` (default: their scope),
    optionally only those holding `post`. Courses and the lessons in them both count."""
    if unit is None:
        unit = scope_root(viewer)
    query = (visible_users(viewer).where(User.active.is_(True), User.role_rows.any(UserRole.role == "cadre"))
             .order_by(User.username))
    if unit is not None:
        query = query.where(User.org_unit_id.in_(subtree_ids(unit)))
    if post is not None:
        query = query.where(User.id.in_(select(PostAssignment.user_id).where(
            PostAssignment.post_id == post.id, PostAssignment.end_date.is_(None))))
    people = []
    # Their units, roles and posts joined in (no loads in batches of 500 ids), so the report
    # runs the same statements for a section or a whole county.
    users = list(db.session.scalars(query.options(*every_request_loads())).unique())
    plans = plans_for(users, today)
    studied = study_seconds([u.id for u in users])
    for user in users:
        items = plans[user.id]
        people.append(PersonRow(user, Counts(
            1, len(items), sum(i.completed for i in items), sum(i.status(today) == "overdue" for i in items),
            sum(i.progress.lessons for i in items), sum(i.progress.completed for i in items),
            studied.get(user.id, 0))))

    if unit is not None:
        groups = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)
                                         .order_by(OrgUnit.sort_order, OrgUnit.name)))
    else:
        groups = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))
                                         .order_by(OrgUnit.sort_order, OrgUnit.name)))
    by_unit = []
    for group in groups:
        members = [p for p in people if p.user.org_unit and p.user.org_unit.path.startswith(group.path)]
        by_unit.append(GroupRow(group.name, _counts(members), unit_id=group.id))
    if unit is not None:
        direct = [p for p in people if p.user.org_unit_id == unit.id]
        if direct:
            by_unit.insert(0, GroupRow(_("%(unit)s (itself)", unit=unit.name), _counts(direct), unit_id=None))

    posts: dict[int, list[PersonRow]] = {}
    for row in people:
        held = row.user.current_post
        if held is not None:
            posts.setdefault(held.id, []).append(row)
    post_names = {p.id: p.name for p in db.session.scalars(select(Post).where(Post.id.in_(posts)))}
    by_post = [GroupRow(post_names[pid], _counts(rows), post_id=pid)
               for pid, rows in sorted(posts.items(), key=lambda kv: post_names[kv[0]])]
    return Completion(unit, path_label(unit) if unit else "", post, by_unit, by_post, people,
                      _counts(people))
