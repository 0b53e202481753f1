"""Authorization in one place: role checks for views, org-subtree scoping for data."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from app.accounts.models import OrgUnit, User
from app.accounts.org import is_within, subtree_filter, subtree_ids
from app.errors import NotFound
from app.extensions import db


def roles_required(*roles: str):
    """View decorator: the user is logged in and holds one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def scope_root(viewer: User) -> OrgUnit | None:
    """The unit whose subtree `viewer` may see as a manager; None means everything (admin)."""
    if viewer.has_role("admin"):
        return None
    return viewer.org_unit


def acted_above(author: User | None, viewer: User) -> bool:
    """Whether what `author` did (an assignment, say) was done above `viewer`, so `viewer`
    may not undo it. Acts are compared, not org units: an admin acts above every manager
    wherever the admin's own unit sits; a manager acts above `viewer` unless the manager's
    unit lies within `viewer`'s part of the tree. Nobody is above an admin or themselves."""
    if author is None or author.id == viewer.id or viewer.has_role("admin"):
        return False
    if author.has_role("admin"):
        return True
    return author.org_unit is None or not is_within(author.org_unit, viewer.org_unit)


def can_see_everything(viewer: User) -> bool:
    return viewer.has_role("admin")


def visible_users(viewer: User) -> Select:
    """A query of the users a manager or admin may see: their own org subtree."""
    query = select(User)
    if can_see_everything(viewer):
        return query
    if not viewer.has_role("manager") or viewer.org_unit is None:
        return query.where(User.id == viewer.id)
    return query.where(User.org_unit_id.in_(subtree_ids(viewer.org_unit)))


def visible_units(viewer: User) -> Select:
    """A query of the org units `viewer` may see."""
    query = select(OrgUnit)
    if can_see_everything(viewer):
        return query
    if not viewer.has_role("manager") or viewer.org_unit is None:
        return query.where(OrgUnit.id == -1)
    return query.where(subtree_filter(viewer.org_unit))


def get_visible_user(viewer: User, user_id: int) -> User:
    """The user `user_id` if `viewer` may see them; otherwise NotFound, never a hint."""
    user = db.session.scalar(visible_users(viewer).where(User.id == user_id))
    if user is None:
        raise NotFound()
    return user


def get_visible_unit(viewer: User, unit_id: int) -> OrgUnit:
    """The org unit `unit_id` if `viewer` may see it; otherwise NotFound."""
    unit = db.session.scalar(visible_units(viewer).where(OrgUnit.id == unit_id))
    if unit is None:
        raise NotFound()
    return unit
