"""Completion of learning plans, by person, org unit and post, within a viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import OrgUnit, Post, PostAssignment, User, UserRole
from app.accounts.org import path_label, subtree_ids
from app.accounts.permissions import scope_root, visible_users
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
                  sum(r.counts.lessons_completed for r in rows))


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
    users = list(db.session.scalars(query))
    plans = plans_for(users, today)
    for user in users:
        items = plans[user.id]
        people.append(PersonRow(user, Counts(
            1, len(items), sum(i.completed for i in items), sum(i.status(today) == "overdue" for i in items),
            sum(i.progress.lessons for i in items), sum(i.progress.completed for i in items))))

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
