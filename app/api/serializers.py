"""Shapes of objects in API answers."""

from __future__ import annotations

from datetime import date, datetime

from app.accounts.models import OrgUnit, Post, User
from app.accounts.org import path_label


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_brief(user: User) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name, "roles": user.roles}


def org_unit(unit: OrgUnit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.id, "name": unit.name, "kind": unit.kind, "path": path_label(unit)}


def post(value: Post | None) -> dict | None:
    if value is None:
        return None
    return {"id": value.id, "code": value.code, "name": value.name, "area": value.area}
