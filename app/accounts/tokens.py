"""API bearer tokens: issued once, stored as SHA-256, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import ApiToken, User, every_request_loads
from app.extensions import db


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, *, now: datetime, ttl: timedelta) -> tuple[str, ApiToken]:
    """A new token for `user`: the raw value (shown once) and its stored row."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(user=user, token_hash=_digest(raw), created_at=now, expires_at=now + ttl)
    db.session.add(token)
    db.session.flush()
    return raw, token


def resolve(raw: str, *, now: datetime) -> ApiToken | None:
    """The live token for `raw` whose user is active, or None. One statement: the token
    joined with its user and what every request reads of them (see every_request_loads)."""
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw))
        .options(*every_request_loads(ApiToken.user))
    ).unique().one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    return token


def revoke(token: ApiToken, *, now: datetime) -> None:
    """Revoke a token; it never works again."""
    token.revoked_at = now
    db.session.flush()


def revoke_all(user: User, *, now: datetime) -> int:
    """Revoke every live token of `user` (after a password change or reset); how many."""
    live = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
    )).all()
    for token in live:
        token.revoked_at = now
    db.session.flush()
    return len(live)
