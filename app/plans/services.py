"""Composing plans from the providers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.accounts.models import User
from app.courses.plans import CoursePlans
from app.exams.plan_items import ExamPlanProvider
from app.planitems import PlanEntry, PlanProvider

PROVIDERS: tuple[PlanProvider, ...] = (CoursePlans(), ExamPlanProvider())


def plans_for(users: Sequence[User], today: date) -> dict[int, list[PlanEntry]]:
    """Each user's plan, every provider's items merged: unfinished first, then by due date."""
    users = list(users)
    merged: dict[int, list[PlanEntry]] = {u.id: [] for u in users}
    for provider in PROVIDERS:
        for user_id, items in provider.items_for(users, today).items():
            merged[user_id].extend(items)
    for items in merged.values():
        items.sort(key=lambda i: (i.completed, i.due_on or date.max, i.kind != "course", i.position))
    return merged


def plan_for(user: User, today: date) -> list[PlanEntry]:
    """One user's plan (see plans_for)."""
    return plans_for([user], today)[user.id]
