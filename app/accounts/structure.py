"""Org units and posts as an admin edits them: each change with its audit entry (before and
after), so the views only parse forms and report."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.accounts import audit, org, services
from app.accounts.models import OrgUnit, Post, User
from app.db import is_unique_violation
from app.errors import Conflict
from app.extensions import db


def unit_fields(unit: OrgUnit) -> dict:
    return {"name": unit.name, "kind": unit.kind, "sort_order": unit.sort_order,
            "parent": org.path_label(unit.parent) if unit.parent else None}


def post_fields(post: Post) -> dict:
    return {"code": post.code, "name": post.name, "area": post.area, "description": post.description,
            "active": post.active}


def changes(before: dict, after: dict) -> dict:
    """The audit details of an edit: the fields that changed, before and after."""
    changed = [key for key in after if after[key] != before.get(key)]
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after[k] for k in changed}}


def add_unit(name: str, *, parent: OrgUnit | None, kind: str, sort_order: int, actor: User) -> OrgUnit:
    """Create an org unit, audited."""
    unit = org.create_unit(name, parent=parent, kind=kind, sort_order=sort_order)
    audit.record(actor, "org_unit.create", target=unit, summary=unit.name)
    return unit


def update_unit(unit: OrgUnit, *, name: str, kind: str, sort_order: int, parent: OrgUnit | None,
                actor: User) -> None:
    """Rename, re-kind, reorder or move an org unit, audited with what changed."""
    before = unit_fields(unit)
    org.rename_unit(unit, name, kind)
    unit.sort_order = sort_order
    if parent is not unit.parent:
        org.move_unit(unit, parent)
    audit.record(actor, "org_unit.update", target=unit, summary=unit.name,
                 details=changes(before, unit_fields(unit)))


def remove_unit(unit: OrgUnit, *, actor: User) -> None:
    """Delete an empty org unit, audited."""
    name, unit_id = unit.name, unit.id
    org.delete_unit(unit)
    audit.record(actor, "org_unit.delete", summary=name, details={"id": unit_id})


def add_post(code: str, name: str, area: str, description: str, *, active: bool, actor: User) -> Post:
    """Create a post, audited."""
    post = services.create_post(code, name, area, description)
    post.active = active
    audit.record(actor, "post.create", target=post, summary=post.name)
    return post


def update_post(post: Post, *, code: str, name: str, area: str, description: str, active: bool,
                actor: User) -> None:
    """Edit a post, audited with what changed; a duplicate code or name is refused."""
    before = post_fields(post)
    try:
        with db.session.begin_nested():
            post.code, post.name, post.area = code.strip(), name.strip(), area
            post.description, post.active = (description or "").strip(), active
            db.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise Conflict(_post_exists()) from None
        raise
    audit.record(actor, "post.update", target=post, summary=post.name,
                 details=changes(before, post_fields(post)))


def _post_exists():
    from flask_babel import lazy_gettext as _l

    return _l("A post with that code or name exists.")
