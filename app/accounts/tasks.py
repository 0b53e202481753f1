"""Scheduled jobs of the accounts package (wired in app/scheduler.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.extensions import db

TOKEN_RETENTION = timedelta(days=30)


def purge_api_tokens(now: datetime) -> str:
    """Delete API tokens that expired or were revoked more than 30 days before `now`.

    They no longer authenticate anyone; keeping them a month leaves time to look into a
    recent incident."""
    cutoff = now - TOKEN_RETENTION
    result = db.session.execute(
        sa.delete(ApiToken).where(sa.or_(ApiToken.expires_at < cutoff, ApiToken.revoked_at < cutoff))
    )
    return f"{result.rowcount} expired or revoked tokens deleted"
