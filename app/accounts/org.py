"""The org tree: creating, renaming, moving units, and subtree queries."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import OrgUnit, User
from app.db import is_unique_violation
from app.errors import Conflict, ValidationFailed
from app.extensions import db


@dataclass(frozen=True)
class OrgNode:
    unit: OrgUnit
    depth: int
    label: str  # the full name path, e.g. 组织部/干部室


def subtree_filter(unit: OrgUnit):
    """A SQL condition matching `unit` and all its descendants."""
    # Paths hold only digits and slashes, so the prefix needs no LIKE escaping.
    return OrgUnit.path.startswith(unit.path)


def subtree_ids(unit: OrgUnit):
    """A subquery of the ids of `unit` and all its descendants."""
    return select(OrgUnit.id).where(subtree_filter(unit)).scalar_subquery()


def create_unit(name: str, *, parent: OrgUnit | None = None, kind: str = "section",
                sort_order: int = 0) -> OrgUnit:
    """Create an org unit under `parent` (a root when None)."""
    name = name.strip()
    if not name or "/" in name:
        raise ValidationFailed(_l("An org unit name must be non-empty and contain no '/'."))
    if _sibling_exists(name, parent):
        raise Conflict(_l("A unit named %(name)s already exists there.", name=name))
    try:
        with db.session.begin_nested():
            # Built inside the savepoint: the parent's collection must not hold it
            # before the savepoint's opening flush.
            unit = OrgUnit(name=name, kind=kind, parent=parent, sort_order=sort_order)
            db.session.add(unit)
    except IntegrityError as exc:
        # Two admins creating the same unit at once: the constraint decides.
        if is_unique_violation(exc):
            raise Conflict(_l("A unit named %(name)s already exists there.", name=name)) from None
        raise
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    db.session.flush()
    return unit


def rename_unit(unit: OrgUnit, name: str, kind: str | None = None) -> None:
    """Rename a unit (and optionally change its kind)."""
    name = name.strip()
    if not name or "/" in name:
        raise ValidationFailed(_l("An org unit name must be non-empty and contain no '/'."))
    if name != unit.name and _sibling_exists(name, unit.parent):
        raise Conflict(_l("A unit named %(name)s already exists there.", name=name))
    unit.name = name
    if kind:
        unit.kind = kind
    db.session.flush()


def move_unit(unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Move a unit and its subtree under `new_parent`."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(_l("A unit cannot be moved into its own subtree."))
    if _sibling_exists(unit.name, new_parent, exclude=unit):
        raise Conflict(_l("A unit named %(name)s already exists there.", name=unit.name))
    old_prefix = unit.path
    new_prefix = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    unit.parent = new_parent
    db.session.flush()
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.startswith(old_prefix))
        .values(path=literal(new_prefix) + func.substr(OrgUnit.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def delete_unit(unit: OrgUnit) -> None:
    """Delete an empty unit: no child units and no members."""
    has_children = db.session.scalar(select(func.count()).where(OrgUnit.parent_id == unit.id))
    has_users = db.session.scalar(select(func.count()).where(User.org_unit_id == unit.id))
    if has_children or has_users:
        raise Conflict(_l("Only a unit with no sub-units and no members can be deleted."))
    db.session.delete(unit)
    db.session.flush()


def tree(root: OrgUnit | None = None) -> list[OrgNode]:
    """All units (or `root`'s subtree) in display order, each with its depth and name path."""
    query = select(OrgUnit)
    if root is not None:
        query = query.where(subtree_filter(root))
    units = db.session.scalars(query).all()
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.name))
    start = [root] if root is not None else children.get(None, [])
    nodes: list[OrgNode] = []

    def walk(unit: OrgUnit, depth: int, prefix: str) -> None:
        label = f"{prefix}/{unit.name}" if prefix else unit.name
        nodes.append(OrgNode(unit, depth, label))
        for child in children.get(unit.id, []):
            walk(child, depth + 1, label)

    base = ""
    if root is not None and root.parent is not None:
        base = path_label(root.parent)
    for unit in start:
        walk(unit, 0, base)
    return nodes


def is_within(unit: OrgUnit, root: OrgUnit | None) -> bool:
    """Whether `unit` is `root` or below it."""
    return root is not None and unit.path.startswith(root.path)


def ancestor_ids(unit: OrgUnit) -> list[int]:
    """The ids on the unit's path, from the top of the tree down to the unit itself."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def path_label(unit: OrgUnit) -> str:
    """The unit's full name path, e.g. ``组织部/干部室``."""
    ids = ancestor_ids(unit)
    others = [i for i in ids if i != unit.id]  # a top-level unit needs no query
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(others))).all()) \
        if others else {}
    names[unit.id] = unit.name
    return "/".join(names[i] for i in ids if i in names)


def find_by_path(label: str) -> OrgUnit | None:
    """The unit whose full name path is `label` (``组织部/干部室``), or None."""
    parts = [p.strip() for p in label.strip().strip("/").split("/") if p.strip()]
    unit: OrgUnit | None = None
    for part in parts:
        parent_clause = OrgUnit.parent_id.is_(None) if unit is None else OrgUnit.parent_id == unit.id
        unit = db.session.scalar(select(OrgUnit).where(parent_clause, OrgUnit.name == part))
        if unit is None:
            return None
    return unit


def _sibling_exists(name: str, parent: OrgUnit | None, exclude: OrgUnit | None = None) -> bool:
    parent_clause = OrgUnit.parent_id.is_(None) if parent is None else OrgUnit.parent_id == parent.id
    query = select(OrgUnit.id).where(parent_clause, OrgUnit.name == name)
    if exclude is not None:
        query = query.where(OrgUnit.id != exclude.id)
    return db.session.scalar(query) is not None
