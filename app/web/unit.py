"""One unit of work per request: run the service, commit once, turn a refusal into a flash.

Views call a service through `perform` (the API, and pages that redirect whatever happens:
a DomainError rolls back and reaches the app's error handler, which answers JSON under
/api/ and a flash plus a redirect back elsewhere) or `attempt` (pages that show their form
again with the reason). Services flush and never commit; nothing else in a view commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash

from app.errors import DomainError
from app.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `attempt` did: the work's value, or the refusal (already flashed)."""

    value: T | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def perform(work: Callable[[], T]) -> T:
    """Run `work` and commit. A DomainError rolls back and propagates to the error handler."""
    try:
        value = work()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return value


def attempt(work: Callable[[], T], *, flash_error: bool = True) -> Outcome[T]:
    """Run `work` and commit, or roll back and flash why a DomainError refused it, so the
    view can show its form again. Not found and forbidden are no reasons to show a form:
    they reach the error handler (another user's object answers 404, whatever it is)."""
    try:
        return Outcome(value=perform(work))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if flash_error:
            flash(str(exc.message), "danger")
        return Outcome(error=exc)
