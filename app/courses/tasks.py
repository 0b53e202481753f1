"""Scheduled jobs of learning."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.courses.models import StudyClock
from app.courses.services import SITTING_GAP_S, close_sitting
from app.extensions import db


def close_stale_sittings(now: datetime) -> str:
    """Close the sittings nobody beat for a while (a closed browser sends no pausing beat),
    so their time reaches the timeline and the points ledger."""
    stale_before = now - timedelta(seconds=SITTING_GAP_S)
    users = db.session.scalars(select(User).join(StudyClock, StudyClock.user_id == User.id).where(
        StudyClock.sitting_started_at.is_not(None), StudyClock.sitting_last_at < stale_before)).all()
    closed = sum(close_sitting(user, stale_before=stale_before) is not None for user in users)
    return f"closed {closed} sittings"
