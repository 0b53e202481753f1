"""Collective study (集体导学, 周一大课堂): scheduled sessions and check-in by short code."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.courses.models import Attendance, CollectiveSession, Lesson
from app.db import is_unique_violation
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.traces.services import Event, record

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
# Check-in opens a little before the session starts.
EARLY_CHECK_IN = timedelta(minutes=30)


class WrongCode(ValidationFailed):
    code = "wrong_code"
    default_message = _l("There is no collective study with that check-in code.")


class CheckInClosed(Conflict):
    code = "check_in_closed"


def schedule(*, title: str, starts_at: datetime, ends_at: datetime, place: str, link: str,
             lesson: Lesson | None, by: User) -> CollectiveSession:
    """Schedule a session on a lesson, at a place or a link, with a fresh check-in code."""
    if ends_at <= starts_at:
        raise ValidationFailed(_l("The session must end after it starts."))
    if not title.strip():
        raise ValidationFailed(_l("The session needs a title."))
    if lesson is None:
        raise ValidationFailed(_l("Choose the lesson the session studies."))
    if not place.strip() and not link.strip():
        raise ValidationFailed(_l("Give a place or an online link."))
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                session = CollectiveSession(
                    title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place.strip(),
                    link=link.strip(), lesson=lesson, created_by_id=by.id,
                    code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
                db.session.add(session)
            return session
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
    raise Conflict(_l("Could not find a free check-in code; try again."))


def check_in(user: User, code: str, *, now: datetime) -> tuple[CollectiveSession, bool]:
    """Check `user` into the session with `code`; returns it and whether this was new."""
    normalized = "".join(code.split()).upper()
    session = db.session.scalar(select(CollectiveSession).where(CollectiveSession.code == normalized))
    if session is None:
        raise WrongCode()
    if now < session.starts_at - EARLY_CHECK_IN:
        raise CheckInClosed(_l("Check-in for this session has not opened yet."))
    if now > session.ends_at:
        raise CheckInClosed(_l("This session has ended; check-in is closed."))
    try:
        with db.session.begin_nested():
            db.session.add(Attendance(session_id=session.id, user_id=user.id, checked_in_at=now))
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return session, False
    record(Event(key=f"attended:{session.id}:{user.id}", actor=user, verb="attended",
                 object_type="collective_session", object_id=session.id,
                 object_name=session.title, at=now,
                 context={"lesson_id": session.lesson_id, "place": session.place}))
    return session, True


def recent_sessions(limit: int = 100) -> list[tuple[CollectiveSession, int]]:
    """The latest sessions, newest first, each with its number of check-ins, in one query."""
    attended = (select(Attendance.session_id, func.count().label("n"))
                .group_by(Attendance.session_id).subquery())
    rows = db.session.execute(
        select(CollectiveSession, func.coalesce(attended.c.n, 0))
        .outerjoin(attended, attended.c.session_id == CollectiveSession.id)
        .order_by(CollectiveSession.starts_at.desc()).limit(limit)).all()
    return [(session, count) for session, count in rows]
