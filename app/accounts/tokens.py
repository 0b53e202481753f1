"""API bearer tokens: issued once, stored as SHA-256, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import ApiToken, User, every_request_loads
from app.errors import NotFound
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


# last_used_at is written at most this often per token, not on every request.
USE_RESOLUTION = timedelta(minutes=5)


def resolve(raw: str, *, now: datetime) -> ApiToken | None:
    """The live token for `raw` whose user is active, or None. One statement: the token
    joined with its user and what every request reads of them (see every_request_loads).
    Notes when it was last used (to the USE_RESOLUTION) in a transaction of its own."""
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw))
        .options(*every_request_loads(ApiToken.user))
    ).unique().one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        # Its own short transaction on its own connection: the request's session (and what
        # it just loaded) is left alone, and a request that rolls back still counts as a use.
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        set_committed_value(token, "last_used_at", now)
    return token


def live_tokens(user: User, *, now: datetime) -> list[ApiToken]:
    """The tokens of `user` that still work, newest first."""
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
    ).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def own_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    """One live token of `user`, or NotFound (another user's token is not found either)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None or token.expires_at <= now:
        raise NotFound(_l("There is no such token of yours."))
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
