"""Account services: users, roles, passwords and posts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import audit, tokens
from app.accounts.models import ROLES, ApiToken, OrgUnit, Post, PostAssignment, User, UserRole
from app.accounts.org import path_label
from app.db import is_unique_violation
from app.errors import Conflict, DomainError, ValidationFailed
from app.extensions import db
from app.timeutil import add_months, utcnow
from app.vocabulary import AREAS

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class UserData:
    """The editable fields of a user, as a form or an import row gives them."""

    username: str
    name: str
    org_unit: OrgUnit | None
    roles: tuple[str, ...]
    joined_on: date | None
    post: Post | None = None


def hash_password(password: str) -> str:
    """A scrypt hash of `password` (cost set by PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    # Checked when the username is unknown, so both failures take the same time.
    return generate_password_hash("not-a-real-password", method=method)


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or have only one kind of character."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )
    if password.isdigit() or password.isalpha():
        raise ValidationFailed(_l("The password must mix letters and digits or symbols."))


def normalize_username(username: str) -> str:
    return username.strip().lower()


def authenticate(username: str, password: str, now: datetime | None = None) -> User | None:
    """The active user with these credentials, or None; unknown names cost the same time."""
    user = db.session.scalar(select(User).where(User.username == normalize_username(username)))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = now or utcnow()
    return user


def lock_for_update(user: User) -> User:
    """Lock `user`'s row until the transaction ends and reload it (PostgreSQL; SQLite has one
    writer anyway). Password changes and token issuing take it, so they never interleave."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    db.session.expire(user)  # read again, as committed before the lock was granted
    return user


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _l("Wrong username or password.")


class PasswordChangeRequired(DomainError):
    code = "password_change_required"
    status = 403
    default_message = _l("Change your password by logging in on the web first.")


def issue_for_login(username: str, password: str, *, now: datetime,
                    ttl: timedelta) -> tuple[str, ApiToken]:
    """A token for whoever these credentials name; InvalidCredentials otherwise, and
    PasswordChangeRequired (a right password, so no failed login) until it is changed."""
    user = authenticate(username, password, now=now)
    if user is not None:
        # The password was checked against the row as read; if it changed meanwhile (a
        # password change commits while we hashed), this old password earns no token.
        checked = (user.auth_version, user.password_hash)
        lock_for_update(user)
        if (user.auth_version, user.password_hash) != checked or not user.active:
            user = None
    if user is None:
        raise InvalidCredentials()
    if user.must_change_password:
        raise PasswordChangeRequired()
    return tokens.issue(user, now=now, ttl=ttl)


def end_sessions(user: User) -> None:
    """Log `user` out of every browser session (logout, password change): sessions carry
    the auth version, so bumping it voids them and any remember-me cookie."""
    lock_for_update(user)
    user.auth_version += 1
    db.session.flush()


def load_session_user(session_id: str) -> User | None:
    """The user behind a Flask-Login session id ``<id>.<auth_version>``, if still valid."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.auth_version != int(version):
        return None
    return user


def create_user(data: UserData, password: str, *, actor: User | None, today: date,
                must_change_password: bool = True) -> User:
    """Create a user with roles and, when given, a current post."""
    _validate_user_data(data, today)
    check_password_strength(password)
    username = normalize_username(data.username)
    password_hash = hash_password(password)
    try:
        with db.session.begin_nested():
            user = User(
                username=username,
                name=data.name.strip(),
                org_unit=data.org_unit,
                joined_on=data.joined_on,
                password_hash=password_hash,
                must_change_password=must_change_password,
                role_rows=[UserRole(role=r) for r in data.roles],
            )
            db.session.add(user)
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict(_l("The username %(name)s is taken.", name=username)) from None
        raise
    if data.post is not None:
        assign_post(user, data.post, start=min(data.joined_on or today, today))
    audit.record(actor, "user.create", target=user, summary=user.username,
                 details={"roles": list(data.roles)})
    return user


class ConcurrentEdit(Conflict):
    code = "concurrent_edit"
    default_message = _l("Someone else changed this user at the same time; check the page and save again.")


def update_user(user: User, data: UserData, *, actor: User | None, today: date) -> None:
    """Update a user's name, unit, join date, roles and post; every change is audited
    (roles as ``user.roles``, the other fields as ``user.update`` with before and after).
    A username never changes."""
    if normalize_username(data.username) != user.username:
        raise ValidationFailed(_l("A username cannot be changed."))
    _validate_user_data(data, today)
    lock_for_update(user)  # two admins editing one user at once take turns
    before = _audited_fields(user)
    user.name = data.name.strip()
    user.org_unit = data.org_unit
    user.joined_on = data.joined_on
    set_roles(user, data.roles, actor=actor)
    if data.post is not None and data.post is not user.current_post:
        assign_post(user, data.post, start=today)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another admin changed this user at the same moment
        raise ConcurrentEdit() from exc
    after = _audited_fields(user)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit.record(actor, "user.update", target=user, summary=user.username,
                     details={"before": {k: before[k] for k in changed},
                              "after": {k: after[k] for k in changed}})


def _audited_fields(user: User) -> dict[str, object]:
    """The fields `user.update` audits, as readable JSON values."""
    post = user.current_post
    return {
        "name": user.name,
        "org_unit": path_label(user.org_unit) if user.org_unit is not None else None,
        "post": post.name if post is not None else None,
        "joined_on": user.joined_on.isoformat() if user.joined_on else None,
    }


def set_roles(user: User, roles: Iterable[str], *, actor: User | None) -> None:
    """Give `user` exactly `roles`, auditing the change if there is one."""
    wanted = [r for r in ROLES if r in set(roles)]
    before = user.roles
    if wanted == before:
        return
    if actor is not None and actor.id == user.id and "admin" in before and "admin" not in wanted:
        raise ValidationFailed(_l("You cannot remove your own administrator role."))
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    held = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=r) for r in wanted if r not in held)
    db.session.flush()
    audit.record(actor, "user.roles", target=user, summary=user.username,
                 details={"before": before, "after": wanted})


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    """Deactivate (ending every session and token) or reactivate a user."""
    if actor is not None and actor.id == user.id and not active:
        raise ValidationFailed(_l("You cannot deactivate your own account."))
    lock_for_update(user)
    if user.active == active:
        return
    user.active = active
    if not active:
        user.auth_version += 1
    audit.record(actor, "user.activate" if active else "user.deactivate", target=user,
                 summary=user.username)
    db.session.flush()


def reset_password(user: User, new_password: str, *, actor: User | None, now: datetime) -> None:
    """Set a new password chosen by an admin; the user must change it at next login.
    Ends the user's sessions and revokes their API tokens."""
    check_password_strength(new_password)
    lock_for_update(user)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.auth_version += 1
    revoked = tokens.revoke_all(user, now=now)
    audit.record(actor, "user.password_reset", target=user, summary=user.username,
                 details={"tokens_revoked": revoked} if revoked else None, now=now)
    db.session.flush()


def change_password(user: User, old_password: str, new_password: str, *, now: datetime) -> None:
    """The user's own password change; ends their other sessions and revokes their API
    tokens (a token taken with the old password must not outlive it)."""
    if not check_password_hash(user.password_hash, old_password):
        raise ValidationFailed(_l("The current password is wrong."))
    if old_password == new_password:
        raise ValidationFailed(_l("The new password must differ from the current one."))
    check_password_strength(new_password)
    lock_for_update(user)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.auth_version += 1
    tokens.revoke_all(user, now=now)
    db.session.flush()


def assign_post(user: User, post: Post, *, start: date) -> PostAssignment:
    """Make `post` the user's current post from `start`, closing the previous one."""
    current = db.session.scalar(
        select(PostAssignment).where(
            PostAssignment.user_id == user.id, PostAssignment.end_date.is_(None)
        )
    ) if user.id else None
    if current is not None:
        if current.post_id == post.id:
            return current
        if start < current.start_date:
            raise ValidationFailed(_l("A new post cannot start before the current one."))
        if start == current.start_date:
            # A correction on the day the post began: no zero-length stretch in the history.
            current.post = post
            db.session.flush()
            db.session.expire(user, ["current_assignment"])
            return current
        current.end_date = start
        db.session.flush()
    assignment = PostAssignment(user=user, post=post, start_date=start)
    db.session.add(assignment)
    db.session.flush()
    db.session.expire(user, ["current_assignment"])
    return assignment


def is_newcomer(user: User, today: date, months: int = 12) -> bool:
    """True when the user joined within the last `months` months."""
    return user.joined_on is not None and user.joined_on > add_months(today, -months)


def create_post(code: str, name: str, area: str, description: str = "") -> Post:
    """Create a post tied to a business area."""
    if area not in AREAS:
        raise ValidationFailed(_l("Unknown business area."))
    post = Post(code=code.strip(), name=name.strip(), area=area, description=description.strip())
    try:
        with db.session.begin_nested():
            db.session.add(post)
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict(_l("A post with that code or name exists.")) from None
        raise
    return post


def _validate_user_data(data: UserData, today: date) -> None:
    username = normalize_username(data.username)
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise ValidationFailed(
            _l("A username uses letters, digits, '.', '_' or '-', at most 64 characters.")
        )
    if not data.name.strip():
        raise ValidationFailed(_l("The name is required."))
    unknown = set(data.roles) - set(ROLES)
    if unknown or not data.roles:
        raise ValidationFailed(_l("Choose at least one valid role."))
    if data.joined_on is not None and data.joined_on > today:
        # The roster import refuses it as well: nobody joins in the future.
        raise ValidationFailed(_l("The join date %(date)s is in the future.",
                                  date=data.joined_on.isoformat()))
