"""The shape of one item of a person's plan, shared by every plan provider.

Courses and exams each provide the items of their kind (`items_for(users, today)`, a
fixed number of queries whatever the number of users); `app/plans/` composes them. This
module is a leaf so that providers and the composer depend on it, never on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

KINDS = ("course", "exam", "certification")
STATUSES = ("not_started", "in_progress", "completed", "overdue")


@dataclass(frozen=True)
class PlanEntry:
    """One thing a person must do: a course to finish, an exam to pass, a tier to reach."""

    kind: str               # one of KINDS
    id: int                 # the course, exam or certification target's id
    title: str
    required: bool
    due_on: date | None     # the end of that day in Asia/Shanghai
    completed: bool
    progress: float         # 0.0 .. 1.0
    source: str             # "post", "assignment", "orientation"
    url: str = ""           # the page that opens it (filled by the provider)
    detail: str = ""        # a short, translated line such as "3 / 8 lessons"
    position: int = 0       # order among items of the same due date
    extra: dict = field(default_factory=dict, compare=False)  # kind-specific figures, e.g. lessons

    def status(self, today: date) -> str:
        if self.completed:
            return "completed"
        if self.due_on is not None and today > self.due_on:
            return "overdue"
        return "in_progress" if self.progress > 0 else "not_started"


class PlanProvider(Protocol):
    kind: str

    def items_for(self, users: Sequence, today: date) -> dict[int, list[PlanEntry]]:
        """Each user's items of this provider's kinds, keyed by user id."""
        ...
