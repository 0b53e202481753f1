"""The audit log of privileged acts. Written in the same transaction as the act."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request

from app.accounts.models import AuditEntry, User
from app.extensions import db
from app.timeutil import utcnow


def record(
    actor: User | None,
    action: str,
    *,
    target: object | None = None,
    summary: str = "",
    details: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry for `action` by `actor` (None for the command line)."""
    entry = AuditEntry(
        at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary,
        details=details or {},
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
