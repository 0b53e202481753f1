"""The audit log of privileged acts. Written in the same transaction as the act."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from app.accounts.models import AuditEntry, User
from app.extensions import db
from app.timeutil import utcnow

# What each action code means, for the log page (the code is shown beside it, for filtering).
ACTION_LABELS = {
    "user.create": _l("User created"),
    "user.update": _l("User edited"),
    "user.roles": _l("Roles changed"),
    "user.activate": _l("User reactivated"),
    "user.deactivate": _l("User deactivated"),
    "user.password_reset": _l("Password reset"),
    "user.import": _l("Users imported"),
    "user.revoke_tokens": _l("API tokens revoked"),
    "org_unit.create": _l("Org unit created"),
    "org_unit.update": _l("Org unit edited"),
    "org_unit.delete": _l("Org unit deleted"),
    "post.create": _l("Post created"),
    "post.update": _l("Post edited"),
    "assignment.create": _l("Course assigned"),
    "assignment.delete": _l("Assignment removed"),
    "questions.import": _l("Questions imported as drafts"),
    "questions.import_published": _l("Questions imported and published"),
    "points.grant": _l("Points granted"),
    "points.deduct": _l("Points deducted"),
    "points.rule": _l("Points rule changed"),
    "points.setting": _l("Points setting changed"),
    "reward.create": _l("Reward added"),
    "reward.update": _l("Reward edited"),
    "redemption.fulfilled": _l("Redemption fulfilled"),
    "redemption.cancelled": _l("Redemption cancelled and refunded"),
}


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
